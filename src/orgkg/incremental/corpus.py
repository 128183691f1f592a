"""The corpus-wide rules on the embedded store: succession cycles (the corpus shapes), duplicate
labels (from the cache's label index), one IRI per document, dangling references. The rules are
the full run's own (`orgkg.shapes`, `orgkg.validation`); only their inputs come from here."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from orgkg.docid import DocumentCodeError, parse_code
from orgkg.findings import Finding, short_name
from orgkg.incremental.cache import Cache
from orgkg.incremental.schema import Schema
from orgkg.namespaces import PREFIXES, bind_prefixes
from orgkg.shapes import SparqlShape
from orgkg.sparql_text import insert_values
from orgkg.terms import solutions, to_rdflib
from orgkg.validation import (
    dangling_findings,
    duplicate_document_findings,
    duplicate_label_findings,
    iri_year_findings,
)


def update_document_duplicates(store: ox.Store, cache: Cache, touched: set[str] | None, order: dict[str, int]) -> None:
    """The duplicate-document findings, kept in the cache and recomputed only for the documents
    that share a code with the `touched` nodes (described by the units just re-run; None: every
    node): the facts and quotes of every document cost seconds on a large corpus."""
    again: set[str] | None
    if touched is None or not cache.done("documents"):
        cache.replace_document_codes(None, _document_codes(store, None))
        again = None  # every document
    elif not touched:
        return
    else:
        found = list(_document_codes(store, sorted(touched)))
        old = cache.replace_document_codes(touched, found)
        # Findings are about pairs of documents with one code: recompute every document that
        # shares a code, before or after, with a touched node (and the codes those have, on).
        again = set(touched) | cache.sharing_codes({code for _, code in (*found, *old)})
    shared = cache.shared_documents(again)
    findings = []
    if shared:
        names = bind_prefixes(Graph())
        iris = {short_name(names, URIRef(iri)): iri for iri in shared}
        found_now = duplicate_document_findings(
            store, lambda term: short_name(names, term), FirstFiles(cache, order), shared
        )
        findings = [(iris[finding.focus], finding) for finding in found_now]
    cache.replace_findings("documents", again, findings)
    cache.mark_done("documents")


def update_year_findings(cache: Cache, touched: set[str] | None, order: dict[str, int]) -> None:
    """The iri-year findings, kept in the cache and recomputed only for the `touched` nodes (None:
    every node): a node's texts come from the units that describe it, so only those change them."""
    if touched is None or not cache.done("years"):
        touched = None
    elif not touched:
        return
    rows = cache.node_texts(touched)
    names = bind_prefixes(Graph())
    iris = {short_name(names, URIRef(iri)): iri for iri, _ in rows}
    findings = iri_year_findings(
        [(URIRef(iri), text) for iri, text in rows], lambda term: short_name(names, term), FirstFiles(cache, order)
    )
    cache.replace_findings("years", touched, [(iris[finding.focus], finding) for finding in findings])
    cache.mark_done("years")


def _document_codes(store: ox.Store, nodes: list[str] | None) -> Iterator[tuple[str, str]]:
    """(document IRI, code as `orgkg docid` reads it) of the documents among `nodes` (None: all),
    one at a time."""
    eli = PREFIXES["eli"]
    query = f"SELECT ?document ?code WHERE {{ ?document <{eli}id_local> ?code FILTER(isIRI(?document)) }}"
    chunks = [None] if nodes is None else [nodes[start : start + 500] for start in range(0, len(nodes), 500)]
    for chunk in chunks:
        values = None if chunk is None else [("document", [ox.NamedNode(n) for n in chunk])]
        for row in solutions(store.query(insert_values(query, values) if values else query)):
            try:
                yield row["document"].value, parse_code(row["code"].value).canonical
            except DocumentCodeError:
                continue  # the DocumentCode shape reports it


class FirstFiles(Mapping):
    """A lazy `where` for findings computed from the store: node -> the first file (in validation
    order) that describes it, looked up in the cache when asked."""

    def __init__(self, cache: Cache, order: dict[str, int]):
        self.cache, self.order = cache, order

    def __getitem__(self, node) -> str:
        return self.cache.first_files([str(node)], self.order)[str(node)]

    def __iter__(self) -> Iterator[str]:
        return iter(self.cache.described_iris())

    def __len__(self) -> int:
        return len(self.cache.described_iris())


def update_corpus_shapes(schema: Schema, store: ox.Store, cache: Cache, changed: set[str] | None) -> None:
    """Run the corpus shapes on the store and keep their results in the cache. With `changed` (the
    IRIs of the units just re-run) only those nodes and the ones that failed before are checked
    again: a new succession cycle passes through a changed triple, whose ends it names."""
    names = bind_prefixes(Graph())
    if not cache.done("corpus"):
        changed = None
    for shape in (s for s in schema.shapes.sparql if s.corpus):
        candidates = None if changed is None else changed | cache.corpus_focuses(str(shape.node))
        if candidates is not None and not candidates:
            continue
        results = [
            (focus.value, short_name(names, to_rdflib(value)))
            for focus, value in _targeted_solutions(schema, store, shape, candidates)
        ]
        cache.replace_corpus_results(str(shape.node), candidates, results)
    cache.mark_done("corpus")


def _targeted_solutions(schema: Schema, store: ox.Store, shape: SparqlShape, candidates: set[str] | None) -> list:
    """The shape's results on the store (its union graph) for the candidates (None: every node)
    that the shape targets, with RDFS entailment."""
    focus = None if candidates is None else [ox.NamedNode(iri) for iri in sorted(candidates)]
    return [
        (this, value)
        for this, value in shape.solutions(store, focus)
        if isinstance(this, ox.NamedNode) and _is_target(schema, store, shape, this)
    ]


def _is_target(schema: Schema, store: ox.Store, shape: SparqlShape, node: ox.NamedNode) -> bool:
    about = [
        tuple(map(to_rdflib, (q.subject, q.predicate, q.object))) for q in store.quads_for_pattern(node, None, None)
    ]
    pointing = [(None, to_rdflib(q.predicate), None) for q in store.quads_for_pattern(None, None, node)]
    classes = {term for kind, term in shape.targets if kind == SH.targetClass}
    return bool(schema.closure.types(about, pointing) & classes)


def corpus_findings(schema: Schema, store: ox.Store, cache: Cache, order: dict[str, int]) -> list[Finding]:
    names = bind_prefixes(Graph())
    where = FirstFiles(cache, order)

    def short(term) -> str:
        return short_name(names, term)

    findings = []
    shapes = {shape.node: shape for shape in schema.shapes.sparql}
    for node, focus, value in cache.corpus_results():
        findings.append(shapes[URIRef(node)].finding(URIRef(focus), value, names, schema.shapes.graph, where))
    labels = {key: {URIRef(iri) for iri in iris} for key, iris in cache.duplicate_labels().items()}
    findings += duplicate_label_findings(labels, short, where)
    findings += cache.findings("documents") + cache.findings("years")
    untyped = cache.untyped()
    rdf_type = ox.NamedNode(str(PREFIXES["rdf"]) + "type")
    findings += dangling_findings(
        [
            URIRef(iri)
            for iri in untyped
            if next(store.quads_for_pattern(ox.NamedNode(iri), rdf_type, None), None) is None
        ],
        short,
        where,
    )
    return findings
