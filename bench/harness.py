"""The bench's measuring: tools of this environment, whole-process runs with their peak memory,
and the tasks bench/run.py runs in a child process of its own (--task NAME ROOT)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    """A console script of this Python's environment, else one on PATH."""
    beside = BIN / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if not found:
        sys.exit(f"bench: {name} not found; install orgkg (pip install -e .) in this environment")
    return found


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Runs:
    """Repeated runs of one task: wall seconds (or the task's own timing) and peak memory."""

    seconds: list[float] = field(default_factory=list)
    peak_kb: int = 0
    note: str = ""
    output: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024


#: The small process that starts each measured command and times it (`python -I -S -c`, the
#: standard library only). Linux gives a child the peak memory of the process that forked it as
#: its own starting peak (kept across fork and exec): started by the bench itself, 100 MB and
#: more by the time it runs queries, a 9 MB process would be reported as the bench's size.
_LAUNCHER = """
import json, os, select, signal, sys, time
timeout, command = float(sys.argv[1]), sys.argv[2:]
report = os.fdopen(int(os.environ.pop("BENCH_REPORT_FD")), "w")
os.set_inheritable(report.fileno(), False)
try:
    started = time.perf_counter()
    pid = os.posix_spawnp(command[0], command, dict(os.environ), setsid=True)
except OSError as error:
    report.write(json.dumps({"error": f"{command[0]}: {error.strerror}"}))
    sys.exit()
with os.fdopen(os.pidfd_open(pid), "rb", buffering=0) as exited:
    stopped = not select.select([exited], [], [], timeout or None)[0]
    if stopped:
        os.killpg(pid, signal.SIGKILL)
    _, status, usage = os.wait4(pid, 0)
report.write(json.dumps({"seconds": time.perf_counter() - started, "status": status,
                         "peak_kb": usage.ru_maxrss, "stopped": stopped}))
"""


def run(
    command: list[str],
    env: dict | None = None,
    timeout: float | None = None,
    inner: bool = False,
    runs: Runs | None = None,
) -> Runs:
    """Run `command` once into `runs`: wall time (or, with `inner`, the "seconds" the process
    prints as JSON) and its peak memory from os.wait4, both taken by the launcher above, which
    waits for the exit on a pidfd (until 5 December the bench polled every 5 ms, which rounded a
    15 ms process up by as much as a third). A run past `timeout` is killed and noted."""
    runs = runs or Runs()
    reading, writing = os.pipe()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        launcher = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(timeout or 0), *command],
            stdout=out,
            stderr=err,
            env={**os.environ, **(env or {}), "BENCH_REPORT_FD": str(writing)},
            pass_fds=[writing],
        )
        os.close(writing)
        with os.fdopen(reading) as report:
            measured = json.loads(report.read() or '{"error": "the launcher failed"}')
        launcher.wait()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if "error" in measured:
        runs.note = f"failed: {measured['error']} {stderr.strip()[-300:]}".strip()
        return runs
    runs.peak_kb = max(runs.peak_kb, measured["peak_kb"])
    if measured["stopped"]:
        runs.note = f"stopped after {timeout:.0f} s"
        return runs
    returncode = os.waitstatus_to_exitcode(measured["status"])
    runs.output = stdout
    if inner and returncode == 0:
        runs.seconds.append(json.loads(stdout.strip().splitlines()[-1])["seconds"])
    elif returncode in (0, 1):  # 1: orgkg validate found problems, which is its job here
        runs.seconds.append(measured["seconds"])
    else:
        runs.note = f"failed (exit {returncode}): {stderr.strip().splitlines()[-1] if stderr.strip() else ''}"
    return runs


def repeat(
    times: int, command: list[str], env: dict | None = None, before=None, after=None, long: float = 30, **options
) -> Runs:
    """`times` runs of `command` (`before` and `after` around each); a run longer than `long`
    seconds is not repeated."""
    runs = Runs()
    for _ in range(times):
        if before:
            before()
        run(command, env, runs=runs, **options)
        if after:
            after()
        if runs.note or (runs.seconds and runs.seconds[-1] > long):
            break
    return runs


# --- tasks run in a child process (python bench/run.py --task NAME ROOT) ------------------------


