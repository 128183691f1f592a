"""A triplestore as `orgkg load` talks to it: the paths of its Graph Store, query and update
services (its dialect), through the one HTTP client and the one SPARQL client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from orgkg.http_client import Client, HttpError, UnexpectedAnswer, redact
from orgkg.sparql_text import insert_values
from orgkg.store import StoreError

if TYPE_CHECKING:
    from orgkg.uploads import Upload

NTRIPLES = "application/n-triples; charset=utf-8"
SPARQL_UPDATE = "application/sparql-update; charset=utf-8"


@dataclass(frozen=True)
class Dialect:
    """Where a store keeps its Graph Store, query and update services, relative to its URL."""

    store: str
    graph_param: str
    query: str | None
    update: str | None
    digest: bool = False
    example: str = ""
    #: Whether one update request is one transaction, so that a whole load can go in one.
    one_transaction: bool = False


DIALECTS: dict[str, Dialect] = {
    "oxigraph": Dialect("/store", "graph", "/query", "/update", example="http://localhost:7878", one_transaction=True),
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


#: Up to this many graphs are counted by name; more, by counting every graph of ours.
COUNTED_BY_NAME = 1000


class LoadError(StoreError):
    """The load failed; the message says what state the store is in."""


#: What a failed request to a store raises: the HTTP client's errors, or a load's own.
FAILURES = (HttpError, LoadError)


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

    def update_body(self, body: bytes, what: str, retry: bool = False, timeout: float | None = None) -> None:
        """SPARQL Update sent as the request body itself (application/sparql-update), not
        form-encoded: a large update is not percent-encoded to three times its size."""
        self.client.request(
            "POST",
            self._url(self.dialect.update),
            what,
            retry=retry,
            timeout=timeout,
            data=body,
            headers={"Content-Type": SPARQL_UPDATE},
        )

    def select(self, query: str, what: str, timeout: float | None = None) -> list[list]:
        """The rows of a SELECT query (pyoxigraph terms), through the one SPARQL client."""
        try:
            return self.client.query(self._url(self.dialect.query), query, what, timeout=timeout).rows
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
            insert_values("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", [("g", [ox.NamedNode(graph)])]),
            f"counting the triples of {graph}",
        )
        try:
            return int(rows[0][0].value) if rows else 0
        except (IndexError, ValueError, AttributeError):
            raise LoadError(
                f"{redact(self.base)} answered the COUNT query without a count; is the dialect right?", option="dialect"
            ) from None

    def counts(self, under: str, timeout: float | None = None, graphs: list[str] | None = None) -> dict[str, int]:
        """Triples in each of the store's named graphs under `under` (only `graphs`, if given and
        few: the others' triples are not read), in one grouped COUNT query (a query per graph was
        most of a load's time with a thousand articles), answered within `timeout` (the client's
        unless given: it may read every triple)."""
        if graphs is not None and len(graphs) <= COUNTED_BY_NAME:
            among = "VALUES ?g { " + " ".join(str(ox.NamedNode(graph)) for graph in graphs) + " } "
        else:
            among = f'FILTER(STRSTARTS(STR(?g), "{under}")) '
        rows = self.select(
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ {among}GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g",
            "counting the triples of the loaded graphs",
            timeout=timeout,
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
