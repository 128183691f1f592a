"""`orgkg load`: the graph into a triplestore with the SPARQL 1.1 Graph Store HTTP Protocol.

Nothing is left half-loaded: every graph is first uploaded to a temporary graph, and only when
all uploads have succeeded are they moved over the real graphs with SPARQL Update `MOVE` (`ADD`
when appending), all in one request (one transaction on a store that runs a request as one,
such as Oxigraph). A failed upload drops the temporaries, so the store is as it was; a failed
swap says which graphs are new and which are old. Afterwards the triple count of every graph in
the store is compared with the local one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from orgkg.atomic import file_lock
from orgkg.formats import graph_ntriples, write
from orgkg.http_client import Client, HttpError, UnexpectedAnswer, redact
from orgkg.namespaces import GRAPH_BASE
from orgkg.store import StoreError

#: Graphs are uploaded here first, then moved over the real ones (graph/x -> graph/_loading/x).
TEMPORARY_BASE = GRAPH_BASE + "_loading/"
NTRIPLES = "application/n-triples; charset=utf-8"
#: Graph names listed in a message before "and N more".
LISTED = 5


@dataclass(frozen=True)
class Dialect:
    """Where a store keeps its Graph Store, query and update services, relative to its URL."""

    store: str
    graph_param: str
    query: str | None
    update: str | None
    digest: bool = False
    example: str = ""


DIALECTS: dict[str, Dialect] = {
    "oxigraph": Dialect("/store", "graph", "/query", "/update", example="http://localhost:7878"),
    # Virtuoso's authenticated services take HTTP Digest, not Basic.
    "virtuoso": Dialect(
        "/sparql-graph-crud-auth",
        "graph-uri",
        "/sparql-auth",
        "/sparql-auth",
        digest=True,
        example="http://localhost:8890",
    ),
    "fuseki": Dialect("/data", "graph", "/sparql", "/update", example="http://localhost:3030/orgkg"),
    "graphdb": Dialect(
        "/rdf-graphs/service", "graph", "", "/statements", example="http://localhost:7200/repositories/orgkg"
    ),
    # Any Graph Store endpoint given in full; no SPARQL Update, so graphs are replaced in place.
    "gsp": Dialect("", "graph", None, None, example="https://example.org/rdf-graph-store"),
}


class LoadError(StoreError):
    """The load failed; the message says what state the store is in."""


@dataclass
class Upload:
    """One local graph, streamed from the embedded store as N-Triples bodies of at most
    chunk-size triples each (memory: one chunk, plus one entry per blank node)."""

    iri: str
    triples: int
    store: ox.Store
    chunk_size: int

    @property
    def temporary(self) -> str:
        return TEMPORARY_BASE + self.iri.removeprefix(GRAPH_BASE)

    def bodies(self) -> Iterator[bytes]:
        return graph_bodies(self.store, ox.NamedNode(self.iri), self.chunk_size)


@dataclass
class LoadReport:
    """Per graph: the local triple count and the store's after loading."""

    counts: list[tuple[str, int, int]] = field(default_factory=list)
    append: bool = False
    pruned: list[str] = field(default_factory=list)

    @property
    def mismatches(self) -> list[str]:
        if self.append:  # the store may hold more than we sent
            return [iri for iri, local, remote in self.counts if remote < local]
        return [iri for iri, local, remote in self.counts if remote != local]


def prepare(store: ox.Store, graph_triples: dict[str, int], chunk_size: int) -> list[Upload]:
    """The repository's graphs (ontology, reference entities, one per article) ready to send, read
    from the embedded store, with the triple counts its build recorded
    (`EmbeddedStore.graph_triples()`): open it with `EmbeddedStore.reading()` and keep it open
    while the uploads are sent, so that no build changes it under the load."""
    return [Upload(graph, triples, store, chunk_size) for graph, triples in graph_triples.items()]


