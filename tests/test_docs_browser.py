"""The documentation site in a real browser: headless Debian Chromium driven by Playwright opens
every page from a loopback server, with no console errors, no request leaving the site and no
broken internal link; screenshots of the index, a query page and a lineage page are saved."""

from __future__ import annotations

import functools
import os
import shutil
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from orgkg.docs import build_site
from orgkg.store import EmbeddedStore

from .browser import CHROMIUM, FLAGS, QuietHandler, need_a_browser

#: Real servers, a browser, Jena, many processes or a site build: `make check` leaves these out.
pytestmark = pytest.mark.slow

#: Every link of a page, HTML <a href> and SVG <a xlink:href> alike, as an absolute URL.
LINKS_JS = """() => [...document.querySelectorAll('a')].map(a => {
  const href = typeof a.href === 'string' ? a.href : (a.href.baseVal || a.getAttribute('xlink:href'));
  return href ? new URL(href, document.baseURI).href : null;
}).filter(Boolean)"""


@pytest.fixture(scope="module")
def served_site(root, tmp_path_factory):
    """The site built into a temp dir and served on a free loopback port; stopped at teardown."""
    need_a_browser()
    work = tmp_path_factory.mktemp("browser")
    out = work / "site"
    build_site(root, out, store=EmbeddedStore(root, cache=work / "cache"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield out, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(served_site, tmp_path_factory):
    """Headless Chromium with a fresh, empty profile (--user-data-dir)."""
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


def test_every_page_loads_cleanly_and_every_internal_link_resolves(served_site, browser):
    out, base = served_site
    page = browser.new_page()
    errors, foreign = [], []
    page.on("console", lambda message: message.type == "error" and errors.append(f"{page.url}: {message.text}"))
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.on("request", lambda request: request.url.startswith((base, "data:")) or foreign.append(request.url))
    queue, seen, ids, anchors = [base + "index.html"], set(), {}, []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = page.goto(url)
        assert response is not None and response.status == 200, f"{url} answered {response and response.status}"
        ids[url] = set(page.eval_on_selector_all("[id]", "nodes => nodes.map(n => n.id)"))
        for link in page.evaluate(LINKS_JS):
            if not link.startswith(base):
                continue  # the standard vocabularies' own sites are linked, never fetched
            target, _, fragment = link.partition("#")
            queue.append(target)
            if fragment:
                anchors.append((url, target, fragment))
    page.close()
    assert errors == []
    assert foreign == []
    on_disk = {base + path.relative_to(out).as_posix() for path in out.rglob("*.html")}
    assert seen == on_disk  # every page is reachable, and nothing links outside the built pages
    assert [a for a in anchors if a[2] not in ids[a[1]]] == []


def test_opened_from_disk_without_a_server_the_navigation_works(served_site, browser):
    out, _ = served_site
    page = browser.new_page()
    page.goto((out / "index.html").as_uri())
    page.get_by_role("link", name="Queries", exact=True).click()
    page.wait_for_url("**/queries/index.html")
    assert page.locator("h1").inner_text() == "Query catalogue"
    assert page.locator("table tbody tr").count() == len(list((out / "queries").glob("*.html"))) - 1
    page.close()


def test_screenshots_of_the_index_a_query_result_and_a_lineage(served_site, browser, tmp_path, request):
    _, base = served_site
    page = browser.new_page()
    shots = []

    page.goto(base + "index.html")
    assert page.locator("nav.top a").count() == 6
    shots.append(_shot(page, tmp_path / "index.png"))

    page.goto(base + "queries/mergers.html")
    rows = page.locator("table.results tbody tr")
    assert rows.count() >= 2 and rows.first.is_visible()
    # zebra rows: the second row's background differs from the first's
    backgrounds = rows.evaluate_all("rows => rows.slice(0, 2).map(r => getComputedStyle(r).backgroundColor)")
    assert backgrounds[0] != backgrounds[1]
    shots.append(_shot(page, tmp_path / "query-mergers.png"))

    page.goto(base + "lineage/org-cao-bang-newspaper.html")
    if shutil.which("dot") is not None:
        box = page.locator("figure.lineage svg").bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 50
        assert page.locator("figure.lineage svg g.node").count() == 3
    shots.append(_shot(page, tmp_path / "lineage-cao-bang-newspaper.png"))
    page.close()

    if os.environ.get("ORGKG_KEEP_SCREENSHOTS"):
        keep = request.config.rootpath / "site-screenshots"
        keep.mkdir(exist_ok=True)
        for shot in shots:
            shutil.copy2(shot, keep / shot.name)


def _shot(page, path: Path) -> Path:
    page.screenshot(path=str(path), full_page=True)
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 10_000
    return path
