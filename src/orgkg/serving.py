"""`orgkg serve`: a read-only SPARQL endpoint over the embedded store, served by the Oxigraph
server (the `oxigraph` package on PyPI) behind a small guard.

Its default graph is the store's: the union of the named graphs, each triple once. It serves a
snapshot of the store, not the store itself: the next `orgkg query` may rebuild
the store while the server reads it, which Oxigraph's read-only mode does not allow.

The Oxigraph server executes `SERVICE` by fetching the URL itself and has no switch to turn
that off, so it listens on a private loopback port and the public address is a guard that
applies the local engines' rules (guards.check: no SERVICE unless --allow-service, FROM only the
repository's graphs) before forwarding. Its timeout makes the server itself abandon a query
that runs too long, even after its client has gone.

Browsers on other origins may query it when `cors` names their origin (or is "*"): the guard
answers CORS preflights itself and adds the Access-Control headers to every answer. Request
bodies may come in chunks (Transfer-Encoding: chunked, as fetch() streams and curl -T send them);
the guard reads them whole and forwards them with a length.

Nothing is left behind: the server dies with this process (PR_SET_PDEATHSIG, even on SIGKILL),
and snapshots whose owner is gone are removed at the next start.
"""

from __future__ import annotations

import ctypes
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.client import HTTPConnection
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from orgkg.atomic import temporary_folder
from orgkg.errors import OrgkgError
from orgkg.guards import check
from orgkg.store import EmbeddedStore

#: Snapshots are `.orgkg-serve.PID.RANDOM.tmp` in the temporary folder; a killed server's are
#: removed by the next start.
SNAPSHOT_NAME = "orgkg-serve"
DEFAULT_TIMEOUT = 60.0
#: The largest request body the guard reads (a SPARQL query, form-encoded or not).
MAX_BODY = 8 * 1024 * 1024
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.\-]+(:\d{1,5})?|https?://\[[0-9A-Fa-f:.]+\](:\d{1,5})?")
_HEADER_LIST = re.compile(r"[A-Za-z0-9\-]+(\s*,\s*[A-Za-z0-9\-]+)*")


class ServeError(OrgkgError):
    """The endpoint cannot be served: no server binary, a port in use, a bad origin, a server that
    does not start."""


def check_origins(origins: tuple[str, ...]) -> tuple[str, ...]:
    """CORS origins as given ("*", or scheme://host[:port] each), or ServeError naming the bad one."""
    for origin in origins:
        if origin != "*" and not _ORIGIN.fullmatch(origin):
            raise ServeError(
                f"{origin!r} is not an origin; give * or scheme://host[:port], e.g. http://localhost:8080",
                option="origins",
            )
    return origins


