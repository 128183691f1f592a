"""One `orgkg load` at a time per store: concurrent loads interleave their swaps and drop each
other's temporary graphs.

Two locks, both held for the whole load:
- on this machine, a lock file in the temporary folder keyed by the store's normalised URL
  (any checkout, `localhost` or `127.0.0.1`, a trailing slash); it dies with its process;
- on the store itself (a store that takes SPARQL Update), a marker graph `LOCK_GRAPH` claimed
  with one conditional update and read back, so that loads from other machines, or through a
  URL spelling no normaliser can see (a proxy, another host name), are refused too. It names
  the load holding it (host, process, start time) and is removed on every way out; one left by
  a killed load is broken by the next load from the same machine (its process is gone), or
  on request (`orgkg load --break-lock`) from anywhere.
"""

from __future__ import annotations

import hashlib
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from orgkg.atomic import file_lock
from orgkg.http_client import HttpError, redact
from orgkg.namespaces import BASE, GRAPH_BASE
from orgkg.triplestore import LoadError, RemoteStore

#: Everything a load keeps aside in the store: its temporary graphs and the lock marker.
TEMPORARY_BASE = GRAPH_BASE + "_loading/"
#: The marker graph a load claims the store with (no repository file can map here: a file's
#: temporary graph is under TEMPORARY_BASE + a load's token).
LOCK_GRAPH = TEMPORARY_BASE + "lock"
#: A marker older than this names no running load (the largest corpus loads in minutes):
#: the message then says so.
STALE_AFTER = timedelta(hours=6)

#: The vocabulary of what a load writes in the store: its lock marker and its record.
LOAD_TERMS = BASE + "load#"
_XSD = "http://www.w3.org/2001/XMLSchema#"


def store_identity(url: str) -> str:
    """The store a URL names, however it is spelt: scheme and host in lower case, a host name
    resolved to its lowest address (localhost and 127.0.0.1 are one store), the default port
    written out, no credentials, no trailing slash."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme, 0)
    try:
        host = min(str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
    except (OSError, ValueError):
        pass
    if host in ("127.0.0.1", "::1"):
        host = "loopback"
    return f"{scheme}://{host}:{port}{parts.path.rstrip('/')}" + (f"?{parts.query}" if parts.query else "")


def lock_folder() -> Path:
    """Where load locks live: the machine's temporary folder, shared by every checkout and cache."""
    import tempfile

    folder = Path(tempfile.gettempdir()) / "orgkg-locks"
    folder.mkdir(mode=0o1777, exist_ok=True)
    return folder


@contextmanager
def locked(url: str, folder: Path | None = None):
    """One load at a time into the same store from this machine, from any checkout, however its
    URL is spelt. The lock dies with its process (kill -9 included)."""
    folder = folder or lock_folder()
    name = hashlib.sha256(store_identity(url).encode()).hexdigest()[:16]
    busy = LoadError(f"another orgkg load into {redact(url)} is running; wait for it to finish")
    with file_lock(folder / f"load-{name}.lock", busy):
        yield


@dataclass(frozen=True)
class Holder:
    """A load that claimed the store: what its marker says."""

    token: str
    host: str
    pid: int
    started: datetime

    @property
    def node(self) -> str:
        return f"urn:uuid:{uuid.UUID(self.token)}"

    def describe(self) -> str:
        return f"process {self.pid} on {self.host}, since {self.started:%Y-%m-%d %H:%M:%S} UTC"

    def dead_here(self) -> bool:
        """A load of this machine whose process is gone (killed before it could release)."""
        if self.host != socket.gethostname():
            return False
        if self.pid == os.getpid():  # an earlier load of this process (loads here take turns)
            return True
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # alive, another user's
            return False
        return False

    def stale(self) -> bool:
        return datetime.now(UTC) - self.started > STALE_AFTER


@contextmanager
def claimed(store: RemoteStore, break_lock: bool = False) -> Iterator[Holder]:
    """The store's lock marker held by this load for the block, released on every way out
    (an error, Ctrl-C); LoadError naming the load that holds it."""
    me = Holder(uuid.uuid4().hex, socket.gethostname(), os.getpid(), datetime.now(UTC).replace(microsecond=0))
    try:
        _claim(store, me, break_lock, store.client.notice)
    except HttpError as error:
        if not store.answered:
            raise LoadError(f"{error}. The store never answered; nothing was changed", error.option) from None
        try:
            _release(store, me)  # in case the claim went in and only its answer was lost
        except LoadError:
            raise LoadError(
                f"{error}. Nothing was changed in the store but perhaps its lock marker <{LOCK_GRAPH}>: "
                "the next load from this machine breaks it",
                error.option,
            ) from None
        raise LoadError(f"{error}. Nothing was changed in the store", error.option) from None
    try:
        yield me
    finally:
        try:
            _release(store, me)
        except LoadError as error:  # the store stopped answering: say so, keep the load's own error
            store.client.notice(
                f"{error}; the store's lock marker <{LOCK_GRAPH}> stays: the next load from this machine breaks it"
            )


