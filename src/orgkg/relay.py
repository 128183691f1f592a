"""Queries relayed to `orgkg watch`: run in a process forked from the watcher, imports done.

With the watcher running, a small query at 10,000 articles takes the engine ~7 ms, but a new
Python process first pays ~55 ms: click, pyoxigraph and the library imported. So while the
watcher runs, `orgkg query ...`, `describe` and `lineage` are relayed: the `orgkg` process (the
client) imports nothing but os and C modules, finds the watcher's relay socket in the
repository's cache folder and sends its arguments, environment and umask, with its standard
streams and working folder as file descriptors (SCM_RIGHTS). The watcher forks; the child takes
the streams, folder, environment and umask as its own, runs the command line as `orgkg` would,
writing straight to the client's streams, and sends back the exit code.

What keeps it sound:
- only the user running the watcher is served: the socket is 0600 and the peer's uid is checked;
- a child runs the watcher's code only if it is the client's: the same installation (package
  folder and Python prefix) and no module file the watcher imported changed since; else the
  client runs the command itself;
- the client interrupted (Ctrl-C) tells the child, which is interrupted as the command would be;
  a client gone (killed) interrupts the child too;
- no watcher, a stale socket, a refusal, no answer within a second: the client runs the command
  itself, as without a watcher. The child answers nothing until the client has said "go", so a
  client that gave up never sees the command run twice.
The child runs in a session of its own: Ctrl-C in the watcher's terminal stops the watcher, not
the commands it is running. `sparql` is not relayed: it may read a query from the caller's
terminal, where job control (Ctrl-Z) would stop the caller but not the child reading.
"""

from __future__ import annotations

import os
import sys

from orgkg import places

#: Commands relayed (by their first word): none of them reads standard input.
RELAYED = frozenset({"query", "describe", "lineage"})
#: The relay's socket, in the repository's cache folder, beside the watcher's.
SOCKET_NAME = "relay.sock"
#: How long the client waits for the child's first answer before it runs the command itself.
ANSWER_WAIT = 1.0
_HELLO = b"orgkg-relay 1"
#: What the client sends as descriptors: its standard input, output and error, then its folder.
_DESCRIPTORS = 4
_REQUEST_LIMIT = 4 << 20


def forward(argv: list[str]) -> int | None:
    """Run the command line `argv` in the watcher's fork: its exit code, or None when it is not
    relayed (another command, no watcher, a refusal) and this process must run it itself."""
    if len(argv) < 2 or argv[1] not in RELAYED:
        return None
    try:
        root = places.root_folder()
    except OSError:  # the current folder was removed: the command itself says so
        return None
    if root is None:
        return None
    path = os.path.join(places.cache_folder(root), SOCKET_NAME)
    if not os.path.exists(path):
        return None
    import _socket  # socket.py would import enum and selectors (~7 ms): the C module is enough

    client = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    folder = -1
    try:
        client.settimeout(ANSWER_WAIT)
        client.connect(path)
        folder = os.open(".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        message = request(argv)
        descriptors = b"".join(fd.to_bytes(4, sys.byteorder, signed=True) for fd in (0, 1, 2, folder))
        sent = client.sendmsg([message], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, descriptors)])
        client.sendall(message[sent:])
        answer = _line(client)
        if not answer.startswith(b"pid "):
            return None  # refused: another installation or changed code
        pid = int(answer[4:])
        client.sendall(b"go\n")
    except (OSError, ValueError):  # no watcher, a stale socket, a closed stream, no answer in time
        client.close()
        return None
    except KeyboardInterrupt:  # before the child was told to go: nothing ran
        client.close()
        return 130
    finally:
        if folder >= 0:
            os.close(folder)
    client.settimeout(None)  # the command takes what it takes
    return _exit_code(client, pid)


def request(argv: list[str]) -> bytes:
    """What the client says, beside its descriptors: the protocol and the length, then the
    installation, umask, arguments and environment, NUL-separated (none can hold a NUL)."""
    umask = os.umask(0)
    os.umask(umask)
    fields = [
        os.fsencode(sys.prefix),
        os.fsencode(os.path.dirname(__file__)),
        b"%o" % umask,
        b"%d" % len(argv),
        *map(os.fsencode, argv),
        *(key + b"=" + value for key, value in os.environb.items()),
    ]
    body = b"\0".join(fields)
    return b"%s %d\n%s" % (_HELLO, len(body), body)


