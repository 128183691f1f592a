"""The engines a query runs on besides the embedded store (rdflib over the same files, a remote
SPARQL endpoint), and the choice among them (`engine_for`)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pyoxigraph as ox

from orgkg import guards
from orgkg.repository import Repository
from orgkg.results import Results
from orgkg.sparql_text import query_kind
from orgkg.store import DEFAULT_ENDPOINT_TIMEOUT, EmbeddedStore, StoreError

if TYPE_CHECKING:
    from rdflib.query import ResultRow


class RdflibEngine:
    """The same query on rdflib over the same files (slow, but the reference implementation)."""

    allow_service: bool = False
    timeout: float | None = None

    def __init__(self, root: Path):
        from orgkg.loading import load_dataset

        self.dataset = load_dataset(Repository(root).data_files(), root)
        self.dataset.default_union = True

    def query(self, sparql: str) -> Results:
        guards.check(sparql, self.allow_service, {str(graph.identifier) for graph in self.dataset.graphs()})
        return guards.run_with_deadline(lambda: self._run(sparql), self.timeout)

    def _run(self, sparql: str) -> Results:
        import rdflib.plugins.sparql

        from orgkg.terms import from_rdflib

        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False  # FROM never downloads nor reads a file
        try:
            answer = self.dataset.query(sparql)
            if answer.type == "ASK":
                return Results(boolean=bool(answer.askAnswer))
            if answer.type in ("CONSTRUCT", "DESCRIBE"):
                triples = cast(Iterable[tuple], answer)
                return Results(triples=[ox.Triple(*(from_rdflib(term) for term in triple)) for triple in triples])
            names = answer.vars or []
            rows = cast("Iterable[ResultRow]", answer)
            return Results(
                variables=[str(v) for v in names], rows=[[from_rdflib(row[v]) for v in names] for row in rows]
            )
        except Exception as error:  # rdflib's evaluator raises plain Python errors on valid queries
            message = " ".join(str(error).split())[:200]
            raise StoreError(
                f"rdflib could not run the query ({type(error).__name__}: {message}); "
                "the default engine, Oxigraph, may run it"
            ) from None


#: Errors an engine gives for a query it cannot run on this data, and what to do instead.
ENGINE_LIMITS = {
    "SQ156": (
        "Virtuoso could not compile this query (internal error SQ156), a limit of its optimiser that "
        "depends on the data as a whole and appears as the graph grows; run the query on the embedded "
        "store (leave out the endpoint) or on an Oxigraph server (orgkg serve)"
    ),
}


class Endpoint:
    """A remote SPARQL 1.1 endpoint, queried with the SPARQL protocol (POST, form-encoded), through
    the one HTTP client (credentials from the environment or ~/.netrc, whole-answer deadline)."""

    allow_service: bool = False

    def __init__(self, url: str, timeout: float = DEFAULT_ENDPOINT_TIMEOUT):
        from orgkg.http_client import Client

        self.client = Client(url, timeout)
        self.url = url

    @property
    def server(self) -> str:
        """The Server header of the last answer: which engine serves the endpoint."""
        return self.client.server

    def query(self, sparql: str) -> Results:
        from orgkg.http_client import HttpError, UnexpectedAnswer

        guards.check(sparql, self.allow_service)
        graph_query = query_kind(sparql) in ("CONSTRUCT", "DESCRIBE")
        try:
            return self.client.query(self.client.base, sparql, "querying the endpoint", graph=graph_query, retry=False)
        except UnexpectedAnswer as error:
            raise StoreError(f"{error}; is it a SPARQL endpoint?") from None
        except HttpError as error:
            if "SQ156" in str(error):
                raise StoreError(f"{str(error).split(': Virtuoso', 1)[0]}: {ENGINE_LIMITS['SQ156']}") from None
            raise


def engine_for(
    root: Path,
    engine: str = "oxigraph",
    endpoint: str | None = None,
    progress=None,
    allow_service: bool = False,
    timeout: float | None = None,
):
    """The engine to run queries on; `allow_service` lets SERVICE through, `timeout` (seconds)
    bounds each query."""
    if endpoint:
        chosen: Endpoint | RdflibEngine | EmbeddedStore = Endpoint(
            endpoint, timeout=timeout or DEFAULT_ENDPOINT_TIMEOUT
        )  # bounds the whole answer
    else:
        chosen = RdflibEngine(root) if engine == "rdflib" else EmbeddedStore(root, progress=progress)
        chosen.timeout = timeout
    chosen.allow_service = allow_service
    return chosen
