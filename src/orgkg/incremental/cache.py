"""The results of every unit in SQLite beside the store: kept across runs, dropped when a file or
a dependency changes. A damaged database is only a cache: it is removed and filled again
(orgkg.cache_db opens it). This module holds the schema and every statement on it: the others
ask the Cache."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from orgkg.cache_db import open_database
from orgkg.findings import Finding
from orgkg.incremental.unit import UnitResult

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS units (name TEXT PRIMARY KEY, digest TEXT, sources TEXT, triples INTEGER);
CREATE TABLE IF NOT EXISTS rows (unit TEXT, focus TEXT, here INTEGER, existence INTEGER, kind TEXT,
                                 key TEXT, finding TEXT);
CREATE INDEX IF NOT EXISTS rows_unit ON rows (unit);
CREATE INDEX IF NOT EXISTS rows_focus ON rows (focus);
CREATE TABLE IF NOT EXISTS described (unit TEXT, file TEXT, iri TEXT, typed INTEGER, maxcount INTEGER);
CREATE INDEX IF NOT EXISTS described_iri ON described (iri, unit);
CREATE INDEX IF NOT EXISTS described_unit ON described (unit);
CREATE TABLE IF NOT EXISTS pointing (unit TEXT, file TEXT, iri TEXT, counted INTEGER);
CREATE INDEX IF NOT EXISTS pointing_iri ON pointing (iri, unit);
CREATE INDEX IF NOT EXISTS pointing_unit ON pointing (unit);
CREATE TABLE IF NOT EXISTS untyped (unit TEXT, iri TEXT);
CREATE INDEX IF NOT EXISTS untyped_unit ON untyped (unit);
CREATE TABLE IF NOT EXISTS combined (focus TEXT, kind TEXT, existence INTEGER, finding TEXT, n INTEGER);
CREATE INDEX IF NOT EXISTS combined_focus ON combined (focus);
CREATE TABLE IF NOT EXISTS fallback (iri TEXT PRIMARY KEY, key TEXT, rows TEXT);
CREATE TABLE IF NOT EXISTS duplicates (iri TEXT PRIMARY KEY, n INTEGER);
CREATE TABLE IF NOT EXISTS labels (unit TEXT, iri TEXT, key TEXT, lang TEXT);
CREATE INDEX IF NOT EXISTS labels_unit ON labels (unit);
CREATE INDEX IF NOT EXISTS labels_key ON labels (key, lang, iri);
CREATE TABLE IF NOT EXISTS clashing_labels (key TEXT, lang TEXT, iri TEXT);
CREATE INDEX IF NOT EXISTS clashing_labels_key ON clashing_labels (key, lang);
CREATE TABLE IF NOT EXISTS node_texts (unit TEXT, iri TEXT, text TEXT);
CREATE INDEX IF NOT EXISTS node_texts_unit ON node_texts (unit);
CREATE INDEX IF NOT EXISTS node_texts_iri ON node_texts (iri);
CREATE TABLE IF NOT EXISTS corpus (shape TEXT, focus TEXT, value TEXT);
CREATE TABLE IF NOT EXISTS document_codes (iri TEXT, code TEXT);
CREATE INDEX IF NOT EXISTS document_codes_iri ON document_codes (iri);
CREATE INDEX IF NOT EXISTS document_codes_code ON document_codes (code, iri);
CREATE TABLE IF NOT EXISTS document_findings (iri TEXT, finding TEXT);
CREATE INDEX IF NOT EXISTS document_findings_iri ON document_findings (iri);
CREATE TABLE IF NOT EXISTS year_findings (iri TEXT, finding TEXT);
CREATE INDEX IF NOT EXISTS year_findings_iri ON year_findings (iri);
"""
_UNIT_TABLES = ("units", "rows", "described", "pointing", "untyped", "labels", "node_texts")
#: The corpus-wide findings kept as JSON, by kind.
_FINDINGS = {"documents": "document_findings", "years": "year_findings"}