def _line(connection) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        part = connection.recv(256)
        if not part:
            break
        data += part
    return data


def _exit_code(client, pid: int) -> int:
    """Wait for the child's exit code; Ctrl-C once is passed on to it, twice gives up waiting."""
    interrupted = False
    answer = b""
    while not answer.endswith(b"\n"):
        try:
            part = client.recv(256)
        except KeyboardInterrupt:
            if interrupted:
                client.close()  # the child, its client gone, is interrupted again
                return 130
            interrupted = True
            try:
                client.sendall(b"interrupt\n")
            except OSError:
                pass
            continue
        if not part:
            break
        answer += part
    client.close()
    if answer.startswith(b"exit "):
        return int(answer[5:])
    sys.stderr.write(
        f"orgkg: the command's process ({pid}, forked by orgkg watch) ended without an exit code; "
        "it was killed, or the watcher stopped\n"
    )
    return 2


class Relay:
    """The watcher's end: a listening socket, each connection served by a forked child that runs
    its command line with the modules the watcher imported (see `preload`)."""

    def __init__(self, cache: os.PathLike[str]):
        import signal
        from contextlib import ExitStack
        from pathlib import Path

        from orgkg.watching import listening

        signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the children are reaped as they end
        self.path = Path(cache, SOCKET_NAME)
        self._files = preload()
        self._closing = ExitStack()
        self._server = self._closing.enter_context(listening(self.path, private=True))

    def fileno(self) -> int:
        return self._server.fileno()

    def serve_one(self) -> None:
        """Fork a child for the waiting connection; the watcher goes back to its loop at once."""
        connection, _ = self._server.accept()
        try:
            pid = os.fork()
        except OSError:
            connection.close()  # the client runs the command itself
            return
        if pid == 0:
            _child(connection, self._files)
        connection.close()

    def close(self) -> None:
        self._closing.close()


#: What the relayed commands import on their way, imported once by the watcher (the list is
#: checked by running each command after `preload`: tests/test_relay.py).
PRELOADED = (
    "orgkg.cli",
    "orgkg.cli.queries",
    "orgkg.cache_db",
    "orgkg.catalogue",
    "orgkg.docid",
    "orgkg.endpoints",
    "orgkg.engines",
    "orgkg.formats",
    "orgkg.lineage",
    "orgkg.loading",
    "orgkg.names",
    "orgkg.results",
    "orgkg.store",
    "orgkg.sparql_text",
    "orgkg.watching",
    "csv",
    "decimal",
    "glob",
    "tempfile",
    "yaml",
)


def preload() -> dict[str, tuple[int, int]]:
    """Import what the relayed commands need, compile the query tokenizer's patterns, and freeze it
    all out of the collector's way; the files imported, with their modification time and size."""
    import gc
    import importlib

    for name in PRELOADED:
        importlib.import_module(name)
    from orgkg.sparql_text import token_grammar

    token_grammar(True)
    token_grammar(False)
    gc.freeze()
    return module_files()


def module_files() -> dict[str, tuple[int, int]]:
    """Every imported module's file, with its modification time and size."""
    files = {}
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if isinstance(path, str):
            try:
                info = os.stat(path)
            except OSError:
                continue
            files[path] = (info.st_mtime_ns, info.st_size)
    return files


def changed_since(files: dict[str, tuple[int, int]]) -> bool:
    """Whether any of `files` (from `module_files`) was changed, replaced or removed since."""
    for path, (mtime, size) in files.items():
        try:
            info = os.stat(path)
        except OSError:
            return True
        if (info.st_mtime_ns, info.st_size) != (mtime, size):
            return True
    return False


