"""`orgkg watch`: a command's check that nothing changed, in one question instead of a stat per file.

Without a watcher, every command that reads the store first stats every data file (~2 µs a
file in the kernel, ~40 ms at 10,000 files, most of a small query). The watcher keeps an
inotify watch on the data folders and answers, over a Unix socket in the cache folder, a token
that changes with every event in them. The store stamps the token it saw before its last scan;
a command that gets the same token back knows no data file changed since, without looking.

The watcher also watches the article texts' folders, and keeps a journal: the file each event
was about. A command sends a token it kept and gets back, with the new token, the names changed
since; the store then re-reads only those data files, and incremental validation re-checks
only the units whose texts it names (git's fsmonitor, in one process). Events it cannot name --
a folder added, removed or renamed, the queue overflowing, a watch lost -- answer "*": walk.

Why that is sound: inotify queues an event inside the writing process's own system call, so
every change whose call returned before a command asked is in the queue, and the watcher reads
the whole queue before it answers. Any event at all changes the token (a file opened for
writing and closed unchanged costs a rescan; a missed change would cost a wrong answer). What
inotify does not see, and so what a watched repository must not rely on: writes through a shared
memory map, and writes by another machine to a network file system. Data files that are symbolic
links are always checked by stat (their targets may sit in folders the watcher does not watch).
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from orgkg.atomic import file_lock
from orgkg.errors import OrgkgError
from orgkg.namespaces import DATA_DIRS

if TYPE_CHECKING:
    import socket

    from orgkg.relay import Relay

#: The watcher's socket, in the repository's cache folder.
SOCKET_NAME = "watch.sock"
#: How long a command waits for the watcher's answer before it stats every file instead.
ANSWER_WAIT = 1.0
#: Above this many names changed since a token, the answer is "*": walking costs less than
#: sending and re-reading them all.
JOURNAL_LIMIT = 1000

# From <sys/inotify.h>.
_MODIFY, _ATTRIB, _CLOSE_WRITE = 0x2, 0x4, 0x8
_MOVED_FROM, _MOVED_TO, _CREATE, _DELETE = 0x40, 0x80, 0x100, 0x200
_DELETE_SELF, _MOVE_SELF, _OVERFLOW, _IGNORED = 0x400, 0x800, 0x4000, 0x8000
_ONLYDIR, _ISDIR = 0x01000000, 0x40000000
_IN_NONBLOCK, _IN_CLOEXEC = os.O_NONBLOCK, os.O_CLOEXEC
_CHILDREN = _MOVED_FROM | _MOVED_TO | _CREATE | _DELETE
#: A data folder: its files written, touched, added, removed or renamed, and itself moved.
_DATA_MASK = _MODIFY | _ATTRIB | _CLOSE_WRITE | _CHILDREN | _DELETE_SELF | _MOVE_SELF | _ONLYDIR
#: The repository folder: a data folder added, removed or renamed, and itself moved.
_ROOT_MASK = _CHILDREN | _DELETE_SELF | _MOVE_SELF | _ONLYDIR
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, length of the name that follows


class WatchError(OrgkgError):
    """The watcher cannot start or go on (no inotify, a second watcher, the repository moved)."""


def folder_id(path: Path) -> str:
    """Which folder `path` is, whatever its name: a folder put where a watched one was is another."""
    info = os.stat(path)
    return f"{info.st_dev}:{info.st_ino}"


class WatchAnswer(NamedTuple):
    """What the watcher said: its token now; the files changed since the token asked about, by
    name under the root or, outside it, by path (None: it cannot name them, so every file is
    walked); and the text folders it watches."""

    token: str
    changed: list[str] | None
    texts: list[str]


def ask_watcher(root: Path, cache: Path, since: str | None = None) -> WatchAnswer | None:
    """The answer of the watcher of `root`, given after it has seen every change made so far; None
    when no watcher answers, or it watches another folder than the one now at `root`."""
    path = cache / SOCKET_NAME
    if not os.path.exists(path):
        return None
    import socket

    answer = b""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(ANSWER_WAIT)
            client.connect(str(path))
            client.sendall(f"since {since or '-'}\n".encode("ascii", "replace"))
            while part := client.recv(64 * 1024):
                answer += part
        watched, told = decode_answer(answer)
        return told if told.token and watched == folder_id(root) else None
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def decode_answer(answer: bytes) -> tuple[str, WatchAnswer]:
    """The watched folder's id and what the watcher said, from the bytes of `Watcher.answer`."""
    first, _, rest = answer.partition(b"\n")
    watched, token, *count = first.decode("ascii").split(" ")
    texts, _, listed = os.fsdecode(rest).partition("\n")
    names = listed.split("\n")[:-1] if count and count[0].isdigit() else None
    changed = names if names is not None and len(names) == int(count[0]) else None
    return watched, WatchAnswer(token, changed, texts.split("\0") if texts else [])


