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


def test_serve_takes_timeout_as_every_command_does_and_its_old_spelling(cli, monkeypatch):
    import orgkg.serving

    asked = []

    class Recorder:
        def __init__(self, root, host, port, timeout, allow_service):
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
