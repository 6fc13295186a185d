"""The PDF edition (`make pdf`): the whole book, with its chapters, figures, ledger and bibliography."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from infoflow import figures

ROOT = Path(__file__).resolve().parent.parent
PDF = ROOT / "_build" / "pdf" / "wechat-information-flows.pdf"


def _chapter_titles() -> list[str]:
    """The first heading of every chapter and appendix listed in _toc.yml."""
    titles = []
    for nb in sorted((ROOT / "chapters").glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        text = "".join(cells[0]["source"])
        titles.append(re.search(r"^# (.+)$", text, re.MULTILINE).group(1).strip())
    return titles


@pytest.fixture(scope="module")
def pdf():
    from pypdf import PdfReader

    if not PDF.is_file():
        pytest.fail(f"{PDF} is missing: run `make pdf` (make test runs it before pytest)")
    reader = PdfReader(PDF)
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    # NFKC undoes the typesetter's ligatures (ﬂ, ﬁ) so that words match
    return reader, re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))


def test_pdf_has_the_whole_book(pdf):
    reader, text = pdf
    assert len(reader.pages) >= 40, f"the PDF has only {len(reader.pages)} pages"
    for title in _chapter_titles():
        words = re.sub(r"\s+", " ", title)
        assert words in text, f"chapter title {title!r} not found in the PDF"
    assert "Bibliography" in text and "Wang" in text
    assert "C1.01" in text and "C5.01" in text, "the claims ledger is missing from the PDF"


def test_pdf_sections_are_numbered(pdf):
    _, text = pdf
    assert re.search(r"\b1\. The information crisis", text) or re.search(r"\b1\.1\.? ", text), \
        "no numbered chapter or section headings in the PDF"


def test_pdf_embeds_every_figure(pdf):
    reader, _ = pdf
    images = sum(len(page.images) for page in reader.pages)
    n = len(figures.load_records())
    # each figure appears in its chapter and as a thumbnail in the figure index
    assert images >= 2 * n, f"{images} images embedded for {n} figures"


def test_pdf_outline_names_the_chapters(pdf):
    reader, _ = pdf
    outline = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                outline.append(item.title)

    walk(reader.outline)
    assert any("information crisis" in t.lower() for t in outline), outline[:20]
