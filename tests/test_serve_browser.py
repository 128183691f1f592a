"""A web page on another origin queries `orgkg serve --cors '*'` from headless Chromium: the
browser's preflight is answered and the rows reach the page; without --cors the browser blocks
the same request."""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import subprocess
import sys
import threading
from http.server import ThreadingHTTPServer

import pytest

from orgkg.catalogue import find_query
from orgkg.namespaces import QUERIES_DIR
from orgkg.serving import Server, free_port

from .browser import CHROMIUM, FLAGS, QuietHandler, need_a_browser
from .cli import run_cli

#: A browser and a server: `make check` leaves these out.
pytestmark = pytest.mark.slow

PAGE = """<!doctype html><meta charset="utf-8"><title>cross-origin query</title><pre id="out">waiting</pre>
<script>
const endpoint = new URLSearchParams(location.search).get("endpoint");
fetch("query.rq").then(r => r.text()).then(query => fetch(endpoint, {
  method: "POST",
  headers: {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
  body: query,
})).then(r => r.json())
  .then(d => { document.getElementById("out").textContent = JSON.stringify(d.results.bindings.map(b => b.label.value)); })
  .catch(e => { document.getElementById("out").textContent = "error: " + e; });
</script>
"""


@pytest.fixture(scope="module")
def page_origin(root, tmp_path_factory):
    """A page (and the saved query `predecessors`, as its file text) on its own loopback origin."""
    need_a_browser()
    folder = tmp_path_factory.mktemp("page")
    (folder / "index.html").write_text(PAGE, encoding="utf-8")
    (folder / "query.rq").write_text(find_query(root / QUERIES_DIR, "predecessors").sparql, encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()


def _page_text(page_url: str, endpoint: str, profile) -> str:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=FLAGS
        )
        try:
            page = context.new_page()
            page.goto(f"{page_url}?endpoint={endpoint}")
            page.wait_for_function("document.getElementById('out').textContent !== 'waiting'", timeout=30000)
            return page.inner_text("#out")
        finally:
            context.close()


def test_a_page_on_another_origin_queries_orgkg_serve_with_cors(root, tmp_path, page_origin):
    expected = run_cli("query", "run", "predecessors", "--format", "csv", root=root, cache=tmp_path / "cache")
    labels = [row["label"] for row in csv.DictReader(io.StringIO(expected.stdout))]
    port = free_port()
    env = {**os.environ, "ORGKG_ROOT": str(root), "ORGKG_CACHE": str(tmp_path / "cache")}
    process = subprocess.Popen(
        [sys.executable, "-m", "orgkg.cli", "serve", "--port", str(port), "--cors", "*"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout.readline().startswith("SPARQL endpoint")
        shown = _page_text(page_origin, f"http://127.0.0.1:{port}/query", tmp_path / "profile")
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert sorted(json.loads(shown)) == sorted(labels) and labels


def test_without_cors_the_browser_blocks_the_same_request(root, tmp_path, page_origin):
    with Server(root, port=0, cache=tmp_path / "cache") as server:
        shown = _page_text(page_origin, server.url, tmp_path / "profile")
    assert shown.startswith("error: TypeError")
