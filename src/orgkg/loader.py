"""`orgkg load`: the graph into a triplestore with the SPARQL 1.1 Graph Store HTTP Protocol.

Nothing is left half-loaded: every graph is first uploaded to a temporary graph, and only when
all uploads have succeeded are they moved over the real graphs with SPARQL Update `MOVE` (`ADD`
for --append), one graph at a time. A failed upload drops the temporaries, so the store is as
it was; a failed swap says which graphs are new and which are old. Afterwards the triple count
of every graph in the store is compared with the local one.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox

from orgkg.namespaces import GRAPH_BASE
from orgkg.store import StoreError

#: Graphs are uploaded here first, then moved over the real ones (graph/x -> graph/_loading/x).
TEMPORARY_BASE = GRAPH_BASE + "_loading/"
CONNECT_TIMEOUT = 10.0
NTRIPLES = "application/n-triples; charset=utf-8"


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
    "virtuoso": Dialect("/sparql-graph-crud-auth", "graph-uri", "/sparql-auth", "/sparql-auth", digest=True,
                        example="http://localhost:8890"),
    "fuseki": Dialect("/data", "graph", "/sparql", "/update", example="http://localhost:3030/orgkg"),
    "graphdb": Dialect("/rdf-graphs/service", "graph", "", "/statements",
                       example="http://localhost:7200/repositories/orgkg"),
    # Any Graph Store endpoint given in full; no SPARQL Update, so graphs are replaced in place.
    "gsp": Dialect("", "graph", None, None, example="https://example.org/rdf-graph-store"),
}


class LoadError(StoreError):
    """The load failed; the message says what state the store is in."""


class _Transient(Exception):
    """A connection error or 5xx: worth another attempt."""


@dataclass
class Upload:
    """One local graph, as N-Triples bodies of at most chunk-size triples each."""

    iri: str
    triples: int
    bodies: list[bytes]

    @property
    def temporary(self) -> str:
        return TEMPORARY_BASE + self.iri.removeprefix(GRAPH_BASE)


@dataclass
class LoadReport:
    """Per graph: the local triple count and the store's after loading."""

    counts: list[tuple[str, int, int]] = field(default_factory=list)
    append: bool = False

    @property
    def mismatches(self) -> list[str]:
        if self.append:  # the store may hold more than we sent
            return [iri for iri, local, remote in self.counts if remote < local]
        return [iri for iri, local, remote in self.counts if remote != local]


def prepare(root: Path, chunk_size: int) -> list[Upload]:
    """The repository's graphs (ontology, reference entities, one per article) ready to send."""
    from orgkg.store import EmbeddedStore

    uploads = []
    with EmbeddedStore(root).reading() as store:
        for graph in sorted(store.named_graphs(), key=lambda g: g.value):
            triples = [quad.triple for quad in store.quads_for_pattern(None, None, None, graph)]
            uploads.append(Upload(graph.value, len(triples), _bodies(triples, chunk_size)))
    return uploads


def _bodies(graph: list[ox.Triple], size: int) -> list[bytes]:
    """N-Triples bodies of at most `size` triples, never splitting the triples that share a blank
    node: each request has its own blank-node scope, so `_:b` in two bodies would be two nodes."""
    parent: dict[ox.BlankNode, ox.BlankNode] = {}

    def top(node: ox.BlankNode) -> ox.BlankNode:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for subject, _, obj in graph:
        if isinstance(subject, ox.BlankNode) and isinstance(obj, ox.BlankNode):
            parent[top(subject)] = top(obj)
    groups: dict = {}
    for triple in graph:
        subject, _, obj = triple
        blank = subject if isinstance(subject, ox.BlankNode) else obj if isinstance(obj, ox.BlankNode) else None
        line = " ".join(str(term) for term in triple) + " .\n"
        groups.setdefault(top(blank) if blank is not None else triple, []).append(line)
    bodies, current = [], []
    for lines in sorted(groups.values()):
        if current and len(current) + len(lines) > size:
            bodies.append("".join(current).encode("utf-8"))
            current = []
        current.extend(lines)
    if current or not bodies:
        bodies.append("".join(current).encode("utf-8"))
    return bodies


def credentials(url: str, digest: bool) -> tuple[dict, object]:
    """Headers and auth from ORGKG_STORE_TOKEN, ORGKG_STORE_USER/PASSWORD or ~/.netrc, never argv."""
    from requests.auth import HTTPBasicAuth, HTTPDigestAuth
    from requests.utils import get_netrc_auth

    if token := os.environ.get("ORGKG_STORE_TOKEN"):
        return {"Authorization": f"Bearer {token}"}, None
    user, password = os.environ.get("ORGKG_STORE_USER"), os.environ.get("ORGKG_STORE_PASSWORD", "")
    if not user:
        user, password = get_netrc_auth(url) or (None, None)
    if not user:
        return {}, None
    return {}, (HTTPDigestAuth if digest else HTTPBasicAuth)(user, password)


