"""Commands relayed to `orgkg watch` (orgkg.relay): a real watcher over a repository copy and the
`orgkg` program as its own process; a relayed command says, writes and exits as it does alone."""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from orgkg.relay import SOCKET_NAME, changed_since, module_files, request
from orgkg.repository import cache_dir

from .cli import program
from .servers import watcher_running

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="orgkg watch needs Linux's inotify")


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("ORGKG_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def orgkg(*args: str, repo: Path, **options):
    """`orgkg ARGS` on `repo` as a process; with `.relayed`: whether it ran in the watcher's fork
    (its own process never imported click), and `.stderr` without the import lines."""
    run = program(*args, importtime=True, capture_output=True, env={**os.environ, "ORGKG_ROOT": str(repo)}, **options)
    imported = re.findall(r"^import time:.*\|\s*([\w.]+)$", run.stderr.decode(), flags=re.MULTILINE)
    assert "orgkg.relay" in imported  # the probe reads the imports
    run.relayed = "click" not in imported
    run.stderr = re.sub(rb"^import time:.*\n", b"", run.stderr, flags=re.MULTILINE)
    return run


COMMANDS = [
    ("query", "run", "mergers", "--format", "csv"),
    ("query", "run", "no-such-query"),
    ("query", "run", "lineage", "--param", "organization=not an IRI"),
    ("query", "list", "--format", "json"),
    ("describe", "kg:org-politburo"),
    ("lineage", "Central Organizing Committee", "--format", "mermaid"),
]


def test_a_relayed_command_says_and_exits_as_it_does_alone(repo):
    alone = [orgkg(*command, repo=repo) for command in COMMANDS]
    with watcher_running(repo):
        relayed = [orgkg(*command, repo=repo) for command in COMMANDS]
    assert not any(run.relayed for run in alone) and all(run.relayed for run in relayed)
    for command, by_itself, by_watcher in zip(COMMANDS, alone, relayed, strict=True):
        assert (by_watcher.returncode, by_watcher.stdout, by_watcher.stderr) == (
            by_itself.returncode,
            by_itself.stdout,
            by_itself.stderr,
        ), command
    assert [run.returncode for run in alone] == [0, 2, 2, 0, 0, 0]  # the failures are real ones


#: A relayed command in the watcher's fork, in a process of its own: `preload`, then the command
#: line; it reports on stderr the modules of orgkg, PyYAML, click and pyoxigraph it still imported.
AFTER_PRELOAD = """
import sys
from orgkg.relay import preload
preload()
before = set(sys.modules)
sys.argv = ["orgkg", *sys.argv[1:]]
from orgkg.console import run
try:
    run()
except SystemExit:
    pass
late = set(sys.modules) - before
sys.stderr.write("LATE " + " ".join(sorted(m for m in late if m.split(".")[0] in ("orgkg", "yaml", "click", "pyoxigraph"))))
"""


@pytest.mark.parametrize("command", [*COMMANDS, ("query", "run", "mergers", "-o", "out.csv")], ids=" ".join)
def test_the_watcher_imports_what_a_relayed_command_needs(repo, tmp_path, command):
    run = subprocess.run(
        [sys.executable, "-c", AFTER_PRELOAD, *command],
        env={**os.environ, "ORGKG_ROOT": str(repo)},
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
    )
    assert run.stderr.rpartition("LATE ")[2] == "", run.stderr


def test_a_relayed_command_writes_in_its_own_folder_with_its_own_umask(repo, tmp_path):
    here = tmp_path / "here"
    here.mkdir()
    options = {"cwd": here, "preexec_fn": lambda: os.umask(0o027)}
    alone = orgkg("query", "run", "mergers", "-o", "alone.csv", repo=repo, **options)
    with watcher_running(repo):
        relayed = orgkg("query", "run", "mergers", "-o", "relayed.csv", repo=repo, **options)
    assert relayed.relayed and (alone.returncode, relayed.returncode) == (0, 0)
    assert (here / "relayed.csv").read_bytes() == (here / "alone.csv").read_bytes() != b""
    assert stat.S_IMODE((here / "relayed.csv").stat().st_mode) == stat.S_IMODE((here / "alone.csv").stat().st_mode)


@pytest.fixture
def silent_endpoint():
    """A loopback TCP server that takes connections and never answers: a command querying it
    waits until it is interrupted."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(30)
        yield server


def blocked(repo: Path, endpoint: socket.socket):
    """`orgkg query run mergers` on the silent endpoint, started; with the connection it opened.
    Interrupted, it lets the request settle, up to its timeout (--timeout 3), as loads must."""
    from .cli import PROGRAM

    port = endpoint.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            PROGRAM,
            "query",
            "run",
            "mergers",
            "--endpoint",
            f"http://127.0.0.1:{port}/sparql",
            "--timeout",
            "3",
        ],
        env={**os.environ, "ORGKG_ROOT": str(repo)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    connection, _ = endpoint.accept()
    return process, connection


def closed_within(connection: socket.socket, seconds: float) -> bool:
    connection.settimeout(seconds)
    try:
        while connection.recv(4096):
            pass
        return True
    except TimeoutError:
        return False


def test_ctrl_c_or_the_clients_end_interrupts_a_relayed_command_as_ctrl_c_does_the_command_alone(repo, silent_endpoint):
    process, _ = blocked(repo, silent_endpoint)
    process.send_signal(signal.SIGINT)
    alone = (process.wait(timeout=30), process.stderr.read())
    with watcher_running(repo):
        process, _ = blocked(repo, silent_endpoint)
        process.send_signal(signal.SIGINT)  # the client's; the command runs in the watcher's fork
        relayed = (process.wait(timeout=30), process.stderr.read())
        process, connection = blocked(repo, silent_endpoint)
        process.kill()
        assert closed_within(connection, 30)  # the fork ended: its stderr is the killed client's
        killed = process.stderr.read()
    assert relayed == alone and alone[0] != 0
    assert killed == alone[1]  # interrupted, not timed out


def test_ctrl_c_in_the_watchers_terminal_stops_the_watcher_not_the_commands_it_runs(repo, silent_endpoint):
    with watcher_running(repo) as watcher:
        process, _ = blocked(repo, silent_endpoint)
        os.killpg(watcher.pid, signal.SIGINT)  # the watcher's terminal's foreground group
        assert watcher.wait(timeout=30) == 0
        assert (process.wait(timeout=30), b"did not answer within 3 s" in process.stderr.read()) == (2, True)


@pytest.mark.skipif(os.geteuid() != 0, reason="connecting as another user needs root")
def test_only_the_watchers_own_user_is_served(repo):
    with watcher_running(repo):
        path = cache_dir(repo) / SOCKET_NAME
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        path.chmod(0o666)  # let another user reach it: the peer's uid is still checked
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the forked test process
            try:
                os.chdir(path.parent)  # the folders above are root's alone: reached from inside
                os.setuid(65534)
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
                    client.settimeout(10)
                    client.connect(path.name)
                    folder = os.open(".", os.O_RDONLY)
                    try:
                        socket.send_fds(client, [request(["orgkg", "query", "list"])], [0, 1, 2, folder])
                        answer = client.recv(64)
                    except (BrokenPipeError, ConnectionResetError):  # closed before or after the request
                        answer = b""
                    os._exit(0 if answer == b"" else 1)
            finally:
                os._exit(3)
        assert os.waitpid(pid, 0)[1] == 0  # connected and asked, and the connection closed unanswered
        assert orgkg("query", "list", repo=repo).relayed  # the watcher serves its own user still


def test_without_a_live_watcher_a_command_runs_alone(repo):
    with watcher_running(repo, "--no-relay"):
        assert not (cache_dir(repo) / SOCKET_NAME).exists()
        assert not orgkg("query", "list", repo=repo).relayed
    with watcher_running(repo) as watcher:
        watcher.kill()
        watcher.wait(timeout=10)
    assert (cache_dir(repo) / SOCKET_NAME).exists()  # a killed watcher's socket: nobody listens
    run = orgkg("query", "run", "mergers", "--format", "csv", repo=repo)
    assert (run.returncode, run.relayed) == (0, False) and run.stdout.startswith(b"merger")


def test_a_watcher_whose_code_changed_runs_nothing(repo, tmp_path):
    """A module the watcher imported (here one of its own, through sitecustomize) changes on
    disk: commands run on their own, and the watcher says why."""
    (tmp_path / "probe").mkdir()
    (tmp_path / "probe" / "sitecustomize.py").write_text("VALUE = 1\n", encoding="utf-8")
    with watcher_running(repo, env={"PYTHONPATH": str(tmp_path / "probe")}) as watcher:
        assert orgkg("query", "list", repo=repo).relayed
        (tmp_path / "probe" / "sitecustomize.py").write_text("VALUE = 22\n", encoding="utf-8")
        run = orgkg("query", "run", "mergers", "--format", "csv", repo=repo)
        assert (run.returncode, run.relayed) == (0, False) and run.stdout.startswith(b"merger")
        watcher.terminate()
        assert "restart it" in watcher.stderr.read()


def test_a_changed_module_file_is_seen(tmp_path, monkeypatch):
    """What keeps a watcher from running code other than the installed one: any imported
    module's file changed (its time or size), replaced or removed."""
    module = tmp_path / "relay_probe.py"
    module.write_text("VALUE = 1\n", encoding="utf-8")
    spec = importlib.util.spec_from_file_location("relay_probe", module)
    monkeypatch.setitem(sys.modules, "relay_probe", importlib.util.module_from_spec(spec))
    spec.loader.exec_module(sys.modules["relay_probe"])
    files = module_files()
    assert str(module) in files and not changed_since(files)
    info = module.stat()
    module.write_text("VALUE = 2\n", encoding="utf-8")  # the same size
    os.utime(module, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert not changed_since(files)  # what the check cannot see: time and size kept
    os.utime(module, ns=(info.st_atime_ns, info.st_mtime_ns + 1))
    assert changed_since(files)
    module.unlink()
    assert changed_since({str(module): files[str(module)]})
