"""Headless Debian Chromium for the browser tests: where it is, how it is started, and a quiet
loopback file server for the pages it opens."""

from __future__ import annotations

from http.server import SimpleHTTPRequestHandler
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
#: Playwright adds --headless; the rest keep Chromium off the (closed) network and the GPU.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def need_a_browser() -> None:
    """Skip, saying what to install, unless Chromium and Playwright are there."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium not installed (apt-get install chromium chromium-driver)")
    pytest.importorskip("playwright.sync_api", reason="Playwright not installed (pip install -e '.[test]')")


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output clean
        pass
