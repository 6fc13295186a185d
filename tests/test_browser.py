"""Open every page of the built book in headless Chromium: loads, images, console, search, links,
accessibility (axe-core), narrow screens, the figure index, the ledger filters and the PDF link."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urljoin

import pytest

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
CHROMIUM = os.environ.get("INFOFLOW_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
SKIP_DIRS = {"_static", "_sources", "_downloads", "_images", "_sphinx_design_static", ".doctrees"}


def _pages() -> list[str]:
    if not HTML.is_dir():
        return []
    pages = []
    for p in sorted(HTML.rglob("*.html")):
        rel = p.relative_to(HTML)
        if not SKIP_DIRS.intersection(rel.parts):
            pages.append(rel.as_posix())
    return pages


PAGES = _pages()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def server():
    """Serve _build/html on a loopback port for the duration of the module."""
    if not (HTML / "index.html").exists():
        pytest.fail(f"{HTML}/index.html is missing: build the book first (`make html-noexec` or `make book`)")
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    """A headless Debian Chromium driven by Playwright."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (`apt-get install chromium`), "
                    "or point INFOFLOW_CHROMIUM at a Chromium binary")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _open(browser, url: str):
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return page, response, errors


def test_book_has_pages():
    assert len(PAGES) >= 12, f"expected the book's pages in {HTML}, found {PAGES}"


@pytest.mark.parametrize("rel", PAGES)
def test_page_loads_cleanly(browser, server, rel):
    page, response, errors = _open(browser, f"{server}/{rel}")
    try:
        assert response is not None and response.ok, f"{rel}: HTTP {response and response.status}"
        broken = page.evaluate(
            "() => Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
            ".map(i => i.getAttribute('src'))"
        )
        assert broken == [], f"{rel}: images that did not load: {broken}"
        missing_alt = page.evaluate(
            "() => Array.from(document.querySelectorAll('main img'))"
            ".filter(i => !(i.getAttribute('alt') || '').trim()).map(i => i.getAttribute('src'))"
        )
        assert missing_alt == [], f"{rel}: images without alt text: {missing_alt}"
        assert errors == [], f"{rel}: console errors: {errors}"
    finally:
        page.close()


def test_root_redirects_to_intro(browser, server):
    page, _, _ = _open(browser, f"{server}/index.html")
    try:
        page.wait_for_url("**/intro.html", timeout=10_000)
        assert "WeChat information flows" in page.title()
    finally:
        page.close()


def test_search_finds_a_known_word(browser, server):
    page, _, errors = _open(browser, f"{server}/search.html?q=Moments")
    try:
        page.wait_for_selector("#search-results ul.search li", timeout=20_000)
        hits = page.locator("#search-results ul.search li").count()
        assert hits >= 3, f"search for 'Moments' found {hits} pages"
        assert errors == []
    finally:
        page.close()


def test_figure_index_links_resolve(browser, server):
    """Every figure's thumbnail, downloads and citation files resolve; the BibTeX parses."""
    from pybtex.database import parse_string

    from infoflow import figures

    page, _, errors = _open(browser, f"{server}/chapters/a2_figure_index.html")
    try:
        hrefs = page.evaluate(
            "() => Array.from(document.querySelectorAll('main a[href]')).map(a => a.href)"
            ".filter(h => h.startsWith(location.origin))"
        )
        for href in sorted({h.split("#")[0] for h in hrefs}):
            r = page.request.get(href)
            assert r.ok, f"figure index link {href} answers HTTP {r.status}"
        for rec in figures.load_records():
            for ext in ("svg", "png", "json", "bib", "csl.json"):
                assert f"{server}/figures/{rec.label}.{ext}" in hrefs, f"{rec.label}: no .{ext} link"
            bib = page.request.get(f"{server}/figures/{rec.label}.bib").text()
            assert rec.label in parse_string(bib, "bibtex").entries
            thumb = page.locator(f"a[href$='#{rec.label}'] img.figure-index-thumb")
            assert thumb.count() == 1 and thumb.evaluate("i => i.naturalWidth") > 0, rec.label
        assert errors == []
    finally:
        page.close()


def test_figure_anchors_exist_where_citations_point(browser, server):
    """The stable URL in each 'cite as' line names a figure anchor that exists in its chapter."""
    from infoflow import citation, figures

    for rec in figures.load_records():
        page, _, _ = _open(browser, f"{server}/{citation.figure_page(rec)}")
        try:
            figure = page.locator(f"figure#{rec.label}")
            assert figure.count() == 1, f"{citation.figure_page(rec)} has no figure #{rec.label}"
            full = figure.locator("a.image-reference").get_attribute("href")
            assert full and page.request.get(urljoin(page.url, full)).ok, f"{rec.label}: no full-size link"
        finally:
            page.close()


