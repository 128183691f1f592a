"""Where queries run: the embedded pyoxigraph store (default), rdflib (the reference), or a
remote SPARQL 1.1 endpoint. Local engines are read-only: updates are refused."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from orgkg import guards
from orgkg.catalogue import query_kind
from orgkg.loading import data_files, load_dataset, parse_strict
from orgkg.namespaces import graph_iri
from orgkg.output import write_atomic
from orgkg.results import Results

ENGINES = ("oxigraph", "rdflib")
DEFAULT_ENDPOINT_TIMEOUT = 60.0


class StoreError(Exception):
    """The store cannot do what was asked (refused update, busy store, unreachable endpoint)."""


class QuerySyntaxError(StoreError):
    pass


def cache_dir(root: Path) -> Path:
    """$ORGKG_CACHE, else ~/.cache/orgkg/<hash of the checkout path>."""
    if env := os.environ.get("ORGKG_CACHE"):
        return Path(env)
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "orgkg" / hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class BuildReport:
    loaded: list[str]
    removed: list[str]
    unchanged: int
    triples: int


class EmbeddedStore:
    """An on-disk pyoxigraph store under the cache directory, one named graph per Turtle file.

    A manifest of content hashes makes rebuilds incremental: only files that changed are
    reloaded (their graph cleared first), and graphs of deleted files are dropped.
    """

    allow_service: bool = False
    timeout: float | None = None

    def __init__(self, root: Path, cache: Path | None = None, progress: Callable[[int, int], None] | None = None):
        self.root = root
        self.progress = progress
        cache = cache or cache_dir(root)
        self.location = cache / "store"
        self.manifest_path = cache / "manifest.json"

    def _open_for_writing(self) -> ox.Store:
        self.location.mkdir(parents=True, exist_ok=True)
        try:
            return ox.Store(str(self.location))
        except OSError as error:
            raise StoreError(f"cannot open the store at {self.location} ({error}); is another orgkg "
                             "building it? Remove the folder to rebuild from scratch") from None

    def _manifest(self) -> dict[str, str]:
        try:
            return json.loads(self.manifest_path.read_text())
        except (OSError, ValueError):
            return {}

    def build(self, force: bool = False, digests: dict[str, str] | None = None, count: bool = True) -> BuildReport:
        """Bring the store up to date; the write lock is held only while this runs.

        `digests` (file name under the root -> sha256 of its bytes) spares hashing every file
        when the caller already knows them (incremental validation); `count=False` skips
        counting the store's quads (triples is then -1): both cost O(corpus) per call.
        """
        if digests is None:
            files = {str(p.relative_to(self.root)): p for p in data_files(self.root)}
            current = {name: _digest(path) for name, path in files.items()}
        else:
            files, current = {name: self.root / name for name in digests}, digests
        old = {} if force else self._manifest()
        changed = [name for name in sorted(files) if old.get(name) != current[name]]
        removed = sorted(set(old) - set(files))
        if not (changed or removed or force) and self.location.exists():
            return BuildReport([], [], len(files), self.size() if count else -1)
        store = self._open_for_writing()
        try:
            if force:
                self.manifest_path.unlink(missing_ok=True)
                store.clear()
            manifest = {name: digest for name, digest in old.items() if name in files and name not in changed}
            for name in removed:
                store.remove_graph(ox.NamedNode(str(graph_iri(self.root / name, self.root))))
            saved = time.monotonic()
            for done, name in enumerate(changed, 1):
                self._load_file(store, files[name])
                manifest[name] = current[name]
                if time.monotonic() - saved > 1:  # a checkpoint: rewriting it per file is O(files^2)
                    self._write_manifest(manifest)
                    saved = time.monotonic()
                if self.progress:
                    self.progress(done, len(changed))
            self._write_manifest(manifest)
            store.flush()
            return BuildReport(changed, removed, len(files) - len(changed), len(store) if count else -1)
        finally:
            del store  # release the lock even when an error's traceback outlives this frame

    def size(self) -> int:
        return len(ox.Store.read_only(str(self.location)))

    def _write_manifest(self, manifest: dict[str, str]) -> None:
        write_atomic(self.manifest_path, json.dumps(manifest, indent=1, sort_keys=True))

    def _load_file(self, store: ox.Store, path: Path) -> None:
        graph = ox.NamedNode(str(graph_iri(path, self.root)))
        # Parse into memory first: a file that does not parse leaves its old graph in place.
        quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in parse_strict(path, self.root)]
        store.remove_graph(graph)
        store.extend(quads)

    def query(self, sparql: str) -> Results:
        """Run a query on a read-only view of the (freshly built) store."""
        self.build(count=False)  # counting every quad would cost O(corpus) per query
        store = ox.Store.read_only(str(self.location))
        names_dataset = guards.check(sparql, self.allow_service, lambda: {g.value for g in store.named_graphs()})

        def run() -> Results:
            try:  # a FROM clause replaces the union default graph, as in rdflib
                return _from_oxigraph(store.query(sparql, use_default_graph_as_union=not names_dataset))
            except SyntaxError as error:
                raise QuerySyntaxError(str(error)) from None

        return guards.run_with_deadline(run, self.timeout)


def _to_rdflib(term):
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def _from_oxigraph(answer) -> Results:
    if isinstance(answer, ox.QueryBoolean):
        return Results(boolean=bool(answer))
    if isinstance(answer, ox.QueryTriples):
        graph = Graph()
        for triple in answer:
            graph.add((_to_rdflib(triple.subject), _to_rdflib(triple.predicate), _to_rdflib(triple.object)))
        return Results(graph=graph)
    variables = [v.value for v in answer.variables]
    rows = [[_to_rdflib(solution[v]) for v in variables] for solution in answer]
    return Results(variables=variables, rows=rows)


class RdflibEngine:
    """The same query on rdflib over the same files (slow, but the reference implementation)."""

    allow_service: bool = False
    timeout: float | None = None

    def __init__(self, root: Path):
        self.dataset = load_dataset(data_files(root), root)
        self.dataset.default_union = True

    def query(self, sparql: str) -> Results:
        guards.check(sparql, self.allow_service, {str(graph.identifier) for graph in self.dataset.graphs()})
        return guards.run_with_deadline(lambda: self._run(sparql), self.timeout)

    def _run(self, sparql: str) -> Results:
        import rdflib.plugins.sparql

        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False  # FROM never downloads nor reads a file
        answer = self.dataset.query(sparql)
        if answer.type == "ASK":
            return Results(boolean=bool(answer.askAnswer))
        if answer.type in ("CONSTRUCT", "DESCRIBE"):
            graph = Graph()
            for triple in answer:
                graph.add(triple)
            return Results(graph=graph)
        variables = [str(v) for v in answer.vars]
        rows = [[_plain_string(row[v]) for v in answer.vars] for row in answer]
        return Results(variables=variables, rows=rows)


def _plain_string(term):
    """rdflib keeps xsd:string explicit on some literals; SPARQL results treat them as simple."""
    if isinstance(term, Literal) and term.datatype == URIRef("http://www.w3.org/2001/XMLSchema#string"):
        return Literal(str(term))
    return term


class Endpoint:
    """A remote SPARQL 1.1 endpoint, queried with the SPARQL protocol (POST, form-encoded), through
    the one HTTP client (credentials from the environment or ~/.netrc, whole-answer deadline)."""

    allow_service: bool = False

    def __init__(self, url: str, timeout: float = DEFAULT_ENDPOINT_TIMEOUT):
        from orgkg.http_client import Client

        self.client = Client(url, timeout)
        self.url = url

    def query(self, sparql: str) -> Results:
        from orgkg.http_client import redact

        guards.check(sparql, self.allow_service)
        graph_query = query_kind(sparql) in ("CONSTRUCT", "DESCRIBE")
        accept = "application/n-triples" if graph_query else "application/sparql-results+json"
        answer = self.client.request("POST", self.client.base, "querying the endpoint", retry=False,
                                     data={"query": sparql}, headers={"Accept": accept})
        try:
            if graph_query:
                return Results(graph=Graph().parse(data=answer.text, format="nt"))
            return _from_json(json.loads(answer.content))
        except (ValueError, KeyError, TypeError, SyntaxError):
            kind = "N-Triples" if graph_query else "SPARQL results JSON"
            raise StoreError(f"{redact(self.url)} did not answer with {kind} "
                             f"({answer.headers.get('Content-Type', 'no content type')}); is it a SPARQL endpoint?") \
                from None


def _from_json(document: dict) -> Results:
    if not isinstance(document, dict):
        raise ValueError("not a SPARQL results document")
    if "boolean" in document:
        return Results(boolean=bool(document["boolean"]))
    variables = document["head"]["vars"]

    def term(value: dict | None):
        if value is None:
            return None
        kind = value["type"]
        if kind == "uri":
            return URIRef(value["value"])
        if kind == "bnode":
            return BNode(value["value"])
        if "xml:lang" in value:
            return Literal(value["value"], lang=value["xml:lang"])
        datatype = value.get("datatype")
        if datatype in (None, "http://www.w3.org/2001/XMLSchema#string"):
            return Literal(value["value"])
        return Literal(value["value"], datatype=URIRef(datatype))

    rows = [[term(binding.get(v)) for v in variables] for binding in document["results"]["bindings"]]
    return Results(variables=variables, rows=rows)


def engine_for(root: Path, engine: str = "oxigraph", endpoint: str | None = None, progress=None,
               allow_service: bool = False, timeout: float | None = None):
    """The engine to run queries on; `allow_service` lets SERVICE through, `timeout` (seconds)
    bounds each query."""
    if endpoint:
        chosen = Endpoint(endpoint, timeout=timeout or DEFAULT_ENDPOINT_TIMEOUT)  # bounds the whole answer
    else:
        chosen = RdflibEngine(root) if engine == "rdflib" else EmbeddedStore(root, progress=progress)
        chosen.timeout = timeout
    chosen.allow_service = allow_service
    return chosen
