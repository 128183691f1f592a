"""Combining the views of a node that several units describe (a reference entity every article
quotes): a result saying something is missing stands only if every describing unit reports it; a
result about a value stands if any does. Where views cannot be combined, the node is validated
on all the files that describe it (a fallback)."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from orgkg.findings import Finding, relative_path
from orgkg.incremental.cache import Cache, digest
from orgkg.incremental.schema import Schema
from orgkg.incremental.unit import run_unit
from orgkg.terms import solutions

REFERENCE = "reference"  #: the unit of the ontology and graph/reference/


def update_fallbacks(
    cache: Cache, schema: Schema, touched: set[str], digests: dict, names: dict, sources: Path | None
) -> None:
    """Nodes whose views cannot be combined are validated on every file that describes them: a node
    no reference file describes, one an article gives a new type, or one an article gives a value
    a sh:maxCount counts (values the reference gives are in every article's view already)."""
    db = cache.db
    cache.candidates(touched | {iri for (iri,) in db.execute("SELECT iri FROM fallback")})
    needed = {
        iri
        for (iri,) in db.execute(
            f"""SELECT iri FROM described WHERE iri IN (SELECT iri FROM candidates) GROUP BY iri
            HAVING COUNT(DISTINCT unit) > 1 AND (SUM(unit = '{REFERENCE}') = 0 OR SUM(typed) > 0
                                                  OR SUM(maxcount AND unit != '{REFERENCE}') > 0)"""
        )
    }
    db.executemany(
        "DELETE FROM fallback WHERE iri = ?",
        [(iri,) for (iri,) in db.execute("SELECT iri FROM candidates").fetchall() if iri not in needed],
    )
    for iri, describers in cache.describers(sorted(needed)).items():
        paths = sorted({names[file] for _, file in describers if file in names}, key=str)
        key = digest(json.dumps([digests.get(relative_path(p, schema.root)) for p in paths] + [str(p) for p in paths]))
        old = db.execute("SELECT key FROM fallback WHERE iri = ?", (iri,)).fetchone()
        if old and old[0] == key:
            continue
        result = run_unit(schema, iri, key, paths, sources, only=URIRef(iri))
        db.execute("INSERT OR REPLACE INTO fallback VALUES (?, ?, ?)", (iri, key, json.dumps(result.rows)))


def update_duplicates(cache: Cache, store: ox.Store, touched: set[str]) -> None:
    """Triples stated by two files count once in the report: per node, how many are repeated."""
    db = cache.db
    cache.candidates(touched)
    many = [
        iri
        for (iri,) in db.execute(
            "SELECT iri FROM described WHERE iri IN (SELECT iri FROM candidates) GROUP BY iri "
            "HAVING COUNT(DISTINCT unit) > 1"
        )
    ]
    db.executemany("DELETE FROM duplicates WHERE iri = ?", [(iri,) for iri in touched])
    for chunk in range(0, len(many), 500):
        values = " ".join(f"<{iri}>" for iri in many[chunk : chunk + 500])
        counts: dict[str, list[int]] = {}
        for query in (
            f"SELECT ?s (COUNT(*) AS ?n) WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?s",
            f"SELECT ?s (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} "
            f"GRAPH ?g {{ ?s ?p ?o }} }} }} GROUP BY ?s",
        ):
            for solution in solutions(store.query(query)):
                counts.setdefault(solution["s"].value, []).append(int(solution["n"].value))
        db.executemany(
            "INSERT OR REPLACE INTO duplicates VALUES (?, ?)",
            [(iri, total - distinct) for iri, (total, distinct) in counts.items() if total > distinct],
        )


def combine(cache: Cache, order: dict[str, int]) -> list[Finding]:
    """The per-node findings of every unit, views combined."""
    db = cache.db
    judged = {iri: json.loads(rows) for iri, rows in db.execute("SELECT iri, rows FROM fallback")}
    picked: list[tuple[str | None, str]] = []  # (focus IRI, finding json)
    # Blank nodes belong to one file: every result stands.
    picked += db.execute("SELECT NULL, finding FROM rows WHERE focus IS NULL").fetchall()
    # About a value: stands if any view reports it (as often as the view that reports it most).
    picked += [
        (focus, finding)
        for focus, kind, finding, n in db.execute(
            """SELECT focus, kind, finding, MAX(n) FROM (SELECT unit, focus, kind, key, finding, COUNT(*) AS n FROM rows
           WHERE focus IS NOT NULL AND existence = 0 GROUP BY unit, key) GROUP BY key"""
        )
        for _ in range(n)
        if not (kind == "shacl" and focus in judged)
    ]
    # Something missing: stands only if every unit describing the node reports it.
    picked += [
        (focus, finding)
        for focus, finding in db.execute(
            """SELECT r.focus, r.finding FROM rows r WHERE r.focus IS NOT NULL AND r.existence = 1 GROUP BY r.key
           HAVING (SELECT COUNT(DISTINCT d.unit) FROM described d WHERE d.iri = r.focus)
                  IN (0, COUNT(DISTINCT CASE WHEN r.here THEN r.unit END))"""
        )
        if focus not in judged
    ]
    picked += [(iri, row[5]) for iri, rows in judged.items() for row in rows]
    files = cache.first_files({focus for focus, _ in picked if focus}, order)
    findings = []
    for focus, text in picked:
        fields = json.loads(text)
        if focus:
            fields["file"] = files.get(focus, "")
        findings.append(Finding(**fields))
    return findings