def test_ledger_filters_match_the_ledger(browser, server):
    """The ledger appendix filters by chapter, verdict, evidence kind and text; counts match the ledger."""
    from infoflow import claims

    results = claims.run_all()
    status = claims.status(results)
    page, _, errors = _open(browser, f"{server}/chapters/a1_claims_ledger.html")
    try:
        def count() -> tuple[int, int]:
            shown, total = page.inner_text(".claims-ledger-count").split(" claims")[0].split(" of ")
            visible = page.locator("div.claims-ledger tbody tr:not([hidden])").count()
            assert visible == int(shown)
            return int(shown), int(total)

        assert count() == (len(results), len(results))
        page.select_option("select[aria-label=Chapter]", "Chapter 3")
        assert count()[0] == int(results["claim_id"].str.startswith("C3.").sum())
        page.select_option("select[aria-label=Chapter]", "")
        page.select_option("select[aria-label=Verdict]", "unverified")
        assert count()[0] == int((status == "unverified").sum()) > 0
        page.select_option("select[aria-label=Verdict]", "")
        page.select_option("select[aria-label=Evidence]", "proxy data")
        assert count()[0] == int((results["evidence"] == "proxy data").sum()) > 0
        page.select_option("select[aria-label=Evidence]", "")
        page.fill("input[aria-label='Search claims']", "QuestMobile")
        shown = count()[0]
        assert 0 < shown < len(results)
        assert all("questmobile" in t.lower()
                   for t in page.locator("div.claims-ledger tbody tr:not([hidden])").all_inner_texts())
        assert errors == []
    finally:
        page.close()


def test_chapter_claim_links_open_their_ledger_row(browser, server):
    page, _, errors = _open(browser, f"{server}/chapters/01_information_crisis.html")
    try:
        page.click("a[href='a1_claims_ledger.html#claim-C1-11']")
        page.wait_for_load_state("load")
        row = page.locator("#claim-C1-11")
        assert row.is_visible() and row.inner_text().startswith("C1.11")
        assert errors == []
    finally:
        page.close()


# ---------------------------------------------------------------- accessibility and narrow screens

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def axe():
    """axe-core, bundled with axe-playwright-python (no network)."""
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.mark.parametrize("rel", PAGES)
def test_page_has_no_serious_accessibility_violation(browser, server, axe, rel):
    """WCAG 2.1 A/AA rules of axe-core: no serious or critical violation on any page."""
    page, _, _ = _open(browser, f"{server}/{rel}")
    try:
        result = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        bad = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
               for v in result.response["violations"] if v["impact"] in ("serious", "critical")]
        assert bad == [], f"{rel}: " + "\n".join(bad)
    finally:
        page.close()


@pytest.mark.parametrize("rel", PAGES)
def test_page_reads_at_390_px(browser, server, rel):
    """At a phone's width no table or figure widens the page: wide content scrolls in its own box."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto(f"{server}/{rel}", wait_until="load")
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{rel}: the page is {overflow}px wider than a 390px screen"
    finally:
        page.close()


def test_verdicts_carry_text_not_colour_alone(browser, server):
    """Every verdict badge in the ledger names its verdict in words (readable in greyscale)."""
    from infoflow import render

    page, _, _ = _open(browser, f"{server}/chapters/a1_claims_ledger.html")
    try:
        badges = page.locator("main .sd-badge").all_inner_texts()
        assert badges and all(b.strip() in render.BADGE for b in badges), badges
    finally:
        page.close()


def test_appendix_code_is_collapsed(browser, server):
    page, _, _ = _open(browser, f"{server}/chapters/a1_claims_ledger.html")
    try:
        inputs = page.locator("main .cell_input")
        assert inputs.count() > 0
        assert all(not inputs.nth(i).is_visible() for i in range(inputs.count()))
    finally:
        page.close()


# ---------------------------------------------------------------- publishing: PDF link, version, sharing

def test_every_page_links_the_pdf_and_shows_the_version(browser, server):
    from infoflow import citation

    page, _, _ = _open(browser, f"{server}/intro.html")
    try:
        footer = page.locator(".book-edition")
        assert f"Version {citation.book().version}" in footer.inner_text()
        pdf = footer.locator("a", has_text="PDF").get_attribute("href")
        r = page.request.get(urljoin(page.url, pdf))
        assert r.ok and r.body()[:5] == b"%PDF-", f"the PDF edition at {pdf} answers HTTP {r.status}"
    finally:
        page.close()
    for rel in PAGES:
        assert 'class="book-edition"' in (HTML / rel).read_text(encoding="utf-8") or rel == "index.html", rel


def test_sharing_metadata_and_sitemap():
    """OpenGraph cards on every page, and a sitemap that lists every page of the book."""
    sitemap = (HTML / "sitemap.xml").read_text(encoding="utf-8")
    for rel in PAGES:
        if rel in ("index.html", "genindex.html", "search.html"):
            continue
        text = (HTML / rel).read_text(encoding="utf-8")
        assert '<meta property="og:title"' in text and '<meta property="og:url"' in text, rel
        assert f"/{rel}</loc>" in sitemap, f"{rel} is missing from sitemap.xml"
