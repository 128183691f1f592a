"""Signals against `orgkg load` and `orgkg serve`, run as users run them (a separate process) with
a real Oxigraph server: SIGINT, SIGTERM and SIGHUP fail a load cleanly (the store's graphs as they
were, temporaries dropped); after SIGKILL the store's graphs are still the old ones and the next
load finishes the job. `serve` leaves no server process and no snapshot behind, whatever ends it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from orgkg.load_lock import TEMPORARY_BASE
from orgkg.serving import free_port

from .servers import FaultProxy, put_graph

#: Real servers, a browser, Jena, many processes or a site build: `make check` leaves these out.
pytestmark = pytest.mark.slow

OLD = '<http://example.org/old> <http://example.org/says> "old content" .\n'
OTHER = "http://example.org/someone-elses-graph"


def counts(query_url: str) -> dict[str, int]:
    answer = requests.post(
        query_url,
        data={"query": "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    answer.raise_for_status()
    return {row["g"]["value"]: int(row["n"]["value"]) for row in answer.json()["results"]["bindings"]}


def orgkg(root: Path, tmp_path: Path, *args: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "ORGKG_ROOT": str(root),
        "ORGKG_CACHE": str(tmp_path / "cache"),
        "TMPDIR": str(tmp_path / "tmp"),
    }
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "orgkg.cli", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.fixture
def old_store(oxigraph, kg_dataset):
    """A real Oxigraph server holding one old triple in each of our graphs and in someone else's."""
    ours = [str(g.identifier) for g in kg_dataset.graphs() if str(g.identifier).startswith("https://w3id.org/orgkg/")]
    for graph in [*ours, OTHER]:
        put_graph(oxigraph.url, graph, OLD)
    oxigraph.before = {graph: 1 for graph in [*ours, OTHER]}
    return oxigraph


@pytest.mark.parametrize(
    "signal_number",
    [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGKILL],
    ids=["SIGINT", "SIGTERM", "SIGHUP", "SIGKILL"],
)
def test_a_signal_mid_load_leaves_the_store_as_it_was(root, tmp_path, old_store, signal_number):
    uploads: list[str] = []

    def slow_uploads(request):  # each upload answers late, so the signal lands mid-load
        if request.method == "PUT":
            uploads.append(request.path)
            return 0.4
        return None

    with FaultProxy(old_store.url, slow_uploads) as proxy:
        process = orgkg(root, tmp_path, "load", proxy.url, "--one-request-limit", "0")
        deadline = time.monotonic() + 60
        while len(uploads) < 2 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        assert len(uploads) >= 2, process.communicate()
        process.send_signal(signal_number)
        out, err = process.communicate(timeout=60)
    if signal_number == signal.SIGKILL:
        assert process.returncode == -signal.SIGKILL
        left = {g: n for g, n in counts(old_store.query_url).items() if not g.startswith(TEMPORARY_BASE)}
        assert left == old_store.before  # readers of the real graphs saw nothing change
        rerun = orgkg(root, tmp_path, "load", old_store.url)
        out, err = rerun.communicate(timeout=120)
        assert rerun.returncode == 0, err
        assert "temporary graphs left by an earlier load" in err
        assert f"breaking the lock marker of an earlier load (process {process.pid} on " in err
        assert not any(g.startswith(TEMPORARY_BASE) for g in counts(old_store.query_url))
        return
    assert process.returncode == 2, err
    assert "interrupted" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert counts(old_store.query_url) == old_store.before  # no temporary graph left either


def test_a_load_through_another_address_of_the_store_is_refused_while_one_runs(root, tmp_path, old_store, cli):
    """Issue 22 item 12: two addresses of one store (here a proxy's port and the server's own,
    as a reverse proxy or a second host name would be) that no URL normaliser can tell apart.
    The store's lock marker refuses the second load, naming the first, and the second leaves the
    store (and the first load's temporary graphs) alone; the first then finishes."""
    release, held = threading.Event(), []

    def hold_uploads(request):  # the first load's graphs wait until the second load is done
        if "INSERT DATA" in request.text:
            held.append(request.path)
            return lambda: release.wait(60)
        return None

    with FaultProxy(old_store.url, hold_uploads) as proxy:
        first = orgkg(root, tmp_path, "load", proxy.url)
        try:
            assert wait_for(lambda: held, 60), first.communicate()
            before = counts(old_store.query_url)
            second = cli("load", old_store.url)
            assert second.exit_code == 2
            assert f"another orgkg load into {old_store.url} is running (process {first.pid} on " in second.output
            assert counts(old_store.query_url) == before  # its temporaries and marker included
        finally:
            release.set()
        out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert not any(g.startswith(TEMPORARY_BASE) for g in counts(old_store.query_url))


