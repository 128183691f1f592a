"""`orgkg serve`: a read-only SPARQL endpoint over the embedded store, served by the Oxigraph
server (the `oxigraph` package on PyPI).

Its default graph is the store's: the union of the named graphs, each triple once. It serves a
snapshot of the store, not the store itself: the next `orgkg query` may rebuild
the store while the server reads it, which Oxigraph's read-only mode does not allow.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from orgkg.store import EmbeddedStore, StoreError


def oxigraph_binary() -> str:
    """The `oxigraph` server binary: on PATH, or beside this Python (an unactivated venv)."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = shutil.which("oxigraph") or (str(beside) if beside.is_file() else None)
    if not found:
        raise StoreError("the Oxigraph server is not installed; pip install oxigraph")
    return found


def free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class Server:
    """The Oxigraph server over a snapshot of the embedded store, on HOST:PORT (port 0: any free).

    Use as a context manager, or start() then stop(); stop() ends the server by its process id
    and removes the snapshot.
    """

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 7878, cache: Path | None = None):
        self.store = EmbeddedStore(root, cache)
        self.host, self.port = host, port
        self.process: subprocess.Popen | None = None
        self.snapshot: Path | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/query"

    def start(self, wait: float = 20.0) -> str:
        """Build the store, snapshot it, start the server; the query URL once it answers."""
        binary = oxigraph_binary()
        self.store.build()
        self.snapshot = Path(tempfile.mkdtemp(prefix="orgkg-serve-"))
        ox.Store.read_only(str(self.store.location)).backup(str(self.snapshot / "store"))
        if self.port == 0:
            self.port = free_port(self.host)
        help_text = subprocess.run([binary, "--help"], capture_output=True, text=True).stdout
        # Older servers have no read-only mode; serving the snapshot read-write changes only the copy.
        mode = "serve-read-only" if "serve-read-only" in help_text else "serve"
        bind = f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"
        with (self.snapshot / "server.log").open("w") as log:
            self.process = subprocess.Popen(
                [binary, mode, "--location", str(self.snapshot / "store"), "--bind", bind],
                stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
        self._wait_until_ready(wait)
        return self.url

    def _wait_until_ready(self, wait: float) -> None:
        import requests

        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.snapshot / "server.log").read_text(errors="replace").strip().splitlines()
                reason = log[-1] if log else f"exit code {self.process.returncode}"
                self.stop()
                raise StoreError(f"the Oxigraph server did not start on {self.host}:{self.port}: {reason} "
                                 "(is the port in use? choose another with --port)")
            try:
                requests.get(self.url, params={"query": "ASK {}"}, timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.1)
        self.stop()
        raise StoreError(f"the Oxigraph server did not answer on {self.host}:{self.port} within {wait:g} s")

    def wait(self) -> int:
        """Block until the server exits; its exit code."""
        return self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.snapshot is not None:
            shutil.rmtree(self.snapshot, ignore_errors=True)
            self.snapshot = None

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
