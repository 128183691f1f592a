"""Real triplestores for the tests, each on free loopback ports with a temporary store and
stopped by its process id: the Oxigraph server (PyPI `oxigraph`) and Virtuoso (Debian
`virtuoso-opensource`, started once per session). And FaultProxy: a loopback HTTP proxy in front
of a real server that answers 500, answers late, or kills the server, for the loader's faults.
And `orgkg watch`, a process of its own over a repository copy.

Registered as a pytest plugin in conftest.py, so the session-scoped Virtuoso is shared.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote_plus, urlsplit

import pytest
import requests

from orgkg.serving import free_port, oxigraph_binary

VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
VIRTUOSO_USER = {"ORGKG_STORE_USER": "dba", "ORGKG_STORE_PASSWORD": "dba"}  # a fresh database's admin


def _stop(process: subprocess.Popen | None, grace: float = 20) -> None:
    """SIGTERM by process id, SIGKILL if it does not exit within `grace` seconds."""
    if process is None or process.poll() is not None:
        return
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()


def _wait_until_answering(url: str, process: subprocess.Popen, log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}: {log.read_text(errors='replace')[-2000:]}")
        try:
            if requests.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    _stop(process)
    raise RuntimeError(f"{url} did not answer within {seconds} s: {log.read_text(errors='replace')[-2000:]}")


def put_graph(store_url: str, graph: str, ntriples: str) -> None:
    """Replace one named graph of a server's Graph Store with the given N-Triples."""
    requests.put(
        store_url + "/store",
        params={"graph": graph},
        data=ntriples.encode(),
        headers={"Content-Type": "application/n-triples"},
        timeout=10,
    ).raise_for_status()


class OxigraphServer:
    """`oxigraph serve` on a store folder; the union of all graphs is the default graph, as in
    orgkg's local engines, unless `union_default_graph` is False (the store's own default graph)."""

    def __init__(self, location: Path, union_default_graph: bool = True):
        self.location = location
        self.union_default_graph = union_default_graph
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        return self.url + "/query"

    def start(self) -> OxigraphServer:
        log = self.location.parent / f"{self.location.name}.log"
        with log.open("a") as output:
            self.process = subprocess.Popen(
                [
                    oxigraph_binary(),
                    "serve",
                    "--location",
                    str(self.location),
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    *(["--union-default-graph"] if self.union_default_graph else []),
                ],
                stdout=output,
                stderr=output,
            )
        _wait_until_answering(self.query_url, self.process, log, 30)
        return self

    def kill(self) -> None:
        """SIGKILL: the server dies mid-whatever, as in a crash."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        _stop(self.process)


class Virtuoso:
    """virtuoso-t from a copy of Debian's virtuoso.ini with the database paths and both ports
    rewritten (GUIDE §4), listening on loopback only."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.sql_port, self.http_port = free_port(), free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def query_url(self) -> str:
        return self.url + "/sparql"

    def start(self) -> Virtuoso:
        self.directory.mkdir(parents=True, exist_ok=True)
        ini = VIRTUOSO_INI.read_text()
        ini = ini.replace("/var/lib/virtuoso-opensource-7/db", str(self.directory))
        ini = re.sub(r"(?m)^ServerPort(\s*)=\s*1111\b", rf"ServerPort\g<1>= 127.0.0.1:{self.sql_port}", ini)
        ini = re.sub(r"(?m)^ServerPort(\s*)=\s*8890\b", rf"ServerPort\g<1>= 127.0.0.1:{self.http_port}", ini)
        ini = ini.replace("localhost:8890", f"127.0.0.1:{self.http_port}")
        config = self.directory / "virtuoso.ini"
        config.write_text(ini)
        log = self.directory / "console.log"
        with log.open("a") as output:
            self.process = subprocess.Popen(
                ["virtuoso-t", "+configfile", str(config), "+foreground"],
                cwd=self.directory,
                stdout=output,
                stderr=output,
            )
        _wait_until_answering(self.query_url, self.process, log, 90)
        return self

    def stop(self) -> None:
        _stop(self.process)