def child_task(name: str, root: Path, extra: list[str]) -> None:
    sys.path.insert(0, str(REPO / "src"))
    from orgkg.catalogue import load_catalogue
    from orgkg.loading import load_dataset, load_union, parse_turtle
    from orgkg.namespaces import ONTOLOGY_FILE, QUERIES_DIR, SHAPES_FILE
    from orgkg.repository import data_files

    started = time.perf_counter()
    if name == "rdflib-parse":
        dataset = load_dataset(data_files(root), root)
        print(json.dumps({"seconds": time.perf_counter() - started, "quads": len(dataset)}))
    elif name == "pyshacl":
        import pyshacl

        data = load_union(data_files(root))
        shapes, ontology = parse_turtle(root / SHAPES_FILE), parse_turtle(root / ONTOLOGY_FILE)
        started = time.perf_counter()
        conforms, _, _ = pyshacl.validate(
            data,
            shacl_graph=shapes,
            ont_graph=ontology,
            inference="rdfs",
            abort_on_first=False,
            allow_warnings=True,
            meta_shacl=False,
        )
        print(json.dumps({"seconds": time.perf_counter() - started, "conforms": conforms}))
    elif name == "rdflib-export-query":  # the peer of one `orgkg query run`: parse, then query
        from rdflib import Dataset

        dataset = Dataset(default_union=True)
        dataset.parse(extra[0], format="nquads")
        rows = list(dataset.query(Path(extra[1]).read_text(encoding="utf-8")))
        print(json.dumps({"seconds": time.perf_counter() - started, "rows": len(rows)}))
    elif name == "oxigraph-load":  # the Turtle files in as few `oxigraph load` runs as the argument list allows
        binary, location, files = extra[0], extra[1], json.loads(Path(extra[2]).read_text())
        for start in range(0, len(files), 2000):  # 100,000 paths overflow one command line
            command = [binary, "load", "--location", location, "--file", *files[start : start + 2000]]
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        print(json.dumps({"seconds": time.perf_counter() - started}))
    elif name == "plain-put":  # the peer of `orgkg load`: one HTTP PUT of N-Triples per graph, nothing else
        import http.client
        from urllib.parse import quote

        host, port = extra[0].split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=600)
        for graph, path in json.loads(Path(extra[1]).read_text()):
            with open(path, "rb") as body:
                connection.request(
                    "PUT",
                    f"/store?graph={quote(graph, safe='')}",
                    body=body,
                    headers={"Content-Type": "application/n-triples"},
                )
                answer = connection.getresponse()
                answer.read()
                if answer.status >= 300:
                    sys.exit(f"PUT {graph}: HTTP {answer.status}")
        print(json.dumps({"seconds": time.perf_counter() - started}))
    elif name in ("rdflib-queries", "orgkg-queries"):
        from orgkg.engines import RdflibEngine
        from orgkg.store import EmbeddedStore

        times, limit, bound = int(extra[0]), float(extra[1]), Path(extra[2])
        engine = RdflibEngine(root) if name == "rdflib-queries" else EmbeddedStore(root)
        timings: dict[str, list[float]] = {}
        for query in load_catalogue(root / QUERIES_DIR).values():
            sparql = (bound / f"{query.name}.rq").read_text(encoding="utf-8")
            for _ in range(times):
                signal.signal(signal.SIGALRM, _too_long)
                signal.setitimer(signal.ITIMER_REAL, limit)
                begin = time.perf_counter()
                try:
                    engine.query(sparql)
                except TimeoutError:
                    timings[query.name] = [float("inf")]
                    break
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                timings.setdefault(query.name, []).append(time.perf_counter() - begin)
        print(
            json.dumps(
                {
                    "seconds": time.perf_counter() - started,
                    "queries": {q: statistics.median(t) for q, t in timings.items()},
                }
            )
        )
    else:
        sys.exit(f"unknown task {name}")


def _too_long(*_):
    raise TimeoutError


def _wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"bench: the oxigraph server did not listen on port {port}")


@contextmanager
def watching(orgkg: str, env: dict) -> Iterator[None]:
    """`orgkg watch` running on the repository of `env` for the block."""
    watcher = subprocess.Popen([orgkg, "watch"], env={**os.environ, **env}, stderr=subprocess.PIPE, text=True)
    try:
        assert watcher.stderr is not None
        if "watching" not in watcher.stderr.readline():
            raise SystemExit("bench: orgkg watch did not start")
        yield
    finally:
        watcher.terminate()
        watcher.wait(timeout=30)