def oxigraph_binary() -> str:
    """The `oxigraph` server binary: on PATH, or beside this Python (an unactivated venv)."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = shutil.which("oxigraph") or (str(beside) if beside.is_file() else None)
    if not found:
        raise ServeError("the Oxigraph server is not installed; pip install oxigraph")
    return found


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now (the one free-port helper, also for the tests)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _port_taken(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


_PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL it when orgkg dies, however orgkg dies."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _log_reason(snapshot: Path) -> str:
    """The server's last error line, without Rust's backtrace notes."""
    lines = (snapshot / "server.log").read_text(errors="replace").splitlines()
    useful = [line.strip() for line in lines if line.strip() and not line.startswith(("note:", "stack backtrace"))]
    return useful[-1] if useful else ""


class Server:
    """The Oxigraph server over a snapshot of the embedded store, behind the guard on HOST:PORT
    (port 0: any free).

    Use as a context manager, or start() then stop(); stop() ends the server by its process id
    and removes the snapshot.
    """

    def __init__(
        self,
        root: Path,
        host: str = "127.0.0.1",
        port: int = 7878,
        cache: Path | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        allow_service: bool = False,
        cors: tuple[str, ...] = (),
    ):
        self.cors = check_origins(cors)
        self.store = EmbeddedStore(root, cache)
        self.host, self.port = host, port
        self.timeout, self.allow_service = timeout, allow_service
        self.process: subprocess.Popen | None = None
        self.snapshot: Path | None = None
        self.guard: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/query"

    def start(self, wait: float = 20.0) -> str:
        """Build the store, snapshot it, start the server and its guard; the query URL once it answers."""
        binary = oxigraph_binary()
        if self.port and _port_taken(self.host, self.port):
            raise ServeError(
                f"port {self.port} on {self.host} is in use; choose another port, or 0 for any free one", option="port"
            )
        self.snapshot = snapshot = temporary_folder(Path(tempfile.gettempdir()), SNAPSHOT_NAME)
        with self.store.reading() as store:  # fresh, and no builder writes while it is copied
            store.backup(str(self.snapshot / "store"))
        graphs = {g.value for g in ox.Store.read_only(str(self.snapshot / "store")).named_graphs()}
        backend = free_port("127.0.0.1")
        help_text = subprocess.run([binary, "--help"], capture_output=True, text=True).stdout
        # Older servers have no read-only mode; serving the snapshot read-write changes only the copy.
        mode = "serve-read-only" if "serve-read-only" in help_text else "serve"
        with (self.snapshot / "server.log").open("w") as log:
            self.process = process = subprocess.Popen(
                [
                    binary,
                    mode,
                    "--location",
                    str(self.snapshot / "store"),
                    "--bind",
                    f"127.0.0.1:{backend}",
                    "--timeout-s",
                    str(math.ceil(self.timeout)),  # the server counts whole seconds
                ],
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,
                preexec_fn=_die_with_parent,
                env={**os.environ, "RUST_BACKTRACE": "0"},
            )
        self._wait_until_ready(process, snapshot, backend, wait)
        try:
            self.guard = ThreadingHTTPServer(
                (self.host, self.port), _guard_handler(backend, graphs, self.allow_service, self.cors)
            )
        except OSError as error:
            self.stop()
            raise ServeError(
                f"cannot listen on {self.host}:{self.port} ({error.strerror}); choose another port", option="port"
            ) from None
        self.guard.daemon_threads = True
        self.port = self.guard.server_address[1]
        threading.Thread(target=self.guard.serve_forever, name="orgkg-serve-guard", daemon=True).start()
        return self.url

    def _wait_until_ready(self, process: subprocess.Popen, snapshot: Path, backend: int, wait: float) -> None:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if process.poll() is not None:
                reason = _log_reason(snapshot) or f"exit code {process.returncode}"
                self.stop()
                raise ServeError(f"the Oxigraph server did not start: {reason}")
            try:
                connection = HTTPConnection("127.0.0.1", backend, timeout=1)
                connection.request("GET", "/query?query=ASK%7B%7D")
                connection.getresponse().read()
                connection.close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise ServeError(f"the Oxigraph server did not answer within {wait:g} s")

    def wait(self) -> int:
        """Block until the server exits; its exit code."""
        assert self.process is not None, "start() the server first"
        return self.process.wait()

    def stop(self) -> None:
        if self.guard is not None:
            self.guard.shutdown()
            self.guard.server_close()
            self.guard = None
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


#: Headers the guard and the server must read alike: a second copy could be read by one and
#: not the other (Python's reader takes the first Content-Type, the server the last).
_SINGLE_HEADERS = ("content-type", "content-length", "transfer-encoding")


class BadRequest(Exception):
    """A request the guard will not read or forward: its status and reason."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status


class AmbiguousRequest(BadRequest):
    """A request the guard and the server could read differently."""

    def __init__(self, reason: str):
        super().__init__(400, reason)


def _refuse_repeated(headers) -> None:
    """AmbiguousRequest for a header the guard and the server could each read differently."""
    for name in _SINGLE_HEADERS:
        if len(headers.get_all(name) or []) > 1:
            raise AmbiguousRequest(f"the request has more than one {name} header")


def _query_of(method: str, path: str, headers, body: bytes) -> str | None:
    """The SPARQL query a protocol request carries (URL, form body or sparql-query body), if any;
    AmbiguousRequest for a header given twice or a query given in two places."""
    _refuse_repeated(headers)
    values = parse_qs(urlsplit(path).query).get("query", [])
    content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if method == "POST" and content_type == "application/x-www-form-urlencoded":
        values += parse_qs(body.decode("utf-8", "replace")).get("query", [])
    elif method == "POST" and content_type == "application/sparql-query":
        values.append(body.decode("utf-8", "replace"))
    if len(values) > 1:
        raise AmbiguousRequest("the request carries more than one query (in the URL and the body, or twice)")
    return values[0] if values else None


