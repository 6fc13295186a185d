"""Open every page of the built book in headless Chromium: loads, images, console, search, links."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

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
    page, _, errors = _open(browser, f"{server}/chapters/a2_figure_index.html")
    try:
        hrefs = page.evaluate(
            "() => Array.from(document.querySelectorAll('main a[href]')).map(a => a.href)"
            ".filter(h => h.startsWith(location.origin))"
        )
        downloads = [h for h in hrefs if "/_downloads/" in h]
        assert downloads, "the figure index links to no downloadable figure files"
        for href in hrefs:
            r = page.request.get(href.split("#")[0])
            assert r.ok, f"figure index link {href} answers HTTP {r.status}"
        assert any(h.endswith(".svg") for h in downloads) and any(h.endswith(".png") for h in downloads)
        assert errors == []
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
