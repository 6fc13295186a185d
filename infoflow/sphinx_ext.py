"""Sphinx extension: the book's pages render offline and load without console errors.

* MathJax is served from the book itself: it comes from the PyPI package ``sphinx-mathjax-offline``
  (whose module name has hyphens and cannot be imported as an extension); its files are copied
  into ``_static/mathjax``.
* Inline scripts that the theme stack adds twice (sphinx-thebe's ``THEBE_JS_URL`` constant) are
  kept once, since a second ``const`` declaration is a script error.
* On a first visit the theme's stored colour mode is empty, which pydata-sphinx-theme reports as
  an error; a small script stores the default ("auto") before the theme reads it.
* The claims ledger is filtered and sorted in the browser by a small script of the book's own
  (``infoflow/static/ledger-filter.js``), served with the pages, so it works offline.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util.fileutil import copy_asset

MATHJAX_ENTRY = "mathjax/tex-chtml.js"
STATIC = Path(__file__).resolve().parent / "static"


def mathjax_dir() -> Path:
    """Return the folder of MathJax files installed by ``sphinx-mathjax-offline``."""
    try:
        dist = distribution("sphinx-mathjax-offline")
    except PackageNotFoundError as exc:
        raise RuntimeError("sphinx-mathjax-offline is not installed: run `make setup`") from exc
    folder = Path(str(dist.locate_file("sphinx-mathjax-offline/static/mathjax")))
    if not (folder / "tex-chtml.js").is_file():
        raise RuntimeError(f"MathJax files not found in {folder}: reinstall sphinx-mathjax-offline")
    return folder


def _set_path(app: Sphinx, config) -> None:
    config.mathjax_path = MATHJAX_ENTRY
    config.html_static_path = [*config.html_static_path, str(STATIC)]


def _copy(app: Sphinx, exc: Exception | None) -> None:
    if exc is None and app.builder.format == "html":
        copy_asset(str(mathjax_dir()), str(Path(app.outdir) / "_static" / "mathjax"))


MODE_SCRIPT = (
    'if (!localStorage.getItem("mode")) { localStorage.setItem("mode", "auto"); }'
    ' document.documentElement.dataset.mode = localStorage.getItem("mode");'
)


def _dedupe_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for js in scripts:
        attrs = getattr(js, "attributes", {})
        key = (str(getattr(js, "filename", js) or ""), tuple(sorted((k, str(v)) for k, v in attrs.items())))
        if key not in seen:
            seen.add(key)
            kept.append(js)
    scripts[:] = kept


def setup(app: Sphinx) -> dict:
    """Register the extension."""
    mathjax_dir()
    app.connect("config-inited", _set_path)
    app.connect("build-finished", _copy)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.add_js_file(None, body=MODE_SCRIPT, priority=100)
    app.add_js_file("ledger-filter.js")
    app.add_css_file("ledger-filter.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
