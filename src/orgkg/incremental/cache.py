"""The results of every unit in SQLite beside the store: kept across runs, dropped when a file or
a dependency changes. A damaged database is only a cache: it is removed and filled again."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from orgkg.incremental.unit import UnitResult
from orgkg.repository import clear_cache_entry

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
CREATE TABLE IF NOT EXISTS untyped (unit TEXT, iri TEXT);
CREATE INDEX IF NOT EXISTS untyped_unit ON untyped (unit);
CREATE TABLE IF NOT EXISTS fallback (iri TEXT PRIMARY KEY, key TEXT, rows TEXT);
CREATE TABLE IF NOT EXISTS duplicates (iri TEXT PRIMARY KEY, n INTEGER);
CREATE TABLE IF NOT EXISTS labels (unit TEXT, iri TEXT, key TEXT, lang TEXT);
CREATE INDEX IF NOT EXISTS labels_unit ON labels (unit);
CREATE INDEX IF NOT EXISTS labels_key ON labels (key, lang, iri);
CREATE TABLE IF NOT EXISTS node_texts (unit TEXT, iri TEXT, text TEXT);
CREATE INDEX IF NOT EXISTS node_texts_unit ON node_texts (unit);
CREATE INDEX IF NOT EXISTS node_texts_iri ON node_texts (iri);
CREATE TABLE IF NOT EXISTS corpus (shape TEXT, focus TEXT, value TEXT);
CREATE TABLE IF NOT EXISTS document_codes (iri TEXT, code TEXT);
CREATE INDEX IF NOT EXISTS document_codes_iri ON document_codes (iri);
CREATE TABLE IF NOT EXISTS document_findings (iri TEXT, finding TEXT);
CREATE INDEX IF NOT EXISTS document_findings_iri ON document_findings (iri);
CREATE TABLE IF NOT EXISTS year_findings (iri TEXT, finding TEXT);
CREATE INDEX IF NOT EXISTS year_findings_iri ON year_findings (iri);
"""
_UNIT_TABLES = ("units", "rows", "described", "untyped", "labels", "node_texts")


def digest(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


class Cache:
    """Per-unit results, the nodes each unit describes, and the corpus-wide results."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = self._open(path)
        except sqlite3.DatabaseError:  # not a database (a crash, a disk error, a folder): start afresh
            for damaged in (path, path.with_name(path.name + "-journal"), path.with_name(path.name + "-wal")):
                clear_cache_entry(damaged)
            self.db = self._open(path)

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=60)
        try:
            db.executescript(_TABLES)
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError(f"{path} failed its integrity check")
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def depend_on(self, dependencies: str) -> None:
        """Forget every result computed with other dependencies (ontology, shapes, reference...)."""
        old = self.meta("dependencies")
        if old != dependencies:
            for table in (
                *_UNIT_TABLES,
                "fallback",
                "duplicates",
                "corpus",
                "document_codes",
                "document_findings",
                "meta",
            ):
                self.db.execute(f"DELETE FROM {table}")
            self.db.execute("INSERT INTO meta VALUES ('dependencies', ?)", (dependencies,))

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def units(self) -> dict[str, tuple[str, dict]]:
        return {
            name: (unit_digest, json.loads(sources))
            for name, unit_digest, sources in self.db.execute("SELECT name, digest, sources FROM units")
        }

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
        self.db.executemany("INSERT INTO untyped VALUES (?, ?)", [(name, iri) for iri in result.untyped])
        self.db.executemany("INSERT INTO labels VALUES (?, ?, ?, ?)", [(name, *label) for label in result.labels])
        self.db.executemany("INSERT INTO node_texts VALUES (?, ?, ?)", [(name, *row) for row in result.node_texts])

    def iris_of(self, names: Iterable[str]) -> set[str]:
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS touched (name TEXT)")
        self.db.execute("DELETE FROM touched")
        self.db.executemany("INSERT INTO touched VALUES (?)", [(n,) for n in names])
        return {
            iri
            for (iri,) in self.db.execute("SELECT DISTINCT iri FROM described WHERE unit IN (SELECT name FROM touched)")
        }

    def describers(self, iris: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
        out: dict = defaultdict(list)
        for iri in iris:
            out[iri] = self.db.execute("SELECT DISTINCT unit, file FROM described WHERE iri = ?", (iri,)).fetchall()
        return out

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
