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
* Every figure is published at a stable address, ``figures/<label>.{svg,png,json}``, beside its
  BibTeX and CSL-JSON citation files generated from its metadata (``infoflow.citation``).
* Reading polish: the appendices show results, not plumbing (their code cells are collapsed);
  in chapters, cells that only import or glue numbers are collapsed too.
* Bibliography entries get the ARIA role of list items (docutils' deprecated DPUB role fails axe).
* The footer of every page names the book's version and links the PDF edition; a ``sitemap.xml``
  lists every page at the book's public address.
"""

from __future__ import annotations

import re
import shutil
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from xml.sax.saxutils import escape

from sphinx.application import Sphinx
from sphinx.util.fileutil import copy_asset

MATHJAX_ENTRY = "mathjax/tex-chtml.js"
PDF_NAME = "wechat-information-flows.pdf"
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


def publish_figures(outdir: str | Path) -> list[str]:
    """Copy every figure's SVG, PNG and metadata to ``outdir/figures`` and write its citation files."""
    from infoflow import citation, figures

    target = Path(outdir) / "figures"
    target.mkdir(parents=True, exist_ok=True)
    labels = []
    for record in figures.load_records():
        for name in (record.svg, record.png, f"{record.label}.json"):
            shutil.copyfile(figures.FIGURES_DIR / name, target / name)
        citation.write_citation_files(record, target)
        labels.append(record.label)
    return labels


def write_sitemap(app: Sphinx) -> Path:
    """Write ``sitemap.xml`` listing every page of the book at its public address."""
    from infoflow.figures import BOOK_URL

    urls = [f"{BOOK_URL}/{app.builder.get_target_uri(doc)}" for doc in sorted(app.env.found_docs)]
    body = "".join(f"  <url><loc>{escape(u)}</loc></url>\n" for u in urls)
    path = Path(app.outdir) / "sitemap.xml"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n'
                    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                    f"{body}</urlset>\n", encoding="utf-8")
    return path


def _copy(app: Sphinx, exc: Exception | None) -> None:
    if exc is None and app.builder.format == "html":
        copy_asset(str(mathjax_dir()), str(Path(app.outdir) / "_static" / "mathjax"))
        publish_figures(app.outdir)
        if app.builder.name == "html":
            write_sitemap(app)


def _footer(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    from infoflow import __version__

    pdf = context["pathto"](PDF_NAME, 1)
    context["theme_extra_footer"] = (
        (context.get("theme_extra_footer") or "")
        + f'<p class="book-edition">Version {__version__} · <a href="{pdf}">PDF edition</a> · '
        f'<a href="{context["pathto"]("CHANGELOG")}">changes</a></p>'
    )


#: lines of a cell that is plumbing: imports, the figure style, glue calls, comments, blank lines
PLUMBING_LINE = re.compile(r"^\s*(#.*|(from\s+\S+\s+)?import\s.*|glue\(.*|\w+\.use_style\(\)|\)|\s*)$")


def is_plumbing(source: str) -> bool:
    """True when a code cell only imports modules or glues numbers (a reader needs not see it)."""
    lines = source.splitlines()
    return bool(lines) and all(PLUMBING_LINE.match(line) for line in lines)


def _collapse_cells(app: Sphinx, doctree) -> None:
    docname = app.env.docname
    appendix = docname.startswith("chapters/a")
    if not docname.startswith("chapters/"):
        return
    for node in doctree.findall(lambda n: n.get("nb_element") == "cell_code" if hasattr(n, "get") else False):
        if node.get("hide_mode") or not node.children:
            continue
        source = node.children[0]
        if source.get("nb_element") != "cell_code_source":
            continue
        if appendix or is_plumbing(source.astext()):
            node["hide_mode"] = "input"
            node["prompt_show"] = "Show code"
            node["prompt_hide"] = "Hide code"


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


def _aria_roles(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    # docutils marks bibliography entries role="doc-biblioentry" inside role="list"; DPUB-ARIA 1.1
    # deprecates that role and axe-core then finds a list without list items (a critical violation)
    if "body" in context:
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app: Sphinx) -> dict:
    """Register the extension."""
    mathjax_dir()
    app.connect("config-inited", _set_path)
    app.connect("build-finished", _copy)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.connect("html-page-context", _footer)
    app.connect("html-page-context", _aria_roles)
    app.connect("doctree-read", _collapse_cells)
    app.add_js_file(None, body=MODE_SCRIPT, priority=100)
    app.add_js_file("ledger-filter.js")
    app.add_css_file("ledger-filter.css")
    app.add_css_file("reader.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