def read_body(stream, headers) -> bytes:
    """A request's body, by Content-Length or in chunks (Transfer-Encoding: chunked); BadRequest
    if it is malformed or larger than MAX_BODY."""
    _refuse_repeated(headers)
    if headers.get("Transfer-Encoding") and headers.get("Content-Length"):
        raise BadRequest(400, "the request has both Content-Length and Transfer-Encoding")
    if "chunked" not in (headers.get("Transfer-Encoding") or "").lower():
        try:
            length = int(headers.get("Content-Length") or 0)
        except ValueError:
            raise BadRequest(400, "Content-Length is not a number") from None
        if length > MAX_BODY:
            raise BadRequest(413, f"the request body is over {MAX_BODY} bytes")
        return stream.read(length)
    chunks: list[bytes] = []
    total = 0
    while True:
        line = stream.readline(1024).split(b";")[0].strip()
        try:
            size = int(line, 16)
        except ValueError:
            raise BadRequest(400, "a chunk size is not a hexadecimal number") from None
        if size == 0:
            while stream.readline(1024) not in (b"\r\n", b"\n", b""):  # trailer fields, ignored
                pass
            return b"".join(chunks)
        total += size
        if total > MAX_BODY:
            raise BadRequest(413, f"the request body is over {MAX_BODY} bytes")
        chunks.append(stream.read(size))
        stream.readline(1024)  # the CRLF after the chunk


def cors_headers(origins: tuple[str, ...], origin: str | None) -> list[tuple[str, str]]:
    """The Access-Control headers for a request from `origin`: none unless it is allowed."""
    if not origin or not origins:
        return []
    if "*" in origins:
        return [("Access-Control-Allow-Origin", "*")]
    return [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")] if origin in origins else []


def _guard_handler(backend: int, graphs: set[str], allow_service: bool, origins: tuple[str, ...] = ()):
    class Guard(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _relay(self):
            self.cors = cors_headers(origins, self.headers.get("Origin"))
            if self.command == "OPTIONS" and origins and self.headers.get("Access-Control-Request-Method"):
                return self._preflight()
            try:
                body = read_body(self.rfile, self.headers)
                sparql = _query_of(self.command, self.path, self.headers, body)
                if sparql is not None:
                    check(sparql, allow_service, graphs)
            except (BadRequest, OrgkgError, ValueError) as refusal:  # a body it will not read, a refused query
                self.close_connection = True
                status = refusal.status if isinstance(refusal, BadRequest) else 400
                return self._answer(status, [("Content-Type", "text/plain; charset=utf-8")], f"{refusal}\n".encode())
            dropped = ("host", "connection", "transfer-encoding", "content-length")
            headers = {k: v for k, v in self.headers.items() if k.lower() not in dropped}
            connection = HTTPConnection("127.0.0.1", backend)
            try:
                connection.request(self.command, self.path, body=body or None, headers=headers)
                response = connection.getresponse()
                self._answer(response.status, response.getheaders(), response.read())
            except OSError:
                self.close_connection = True
            finally:
                connection.close()

        def _preflight(self):
            """A CORS preflight, answered here: which methods and headers the origin may use."""
            if not self.cors:
                return self._answer(403, [("Content-Type", "text/plain; charset=utf-8")], b"origin not allowed\n")
            requested = self.headers.get("Access-Control-Request-Headers") or ""
            allowed = requested if _HEADER_LIST.fullmatch(requested.strip()) else "Accept, Content-Type"
            headers = (
                ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
                ("Access-Control-Allow-Headers", allowed),
                ("Access-Control-Max-Age", "600"),
            )
            self._answer(204, [], b"", own=headers)

        def _answer(self, status: int, headers: list, data: bytes, own: tuple = ()):
            """Relay an answer: the backend's `headers` without hop-by-hop or CORS ones, then the
            guard's own (CORS decided here, never by the backend)."""
            hop = ("transfer-encoding", "connection", "content-length", "server", "date")
            try:
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in hop and not name.lower().startswith("access-control-"):
                        self.send_header(name, value)
                for name, value in [*self.cors, *own]:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client left
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = _relay

        def log_message(self, *args):
            pass

    return Guard