def server_children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    status = Path(f"/proc/{pid}/status").read_text() if Path(f"/proc/{pid}/status").exists() else ""
    return "State:\tZ" in status  # a zombie has stopped; its parent only has not collected it


def wait_for(condition, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.parametrize(
    "signal_number",
    [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGKILL],
    ids=["SIGINT", "SIGTERM", "SIGHUP", "SIGKILL"],
)
def test_serve_leaves_no_server_and_no_snapshot_behind(root, tmp_path, signal_number):
    port = free_port()
    process = orgkg(root, tmp_path, "serve", "--port", str(port))
    try:
        first = process.stdout.readline()
        assert first.startswith("SPARQL endpoint"), process.stderr.read()
        children = server_children(process.pid)
        assert children, "no oxigraph child"
        assert list((tmp_path / "tmp").iterdir())  # its snapshot
        process.send_signal(signal_number)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert wait_for(lambda: all(gone(child) for child in children)), "the oxigraph server outlived orgkg serve"
    if signal_number != signal.SIGKILL:
        assert process.returncode == 0
        assert list((tmp_path / "tmp").iterdir()) == []
        return
    # Killed outright, it could not remove its snapshot: the next start does.
    again = orgkg(root, tmp_path, "serve", "--port", "0")
    try:
        assert again.stdout.readline().startswith("SPARQL endpoint")
        snapshots = [p.name for p in (tmp_path / "tmp").iterdir()]
        assert snapshots == [p for p in snapshots if p.startswith(f".orgkg-serve.{again.pid}.")] and snapshots
    finally:
        again.send_signal(signal.SIGINT)
        again.wait(timeout=30)


def test_serve_refuses_service_and_bounds_query_time(root, tmp_path):
    port = free_port()
    visited = []
    with FaultProxy("http://127.0.0.1:9", lambda request: visited.append(request) or "fail") as target:
        process = orgkg(root, tmp_path, "serve", "--port", str(port), "--timeout", "1")
        try:
            assert process.stdout.readline().startswith("SPARQL endpoint"), process.stderr.read()
            url = f"http://127.0.0.1:{port}/query"
            refused = requests.post(
                url, data={"query": f"SELECT * {{ SERVICE <{target.url}/sparql> {{ ?s ?p ?o }} }}"}, timeout=10
            )
            assert refused.status_code == 400 and "federated queries are off" in refused.text
            assert visited == []
            slow = requests.post(
                url,
                data={"query": "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"},
                headers={"Accept": "application/sparql-results+json"},
                timeout=60,
            )
            # The server has sent 200 and the head of the results before the deadline cuts them off.
            assert "cancelled" in slow.text
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)


def raw_request(port: int, head: str, body: bytes) -> tuple[int, bytes]:
    """One HTTP/1.1 request written byte for byte (to send what no client library would)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    return status, answer.partition(b"\r\n\r\n")[2]


def test_serve_refuses_ambiguous_and_deep_requests_and_keeps_serving(root, tmp_path):
    """Two Content-Type headers (the guard read the first, the server the last), a query in the URL
    and the body, and 20,000 nested groups (which killed the server) are refused with 400."""
    port = free_port()
    visited = []
    with FaultProxy("http://127.0.0.1:9", lambda request: visited.append(request) or "fail") as target:
        service = f"SELECT * {{ SERVICE <{target.url}/sparql> {{ ?s ?p ?o }} }}".encode()
        process = orgkg(root, tmp_path, "serve", "--port", str(port))
        try:
            assert process.stdout.readline().startswith("SPARQL endpoint"), process.stderr.read()
            two_types = (
                "POST /query HTTP/1.1\nHost: x\nContent-Type: text/plain\n"
                f"Content-Type: application/sparql-query\nContent-Length: {len(service)}\nConnection: close\n"
            )
            status, text = raw_request(port, two_types, service)
            assert status == 400 and b"more than one content-type header" in text
            both = (
                "POST /query?query=ASK%7B%7D HTTP/1.1\nHost: x\nContent-Type: application/sparql-query\n"
                f"Content-Length: {len(service)}\nConnection: close\n"
            )
            status, text = raw_request(port, both, service)
            assert status == 400 and b"more than one query" in text
            deep = ("SELECT * " + "{ " * 20000 + "}" * 20000).encode()
            status, text = raw_request(
                port, both.replace("?query=ASK%7B%7D", "").replace(str(len(service)), str(len(deep))), deep
            )
            assert status == 400 and b"MAX_QUERY_DEPTH" in text
            assert visited == []
            alive = requests.post(f"http://127.0.0.1:{port}/query", data={"query": "ASK {}"}, timeout=10)
            assert alive.status_code == 200 and process.poll() is None
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
