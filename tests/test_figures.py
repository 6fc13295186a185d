"""The figure helper: deterministic SVG, PNG resolution, metadata, clear errors, no half-written files."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
from PIL import Image

from infoflow import figures


def _draw(seed: int = 0):
    figures.use_style()
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2, 3], [seed, 2, 1, 3], label="series")
    ax.set_xlabel("x")
    ax.legend()
    return fig


def _save(tmp_path, label="fig-01-test-plot"):
    return figures.save_figure(_draw(), label, title="A test", caption="A caption.", alt="A line.",
                               data=["data/claims.csv"], directory=tmp_path)


def test_svg_is_byte_identical_across_saves(tmp_path):
    _save(tmp_path / "a")
    _save(tmp_path / "b")
    a = (tmp_path / "a" / "fig-01-test-plot.svg").read_bytes()
    b = (tmp_path / "b" / "fig-01-test-plot.svg").read_bytes()
    assert a == b
    assert b"<dc:date>" not in a


def test_png_resolution_and_metadata(tmp_path):
    rec = _save(tmp_path)
    with Image.open(tmp_path / rec.png) as im:
        assert im.size[0] >= 6 * figures.PNG_DPI * 0.8
    meta = json.loads((tmp_path / "fig-01-test-plot.json").read_text())
    assert meta["caption"] == "A caption." and meta["alt"] == "A line." and meta["chapter"] == "01"
    assert len(meta["data"]["data/claims.csv"]) == 64
    assert figures.load_records(tmp_path)[0] == rec
    assert "fig-01-test-plot" in rec.cite_as()


def test_markdown_directive_names_the_figure(tmp_path):
    md = figures.figure_markdown(_save(tmp_path))
    assert md.startswith("```{figure} ../figures/fig-01-test-plot.png")
    assert ":name: fig-01-test-plot" in md and ":alt: A line." in md


@pytest.mark.parametrize("label", ["fig-1-x", "Fig-01-x", "fig-01-", "fig-01-Under_score", "figure-01-x"])
def test_bad_label_is_refused(tmp_path, label):
    with pytest.raises(figures.FigureError, match="malformed"):
        _save(tmp_path, label)
    assert list(tmp_path.iterdir()) == []


def test_missing_alt_text_is_refused(tmp_path):
    with pytest.raises(figures.FigureError, match="alt is empty"):
        figures.save_figure(_draw(), "fig-01-x", title="t", caption="c", alt=" ", directory=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_unknown_data_source_is_refused(tmp_path):
    with pytest.raises(figures.FigureError, match="neither a book file nor in data/registry.csv"):
        figures.save_figure(_draw(), "fig-01-x", title="t", caption="c", alt="a",
                            data=["no/such/file.csv"], directory=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    def boom(fig):
        raise RuntimeError("disk full")

    monkeypatch.setattr(figures, "_png_bytes", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        _save(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == []
