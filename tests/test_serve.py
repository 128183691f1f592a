"""`orgkg serve` as users run it: a read-only endpoint on loopback that answers the saved queries
as the embedded store does, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys

import pytest
import requests

from orgkg.repository import cache_dir
from orgkg.results import from_sparql_json
from orgkg.serving import free_port
from orgkg.store import EmbeddedStore

from .cli import run_cli
from .compare import comparable

#: Real servers, a browser, Jena, many processes or a site build: `make check` leaves these out.
pytestmark = pytest.mark.slow


def test_serve_answers_queries_read_only_and_stops_on_ctrl_c(root, tmp_path, monkeypatch):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "ORGKG_ROOT": str(root), "ORGKG_CACHE": str(tmp_path / "cache"), "TMPDIR": str(scratch)}
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "orgkg.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stdout.readline()
        url = f"http://127.0.0.1:{port}/query"
        assert first == f"SPARQL endpoint (read-only): {url}\n", process.stderr.read() if not first else first
        assert f"--endpoint {url}" in process.stdout.readline()

        ran = run_cli(
            "query", "run", "change-events", "--endpoint", url, "--format", "json", root=root, cache=tmp_path / "cache"
        )
        assert ran.exit_code == 0, ran.output
        monkeypatch.setenv("ORGKG_CACHE", str(tmp_path / "cache"))
        local = EmbeddedStore(root, cache_dir(root)).query(
            "SELECT * WHERE { ?s ?p ?o }"
        )  # the same store the server snapshotted
        served = requests.post(
            url,
            data={"query": "SELECT * WHERE { ?s ?p ?o }"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=10,
        )
        assert comparable(from_sparql_json(served.json())) == comparable(local)
        assert len(json.loads(ran.stdout)["results"]["bindings"]) > 0

        refused = requests.post(
            f"http://127.0.0.1:{port}/update", data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, timeout=10
        )
        assert refused.status_code == 403

        process.send_signal(signal.SIGINT)  # what Ctrl-C sends
        assert process.wait(timeout=20) == 0
        assert "stopped" in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0  # the Oxigraph server is gone too
    assert list(scratch.iterdir()) == []  # and so is its snapshot


def test_serve_on_a_port_in_use_says_so(root, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", port, root=root, cache=tmp_path / "cache")
    assert result.exit_code == 2
    assert (
        result.output
        == f"orgkg: port {port} on 127.0.0.1 is in use; choose another port, or 0 for any free one (see --port)\n"
    )
    assert "SPARQL endpoint" not in result.output  # no URL of the other server printed


SPARQL_JSON = "application/sparql-results+json"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _count(answer) -> int:
    assert answer.status_code == 200, answer.text
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def test_cors_preflight_and_headers_only_for_the_allowed_origin(root, tmp_path):
    from orgkg.serving import Server

    with Server(root, port=0, cache=tmp_path / "cache", cors=("http://page.example:8080",)) as server:
        preflight = {
            "Origin": "http://page.example:8080",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, accept",
        }
        allowed = requests.options(server.url, headers=preflight, timeout=10)
        assert allowed.status_code == 204
        assert allowed.headers["Access-Control-Allow-Origin"] == "http://page.example:8080"
        assert "POST" in allowed.headers["Access-Control-Allow-Methods"]
        assert allowed.headers["Access-Control-Allow-Headers"] == "content-type, accept"
        other = requests.options(server.url, headers={**preflight, "Origin": "http://evil.example"}, timeout=10)
        assert other.status_code == 403 and "Access-Control-Allow-Origin" not in other.headers

        answer = requests.post(
            server.url,
            data=COUNT,
            headers={
                "Origin": "http://page.example:8080",
                "Content-Type": "application/sparql-query",
                "Accept": SPARQL_JSON,
            },
            timeout=10,
        )
        assert _count(answer) > 0 and answer.headers["Access-Control-Allow-Origin"] == "http://page.example:8080"
        refused = requests.post(
            server.url,
            data={"query": "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }"},
            headers={"Origin": "http://page.example:8080"},
            timeout=10,
        )
        assert (
            refused.status_code == 400 and refused.headers["Access-Control-Allow-Origin"] == "http://page.example:8080"
        )
        foreign = requests.post(
            server.url, data={"query": COUNT}, headers={"Origin": "http://evil.example"}, timeout=10
        )
        assert "Access-Control-Allow-Origin" not in foreign.headers


def test_without_cors_no_access_control_headers_and_a_bad_origin_is_refused(root, tmp_path, cli):
    from orgkg.serving import Server

    with Server(root, port=0, cache=tmp_path / "cache") as server:
        answer = requests.post(server.url, data={"query": COUNT}, headers={"Origin": "http://a.example"}, timeout=10)
        assert _count(answer) > 0 and not any(h.lower().startswith("access-control") for h in answer.headers)
        page = requests.get(server.url.removesuffix("query"), timeout=10)
        assert page.status_code == 200 and "yasgui" in page.text.lower()  # the query page, served offline
    result = cli("serve", "--cors", "page.example", "--port", "0")
    assert result.exit_code == 2 and "'page.example' is not an origin" in result.output


def test_chunked_request_bodies_are_read_whole(root, tmp_path):
    from orgkg.serving import Server

    with Server(root, port=0, cache=tmp_path / "cache") as server:
        expected = _count(requests.post(server.url, data={"query": COUNT}, headers={"Accept": SPARQL_JSON}, timeout=10))
        pieces = [COUNT[:10].encode(), COUNT[10:].encode()]
        raw = requests.post(
            server.url,
            data=iter(pieces),  # a generator body: requests sends it chunked
            headers={"Content-Type": "application/sparql-query", "Accept": SPARQL_JSON},
            timeout=10,
        )
        assert raw.request.headers.get("Transfer-Encoding") == "chunked"
        assert _count(raw) == expected
        from urllib.parse import quote

        form = f"query={quote(COUNT)}".encode()
        chunked_form = requests.post(
            server.url,
            data=iter([form[:7], form[7:]]),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": SPARQL_JSON},
            timeout=10,
        )
        assert _count(chunked_form) == expected
        chunked_update = requests.post(
            server.url.removesuffix("query") + "update",
            data=iter([b"update=", b"INSERT DATA { <urn:a> <urn:b> <urn:c> }"]),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            timeout=10,
        )
        assert chunked_update.status_code == 403
        import socket

        host, port = server.url.removeprefix("http://").split("/")[0].split(":")
        with socket.create_connection((host, int(port)), timeout=10) as raw:
            raw.sendall(
                b"POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
            )
            assert raw.recv(4096).startswith(b"HTTP/1.1 400")  # two framings: refused, never guessed


def test_serve_takes_timeout_as_every_command_does_and_its_old_spelling(cli, monkeypatch):
    import orgkg.serving

    asked = []

    class Recorder:
        def __init__(self, root, host, port, timeout, allow_service, cors=()):
            asked.append(timeout)

        def start(self):
            raise KeyboardInterrupt  # stop before any server starts

        def stop(self):
            pass

    monkeypatch.setattr(orgkg.serving, "Server", Recorder)
    for option in ("--timeout", "--timeout-s"):
        assert cli("serve", option, "2.5").exit_code == 0
    assert cli("serve").exit_code == 0
    assert asked == [2.5, 2.5, 60.0]
    assert "--timeout-s" not in cli("serve", "--help").output