def digest(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


class Cache:
    """Per-unit results, the nodes each unit describes, and the corpus-wide results."""

    def __init__(self, path: Path):
        self.db = open_database(path, _TABLES, check=False)  # damage shows when read: see validate_incremental

    def depend_on(self, dependencies: str) -> bool:
        """Forget every result computed with other dependencies (ontology, shapes, reference...);
        whether the results were kept."""
        old = self.meta("dependencies")
        if old == dependencies:
            return True
        for table in (
            *_UNIT_TABLES,
            "combined",
            "clashing_labels",
            "fallback",
            "duplicates",
            "corpus",
            "document_codes",
            "document_findings",
            "meta",
        ):
            self.db.execute(f"DELETE FROM {table}")
        self.db.execute("INSERT INTO meta VALUES ('dependencies', ?)", (dependencies,))
        return False

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def remember(self, key: str, value: str) -> None:
        """Keep a value with the results (forgotten with them when a dependency changes)."""
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def units(self, names: Iterable[str] | None = None) -> dict[str, str]:
        """Unit -> its digest as last run, of every unit or of those `names`."""
        if names is None:
            return dict(self.db.execute("SELECT name, digest FROM units").fetchall())
        query = "SELECT name, digest FROM units WHERE name IN (SELECT value FROM json_each(?))"
        return dict(self.db.execute(query, (json.dumps(sorted(names)),)).fetchall())

    def text_marks(self) -> dict[str, dict[str, list]]:
        """Unit -> {article text: its fingerprint} as last run. The texts of every unit are decoded
        in one JSON array: a call per unit took 30 ms at 10,000 articles."""
        rows = self.db.execute("SELECT name, sources FROM units").fetchall()
        marks = json.loads("[" + ",".join(sources for _, sources in rows) + "]")
        return {name: unit_marks for (name, _), unit_marks in zip(rows, marks, strict=True)}

    def quoting(self, texts: Iterable[str]) -> set[str]:
        """The units that quote (or looked for) any of the article texts `texts`."""
        wanted = json.dumps(sorted(texts))
        query = (
            "SELECT DISTINCT name FROM units, json_each(units.sources) WHERE key IN (SELECT value FROM json_each(?))"
        )
        return {name for (name,) in self.db.execute(query, (wanted,))} if wanted != "[]" else set()

    def drop(self, names: Iterable[str]) -> None:
        for name in names:
            for table in _UNIT_TABLES:
                self.db.execute(f"DELETE FROM {table} WHERE {'name' if table == 'units' else 'unit'} = ?", (name,))

    def store(self, result: UnitResult) -> None:
        self.drop([result.name])
        name = result.name
        self.db.execute(
            "INSERT INTO units VALUES (?, ?, ?, ?)", (name, result.digest, json.dumps(result.sources), result.triples)
        )
        self.db.executemany("INSERT INTO rows VALUES (?, ?, ?, ?, ?, ?, ?)", [(name, *row) for row in result.rows])
        self.db.executemany(
            "INSERT INTO described VALUES (?, ?, ?, ?, ?)",
            [(name, file, iri, int(typed), int(cap)) for file, iri, typed, cap in result.described],
        )
        self.db.executemany(
            "INSERT INTO pointing VALUES (?, ?, ?, ?)",
            [(name, file, iri, int(counted)) for file, iri, counted in result.pointing],
        )
        self.db.executemany("INSERT INTO untyped VALUES (?, ?)", [(name, iri) for iri in result.untyped])
        self.db.executemany("INSERT INTO labels VALUES (?, ?, ?, ?)", [(name, *label) for label in result.labels])
        self.db.executemany("INSERT INTO node_texts VALUES (?, ?, ?)", [(name, *row) for row in result.node_texts])

    def iris_of(self, names: Iterable[str]) -> set[str]:
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS touched (name TEXT)")
        self.db.execute("DELETE FROM touched")
        self.db.executemany("INSERT INTO touched VALUES (?)", [(n,) for n in names])
        return {
            iri
            for (iri,) in self.db.execute(
                "SELECT iri FROM described WHERE unit IN (SELECT name FROM touched) "
                "UNION SELECT iri FROM pointing WHERE unit IN (SELECT name FROM touched) "
                "UNION SELECT focus FROM rows WHERE unit IN (SELECT name FROM touched) AND focus IS NOT NULL"
            )
        }

    def describers(self, iris: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
        out: dict = defaultdict(list)
        for iri in iris:
            out[iri] = self.db.execute("SELECT DISTINCT unit, file FROM described WHERE iri = ?", (iri,)).fetchall()
        return out

    def judging_files(self, iri: str) -> list[str]:
        """The files a node is judged on as a whole: those that describe it or point at it along
        a predicate an inverse path reads."""
        return [
            file
            for (file,) in self.db.execute(
                "SELECT file FROM described WHERE iri = ? UNION SELECT file FROM pointing WHERE iri = ?", (iri, iri)
            )
        ]

    def candidates(self, iris: Iterable[str]) -> None:
        """Fill the temporary table `candidates` (the nodes a step looks at again)."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS candidates (iri TEXT PRIMARY KEY)")
        self.db.execute("DELETE FROM candidates")
        self.db.executemany("INSERT OR IGNORE INTO candidates VALUES (?)", [(iri,) for iri in iris])

    def first_files(self, iris: Iterable[str], order: dict[str, int]) -> dict[str, str]:
        """The file a node is reported in: the first (in validation order) that describes it."""
        out = {}
        for iri, describers in self.describers(iris).items():
            known = [file for _, file in describers if file in order]
            if known:
                out[iri] = min(known, key=order.__getitem__)
        return out

    # --- corpus-wide results: what orgkg.incremental.corpus keeps between runs ---------------

    def done(self, step: str) -> bool:
        """Whether a corpus-wide step (documents, years, corpus) has filled its tables once."""
        return self.meta(step) is not None

    def mark_done(self, step: str) -> None:
        self.remember(step, "1")

    def triples(self) -> int:
        """The triples of every unit, less those that several units state (each counted once)."""
        units = self.db.execute("SELECT COALESCE(SUM(triples), 0) FROM units").fetchone()[0]
        return units - self.db.execute("SELECT COALESCE(SUM(n), 0) FROM duplicates").fetchone()[0]

    def replace_document_codes(self, touched: Iterable[str] | None, found: Iterable[tuple[str, str]]) -> list:
        """Put `found` (document, code) in place of the codes of the `touched` documents (None: of
        all); the codes they had before."""
        if touched is None:
            old = []
            self.db.execute("DELETE FROM document_codes")
        else:
            self.candidates(touched)
            old = self.db.execute(
                "SELECT iri, code FROM document_codes WHERE iri IN (SELECT iri FROM candidates)"
            ).fetchall()
            self.db.execute("DELETE FROM document_codes WHERE iri IN (SELECT iri FROM candidates)")
        self.db.executemany("INSERT INTO document_codes VALUES (?, ?)", found)
        return old

    def sharing_codes(self, codes: set[str]) -> set[str]:
        """The documents with one of these codes, and on through every code those documents have
        (the documents whose duplicate findings a change of these codes can change)."""
        documents: set[str] = set()
        seen: set[str] = set()
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS codes (code TEXT PRIMARY KEY)")
        while codes:
            seen |= codes
            self.db.execute("DELETE FROM codes")
            self.db.executemany("INSERT OR IGNORE INTO codes VALUES (?)", [(code,) for code in codes])
            found = "SELECT iri FROM document_codes WHERE code IN (SELECT code FROM codes)"
            new = {iri for (iri,) in self.db.execute(found)} - documents
            documents |= new
            self.candidates(new)
            codes = {
                c
                for (c,) in self.db.execute("SELECT code FROM document_codes WHERE iri IN (SELECT iri FROM candidates)")
            }
            codes -= seen
        return documents

    def shared_documents(self, documents: Iterable[str] | None) -> list[str]:
        """Those of `documents` (None: of all) that have a code another document has too, sorted:
        the grouping is the database's, not dicts of every document and code in memory."""
        query = """SELECT DISTINCT d.iri FROM document_codes d
                   WHERE EXISTS (SELECT 1 FROM document_codes o WHERE o.code = d.code AND o.iri != d.iri)"""
        if documents is not None:
            self.candidates(documents)
            query += " AND d.iri IN (SELECT iri FROM candidates)"
        return sorted(iri for (iri,) in self.db.execute(query))

    def node_texts(self, nodes: Iterable[str] | None) -> list[tuple[str, str]]:
        """(IRI, text) of the `nodes` (None: of every node), as their units recorded them."""
        if nodes is None:
            return self.db.execute("SELECT iri, text FROM node_texts").fetchall()
        self.candidates(nodes)
        return self.db.execute("SELECT iri, text FROM node_texts WHERE iri IN (SELECT iri FROM candidates)").fetchall()

    def replace_findings(self, kind: str, nodes: Iterable[str] | None, findings: list[tuple[str, Finding]]) -> None:
        """Put (IRI, finding) pairs in place of the `kind` findings (documents, years) about `nodes`
        (None: about every node)."""
        table = _FINDINGS[kind]
        if nodes is None:
            self.db.execute(f"DELETE FROM {table}")
        else:
            self.candidates(nodes)
            self.db.execute(f"DELETE FROM {table} WHERE iri IN (SELECT iri FROM candidates)")
        self.db.executemany(
            f"INSERT INTO {table} VALUES (?, ?)",
            [(iri, json.dumps(finding.as_dict(), ensure_ascii=False)) for iri, finding in findings],
        )

    def findings(self, kind: str) -> list[Finding]:
        return [Finding(**json.loads(text)) for (text,) in self.db.execute(f"SELECT finding FROM {_FINDINGS[kind]}")]

    def corpus_focuses(self, shape: str) -> set[str]:
        """The nodes a corpus shape failed on, last time."""
        return {focus for (focus,) in self.db.execute("SELECT focus FROM corpus WHERE shape = ?", (shape,))}

    def replace_corpus_results(self, shape: str, nodes: Iterable[str] | None, results: list[tuple[str, str]]) -> None:
        """Put (focus, value) results of a corpus shape in place of those about `nodes` (None: all)."""
        if nodes is None:
            self.db.execute("DELETE FROM corpus WHERE shape = ?", (shape,))
        else:
            self.db.executemany("DELETE FROM corpus WHERE shape = ? AND focus = ?", [(shape, n) for n in nodes])
        self.db.executemany("INSERT INTO corpus VALUES (?, ?, ?)", [(shape, *result) for result in results])

    def corpus_results(self) -> list[tuple[str, str, str]]:
        return self.db.execute("SELECT shape, focus, value FROM corpus").fetchall()

    def label_keys(self, names: Iterable[str]) -> set[tuple[str, str]]:
        """(label key, language) of every label these units give."""
        return {
            key
            for name in names
            for key in self.db.execute("SELECT DISTINCT key, lang FROM labels WHERE unit = ?", (name,))
        }

    def update_label_clashes(self, keys: set[tuple[str, str]] | None) -> None:
        """Find again which of these labels (None: of every label) more than one node carries,
        kept between runs: grouping every label took 50 ms of a re-run at 10,000 articles."""
        only = ""
        if keys is None or not self.done("labels"):
            self.db.execute("DELETE FROM clashing_labels")
        else:
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS label_keys (key TEXT, lang TEXT)")
            self.db.execute("DELETE FROM label_keys")
            self.db.executemany("INSERT INTO label_keys VALUES (?, ?)", keys)
            self.db.execute("DELETE FROM clashing_labels WHERE (key, lang) IN (SELECT key, lang FROM label_keys)")
            only = "WHERE (key, lang) IN (SELECT key, lang FROM label_keys)"
        self.db.execute(
            "INSERT INTO clashing_labels SELECT DISTINCT key, lang, iri FROM labels WHERE (key, lang) IN "
            f"(SELECT key, lang FROM labels {only} GROUP BY key, lang HAVING COUNT(DISTINCT iri) > 1)"
        )
        self.mark_done("labels")

    def duplicate_labels(self) -> dict[tuple[str, str], set[str]]:
        """(label key, language) -> the IRIs, for every label that more than one node carries."""
        labels: dict = defaultdict(set)
        for key, language, iri in self.db.execute("SELECT key, lang, iri FROM clashing_labels"):
            labels[(key, language)].add(iri)
        return labels

    def untyped(self) -> list[str]:
        """The IRIs some unit mentions without a type, sorted."""
        return sorted({iri for (iri,) in self.db.execute("SELECT DISTINCT iri FROM untyped")})

    def described_iris(self) -> list[str]:
        return [iri for (iri,) in self.db.execute("SELECT DISTINCT iri FROM described ORDER BY iri")]

    # --- the views of nodes several units describe: what orgkg.incremental.views combines ------

    def fallback_needed(self, touched: set[str], reference: str) -> set[str]:
        """Of the `touched` nodes and those judged whole before, the ones whose views cannot be
        combined: in several units, and described by no reference unit, or given a new type or a
        value a sh:maxCount counts by an article, or pointed at by triples that an inverse path
        counts (`UnitResult.pointing`). The others lose their whole-node judgement."""
        self.candidates(touched | {iri for (iri,) in self.db.execute("SELECT iri FROM fallback")})
        needed = {
            iri
            for (iri,) in self.db.execute(
                """SELECT iri FROM (
                    SELECT iri, unit, 1 AS describes, typed, maxcount AND unit != ? AS counted FROM described
                    WHERE iri IN (SELECT iri FROM candidates)
                    UNION ALL SELECT iri, unit, 0, 0, counted FROM pointing WHERE iri IN (SELECT iri FROM candidates))
                GROUP BY iri HAVING COUNT(DISTINCT unit) > 1
                    AND (SUM(describes AND unit = ?) = 0 OR SUM(typed) > 0 OR SUM(counted) > 0)""",
                (reference, reference),
            )
        }
        self.db.executemany(
            "DELETE FROM fallback WHERE iri = ?",
            [(iri,) for (iri,) in self.db.execute("SELECT iri FROM candidates").fetchall() if iri not in needed],
        )
        return needed

    def fallback_key(self, iri: str) -> str | None:
        row = self.db.execute("SELECT key FROM fallback WHERE iri = ?", (iri,)).fetchone()
        return row[0] if row else None

    def set_fallback(self, iri: str, key: str, rows: list) -> None:
        self.db.execute("INSERT OR REPLACE INTO fallback VALUES (?, ?, ?)", (iri, key, json.dumps(rows)))

    def fallbacks(self) -> dict[str, list]:
        """Node -> the result rows of its whole-node judgement."""
        return {iri: json.loads(rows) for iri, rows in self.db.execute("SELECT iri, rows FROM fallback")}

    def described_by_many(self, nodes: set[str]) -> list[str]:
        """The `nodes` that more than one unit describes."""
        self.candidates(nodes)
        return [
            iri
            for (iri,) in self.db.execute(
                "SELECT iri FROM described WHERE iri IN (SELECT iri FROM candidates) GROUP BY iri "
                "HAVING COUNT(DISTINCT unit) > 1"
            )
        ]

    def forget_duplicates(self, nodes: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM duplicates WHERE iri = ?", [(iri,) for iri in nodes])

    def set_duplicates(self, repeated: dict[str, int]) -> None:
        """Node -> how many of its triples several files state."""
        self.db.executemany("INSERT OR REPLACE INTO duplicates VALUES (?, ?)", list(repeated.items()))

    def blank_node_results(self) -> list[tuple[None, str]]:
        """Results about blank nodes, which belong to one file: every one stands."""
        return self.db.execute("SELECT NULL, finding FROM rows WHERE focus IS NULL").fetchall()

    def update_combined(self, touched: set[str] | None) -> None:
        """Combine the views of the `touched` nodes again (None: of every node), kept between runs:
        a result about a value stands if any view reports it (as often as the view that reports
        it most); one about something missing only if every unit describing the node reports it.
        Every run grouped every unit's results (75 ms at 10,000 articles, most of a re-run)."""
        only = ""
        if touched is None or not self.done("combined"):
            self.db.execute("DELETE FROM combined")
        else:
            self.candidates(touched)
            self.db.execute("DELETE FROM combined WHERE focus IN (SELECT iri FROM candidates)")
            only = "AND focus IN (SELECT iri FROM candidates)"
        self.db.execute(
            f"""INSERT INTO combined SELECT focus, kind, 0, finding, MAX(n) FROM (
                  SELECT unit, focus, kind, key, finding, COUNT(*) AS n FROM rows
                  WHERE focus IS NOT NULL AND existence = 0 {only} GROUP BY unit, key)
                GROUP BY key"""
        )
        self.db.execute(
            f"""INSERT INTO combined SELECT r.focus, r.kind, 1, r.finding, 1 FROM rows r
                WHERE r.focus IS NOT NULL AND r.existence = 1 {only} GROUP BY r.key
                HAVING (SELECT COUNT(DISTINCT d.unit) FROM described d WHERE d.iri = r.focus)
                       IN (0, COUNT(DISTINCT CASE WHEN r.here THEN r.unit END))"""
        )
        self.mark_done("combined")

    def combined_results(self) -> list[tuple[str, str, int, str, int]]:
        """(focus, kind, existence, finding, n) of the combined views (`update_combined`)."""
        return self.db.execute("SELECT focus, kind, existence, finding, n FROM combined").fetchall()