class Watcher:
    """The inotify watches on one repository's data folders and text folders, the count of events
    seen, and the journal of the files they changed."""

    def __init__(self, root: Path, cache: Path, texts: Iterable[Path] = ()):
        import ctypes
        import uuid

        self.root, self.cache = root, cache
        self._libc = ctypes.CDLL(None, use_errno=True)
        if not hasattr(self._libc, "inotify_init1"):
            raise WatchError("orgkg watch needs Linux's inotify; without it every command checks each file's stat")
        self._fd = self._libc.inotify_init1(_IN_NONBLOCK | _IN_CLOEXEC)
        if self._fd < 0:
            raise WatchError(f"cannot start inotify ({os.strerror(ctypes.get_errno())})")
        self._session = uuid.uuid4().hex  # a restarted watcher never repeats a token
        self._events = 0
        self._changed: dict[str, int] = {}  # name under the root (else path) -> the event that last changed it
        self._unnamed = 0  # the last event whose files cannot be named: no journal reaches past it
        self._prefix = str(root) + "/"
        self._folders: dict[int, Path] = {}
        self._root_id = folder_id(root)
        self._root_watch = self._watch(root, _ROOT_MASK)
        for name in DATA_DIRS:
            self._watch_tree(root / name)
        self._texts = {str(folder): self._watch_tree(folder) for folder in texts}  # folder -> its watch
        # The names in the root whose change (a data or text folder added, removed, renamed) names no file.
        inside = [folder.removeprefix(self._prefix) for folder in self._texts if folder.startswith(self._prefix)]
        self._at_root = {*DATA_DIRS, *(folder.split("/")[0] for folder in inside)}

    @property
    def token(self) -> str:
        return f"{self._session}.{self._events}"

    def answer(self, request: bytes = b"") -> bytes:
        """What a command is told: the watched folder and the token after every queued event, then
        how many names changed since the token it sent and the names, a line each ("*": unknown)."""
        self.read_events()
        changed = self.changed_since(request.decode("ascii", "replace").strip().removeprefix("since "))
        names = [] if changed is None else [os.fsencode(name) + b"\n" for name in changed]
        count = "*" if changed is None else str(len(names))
        texts = [folder for folder, watch in self._texts.items() if watch and self._folders.get(watch) == Path(folder)]
        head = f"{self._root_id} {self.token} {count}\n".encode("ascii") + os.fsencode("\0".join(texts)) + b"\n"
        return head + b"".join(names)

    def changed_since(self, token: str) -> list[str] | None:
        """The names changed since this watcher's `token`, or None when it cannot say (another
        watcher's token, an event that named no file since, or more than JOURNAL_LIMIT names)."""
        session, _, seen = token.partition(".")
        if session != self._session or not seen.isdigit() or not self._unnamed <= int(seen) <= self._events:
            return None
        since = int(seen)
        if since == self._events:
            return []
        changed = [name for name, event in self._changed.items() if event > since]
        return changed if len(changed) <= JOURNAL_LIMIT else None

    def fileno(self) -> int:
        return self._fd

    def close(self) -> None:
        os.close(self._fd)

    def _watch(self, folder: Path, mask: int) -> int | None:
        import ctypes

        descriptor = self._libc.inotify_add_watch(self._fd, os.fsencode(folder), mask)
        if descriptor < 0:
            code = ctypes.get_errno()
            if code == 28:  # ENOSPC: the per-user limit of watches
                raise WatchError(
                    f"cannot watch {folder}: the system's limit of inotify watches is reached; "
                    "raise fs.inotify.max_user_watches"
                )
            return None  # gone or not a folder: nothing to watch, and its removal was an event
        self._folders[descriptor] = folder
        return descriptor

    def _watch_tree(self, folder: Path) -> int | None:
        """Watch a data or text folder and every real folder below it (the ones the repository
        scans); its watch, if it could be watched."""
        if (watch := self._watch(folder, _DATA_MASK)) is None:
            return None
        try:
            with os.scandir(folder) as listing:
                below = [Path(entry.path) for entry in listing if entry.is_dir(follow_symlinks=False)]
        except OSError:
            return watch
        for child in below:
            self._watch_tree(child)
        return watch

    def read_events(self) -> None:
        """Count every queued event, watching the data folders that appeared."""
        while True:
            try:
                data = os.read(self._fd, 64 * 1024)
            except BlockingIOError:
                return
            offset = 0
            while offset < len(data):
                descriptor, mask, _, length = _EVENT.unpack_from(data, offset)
                name = os.fsdecode(data[offset + _EVENT.size : offset + _EVENT.size + length].rstrip(b"\0"))
                offset += _EVENT.size + length
                self._event(descriptor, mask, name)

    def _event(self, descriptor: int, mask: int, name: str) -> None:
        self._events += 1  # an overflow of the queue too: it changes the token like any event
        folder = self._folders.get(descriptor)
        self._journal(folder, mask, name, descriptor == self._root_watch)
        if mask & _IGNORED:
            self._folders.pop(descriptor, None)
        elif descriptor == self._root_watch:
            if mask & (_DELETE_SELF | _MOVE_SELF):
                raise WatchError(f"{self.root} was moved or removed; start orgkg watch again where it is now")
            if name in DATA_DIRS and mask & (_CREATE | _MOVED_TO):
                self._watch_tree(self.root / name)
        elif folder is not None and mask & _ISDIR and mask & (_CREATE | _MOVED_TO):
            self._watch_tree(folder / name)

    def _journal(self, folder: Path | None, mask: int, name: str, at_root: bool) -> None:
        """Note the file this event changed (data files are told by their names later). An event
        about a folder (a watched one itself too), an overflow or a lost watch names none, and
        every token before it is answered "*"; the root's other names change nothing watched."""
        if at_root:
            if name in self._at_root:
                self._unnamed, self._changed = self._events, {}
        elif mask & (_OVERFLOW | _IGNORED | _DELETE_SELF | _MOVE_SELF | _ISDIR) or folder is None or "\n" in name:
            self._unnamed, self._changed = self._events, {}
        else:
            path = f"{folder}/{name}"
            self._changed[path.removeprefix(self._prefix)] = self._events


