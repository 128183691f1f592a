"""Where queries run: the embedded pyoxigraph store (default), rdflib (the reference), or a
remote SPARQL 1.1 endpoint. Local engines are read-only: updates are refused."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pyoxigraph as ox

from orgkg import freshness, guards
from orgkg.atomic import file_lock, write_atomic
from orgkg.errors import OrgkgError
from orgkg.repository import Repository, Scan, graph_iri
from orgkg.results import Results

if TYPE_CHECKING:
    from orgkg.cache_db import CacheIndex

#: How long a command waits for another orgkg that is building the store.
LOCK_WAIT = 60.0
#: The file in the store folder naming the build that last wrote it (RocksDB ignores it).
_BUILD_MARK = "orgkg-build"
DEFAULT_ENDPOINT_TIMEOUT = 60.0
#: Quads per call of the bulk loader: its memory grows with the quads in one call.
BULK_QUADS = 250_000
#: Triples an update may write before the build retires RocksDB's write-ahead log, which every
#: read-only open (every query) replays: a log of 20,000 triples (13 MB) costs such an open a few
#: ms, retiring it 50 ms (another read-write open) of every small rebuild.
WAL_RETIRE_TRIPLES = 100_000


class StoreError(OrgkgError):
    """The store cannot do what was asked (refused update, busy store, unreachable endpoint)."""


class QuerySyntaxError(StoreError):
    pass


class BuildReport(NamedTuple):
    loaded: list[str]
    removed: list[str]
    unchanged: int
    triples: int
    rebuilt: str = ""  # why the store was rebuilt from scratch, if it was


class EmbeddedStore:
    """An on-disk pyoxigraph store under the cache directory, one named graph per Turtle file.

    Its default graph holds the union of the named graphs as a set (each triple once, however
    many files state it, as Jena's union graph), kept up to date as files change; `GRAPH ?g`
    still shows which files say a triple. A manifest records which digest of each file the
    store holds, so only files that changed are reloaded. A lock file lets one builder work at
    a time while readers wait (bounded) rather than read a store being written.
    """

    allow_service: bool = False
    timeout: float | None = None

    def __init__(self, root: Path, cache: Path | None = None, progress: Callable[[int, int], None] | None = None):
        self.repository = Repository(root, cache)
        self.root = root
        self.progress = progress
        self.location = self.repository.cache / "store"
        self._marked = False  # whether this build has marked the store folder yet
        self._read_manifest: tuple[tuple, dict | None] | None = None  # (identity, index version), rows

    @property
    def index(self) -> CacheIndex:
        """The cache's index database, opened (and sqlite3 imported) on first use."""
        return self.repository.index

    # --- locking ------------------------------------------------------------------------

    @contextmanager
    def _lock(self, exclusive: bool) -> Iterator[None]:
        cache = self.repository.cache
        busy = StoreError(
            f"the store in {cache} is busy: another orgkg has been building or "
            f"reading it for over {LOCK_WAIT:g} s; try again when it is done"
        )
        with ExitStack() as held:
            try:
                cache.mkdir(parents=True, exist_ok=True)
                held.enter_context(file_lock(cache / "lock", busy, shared=not exclusive, wait=LOCK_WAIT))
            except OSError as error:
                raise StoreError(
                    f"cannot use the cache folder {cache} ({error.strerror}); make it a writable "
                    "folder or set ORGKG_CACHE to one"
                ) from None
            yield

    # --- building -----------------------------------------------------------------------

    def _manifest(self) -> dict[str, tuple[str, int]] | None:
        """File name -> (digest, triples) of what the store holds, or None if the store cannot be
        trusted to match it (no manifest, or one written for another store folder or build). Read
        once while neither the store's identity nor the index changes (the journal's base and the
        build's plan both ask: 100 ms at 100,000 files); every build that writes marks the store
        anew first, so rows this process wrote are never taken for the ones it read."""
        identity = self._identity()
        key = (identity, self.index.data_version())
        if self._read_manifest is None or self._read_manifest[0] != key:
            self._read_manifest = (key, self.index.held(identity))
        return self._read_manifest[1]

    def _identity(self) -> str | None:
        """The store folder's inode and the mark of the build that last wrote it: a folder
        removed or replaced, or its contents swapped for an older copy, reads as new."""
        try:
            return f"{self.location.stat().st_ino}:{(self.location / _BUILD_MARK).read_text()}"
        except (OSError, ValueError):
            return None

    def _mark_build(self) -> None:
        """A new mark for this build, in the store folder before its first write (and so in every
        manifest written during it); a build that writes nothing keeps the old mark."""
        if not self._marked:
            import uuid

            write_atomic(self.location / _BUILD_MARK, uuid.uuid4().hex)
            self._marked = True

    def _plan(self, force: bool, scan: Scan, stamped: str | None = None):
        """What the store holds of the files concerned (None: nothing to trust), their digests now,
        and which changed or went. `stamped`: the store the stamp the watcher's journal counts
        from names, and the one the plan is for; then only the files it named are concerned (only
        their rows are read: the whole manifest was 0.1 s at 100,000 files). Else every file is."""
        if stamped and scan.named is not None and (old := self.index.held(stamped, scan.named)) is not None:
            current = {name: digest for name, digest in scan.named.items() if digest is not None}
        else:
            old, current = None if force else self._manifest(), scan.digests
        held = old or {}
        changed = [name for name in sorted(current) if held.get(name, ("",))[0] != current[name]]
        removed = sorted(set(held) - set(current))
        return old, current, changed, removed

    def scan(self) -> Scan:
        """The data files now; with `orgkg watch` running, the watcher names the files changed
        since this store's stamp, and only those are read (the manifest stands for the rest)."""
        stamp = freshness.Stamp.read(self.repository.cache)
        if not stamp or stamp.token == "-" or stamp.identity != self._identity():
            return self.repository.scan()
        return self.repository.scan(stamp.token, lambda: self._held_digests(stamp.identity))

    def _held_digests(self, stamped: str) -> dict[str, str] | None:
        """The digests of the manifest, if it is still the one of the store as stamped: a builder
        that wrote since (one whose files were older, say) marked the store anew first."""
        held = self._manifest()
        if held is None or self._read_manifest is None or self._read_manifest[0][0] != stamped:
            return None
        return {name: digest for name, (digest, _) in held.items()}

    def _report(
        self, changed: list[str] | None = None, removed: list[str] | None = None, rebuilt: str = ""
    ) -> BuildReport:
        """What a build did, with the totals the manifest now holds."""
        files, triples = self.index.held_totals()
        return BuildReport(changed or [], removed or [], files - len(changed or []), triples, rebuilt)

    def build(self, force: bool = False, scan: Scan | None = None) -> BuildReport:
        """Bring the store up to date: from scratch with the bulk loader, else file by file (to
        the files as `scan` found them, if the caller has just scanned them)."""
        scan = scan or (self.repository.scan() if force else self.scan())  # forced: every file read
        stamp = freshness.Stamp.read(self.repository.cache)
        if not force and freshness.fresh(self.repository.cache, scan, self._identity(), stamp):
            return self._report()
        planned = (self._identity(), self.index.data_version())
        stamped = (
            planned[0] if not force and stamp and stamp.token == scan.since and stamp.identity == planned[0] else None
        )
        old, current, changed, removed = self._plan(force, scan, stamped)
        if old is not None and not (changed or removed):
            freshness.stamp_matching(self.repository.cache, scan, planned[0])
            return self._report()
        with self._lock(exclusive=True):
            # Another builder may have written meanwhile: it marks the store anew before its first
            # write and commits its manifest to the index, so the plan is made again, over every
            # file, only if the identity or the index changed (reading the manifest again was
            # 10 ms at 10,000 files). The files as scanned are what this build brings the store
            # to (and stamps).
            if (self._identity(), self.index.data_version()) != planned:
                old, current, changed, removed = self._plan(force, scan)
            if old is not None and not (changed or removed):
                freshness.stamp_matching(self.repository.cache, scan, self._identity())
                return self._report()
            rebuilt = "" if old is not None else ("asked to" if force else self._why_rebuild())
            if old is None:
                import shutil

                freshness.Stamp.forget(self.repository.cache)
                self.index.forget_store()
                shutil.rmtree(self.location, ignore_errors=True)
            store = self._open_for_writing()
            self._marked = False
            try:
                if old is None:
                    self._bulk_load(store, current)
                    written = 0
                else:
                    loaded = self._update(store, current, changed, removed)
                    written = sum(loaded.values()) + sum(old[name][1] for name in removed)
            except OrgkgError as error:  # its traceback's frames (and its context's) hold the store and its lock
                error.__context__ = error.__cause__ = None
                raise error.with_traceback(None)  # noqa: B904 (the same error, without those frames)
            finally:
                del store  # release RocksDB's own lock even when a traceback outlives this frame
            # Opened and closed once more, RocksDB retires the write-ahead log of a large update,
            # which every read-only open (every query) would otherwise replay.
            if written > WAL_RETIRE_TRIPLES:
                self._open_for_writing()
            _prune_info_logs(self.location)
            freshness.stamp_matching(self.repository.cache, scan, self._identity())
            return self._report(changed, removed, rebuilt)

    def _why_rebuild(self) -> str:
        if not self.location.exists():
            return "no store yet" if self.index.stamp("store") is None else "the store folder was removed"
        return "the store did not match its manifest"

    def _open_for_writing(self) -> ox.Store:
        try:
            self.location.mkdir(parents=True, exist_ok=True)
            return ox.Store(str(self.location))
        except (OSError, RuntimeError):
            # A damaged store (a corrupt file, a half-deleted folder) is only a cache: start over.
            import shutil

            shutil.rmtree(self.location, ignore_errors=True)
            try:
                self.location.mkdir(parents=True, exist_ok=True)
                return ox.Store(str(self.location))
            except (OSError, RuntimeError) as error:
                raise StoreError(
                    f"cannot create the store at {self.location} ({error}); set ORGKG_CACHE to a writable folder"
                ) from None

    def _bulk_load(self, store: ox.Store, current: dict[str, str]) -> None:
        """Every file into an empty store with RocksDB's bulk loader (no write-ahead log, sorted
        files written directly), one file in memory at a time. The manifest is written only at
        the end: a file that does not parse leaves no manifest, so the next build starts over."""
        files: dict[str, tuple[str, int]] = {}
        self._mark_build()
        # In calls of about BULK_QUADS: one call's batches in flight held 1 KB a quad (2 GB at
        # 10,000 articles); each call adds its own sorted files, merged by RocksDB later. As text:
        # a Python Quad object for each quad was a fifth of the build at 10,000 articles.
        chunk: list[bytes] = []
        quads = 0
        for done, name in enumerate(sorted(current), 1):
            triples = self._parse(self.root / name)
            files[name] = (current[name], len(triples))
            chunk.append(_with_union(triples, ox.NamedNode(graph_iri(self.root / name, self.root))))
            quads += 2 * len(triples)
            if quads >= BULK_QUADS:
                store.bulk_load(b"".join(chunk), ox.RdfFormat.N_QUADS)
                chunk, quads = [], 0
            if self.progress:
                self.progress(done, len(current))
        if chunk:
            store.bulk_load(b"".join(chunk), ox.RdfFormat.N_QUADS)
        # Each call left its own sorted files, which every lookup then searched in turn (queries
        # 1.7x slower at 10,000 articles) until the first write compacted them all (185 s at
        # 100,000): compacted here, once, while the build holds the store anyway.
        store.optimize()
        self.index.hold(self._identity(), files)

    def _update(
        self, store: ox.Store, current: dict[str, str], changed: list[str], removed: list[str]
    ) -> dict[str, int]:
        """The `changed` files' graphs swapped for their new triples and the `removed` ones'
        dropped; how many triples each changed file has."""
        if removed:
            self._mark_build()
            for name in removed:
                self._unload_graph(store, ox.NamedNode(graph_iri(self.root / name, self.root)))
            self.index.hold(self._identity(), {}, removed)
        loaded: dict[str, int] = {}
        saved, unsaved = time.monotonic(), {}
        for done, name in enumerate(changed, 1):
            loaded[name] = self._load_file(store, self.root / name)
            unsaved[name] = (current[name], loaded[name])
            if time.monotonic() - saved > 1:  # a checkpoint: what is loaded so far
                self.index.hold(self._identity(), unsaved)
                saved, unsaved = time.monotonic(), {}
            if self.progress:
                self.progress(done, len(changed))
        store.flush()
        self.index.hold(self._identity(), unsaved)
        return loaded

    def _parse(self, path: Path) -> list[ox.Triple]:
        from orgkg.loading import parse_strict

        return parse_strict(path, self.root)

    def _load_file(self, store: ox.Store, path: Path) -> int:
        """Swap a file's graph for its new triples (parsed first: a file that does not parse leaves
        its old graph in place), keeping the default graph their set union; how many triples."""
        graph = ox.NamedNode(graph_iri(path, self.root))
        triples = self._parse(path)
        self._mark_build()
        self._unload_graph(store, graph)
        store.load(_with_union(triples, graph), ox.RdfFormat.N_QUADS)
        return len(triples)

    @staticmethod
    def _unload_graph(store: ox.Store, graph: ox.NamedNode) -> None:
        """Remove a named graph, and from the default graph what no other named graph states. A
        triple with a blank node (most of an article: its evidence) is this file's alone: each
        parse mints its own blank nodes, so no other graph is asked about it."""
        old = list(store.quads_for_pattern(None, None, None, graph))
        store.remove_graph(graph)
        default = ox.DefaultGraph()
        for quad in old:
            if not isinstance(quad.subject, ox.BlankNode) and not isinstance(quad.object, ox.BlankNode):
                others = store.quads_for_pattern(quad.subject, quad.predicate, quad.object)
                if any(other.graph_name != default for other in others):
                    continue
            store.remove(ox.Quad(quad.subject, quad.predicate, quad.object, default))

    def graph_triples(self) -> dict[str, int]:
        """Named graph -> its triples as last built, counted when each file was loaded."""
        files = self._manifest() or {}
        return {graph_iri(self.root / name, self.root): triples for name, (_, triples) in files.items()}

    def graph_digests(self) -> dict[str, str]:
        """Named graph -> the digest of the file it was built from, as last built."""
        files = self._manifest() or {}
        return {graph_iri(self.root / name, self.root): digest for name, (digest, _) in files.items()}

    def size(self) -> int:
        """Triples in the named graphs as last built."""
        return sum(self.graph_triples().values())

    # --- reading ------------------------------------------------------------------------

    def open_read_only(self) -> ox.Store:
        """The store as it is, read-only, without building it or taking the lock: for a process
        whose parent holds `reading()` (validation workers)."""
        try:
            return ox.Store.read_only(str(self.location))
        except (OSError, RuntimeError) as error:  # RocksDB reports corruption as RuntimeError
            raise StoreError(
                f"cannot read the store at {self.location} ({error}); `orgkg build --force` rebuilds it"
            ) from None

    def _open_or_none(self) -> ox.Store | None:
        try:
            return self.open_read_only()
        except StoreError:
            return None

    @contextmanager
    def reading(self, build: bool = True) -> Iterator[ox.Store]:
        """The up-to-date store, read-only, held against builders for the `with` block (`build`
        False: the caller has just built it). RocksDB is opened in a thread while the files are
        checked, as its open lets go of the interpreter's lock (at 10,000 articles a small
        query's 15 ms open and 40 ms walk overlap); a store found stale is closed unread. A store
        that cannot be opened is only a damaged cache: it is rebuilt once from the files."""
        scan = self.scan() if build else None
        with self._lock(exclusive=False):
            opening = guards.Worker(self._open_or_none, "orgkg-open", pause_collector=True)
            try:
                cache = self.repository.cache
                fresh = scan is None or freshness.fresh(cache, scan, self._identity(), freshness.Stamp.read(cache))
            finally:
                store = opening.result()
            if fresh and store is not None:
                yield store
                return
        del store  # closed before any build opens the store for writing
        if not fresh:
            self.build(scan=scan)
            with self._lock(exclusive=False):
                if (store := self._open_or_none()) is not None:
                    yield store
                    return
        self.build(force=True)
        with self._lock(exclusive=False):
            yield self.open_read_only()

    def query(self, sparql: str) -> Results:
        """Run a query on a read-only view of the (freshly built) store."""
        with self.session() as session:
            return session.query(sparql)

    @contextmanager
    def session(self) -> Iterator[StoreSession]:
        """The store brought up to date and opened once for many queries, held against builders
        meanwhile: each `query` alone checks every file's freshness and opens RocksDB again
        (seconds a query at 10,000 articles; a site runs two a page)."""
        with self.reading() as store:
            yield StoreSession(self, store)


class StoreSession(NamedTuple):
    """An embedded store opened once (`EmbeddedStore.session`), queried like the store itself."""

    owner: EmbeddedStore
    store: ox.Store

    def query(self, sparql: str) -> Results:
        guards.check(sparql, self.owner.allow_service, lambda: {g.value for g in self.store.named_graphs()})

        def run() -> Results:
            # The default graph is the union already; a FROM clause replaces it, as in rdflib.
            try:
                return from_oxigraph(self.store.query(sparql))
            except SyntaxError as error:
                raise QuerySyntaxError(str(error)) from None

        return guards.run_with_deadline(run, self.owner.timeout)

    def stream(self, sparql: str) -> ox.QuerySolutions:
        """A SELECT query's solutions as the engine gives them, one at a time, never all held
        (each unpacks to its values, None where unbound): for a pass over an answer that grows
        with the corpus. Its `variables` name them."""
        guards.check(sparql, self.owner.allow_service, lambda: {g.value for g in self.store.named_graphs()})
        answer = self.store.query(sparql)
        assert isinstance(answer, ox.QuerySolutions), "a SELECT query"
        return answer


#: RocksDB's old info logs kept in the store folder, the newest, for a bug report.
KEPT_INFO_LOGS = 3


def _prune_info_logs(location: Path) -> None:
    """RocksDB renames its info log to LOG.old.<microseconds> at every read-write open and keeps
    1,000 of them (oxigraph sets their size, 1 MB, not their number): at 10,000 articles 137 KB
    each, after every build. Only the newest are kept; nothing reads them."""
    old = sorted(location.glob("LOG.old.*"), key=lambda path: int(path.name[8:]) if path.name[8:].isdigit() else 0)
    for path in old[:-KEPT_INFO_LOGS]:
        path.unlink(missing_ok=True)


def return_freed_memory() -> None:
    """Give what the engine has freed back to the system. Its allocator (glibc's malloc) keeps
    freed memory for reuse, and a large query leaves it fragmented: at 100,000 articles the docs'
    query pages held 1,507 MB, 1,101 MB of it free (malloc_trim: 406 MB), and the pages after
    grew on top. Nothing where the C library has no malloc_trim."""
    import ctypes

    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
    if trim is not None:
        trim(0)


@contextmanager
def queried_together(engine) -> Iterator:
    """`engine` for several queries in a row (a name resolved, then the query): an embedded store
    is brought up to date and opened once, its session, instead of a freshness check of every
    file and a RocksDB open for each query; any other engine as it is."""
    if isinstance(engine, EmbeddedStore):
        with engine.session() as session:
            yield session
    else:
        yield engine


def _with_union(triples: list[ox.Triple], graph: ox.NamedNode) -> bytes:
    """A file's triples as N-Quads text for the engine to parse (no Python Quad object made for
    each): in its named graph, and again in the default graph (the set union). An N-Triples line
    ends in " .\n" and holds no other raw line break."""
    from orgkg.formats import write  # a build's, not a query's

    lines = write(triples, "nt")
    return lines + lines.replace(b" .\n", f" {graph} .\n".encode())


def from_oxigraph(answer) -> Results:
    if isinstance(answer, ox.QueryBoolean):
        return Results(boolean=bool(answer))
    if isinstance(answer, ox.QueryTriples):
        return Results(triples=list(answer))
    variables = [v.value for v in answer.variables]
    return Results(variables=variables, rows=[[solution[v] for v in variables] for solution in answer])