def _claim(store: RemoteStore, me: Holder, break_lock: bool, notice: Callable[[str], None]) -> None:
    """Insert our marker only if no load's token is in the marker graph, then read it back: under concurrent
    claims every load that sees more than one marker withdraws, so at most one goes on (the first
    to commit sees only its own, or withdraws too)."""
    for _ in range(2):
        store.update(
            f"INSERT {{ GRAPH <{LOCK_GRAPH}> {{ {_triples(me)} }} }} "
            f"WHERE {{ FILTER NOT EXISTS {{ GRAPH <{LOCK_GRAPH}> {{ ?claim <{LOAD_TERMS}token> ?token }} }} }}",
            "claiming the store for this load",
            retry=True,  # a second try of the same claim inserts nothing more
        )
        holders = _holders(store)
        mine = any(holder.token == me.token for holder in holders)
        others = [holder for holder in holders if holder.token != me.token]
        if mine and not others:
            return
        if mine:  # a claim raced ours: give way
            _release(store, me)
            raise _busy(store, others[0])
        if not others:  # its load ended between our claim and our look: claim again
            continue
        holder = min(others, key=lambda h: h.started)
        if not (break_lock or holder.dead_here()):
            raise _busy(store, holder)
        why = "as asked" if break_lock else "that load is not running"
        notice(f"breaking the lock marker of an earlier load ({holder.describe()}): {why}")
        _release(store, holder)
    raise LoadError(f"other orgkg loads into {redact(store.base)} keep claiming the store; try again later")


def _busy(store: RemoteStore, holder: Holder) -> LoadError:
    message = f"another orgkg load into {redact(store.base)} is running ({holder.describe()})"
    if holder.stale():
        return LoadError(
            f"{message}, longer ago than any load takes ({STALE_AFTER.seconds // 3600} hours): if no load is "
            "running, break its lock",
            option="break_lock",
        )
    return LoadError(f"{message}; wait for it to finish, or if it was killed, break its lock", option="break_lock")


def _triples(holder: Holder) -> str:
    return (
        f'<{holder.node}> <{LOAD_TERMS}token> "{holder.token}" ; <{LOAD_TERMS}host> "{_escaped(holder.host)}" ; '
        f'<{LOAD_TERMS}pid> "{holder.pid}"^^<{_XSD}integer> ; '
        f'<{LOAD_TERMS}started> "{holder.started.isoformat().replace("+00:00", "Z")}"^^<{_XSD}dateTime> .'
    )


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _holders(store: RemoteStore) -> list[Holder]:
    """The markers in the lock graph, one per load that claims the store."""
    rows = store.select(
        f"SELECT ?token ?host ?pid ?started WHERE {{ GRAPH <{LOCK_GRAPH}> {{ ?claim <{LOAD_TERMS}token> ?token "
        f"OPTIONAL {{ ?claim <{LOAD_TERMS}host> ?host }} OPTIONAL {{ ?claim <{LOAD_TERMS}pid> ?pid }} "
        f"OPTIONAL {{ ?claim <{LOAD_TERMS}started> ?started }} }} }}",
        "reading the store's lock marker",
    )
    holders = []
    for token, host, pid, started in rows:
        try:
            when = datetime.fromisoformat(started.value.replace("Z", "+00:00")) if started else datetime.min
            holders.append(
                Holder(
                    token.value,
                    host.value if host else "an unknown host",
                    int(pid.value) if pid else 0,
                    when if when.tzinfo else when.replace(tzinfo=UTC),
                )
            )
        except (AttributeError, ValueError):
            holders.append(Holder(token.value, "an unknown host", 0, datetime.min.replace(tzinfo=UTC)))
    return holders


def _release(store: RemoteStore, holder: Holder) -> None:
    """Remove one load's marker (safe to repeat, so retried)."""
    try:
        store.update(
            f'DELETE WHERE {{ GRAPH <{LOCK_GRAPH}> {{ ?claim <{LOAD_TERMS}token> "{_escaped(holder.token)}" ; ?p ?o }} }}',
            "releasing the store's lock marker",
            retry=True,
        )
    except HttpError as error:
        raise LoadError(str(error), error.option) from None


def completion(holder: Holder) -> str:
    """An update operation marking the load done, for a request that loads every graph: in the
    same transaction as the graphs, it tells afterwards whether that request went in."""
    return f"INSERT DATA {{ GRAPH <{LOCK_GRAPH}> {{ <{holder.node}> <{LOAD_TERMS}done> true }} }}"


def completed(store: RemoteStore, holder: Holder) -> bool:
    """Whether the load's request carrying `completion` has gone in."""
    return bool(
        store.select(
            f"SELECT ?done WHERE {{ GRAPH <{LOCK_GRAPH}> {{ <{holder.node}> <{LOAD_TERMS}done> ?done }} }}",
            "asking the store whether the load went in",
        )
    )
