"""The PDF edition: the single-page HTML build of the book printed by headless Chromium, offline.

``python -m infoflow.pdf _build/singlehtml/index.html _build/pdf/wechat-information-flows.pdf``
(what ``make pdf`` runs). The same Debian Chromium and flags as the browser test; no network.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

CHROMIUM = os.environ.get("INFOFLOW_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
FOOTER = ('<div style="font-size:8px;width:100%;text-align:center;color:#333">'
          '<span class="title"></span> · page <span class="pageNumber"></span> of '
          '<span class="totalPages"></span></div>')


class PdfError(RuntimeError):
    """The PDF edition could not be printed."""


def print_pdf(html: str | Path, out: str | Path) -> Path:
    """Print the single-page HTML book ``html`` to the PDF ``out`` (A4, outline, page numbers)."""
    from playwright.sync_api import sync_playwright

    html, out = Path(html).resolve(), Path(out)
    if not html.is_file():
        raise PdfError(f"{html} is missing. Fix: build the single-page HTML first "
                       "(`jupyter-book build . --builder singlehtml`, as `make pdf` does)")
    if not Path(CHROMIUM).exists():
        raise PdfError(f"{CHROMIUM} not found. Fix: `apt-get install chromium`, or set INFOFLOW_CHROMIUM")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".pdf.tmp")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.route("http*://**", lambda route: route.abort())  # offline: nothing from the network
            page.goto(html.as_uri(), wait_until="load")
            page.wait_for_load_state("networkidle")
            page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
            page.emulate_media(media="print")
            page.pdf(path=str(tmp), format="A4", print_background=True, outline=True, tagged=True,
                     display_header_footer=True, header_template="<span></span>", footer_template=FOOTER,
                     margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"})
        finally:
            browser.close()
    os.replace(tmp, out)
    return out


def main(argv: list[str]) -> int:
    """Command line: ``HTML OUT``."""
    if len(argv) != 2:
        print("usage: python -m infoflow.pdf SINGLEHTML_INDEX OUT_PDF", file=sys.stderr)
        return 2
    print(print_pdf(*argv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