@contextmanager
def listening(path: Path, private: bool = False) -> Iterator[socket.socket]:
    """A Unix socket listening at `path` for the block (one a killed process left there is
    replaced), removed at the end unless a later process's socket has taken the path since;
    `private`: born 0600, so that no other user can connect."""
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        path.unlink(missing_ok=True)
        umask = os.umask(0o177) if private else None
        try:
            server.bind(str(path))
        except OSError as error:
            raise WatchError(f"cannot listen on {path} ({error.strerror or error})") from None
        finally:
            if umask is not None:
                os.umask(umask)
        bound = os.stat(path).st_ino
        try:
            server.listen()
            yield server
        finally:
            try:
                if os.stat(path).st_ino == bound:
                    path.unlink()
            except OSError:
                pass


def serve(watcher: Watcher, relay: Callable[[], Relay] | None = None, ready=None) -> None:
    """Answer commands on the cache folder's socket until stopped (SIGINT or SIGTERM), and relay
    queries to forked children when given how to start the relay (orgkg.relay, which imports
    what the commands need). Only one watcher a repository: a second one is refused while the
    first holds its lock."""
    import select
    import signal

    path = watcher.cache / SOCKET_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    busy = WatchError(f"{watcher.root} is already watched (its socket is {path}); stop that orgkg watch first")
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with file_lock(watcher.cache / "watch.lock", busy), listening(path) as server:
        relaying = None
        try:
            if relay:
                relaying = relay()
            if ready:
                ready(path, relaying and relaying.path)
            sources = [watcher, server, *([relaying] if relaying else [])]
            while True:
                readable, _, _ = select.select(sources, [], [])
                if relaying is not None and relaying in readable:
                    relaying.serve_one()
                if watcher in readable:
                    watcher.read_events()
                if server in readable:
                    client, _ = server.accept()
                    with client:
                        try:
                            client.settimeout(ANSWER_WAIT)
                            client.sendall(watcher.answer(client.recv(4096)))
                        except OSError:
                            pass  # the command gave up waiting: it checks every file instead
        except KeyboardInterrupt:
            pass
        finally:
            watcher.close()
            if relaying:
                relaying.close()