@pytest.fixture
def oxigraph(tmp_path):
    """A fresh Oxigraph server per test."""
    server = OxigraphServer(tmp_path / "oxigraph").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory):
    """One Virtuoso for the whole session (it takes a few seconds to start)."""
    if shutil.which("virtuoso-t") is None or not VIRTUOSO_INI.exists():
        pytest.skip("Virtuoso not installed (apt-get install virtuoso-opensource)")
    server = Virtuoso(tmp_path_factory.mktemp("virtuoso")).start()
    yield server
    server.stop()


#: What FaultProxy does with a request: None forwards it, "fail" answers 500 without forwarding,
#: a number forwards it and answers that many seconds late, a callable runs before forwarding.
Fault = Callable[["Request"], object]


class Request:
    def __init__(self, method: str, path: str, body: bytes):
        self.method, self.path, self.body = method, path, body

    @property
    def text(self) -> str:
        """Path and body URL-decoded, to match graph IRIs and update operations against."""
        return unquote_plus(self.path) + " " + unquote_plus(self.body.decode("utf-8", "replace"))

    def __repr__(self) -> str:
        return f"{self.method} {unquote_plus(self.path)}"


class FaultProxy:
    """A loopback HTTP proxy to `upstream` that injects the faults its `fault` function picks."""

    def __init__(self, upstream: str, fault: Fault = lambda request: None):
        self.upstream = urlsplit(upstream)
        self.fault = fault
        self.requests: list[Request] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _relay_handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FaultProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def forward(self, request: Request, headers: dict) -> tuple[int, list, bytes]:
        connection = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=60)
        try:
            connection.request(request.method, request.path, body=request.body or None, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()


def _relay_handler(proxy: FaultProxy):
    class Relay(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _relay(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            request = Request(self.command, self.path, body)
            proxy.requests.append(request)
            action = proxy.fault(request)
            if action == "fail":
                return self._answer(500, [("Content-Type", "text/plain")], b"injected failure")
            if callable(action):
                action()
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
            try:
                status, response_headers, data = proxy.forward(request, headers)
            except OSError:  # the server is gone: drop the connection, as a dead server would
                self.close_connection = True
                return
            if isinstance(action, (int, float)):
                time.sleep(action)
            self._answer(status, response_headers, data)

        def _answer(self, status: int, headers: list, data: bytes):
            try:
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up waiting
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _relay

        def log_message(self, *args):
            pass

    return Relay


class FakeEndpoint:
    """A loopback HTTP server that answers every request with `reply` (status, content type,
    body), sending the body `pace` seconds a byte, and records each request and how much of the
    latest body it has sent: a store that answers 401/403/500, HTML, broken JSON, or trickles. A context manager; change `reply` at will."""

    def __init__(self, status: int = 200, content_type: str = "text/plain", body: bytes = b"", pace: float = 0):
        self.reply = (status, content_type, body)
        self.pace = pace
        self.requests: list[tuple[str, str]] = []
        self.sent = 0  # bytes of the body of the latest answer sent so far
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                fake.requests.append((self.command, self.path))
                status, content_type, body = fake.reply
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                fake.sent = 0
                try:
                    for start in range(0, len(body), 1 if fake.pace else max(len(body), 1)):
                        piece = body[start : start + (1 if fake.pace else len(body))]
                        self.wfile.write(piece)
                        self.wfile.flush()
                        fake.sent += len(piece)
                        time.sleep(fake.pace)
                except OSError:  # the client gave up
                    pass

            do_GET = do_POST = do_PUT = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeEndpoint:
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


WATCH = [sys.executable, "-m", "orgkg.cli", "watch"]


@contextmanager
def watcher_running(repo: Path, *options: str, env: dict | None = None) -> Iterator[subprocess.Popen]:
    """`orgkg watch OPTIONS` on `repo` (with more environment variables `env`) for the block, from
    the moment it answers on its socket; stopped (SIGTERM) at the end unless the block ended it."""
    watcher = subprocess.Popen(
        [*WATCH, *options],
        env={**os.environ, **(env or {}), "ORGKG_ROOT": str(repo)},
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a process group of its own, as in a terminal of its own
    )
    try:
        assert watcher.stderr is not None
        assert "watching" in watcher.stderr.readline()
        yield watcher
    finally:
        _stop(watcher, grace=10)