def graph_bodies(store: ox.Store, graph: ox.NamedNode, size: int) -> Iterator[bytes]:
    """N-Triples bodies of at most `size` triples, never splitting the triples that share a blank
    node: each request has its own blank-node scope, so `_:b` in two bodies would be two nodes.

    Two passes over the graph: the first finds which blank nodes are connected (one entry per
    blank node), the second sends the triples without blank nodes as they come, then each group
    of connected blank nodes with its triples, read back from the store's indexes.
    """
    if sum(1 for _ in islice(store.quads_for_pattern(None, None, None, graph), size + 1)) <= size:
        yield graph_ntriples(store, graph)  # one body, written in Rust
        return
    parent: dict[ox.BlankNode, ox.BlankNode] = {}

    def top(node: ox.BlankNode) -> ox.BlankNode:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for quad in store.quads_for_pattern(None, None, None, graph):
        blanks = [t for t in (quad.subject, quad.object) if isinstance(t, ox.BlankNode)]
        if len(blanks) == 2:
            parent[top(blanks[0])] = top(blanks[1])
        elif blanks:
            top(blanks[0])
    batch: list[ox.Triple] = []
    sent = False

    def body() -> bytes:
        return write(batch, "nt")

    for quad in store.quads_for_pattern(None, None, None, graph):
        if not isinstance(quad.subject, ox.BlankNode) and not isinstance(quad.object, ox.BlankNode):
            batch.append(quad.triple)
            if len(batch) >= size:
                yield body()
                batch, sent = [], True
    groups: dict[ox.BlankNode, list[ox.BlankNode]] = {}
    for node in parent:
        groups.setdefault(top(node), []).append(node)
    for members in groups.values():
        group = {quad.triple for node in members for quad in store.quads_for_pattern(node, None, None, graph)}
        group |= {quad.triple for node in members for quad in store.quads_for_pattern(None, None, node, graph)}
        if batch and len(batch) + len(group) > size:
            yield body()
            batch, sent = [], True
        batch.extend(group)
    if batch or not sent:
        yield body()


@contextmanager
def locked(url: str, cache: Path):
    """One load at a time into the same store from this machine: concurrent loads interleave
    their MOVEs and corrupt graphs. The lock dies with its process (kill -9 included)."""
    cache.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(redact(url).encode()).hexdigest()[:16]
    busy = LoadError(f"another orgkg load into {redact(url)} is running; wait for it to finish")
    with file_lock(cache / f"load-{name}.lock", busy):
        yield


class RemoteStore:
    """A triplestore's Graph Store, query and update services, through the one HTTP client."""

    def __init__(
        self,
        url: str,
        dialect: str = "oxigraph",
        timeout: float = 120.0,
        attempts: int = 3,
        backoff: float = 0.5,
        notice: Callable[[str], None] = lambda message: None,
    ):
        self.dialect = DIALECTS[dialect]
        self.name = dialect
        self.client = Client(url, timeout, self.dialect.digest, attempts, backoff, notice)
        self.base = self.client.base

    @property
    def answered(self) -> bool:
        return self.client.answered

    @property
    def swaps(self) -> bool:
        """Whether the store takes SPARQL Update, so graphs can be loaded aside and moved in."""
        return self.dialect.update is not None

    def _url(self, path: str | None) -> str:
        return self.base + (path or "")

    def send(
        self, upload: Upload, target: str, append: bool, progress: Callable[[int], None], whole: bool = False
    ) -> None:
        """PUT (or with `append` POST) a graph; further bodies of a large graph are POSTed (with
        `whole`, one body). A retry starts the graph over with PUT, so nothing is sent twice."""
        url = self._url(self.dialect.store)

        def attempt():
            bodies = [b"".join(upload.bodies())] if whole else upload.bodies()
            for number, body in enumerate(bodies):
                method = "PUT" if number == 0 and not append else "POST"
                answer = self.client.once(
                    method,
                    url,
                    params={self.dialect.graph_param: target},
                    data=body,
                    headers={"Content-Type": NTRIPLES},
                )
                progress(body.count(b"\n"))
            return answer

        self.client.retrying(f"uploading {upload.iri}", attempt)

    def update(self, sparql: str, what: str, retry: bool = False, timeout: float | None = None) -> None:
        """SPARQL Update, retried only when idempotent (DROP SILENT): once a MOVE may have run,
        its temporary graph is gone and a second MOVE would fail or empty the target."""
        self.client.request(
            "POST", self._url(self.dialect.update), what, retry=retry, timeout=timeout, data={"update": sparql}
        )

    def select(self, query: str, what: str) -> list[list]:
        """The rows of a SELECT query (pyoxigraph terms), through the one SPARQL client."""
        try:
            return self.client.query(self._url(self.dialect.query), query, what).rows
        except UnexpectedAnswer as error:
            raise LoadError(f"{error}; is the dialect right?", option="dialect") from None

    def count(self, graph: str) -> int:
        """Triples in a named graph: a COUNT query, or (plain Graph Store) the graph fetched."""
        if self.dialect.query is None:
            answer = self.client.request(
                "GET",
                self._url(self.dialect.store),
                f"reading {graph}",
                params={self.dialect.graph_param: graph},
                headers={"Accept": "application/n-triples"},
            )
            try:
                return sum(1 for _ in ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES))
            except SyntaxError:
                raise LoadError(
                    f"{redact(self.base)} answered with something other than N-Triples for {graph}; is the dialect right?",
                    option="dialect",
                ) from None
        rows = self.select(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", f"counting the triples of {graph}"
        )
        try:
            return int(rows[0][0].value) if rows else 0
        except (IndexError, ValueError, AttributeError):
            raise LoadError(
                f"{redact(self.base)} answered the COUNT query without a count; is the dialect right?", option="dialect"
            ) from None

    def counts(self, under: str) -> dict[str, int]:
        """Triples in each of the store's named graphs under `under`, in one grouped COUNT query
        (a query per graph was most of a load's time with a thousand articles)."""
        rows = self.select(
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
            f'FILTER(STRSTARTS(STR(?g), "{under}")) }} GROUP BY ?g',
            "counting the triples of the loaded graphs",
        )
        try:
            return {graph.value: int(count.value) for graph, count in rows}
        except (ValueError, AttributeError):
            raise LoadError(
                f"{redact(self.base)} answered the COUNT query without counts; is the dialect right?", option="dialect"
            ) from None

    def graphs(self, under: str) -> list[str]:
        """The store's named graphs whose IRI starts with `under` (ours)."""
        if self.dialect.query is None:
            return []
        rows = self.select(
            f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{under}")) }}',
            "listing the store's graphs",
        )
        return sorted(graph.value for (graph,) in rows if graph is not None)