def _child(connection, files: dict[str, tuple[int, int]]) -> None:
    """The forked child: check the client, take its streams, folder and environment, run its
    command line and send back the exit code. Never returns into the watcher's loop."""
    code = 0
    try:
        import signal

        os.setsid()  # its own session: Ctrl-C in the watcher's terminal is not the caller's
        for number in (signal.SIGCHLD, signal.SIGTERM):
            signal.signal(number, signal.SIG_DFL)  # a command's process, not the watcher
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.closerange(3, connection.fileno())  # the watcher's sockets, inotify and lock
        os.closerange(connection.fileno() + 1, os.sysconf("SC_OPEN_MAX"))
        request = _receive(connection)
        if request is None:
            return
        descriptors, fields = request
        prefix, package, umask, count = fields[:4]
        argv = fields[4 : 4 + int(count)]
        elsewhere = os.fsdecode(prefix) != sys.prefix or os.fsdecode(package) != os.path.dirname(__file__)
        if elsewhere or changed_since(files):  # another installation's orgkg, or this one changed
            if not elsewhere:
                sys.stderr.write("orgkg watch: orgkg's code changed since it started; restart it to relay queries\n")
            connection.sendall(b"local\n")
            return
        connection.sendall(b"pid %d\n" % os.getpid())
        if _line(connection) != b"go\n":
            return  # the client gave up and runs the command itself
        connection.settimeout(None)
        _adopt(descriptors, int(umask, 8), fields[4 + int(count) :])
        sys.argv = [os.fsdecode(argument) for argument in argv]
        code = _run(connection)
    except BaseException:  # noqa: BLE001 - the child must never unwind into the watcher
        code = 2
    finally:
        os._exit(code if isinstance(code, int) else 2)


def _receive(connection):
    """The client's descriptors and fields, or None for another user or a malformed request."""
    import socket
    import struct

    _, uid, _ = struct.unpack("3i", connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))  # pid, uid, gid
    if uid != os.getuid():
        return None
    connection.settimeout(5.0)
    data, descriptors, _, _ = socket.recv_fds(connection, 64 * 1024, _DESCRIPTORS)
    hello, _, data = data.partition(b"\n")
    protocol, _, length = hello.rpartition(b" ")
    if len(descriptors) != _DESCRIPTORS or protocol != _HELLO or not length.isdigit() or int(length) > _REQUEST_LIMIT:
        return None
    while len(data) < int(length) and (part := connection.recv(64 * 1024)):
        data += part
    fields = data.split(b"\0")
    if len(fields) < 4 or not fields[3].isdigit() or len(fields) < 4 + int(fields[3]):
        return None
    return descriptors, fields


def _adopt(descriptors: list[int], umask: int, environment: list[bytes]) -> None:
    """Take the client's standard streams, folder, umask and environment as this process's own."""
    *streams, folder = descriptors
    for number, descriptor in enumerate(streams):
        os.dup2(descriptor, number)
        os.close(descriptor)
    os.fchdir(folder)
    os.close(folder)
    os.umask(umask)
    os.environb.clear()
    os.environb.update(entry.partition(b"=")[::2] for entry in environment if b"=" in entry)
    # New stream objects over descriptors 0-2, buffered as Python buffers them at start-up (line
    # by line on a terminal); the watcher's own stay referenced as sys.__stdout__ etc., unclosed.
    encoding = getattr(sys.__stdout__, "encoding", None) or "utf-8"
    errors = getattr(sys.__stdout__, "errors", None) or "strict"
    sys.stdin = open(0, encoding=encoding, errors=errors, closefd=False)
    sys.stdout = open(1, "w", buffering=1 if os.isatty(1) else -1, encoding=encoding, errors=errors, closefd=False)
    sys.stderr = open(2, "w", buffering=1, encoding=encoding, errors="backslashreplace", closefd=False)


def _run(connection) -> int:
    """Run the command line as `orgkg` would, passing on interruptions; its exit code, sent back."""
    import signal
    import threading

    from orgkg.console import run

    finished = threading.Event()
    main = threading.get_ident()

    def interrupt_when_told() -> None:
        while True:
            try:
                told = connection.recv(64)
            except OSError:
                told = b""
            if not finished.is_set():  # as Ctrl-C on the client's terminal: the main thread's call interrupted
                signal.pthread_kill(main, signal.SIGINT)
            if not told:
                return

    threading.Thread(target=interrupt_when_told, daemon=True).start()
    try:
        run()
        code = 0
    except SystemExit as end:
        code = end.code if isinstance(end.code, int) else (0 if end.code is None else 1)
        if isinstance(end.code, str):
            sys.stderr.write(end.code + "\n")  # as Python writes it at the exit
    except KeyboardInterrupt:
        code = 130
    finished.set()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    connection.sendall(b"exit %d\n" % code)
    return code
