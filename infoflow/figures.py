"""One way to draw and save figures: a house style, deterministic SVG + PNG, and citable metadata."""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt

from infoflow import __version__
from infoflow.files import atomic_write_bytes, atomic_write_text, repo_root

FIGURES_DIR = repo_root() / "figures"
LABEL_PATTERN = re.compile(r"^fig-(0[1-6]|a[1-9])-[a-z0-9]+(?:-[a-z0-9]+)*$")
PNG_DPI = 200
BOOK_URL = "https://wechat-information-flows.github.io/book"

#: a colour-blind-safe palette (Okabe & Ito 2008)
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")

STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.prop_cycle": mpl.cycler(color=list(PALETTE)),
    "legend.frameon": False,
    "svg.fonttype": "path",
    "svg.hashsalt": "wechat-information-flows",
    "path.simplify": True,
}


class FigureError(ValueError):
    """A figure that cannot be saved as asked."""


@dataclass(frozen=True)
class FigureRecord:
    """Metadata of a saved figure: what readers cite."""

    label: str
    title: str
    caption: str
    alt: str
    chapter: str
    svg: str
    png: str
    data: dict
    package_version: str
    source: str

    def cite_as(self) -> str:
        """Return the figure's 'cite as' line (book, version, label, stable URL of its anchor)."""
        from infoflow import citation  # lazily: citation builds on this module

        return citation.cite_as(self)


def use_style() -> None:
    """Apply the book's matplotlib style (call once per notebook)."""
    mpl.rcParams.update(STYLE)


def source_notebook(label: str) -> str:
    """Return the chapter notebook that draws figure ``label`` (e.g. ``chapters/01_information_crisis.ipynb``)."""
    chapter = label.split("-")[1]
    found = sorted((repo_root() / "chapters").glob(f"{chapter}_*.ipynb"))
    return found[0].relative_to(repo_root()).as_posix() if found else "unknown"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def data_hashes(names: tuple[str, ...] | list[str]) -> dict:
    """Map each data source to its SHA-256: registry names via the registry, book files by hashing."""
    out = {}
    for name in names:
        local = repo_root() / name
        if local.is_file():
            out[name] = _sha256(local)
            continue
        from infoflow import data  # imported lazily: figures must not need the data layer

        reg = data.registry().set_index("name")
        if name not in reg.index:
            raise FigureError(
                f"data source {name!r} is neither a book file nor in data/registry.csv. "
                "Fix: name a file under data/ or a registered data file"
            )
        out[name] = str(reg.loc[name, "sha256"])
    return out


def _svg_bytes(fig: plt.Figure) -> bytes:
    buf = io.BytesIO()
    with mpl.rc_context({"svg.hashsalt": STYLE["svg.hashsalt"], "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    return buf.getvalue()


def _png_bytes(fig: plt.Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=PNG_DPI, metadata={"Software": None}, bbox_inches="tight")
    return buf.getvalue()


def save_figure(fig: plt.Figure, label: str, *, title: str, caption: str, alt: str,
                data: tuple[str, ...] | list[str] = (), directory: str | Path | None = None) -> FigureRecord:
    """Save ``fig`` as ``<label>.svg``, ``.png`` and ``.json`` metadata, each written atomically."""
    if not LABEL_PATTERN.match(label):
        raise FigureError(
            f"figure label {label!r} is malformed. Fix: use fig-<chapter>-<slug>, e.g. fig-01-mau-growth "
            "(chapter 01-06 or a1-a9 for appendices; slug lowercase words joined by hyphens)"
        )
    for name, text in (("title", title), ("caption", caption), ("alt", alt)):
        if not text or not text.strip():
            raise FigureError(f"figure {label}: the {name} is empty. Fix: every figure needs a {name}")
    directory = Path(directory) if directory is not None else FIGURES_DIR
    svg_path, png_path, meta_path = (directory / f"{label}.{ext}" for ext in ("svg", "png", "json"))
    record = FigureRecord(
        label=label, title=title.strip(), caption=caption.strip(), alt=alt.strip(),
        chapter=label.split("-")[1], svg=svg_path.name, png=png_path.name,
        data=data_hashes(tuple(data)), package_version=__version__, source=source_notebook(label),
    )
    # render everything first, so a failure leaves no file of the set behind
    svg, png = _svg_bytes(fig), _png_bytes(fig)
    meta = json.dumps(asdict(record), indent=2, sort_keys=True) + "\n"
    atomic_write_bytes(svg_path, svg)
    atomic_write_bytes(png_path, png)
    atomic_write_text(meta_path, meta)
    plt.close(fig)
    return record


def figure_markdown(record: FigureRecord, *, width: str = "100%") -> str:
    """Return the MyST figure directive that shows a saved figure in a chapter."""
    return (
        f"```{{figure}} ../figures/{record.png}\n"
        f":name: {record.label}\n"
        f":alt: {record.alt}\n"
        f":width: {width}\n\n"
        f"**{record.title}.** {record.caption}\n"
        f"```\n"
    )


def show(record: FigureRecord) -> Any:
    """Return an IPython Markdown object that displays a saved figure as a numbered, captioned MyST figure."""
    from IPython.display import Markdown

    return Markdown(figure_markdown(record))


def load_records(directory: str | Path | None = None) -> list[FigureRecord]:
    """Read the metadata of every saved figure, ordered by label."""
    directory = Path(directory) if directory is not None else FIGURES_DIR
    records = []
    for meta in sorted(directory.glob("fig-*.json")):
        try:
            records.append(FigureRecord(**json.loads(meta.read_text(encoding="utf-8"))))
        except (json.JSONDecodeError, TypeError) as exc:
            raise FigureError(f"{meta}: unreadable figure metadata ({exc}). Fix: rebuild with `make book`") from exc
    return records