#: What a failed request raises: the HTTP client's errors, or the loader's own.
FAILURES = (HttpError, LoadError)


def load(
    uploads: list[Upload],
    store: RemoteStore,
    append: bool = False,
    progress: Callable[[int], None] = lambda triples: None,
    prune: bool = False,
    union_default_graph: bool = False,
) -> LoadReport:
    """Send every graph, swap them in, then count what the store holds. With `prune`, the
    store's graphs under the project's graph base that the repository no longer has are dropped.
    With `union_default_graph`, the store's default graph is made the union of the loaded graphs
    in the swap request itself (for a store that holds only orgkg's graphs)."""
    if union_default_graph and not store.swaps:
        raise LoadError(
            "a union default graph needs a store that takes SPARQL Update, not a plain Graph Store",
            option="union_default_graph",
        )
    if store.swaps:
        _drop_leftovers(store)
        _upload_aside(uploads, store, append, progress)
        _swap(uploads, store, append, union_default_graph)
    else:
        _upload_in_place(uploads, store, append, progress)
    report = LoadReport(append=append)
    if prune:
        ours = {upload.iri for upload in uploads}
        report.pruned = [g for g in store.graphs(GRAPH_BASE) if g not in ours and not g.startswith(TEMPORARY_BASE)]
        left = _drop(report.pruned, store)
        if left:
            raise LoadError(
                f"loaded, but the graphs {_names(left)} the repository no longer has could not be "
                "dropped; re-run the load with pruning",
                option="prune",
            )
    if store.dialect.query is None:  # a plain Graph Store: each graph fetched and counted
        held = {upload.iri: store.count(upload.iri) for upload in uploads}
    else:
        held = store.counts(GRAPH_BASE)
    report.counts = [(upload.iri, upload.triples, held.get(upload.iri, 0)) for upload in uploads]
    return report


def _drop_leftovers(store: RemoteStore) -> None:
    """Temporary graphs of an earlier load that was killed before it could drop them."""
    try:
        leftovers = store.graphs(TEMPORARY_BASE)
    except FAILURES as error:
        if not store.answered:
            raise LoadError(f"{error}. The store never answered; nothing was changed", _option(error)) from None
        raise LoadError(f"{error}. Nothing was changed in the store", _option(error)) from None
    if leftovers:
        store.client.notice(f"dropping {len(leftovers)} temporary graphs left by an earlier load")
        left = _drop(leftovers, store)
        if left:
            raise LoadError(
                f"the temporary graphs {_names(left)} of an earlier load could not be dropped; nothing was changed"
            )


def _upload_aside(uploads: list[Upload], store: RemoteStore, append: bool, progress) -> None:
    """Every graph to its temporary graph. A failure -- an error, or Ctrl-C/SIGTERM -- drops the
    temporary graphs created so far and leaves the store's graphs as they were."""
    created: list[Upload] = []
    for upload in uploads:
        try:
            store.send(upload, upload.temporary, append=False, progress=progress)
            created.append(upload)
        except (*FAILURES, KeyboardInterrupt) as error:
            reason = "interrupted" if isinstance(error, KeyboardInterrupt) else str(error)
            if not store.answered:
                raise LoadError(f"{reason}. The store never answered; nothing was changed", _option(error)) from None
            # The failed graph may exist in part (a later chunk failed), so it is dropped too.
            left = _drop([u.temporary for u in [*created, upload]], store)
            if left:
                raise LoadError(
                    f"{reason}. The store's graphs are unchanged, but the temporary graphs "
                    f"{_names(left)} could not be dropped: re-run the load (it drops them first) "
                    "or DROP them",
                    _option(error),
                ) from None
            raise LoadError(f"{reason}. Nothing was changed in the store", _option(error)) from None


