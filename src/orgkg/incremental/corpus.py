"""The corpus-wide rules on the embedded store: succession cycles (the corpus shapes), duplicate
labels (from the cache's label index), one IRI per document, dangling references. The rules are
the full run's own (`orgkg.shapes`, `orgkg.validation`); only their inputs come from here."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict

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
    DOCUMENT_FACTS,
    dangling_findings,
    duplicate_document_findings,
    duplicate_label_findings,
    iri_year_findings,
)


def update_document_duplicates(store: ox.Store, cache: Cache, touched: set[str] | None, order: dict[str, int]) -> None:
    """The duplicate-document findings, kept in the cache and recomputed only for the documents
    that share a code with the `touched` nodes (described by the units just re-run; None: every
    node): the facts and quotes of every document cost seconds at 10,000 articles."""
    db = cache.db
    if touched is None or cache.meta("documents") is None:
        db.execute("DELETE FROM document_codes")
        db.execute("DELETE FROM document_findings")
        found, old = _document_codes(store, None), []
        again = {iri for iri, _ in found}
    elif not touched:
        return
    else:
        cache.candidates(touched)
        old = db.execute("SELECT iri, code FROM document_codes WHERE iri IN (SELECT iri FROM candidates)").fetchall()
        db.execute("DELETE FROM document_codes WHERE iri IN (SELECT iri FROM candidates)")
        found = _document_codes(store, sorted(touched))
        again = set(touched)
    db.executemany("INSERT INTO document_codes VALUES (?, ?)", found)
    by_code: dict = defaultdict(set)
    codes: dict = defaultdict(set)
    for iri, code in db.execute("SELECT iri, code FROM document_codes"):
        by_code[code].add(iri)
        codes[iri].add(code)
    # Findings are about pairs of documents with one code: recompute every document that shares a
    # code, before or after, with a touched node (and the codes those documents have, on).
    todo = {code for _, code in (*found, *old)}
    seen: set = set()
    while todo:
        seen |= todo
        again |= {iri for code in todo for iri in by_code[code]}
        todo = {code for iri in again for code in codes[iri]} - seen
    shared = sorted(iri for iri in again if any(len(by_code[code]) > 1 for code in codes[iri]))
    cache.candidates(again)
    db.execute("DELETE FROM document_findings WHERE iri IN (SELECT iri FROM candidates)")
    if shared:
        names = bind_prefixes(Graph())
        iris = {short_name(names, URIRef(iri)): iri for iri in shared}
        answer = solutions(
            store.query(insert_values(DOCUMENT_FACTS, [("document", [ox.NamedNode(iri) for iri in shared])]))
        )
        rows = [tuple(to_rdflib(row[v]) for v in ("document", "code", "fact", "value")) for row in answer]
        findings = duplicate_document_findings(rows, lambda term: short_name(names, term), FirstFiles(cache, order))
        db.executemany(
            "INSERT INTO document_findings VALUES (?, ?)",
            [(iris[finding.focus], json.dumps(asdict(finding), ensure_ascii=False)) for finding in findings],
        )
    db.execute("INSERT OR REPLACE INTO meta VALUES ('documents', '1')")


def update_year_findings(cache: Cache, touched: set[str] | None, order: dict[str, int]) -> None:
    """The iri-year findings, kept in the cache and recomputed only for the `touched` nodes (None:
    every node): a node's texts come from the units that describe it, so only those change them."""
    db = cache.db
    if touched is None or cache.meta("years") is None:
        db.execute("DELETE FROM year_findings")
        rows = db.execute("SELECT iri, text FROM node_texts").fetchall()
    elif not touched:
        return
    else:
        cache.candidates(touched)
        db.execute("DELETE FROM year_findings WHERE iri IN (SELECT iri FROM candidates)")
        rows = db.execute("SELECT iri, text FROM node_texts WHERE iri IN (SELECT iri FROM candidates)").fetchall()
    names = bind_prefixes(Graph())
    iris = {short_name(names, URIRef(iri)): iri for iri, _ in rows}
    findings = iri_year_findings(
        [(URIRef(iri), text) for iri, text in rows], lambda term: short_name(names, term), FirstFiles(cache, order)
    )
    db.executemany(
        "INSERT INTO year_findings VALUES (?, ?)",
        [(iris[finding.focus], json.dumps(asdict(finding), ensure_ascii=False)) for finding in findings],
    )
    db.execute("INSERT OR REPLACE INTO meta VALUES ('years', '1')")


