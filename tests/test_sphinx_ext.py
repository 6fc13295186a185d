"""The book's Sphinx extension: which cells are folded away, and the published figure files."""

from __future__ import annotations

import json

import pytest

from infoflow import figures, sphinx_ext


@pytest.mark.parametrize(("source", "plumbing"), [
    ("import numpy as np\nfrom infoflow import data\n\nfigures.use_style()", True),
    ('glue("ch01_n", 3, display=False)\n# a comment\nglue("ch01_m", 4)', True),
    ("x = 1", False),
    ("import numpy as np\nresult = np.mean([1, 2])", False),
    ("", False),
])
def test_plumbing_cells_are_recognised(source, plumbing):
    assert sphinx_ext.is_plumbing(source) is plumbing


def test_publish_figures_writes_every_file_with_citations(tmp_path):
    from pybtex.database import parse_string

    labels = sphinx_ext.publish_figures(tmp_path)
    records = figures.load_records()
    assert labels == [r.label for r in records]
    for rec in records:
        for ext in ("svg", "png", "json", "bib", "csl.json"):
            assert (tmp_path / "figures" / f"{rec.label}.{ext}").stat().st_size > 0
        assert rec.label in parse_string((tmp_path / "figures" / f"{rec.label}.bib").read_text(), "bibtex").entries
        assert json.loads((tmp_path / "figures" / f"{rec.label}.csl.json").read_text())[0]["id"] == rec.label
