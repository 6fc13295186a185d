"""The figure helper: deterministic SVG, PNG resolution, metadata, clear errors, no half-written files."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
from PIL import Image

from infoflow import __version__, citation, figures

ROOT = Path(__file__).resolve().parent.parent


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


# ---------------------------------------------------------------- citable figures (the figure index)

def _index_entries() -> dict[str, str]:
    """The figure index's stored output, split into one entry per figure label."""
    nb = json.loads((ROOT / "chapters" / "a2_figure_index.ipynb").read_text(encoding="utf-8"))
    text = "".join("".join(o.get("data", {}).get("text/markdown", ""))
                   for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", []))
    parts = text.split("### ")[1:]
    return {p.split("\n", 1)[0].strip(): p for p in parts}


RECORDS = figures.load_records()


def test_book_figures_exist():
    assert len(RECORDS) >= 10, f"expected the book's figures in {figures.FIGURES_DIR}"


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.label)
def test_figure_index_entry_has_everything_a_reader_cites(record):
    """Thumbnail, caption, SVG/PNG, cite-as line with version and anchor, BibTeX, CSL-JSON, data hashes, notebook."""
    entry = _index_entries().get(record.label)
    assert entry is not None, f"{record.label} is missing from the figure index: re-execute a2_figure_index"
    book = citation.book()
    assert f"```{{image}} ../figures/{record.png}" in entry and ":alt: " in entry
    assert record.caption in entry
    for ext in ("svg", "png", "bib", "csl.json"):
        assert f'href="../figures/{record.label}.{ext}"' in entry, f"{record.label}: no {ext} link"
    cite = entry.split("Cite as: *", 1)[1].split("*\n", 1)[0]
    assert book.title in cite and f"version {book.version}" in cite and record.label in cite
    assert cite.endswith(f"/{Path(record.source).with_suffix('.html').as_posix()}#{record.label}")
    for name, digest in record.data.items():
        assert f"`{name}` (SHA-256 `{digest}`)" in entry
    assert f"`{record.source}`" in entry and (ROOT / record.source).is_file()


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.label)
def test_figure_bibtex_parses_and_round_trips(record, tmp_path):
    from pybtex.database import parse_string

    bib_path, csl_path = citation.write_citation_files(record, tmp_path)
    entry = parse_string(bib_path.read_text(encoding="utf-8"), "bibtex").entries[record.label]
    assert entry.type == "misc"
    assert entry.fields["url"] == citation.figure_url(record)
    assert entry.fields["version"] == citation.book().version
    assert record.label in entry.fields["title"]
    csl = json.loads(csl_path.read_text(encoding="utf-8"))
    assert len(csl) == 1 and csl[0]["id"] == record.label and csl[0]["type"] == "figure"
    assert csl[0]["title"] == record.title and csl[0]["URL"] == citation.figure_url(record)


def test_bibtex_escapes_latex_specials(tmp_path):
    from pybtex.database import parse_string

    rec = _save(tmp_path)
    odd = figures.FigureRecord(**{**rec.__dict__, "title": "50% of {users} & 10_000 #tags",
                                  "caption": "A $5 \\ caption"})
    entry = parse_string(citation.bibtex(odd), "bibtex").entries[odd.label]
    assert r"50\% of \{users\} \& 10\_000 \#tags" in entry.fields["title"]


def test_book_version_agrees_everywhere():
    """CITATION.cff, the package, pyproject.toml and CHANGELOG.md name the same version."""
    import tomllib

    version = citation.book().version
    assert version == __version__
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"] == version
    assert f"## {version}" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


def test_version_mismatch_is_refused(tmp_path):
    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8").replace(f"version: {__version__}", "version: 9.9.9")
    (tmp_path / "CITATION.cff").write_text(cff, encoding="utf-8")
    with pytest.raises(citation.CitationError, match="differs from the package version"):
        citation.book(tmp_path / "CITATION.cff")