def _swap(uploads: list[Upload], store: RemoteStore, append: bool, union_default_graph: bool = False) -> None:
    """All graphs moved in by one SPARQL Update request: a store that runs a request as one
    transaction (Oxigraph) swaps them all or none; on others each MOVE is its own step. The
    default graph, made the union in the same request, never shows the temporary graphs nor a
    half-swapped state to its readers."""
    operations = [
        (
            f"ADD GRAPH <{u.temporary}> TO GRAPH <{u.iri}> ; DROP GRAPH <{u.temporary}>"
            if append
            else f"MOVE GRAPH <{u.temporary}> TO GRAPH <{u.iri}>"
        )
        for u in uploads
    ]
    if union_default_graph:
        operations += ([] if append else ["DROP SILENT DEFAULT"]) + [f"ADD GRAPH <{u.iri}> TO DEFAULT" for u in uploads]
    try:
        store.update(" ;\n".join(operations), "swapping in the new graphs", timeout=swap_deadline(store, uploads))
    except (*FAILURES, KeyboardInterrupt) as error:
        reason = "interrupted while swapping in the new graphs" if isinstance(error, KeyboardInterrupt) else str(error)
        status = {upload.iri: _swapped(upload, store) for upload in uploads}
        if append:
            status = {iri: None if moved is False else moved for iri, moved in status.items()}
        new = [iri for iri, moved in status.items() if moved is True]
        old = [iri for iri, moved in status.items() if moved is False]
        unknown = [iri for iri, moved in status.items() if moved is None]
        left = _drop([u.temporary for u in uploads if status[u.iri] is not True], store)
        message = f"{reason}. New: {_names(new) or 'none'}; old: {_names(old) or 'none'}"
        if unknown:
            message += f"; unknown: {_names(unknown)}"
        if left:
            message += f"; temporary graphs left: {_names(left)}"
        raise LoadError(message + ". Re-run the load to finish", _option(error)) from None


#: The swap writes every triple again inside one transaction, so it gets the timeout for each this
#: many triples (at 10,000 articles, Oxigraph took over 120 s to move 2.6 million).
SWAP_TRIPLES_PER_TIMEOUT = 100_000


def swap_deadline(store: RemoteStore, uploads: list[Upload]) -> float:
    """How long the swap request may take: the timeout, once per SWAP_TRIPLES_PER_TIMEOUT triples."""
    triples = sum(upload.triples for upload in uploads)
    return store.client.timeout * max(1, -(-triples // SWAP_TRIPLES_PER_TIMEOUT))


def _swapped(upload: Upload, store: RemoteStore) -> bool | None:
    """After a failed swap: True if the temporary graph is gone (moved), False if it is still
    there, None if the store cannot tell us."""
    try:
        return store.count(upload.temporary) == 0
    except FAILURES:
        return None


def _drop(graphs: list[str], store: RemoteStore) -> list[str]:
    """Drop graphs (DROP SILENT is safe to repeat); those left when the store stops answering."""
    for position, graph in enumerate(graphs):
        try:
            store.update(f"DROP SILENT GRAPH <{graph}>", f"dropping {graph}", retry=True)
        except FAILURES:
            return graphs[position:]
    return []


def _upload_in_place(uploads: list[Upload], store: RemoteStore, append: bool, progress) -> None:
    """No SPARQL Update: each graph is sent whole in one request, replacing the old one."""
    for position, upload in enumerate(uploads):
        try:
            store.send(upload, upload.iri, append=append, progress=progress, whole=True)
        except (*FAILURES, KeyboardInterrupt) as error:
            reason = "interrupted" if isinstance(error, KeyboardInterrupt) else str(error)
            new, old = [u.iri for u in uploads[:position]], [u.iri for u in uploads[position:]]
            raise LoadError(
                f"{reason}. This store takes no SPARQL Update, so graphs are replaced one at a "
                f"time. New: {_names(new) or 'none'}; old: {_names(old)}",
                _option(error),
            ) from None


def _option(error: BaseException) -> str | None:
    """The setting a wrapped error names, kept when the load adds what it did."""
    return getattr(error, "option", None)


def _names(graphs: list[str]) -> str:
    """Graph names for a message: the first few, then how many more."""
    shown = ", ".join(f"<{graph}>" for graph in graphs[:LISTED])
    return shown + (f" and {len(graphs) - LISTED} more" if len(graphs) > LISTED else "")