class RemoteStore:
    """A triplestore's Graph Store, query and update services, with timeouts and retries.

    Connection errors and 5xx answers are retried with exponential backoff; 4xx answers and
    read timeouts are not (the request was refused, or the store is too slow to hurry).
    """

    def __init__(self, url: str, dialect: str = "oxigraph", timeout: float = 120.0, attempts: int = 3,
                 backoff: float = 0.5, notice: Callable[[str], None] = lambda message: None):
        import requests

        self.base = url.rstrip("/")
        self.dialect = DIALECTS[dialect]
        self.name = dialect
        self.timeout, self.attempts, self.backoff, self.notice = timeout, attempts, backoff, notice
        self.session = requests.Session()
        self.answered = False  # whether the store has answered anything yet
        headers, self.session.auth = credentials(self.base, self.dialect.digest)
        self.session.headers.update(headers)

    @property
    def swaps(self) -> bool:
        """Whether the store takes SPARQL Update, so graphs can be loaded aside and moved in."""
        return self.dialect.update is not None

    def _url(self, path: str | None) -> str:
        return self.base + (path or "")

    def _once(self, method: str, url: str, **kwargs):
        """One request: the response, or _Transient (worth retrying), or LoadError (not)."""
        import requests

        host = urlsplit(url).netloc
        try:
            response = self.session.request(method, url, timeout=(CONNECT_TIMEOUT, self.timeout), **kwargs)
        except requests.ConnectionError as error:  # includes connect timeouts and resets
            raise _Transient(f"cannot reach {host} ({error.__class__.__name__})") from None
        except requests.Timeout:
            raise LoadError(f"{host} did not answer within {self.timeout:g} s (a slower store needs a "
                            "larger --timeout)") from None
        except requests.RequestException as error:
            raise LoadError(f"request to {host} failed ({error.__class__.__name__})") from None
        self.answered = True
        if response.status_code in (401, 403):
            raise LoadError(f"{host} refused the credentials (HTTP {response.status_code}); set "
                            "ORGKG_STORE_USER/ORGKG_STORE_PASSWORD or ORGKG_STORE_TOKEN, or add the host to ~/.netrc")
        if response.status_code >= 400:
            text = " ".join(response.text.split())[:200]
            failure = f"{host} answered HTTP {response.status_code}" + (f": {text}" if text else "")
            if response.status_code >= 500:
                raise _Transient(failure)
            raise LoadError(failure)
        return response

    def _retrying(self, what: str, action: Callable[[], object]):
        for attempt in range(1, self.attempts + 1):
            try:
                return action()
            except _Transient as error:
                failure = str(error)
            except LoadError as error:
                raise LoadError(f"{what}: {error}") from None
            if attempt < self.attempts:
                delay = self.backoff * 2 ** (attempt - 1)
                self.notice(f"{what}: {failure}; retrying in {delay:g} s")
                time.sleep(delay)
        raise LoadError(f"{what}: {failure} (after {self.attempts} attempts)")

    def send(self, upload: Upload, target: str, append: bool, progress: Callable[[int], None]) -> None:
        """PUT (or with `append` POST) a graph; further bodies of a large graph are POSTed.
        A retry starts the graph over with PUT, so nothing is sent twice."""
        url = self._url(self.dialect.store)

        def attempt():
            for number, body in enumerate(upload.bodies):
                method = "PUT" if number == 0 and not append else "POST"
                self._once(method, url, params={self.dialect.graph_param: str(target)}, data=body,
                           headers={"Content-Type": NTRIPLES})
                progress(body.count(b"\n"))

        self._retrying(f"uploading {upload.iri}", attempt)

    def update(self, sparql: str, what: str, retry: bool = False) -> None:
        """SPARQL Update, retried only when idempotent (DROP SILENT): once a MOVE may have run,
        its temporary graph is gone and a second MOVE would fail or empty the target."""
        def attempt():
            self._once("POST", self._url(self.dialect.update), data={"update": sparql})

        if retry:
            self._retrying(what, attempt)
        else:
            try:
                attempt()
            except (_Transient, LoadError) as error:
                raise LoadError(f"{what}: {error}") from None

    def count(self, graph: str) -> int:
        """Triples in a named graph: a COUNT query, or (plain Graph Store) the graph fetched."""
        if self.dialect.query is None:
            import pyoxigraph as ox

            response = self._retrying(f"reading {graph}", lambda: self._once(
                "GET", self._url(self.dialect.store), params={self.dialect.graph_param: str(graph)},
                headers={"Accept": "application/n-triples"}))
            return sum(1 for _ in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        response = self._retrying(f"counting the triples of {graph}", lambda: self._once(
            "POST", self._url(self.dialect.query), data={"query": query},
            headers={"Accept": "application/sparql-results+json"}))
        try:
            bindings = response.json()["results"]["bindings"]
            return int(bindings[0]["n"]["value"]) if bindings else 0
        except (ValueError, KeyError, IndexError):
            raise LoadError(f"{self.base} answered the COUNT query with something other than SPARQL "
                            "results JSON; is --dialect right?") from None


def load(uploads: list[Upload], store: RemoteStore, append: bool = False,
         progress: Callable[[int], None] = lambda triples: None) -> LoadReport:
    """Send every graph, swap them in, then count what the store holds."""
    if store.swaps:
        _upload_aside(uploads, store, append, progress)
        _swap(uploads, store, append)
    else:
        _upload_in_place(uploads, store, append, progress)
    report = LoadReport(append=append)
    for upload in uploads:
        report.counts.append((upload.iri, upload.triples, store.count(upload.iri)))
    return report


def _upload_aside(uploads: list[Upload], store: RemoteStore, append: bool, progress) -> None:
    sent: list[Upload] = []
    for upload in uploads:
        sent.append(upload)
        try:
            store.send(upload, upload.temporary, append=False, progress=progress)
        except LoadError as error:
            if not store.answered:
                raise LoadError(f"{error}. The store never answered; nothing was changed") from None
            left = _drop([u.temporary for u in sent], store)
            if left:
                raise LoadError(f"{error}. The store's graphs are unchanged, but the temporary graphs "
                                f"{_names(left)} could not be dropped: re-run the load (it replaces them) "
                                "or DROP them") from None
            raise LoadError(f"{error}. Nothing was changed in the store") from None


def _swap(uploads: list[Upload], store: RemoteStore, append: bool) -> None:
    for position, upload in enumerate(uploads):
        temporary, target = f"<{upload.temporary}>", f"<{upload.iri}>"
        sparql = (f"ADD GRAPH {temporary} TO GRAPH {target} ; DROP GRAPH {temporary}" if append
                  else f"MOVE GRAPH {temporary} TO GRAPH {target}")
        try:
            store.update(sparql, f"swapping in {upload.iri}")
        except LoadError as error:
            done = [u.iri for u in uploads[:position]]
            waiting = uploads[position + 1:]
            status = _swapped(upload, store)
            if append and status is False:
                status = None  # ADD may have run before DROP failed
            new = done + ([upload.iri] if status is True else [])
            old = ([upload.iri] if status is False else []) + [u.iri for u in waiting]
            left = _drop([u.temporary for u in ([upload] if status is not True else []) + waiting], store)
            message = f"{error}. New: {_names(new) or 'none'}; old: {_names(old) or 'none'}"
            if status is None:
                message += f"; unknown: {upload.iri}"
            if left:
                message += f"; temporary graphs left: {_names(left)}"
            raise LoadError(message + ". Re-run the load to finish") from None


def _swapped(upload: Upload, store: RemoteStore) -> bool | None:
    """After a failed swap: True if the temporary graph is gone (moved), False if it is still
    there, None if the store cannot tell us."""
    try:
        return store.count(upload.temporary) == 0
    except LoadError:
        return None


def _drop(graphs: list[str], store: RemoteStore) -> list[str]:
    """Drop temporary graphs (DROP SILENT is safe to repeat); those left when the store stops
    answering."""
    for position, graph in enumerate(graphs):
        try:
            store.update(f"DROP SILENT GRAPH <{graph}>", f"dropping {graph}", retry=True)
        except LoadError:
            return graphs[position:]
    return []


def _upload_in_place(uploads: list[Upload], store: RemoteStore, append: bool, progress) -> None:
    """No SPARQL Update: each graph is sent whole in one request, replacing the old one."""
    for position, upload in enumerate(uploads):
        whole = Upload(upload.iri, upload.triples, [b"".join(upload.bodies)])
        try:
            store.send(whole, upload.iri, append=append, progress=progress)
        except LoadError as error:
            new, old = [u.iri for u in uploads[:position]], [u.iri for u in uploads[position:]]
            raise LoadError(f"{error}. This store takes no SPARQL Update, so graphs are replaced one at a "
                            f"time. New: {_names(new) or 'none'}; old: {_names(old)}") from None


def _names(graphs: list[str]) -> str:
    return ", ".join(f"<{graph}>" for graph in graphs)
