"""How readers cite the book and each of its figures: one version, a 'cite as' line, BibTeX and CSL-JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath

import yaml

from infoflow import __version__
from infoflow.figures import BOOK_URL, FigureRecord
from infoflow.files import atomic_write_text, repo_root

CITATION_FILE = "CITATION.cff"
REPOSITORY_URL = "https://github.com/wechat-information-flows/book"
#: characters that BibTeX/LaTeX read as commands, and how to write them literally
_TEX_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%",
                "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


class CitationError(ValueError):
    """The book's citation metadata is missing or inconsistent."""


@dataclass(frozen=True)
class Book:
    """The book as a citable work, read from ``CITATION.cff``."""

    title: str
    authors: tuple[str, ...]
    version: str
    date_released: str
    url: str

    @property
    def year(self) -> int:
        """Year of the release."""
        return int(self.date_released[:4])


@lru_cache(maxsize=4)
def book(path: str | Path | None = None) -> Book:
    """Read the book's title, authors, version and release date from ``CITATION.cff``."""
    path = Path(path) if path is not None else repo_root() / CITATION_FILE
    try:
        cff = yaml.safe_load(path.read_text(encoding="utf-8"))
        authors = tuple(a.get("name") or f"{a['given-names']} {a['family-names']}" for a in cff["authors"])
        out = Book(title=str(cff["title"]), authors=authors, version=str(cff["version"]),
                   date_released=str(cff["date-released"]), url=BOOK_URL)
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise CitationError(f"{path}: cannot read the book's citation metadata ({exc!r}). "
                            "Fix: give CITATION.cff a title, authors, version and date-released") from exc
    if out.version != __version__:
        raise CitationError(f"{path}: version {out.version} differs from the package version {__version__} "
                            "(infoflow/__init__.py). Fix: give both the same version and add it to CHANGELOG.md")
    return out


def figure_page(record: FigureRecord) -> str:
    """Return the book page (relative URL) of the chapter that shows the figure."""
    return PurePosixPath(record.source).with_suffix(".html").as_posix()


def figure_url(record: FigureRecord) -> str:
    """Return the stable URL of the figure's anchor in its chapter."""
    return f"{BOOK_URL}/{figure_page(record)}#{record.label}"


def cite_as(record: FigureRecord) -> str:
    """Return the figure's 'cite as' line: book, version, figure label and title, stable URL."""
    b = book()
    return (f"{'; '.join(b.authors)} ({b.year}). {b.title}, version {b.version}, "
            f"figure {record.label}: {record.title}. {figure_url(record)}")


def _tex(text: str) -> str:
    return "".join(_TEX_ESCAPES.get(ch, ch) for ch in text)


def bibtex(record: FigureRecord) -> str:
    """Return a BibTeX ``@misc`` entry for the figure, keyed by its label."""
    b = book()
    fields = {
        "author": " and ".join("{" + _tex(a) + "}" for a in b.authors),
        "title": "{" + _tex(f"{record.title} (figure {record.label})") + "}",
        "howpublished": _tex(f"Figure {record.label} in {b.title}, version {b.version}"),
        "year": str(b.year),
        "version": b.version,
        "url": figure_url(record),
        "note": _tex(record.caption),
    }
    body = ",\n".join(f"  {key} = {{{value}}}" for key, value in fields.items())
    return f"@misc{{{record.label},\n{body}\n}}\n"


def csl_json(record: FigureRecord) -> list[dict]:
    """Return the figure as a CSL-JSON item list (one item, type ``figure``)."""
    b = book()
    y, m, d = (int(x) for x in b.date_released.split("-"))
    return [{
        "id": record.label,
        "type": "figure",
        "title": record.title,
        "author": [{"literal": a} for a in b.authors],
        "container-title": b.title,
        "version": b.version,
        "issued": {"date-parts": [[y, m, d]]},
        "URL": figure_url(record),
        "note": record.caption,
        "number": record.label,
    }]


def write_citation_files(record: FigureRecord, directory: str | Path) -> tuple[Path, Path]:
    """Write ``<label>.bib`` and ``<label>.csl.json`` for the figure into ``directory``."""
    directory = Path(directory)
    bib_path, csl_path = directory / f"{record.label}.bib", directory / f"{record.label}.csl.json"
    atomic_write_text(bib_path, bibtex(record))
    atomic_write_text(csl_path, json.dumps(csl_json(record), indent=2, ensure_ascii=False) + "\n")
    return bib_path, csl_path


def figure_entry(record: FigureRecord) -> str:
    """Render one figure-index entry (MyST): thumbnail, caption, downloads, citation files, data, notebook."""
    stem = f"../figures/{record.label}"
    doc = "/" + PurePosixPath(record.source).with_suffix("").as_posix()
    links = " · ".join(
        f'<a href="{stem}.{ext}" download>{name}</a>'
        for ext, name in (("svg", "SVG"), ("png", "PNG"), ("bib", "BibTeX"), ("csl.json", "CSL-JSON"),
                          ("json", "metadata (JSON)"))
    )
    data = "\n".join(f"- `{name}` (SHA-256 `{digest}`)" for name, digest in sorted(record.data.items()))
    return (
        f"### {record.label}\n\n"
        f"```{{image}} ../figures/{record.png}\n:alt: Thumbnail of figure {record.label}: {record.alt}\n"
        f":width: 240px\n:class: figure-index-thumb\n:target: ../{figure_page(record)}#{record.label}\n```\n\n"
        f"**{record.title}.** {record.caption} (Shown as {{numref}}`{record.label}` in "
        f"{{doc}}`{doc}`.)\n\n"
        f"Downloads: {links}\n\n"
        f"Cite as: *{cite_as(record)}*\n\n"
        f"Drawn by the notebook [`{record.source}`]({REPOSITORY_URL}/blob/main/{record.source}) "
        f"(package version {record.package_version}) from:\n\n"
        f"{data or '- no data file (a simulation or a typed value in the notebook)'}\n"
    )