def _document_codes(store: ox.Store, nodes: list[str] | None) -> list[tuple[str, str]]:
    """(document IRI, code as `orgkg docid` reads it) of the documents among `nodes` (None: all)."""
    eli = PREFIXES["eli"]
    query = f"SELECT ?document ?code WHERE {{ ?document <{eli}id_local> ?code FILTER(isIRI(?document)) }}"
    found = []
    chunks = [None] if nodes is None else [nodes[start : start + 500] for start in range(0, len(nodes), 500)]
    for chunk in chunks:
        values = None if chunk is None else [("document", [ox.NamedNode(n) for n in chunk])]
        for row in solutions(store.query(insert_values(query, values) if values else query)):
            try:
                found.append((row["document"].value, parse_code(row["code"].value).canonical))
            except DocumentCodeError:
                continue  # the DocumentCode shape reports it
    return found


class FirstFiles(dict):
    """A lazy `where` for findings computed from the store: the first file describing a node."""

    def __init__(self, cache: Cache, order: dict[str, int]):
        super().__init__()
        self.cache, self.order = cache, order

    def get(self, key, default=""):
        return self.cache.first_files([str(key)], self.order).get(str(key), default)


def update_corpus_shapes(schema: Schema, store: ox.Store, cache: Cache, changed: set[str] | None) -> None:
    """Run the corpus shapes on the store and keep their results in the cache. With `changed` (the
    IRIs of the units just re-run) only those nodes and the ones that failed before are checked
    again: a new succession cycle passes through a changed triple, whose ends it names."""
    db, names = cache.db, bind_prefixes(Graph())
    if cache.meta("corpus") is None:
        changed = None
    for shape in (s for s in schema.shapes.sparql if s.corpus):
        if changed is None:
            candidates = None
            db.execute("DELETE FROM corpus WHERE shape = ?", (str(shape.node),))
        else:
            candidates = changed | {
                f for (f,) in db.execute("SELECT focus FROM corpus WHERE shape = ?", (str(shape.node),))
            }
            db.executemany(
                "DELETE FROM corpus WHERE shape = ? AND focus = ?", [(str(shape.node), c) for c in candidates]
            )
            if not candidates:
                continue
        db.executemany(
            "INSERT INTO corpus VALUES (?, ?, ?)",
            [
                (str(shape.node), focus.value, short_name(names, to_rdflib(value)))
                for focus, value in _targeted_solutions(schema, store, shape, candidates)
            ],
        )
    db.execute("INSERT OR REPLACE INTO meta VALUES ('corpus', '1')")


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
    for node, focus, value in cache.db.execute("SELECT shape, focus, value FROM corpus"):
        findings.append(shapes[URIRef(node)].finding(URIRef(focus), value, names, schema.shapes.graph, where))
    labels: dict = defaultdict(set)
    for iri, key, language in cache.db.execute(
        "SELECT iri, key, lang FROM labels WHERE (key, lang) IN "
        "(SELECT key, lang FROM labels GROUP BY key, lang HAVING COUNT(DISTINCT iri) > 1)"
    ):
        labels[(key, language)].add(URIRef(iri))
    findings += duplicate_label_findings(labels, short, where)
    findings += [Finding(**json.loads(text)) for (text,) in cache.db.execute("SELECT finding FROM document_findings")]
    findings += [Finding(**json.loads(text)) for (text,) in cache.db.execute("SELECT finding FROM year_findings")]
    untyped = sorted({iri for (iri,) in cache.db.execute("SELECT DISTINCT iri FROM untyped")})
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
