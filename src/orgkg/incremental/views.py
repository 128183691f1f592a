"""Combining the views of a node that several units describe (a reference entity every article
quotes): a result saying something is missing stands only if every describing unit reports it; a
result about a value stands if any does. Where views cannot be combined, the node is validated
on all the files that describe it (a fallback)."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from orgkg.findings import Finding
from orgkg.incremental.cache import Cache, digest
from orgkg.incremental.schema import Schema
from orgkg.incremental.unit import batches, run_units
from orgkg.sources import Sources
from orgkg.terms import solutions

REFERENCE = "reference"  #: the unit of the ontology and graph/reference/


def update_fallbacks(
    cache: Cache, schema: Schema, touched: set[str], digests: dict, paths: dict[str, str], sources: Sources | None
) -> None:
    """Nodes whose views cannot be combined are validated on every file that describes them or
    points at them along an inverse path: a node no reference file describes, one an article gives
    a new type or a value a sh:maxCount counts (values the reference gives are in every article's
    view already), or one pointed at by triples an inverse path counts."""
    needed = cache.fallback_needed(touched, REFERENCE)
    stale: dict[tuple[str, ...], dict[str, str]] = {}  # the files judging nodes -> {node: its key}
    for iri in sorted(needed):
        files = sorted({file for file in cache.judging_files(iri) if file in paths}, key=paths.__getitem__)
        key = digest(json.dumps([digests.get(file) for file in files] + [paths[file] for file in files]))
        if cache.fallback_key(iri) != key:
            stale.setdefault(tuple(files), {})[iri] = key
    # The nodes the same files judge share one view (articles that describe the same entities
    # have several in common): each node's rows are its results on it.
    groups = list(stale.values())
    tasks = [
        (str(at), "", [Path(paths[file]) for file in files], sources, True, frozenset(map(URIRef, nodes)))
        for at, (files, nodes) in enumerate(stale.items())
    ]
    for batch in batches(tasks):
        for result in run_units(schema, batch):
            for iri, key in groups[int(result.name)].items():
                cache.set_fallback(iri, key, [row for row in result.rows if row[0] == iri])


def update_duplicates(cache: Cache, store: ox.Store, touched: set[str]) -> None:
    """Triples stated by two files count once in the report: per node, how many are repeated."""
    many = cache.described_by_many(touched)
    cache.forget_duplicates(touched)
    for chunk in range(0, len(many), 500):
        values = " ".join(str(ox.NamedNode(iri)) for iri in many[chunk : chunk + 500])  # N-Triples form, checked
        counts: dict[str, list[int]] = {}
        for query in (
            f"SELECT ?s (COUNT(*) AS ?n) WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?s",
            f"SELECT ?s (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} "
            f"GRAPH ?g {{ ?s ?p ?o }} }} }} GROUP BY ?s",
        ):
            for solution in solutions(store.query(query)):
                counts.setdefault(solution["s"].value, []).append(int(solution["n"].value))
        cache.set_duplicates({iri: total - distinct for iri, (total, distinct) in counts.items() if total > distinct})


def combine(cache: Cache, order: dict[str, int]) -> list[Finding]:
    """The per-node findings of every unit, views combined."""
    judged = cache.fallbacks()
    picked: list[tuple[str | None, str]] = []  # (focus IRI, finding json)
    # Blank nodes belong to one file: every result stands.
    picked += cache.blank_node_results()
    # The combined views (Cache.update_combined), unless the node was judged on all its files.
    for node, kind, existence, finding, n in cache.combined_results():
        if not (node in judged and (existence or kind == "shacl")):
            picked += [(node, finding)] * n
    picked += [(iri, row[5]) for iri, rows in judged.items() for row in rows]
    files = cache.first_files({focus for focus, _ in picked if focus}, order)
    findings = []
    for focus, text in picked:
        fields = json.loads(text)
        if focus:
            fields["file"] = files.get(focus, "")
        findings.append(Finding(**fields))
    return findings
