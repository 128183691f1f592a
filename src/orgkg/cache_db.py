"""SQLite in the cache: how a cache database is opened (a damaged one is only a cache, made
again), and the index database beside the store, whose schema and statements live here only.

The index holds what a command asks when files changed: the stat index of the data files
(name -> stat and sha256, like git's index), what the embedded store holds (file -> digest and
triples, its manifest) and the identity of that store. A query whose files' stats all match
the stamp written after the last build (a file beside the index, orgkg.store) opens no
database, whatever the number of files; only a change reads and rewrites the rows of what
changed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

#: Bump when a table changes meaning: an index of another version is emptied, not read.
_VERSION = "1"
_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS stats (name TEXT PRIMARY KEY, stat TEXT, digest TEXT);
CREATE TABLE IF NOT EXISTS held (name TEXT PRIMARY KEY, digest TEXT, triples INTEGER);
"""


def clear_cache_entry(path: Path) -> None:
    """Remove what is at a path of the cache, a folder included (someone may have made one where
    a cache file goes): the cache is ours and can be made again."""
    if path.is_dir() and not path.is_symlink():
        import shutil

        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def open_database(path: Path, schema: str, check: bool = True) -> sqlite3.Connection:
    """A connection to the cache database at `path` with `schema` applied; one that is not a
    database (a crash, a disk error, a folder in its place) or fails SQLite's quick check
    (`check`, which reads every page) is removed and made again."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return _connect(path, schema, check)
    except sqlite3.DatabaseError:
        remove_database(path)
        return _connect(path, schema, check)


def remove_database(path: Path) -> None:
    """A damaged cache database and its journals, removed: it is made again from nothing."""
    for damaged in (path, *(path.with_name(path.name + end) for end in ("-journal", "-wal", "-shm"))):
        clear_cache_entry(damaged)


def _connect(path: Path, schema: str, check: bool) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=60)
    try:
        db.executescript(schema)
        if check and db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError(f"{path} failed its integrity check")
    except sqlite3.DatabaseError:
        db.close()
        raise
    return db


class CacheIndex:
    """The index database of one repository's cache, opened on first use. It is only a cache:
    one that cannot be opened or read is made again, else kept in memory for this process."""

    def __init__(self, path: Path):
        self.path = path
        self._db: sqlite3.Connection | None = None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            try:
                self._db = open_database(self.path, _TABLES, check=False)
            except (OSError, sqlite3.DatabaseError):  # an unwritable cache: hashing again next time
                self._db = _connect(Path(":memory:"), _TABLES, False)
            if self._meta("version") != _VERSION:
                self._reset()
        return self._db

    def _reset(self) -> None:
        db = self.db
        for table in ("meta", "stats", "held"):
            db.execute(f"DELETE FROM {table}")
        db.execute("INSERT INTO meta VALUES ('version', ?)", (_VERSION,))
        db.commit()

    def _read(self, statement: str, parameters: tuple = ()) -> list:
        """Rows of a statement; a database damaged inside (it opened, a page does not read) is
        emptied and read as empty."""
        try:
            return self.db.execute(statement, parameters).fetchall()
        except sqlite3.DatabaseError:
            self.close()
            for damaged in (self.path, *(self.path.with_name(self.path.name + end) for end in ("-journal", "-wal"))):
                clear_cache_entry(damaged)
            return []

    def _write(self, statements: Iterable[tuple[str, list[tuple]]]) -> None:
        """Run (statement, rows) pairs in one transaction; a cache that cannot be written only
        costs work next time."""
        try:
            with self.db:
                for statement, rows in statements:
                    self.db.executemany(statement, rows)
        except sqlite3.DatabaseError:
            pass

    def _meta(self, key: str) -> str | None:
        assert self._db is not None
        try:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        except sqlite3.DatabaseError:
            return None
        return row[0] if row else None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def data_version(self) -> int:
        """SQLite's count of the commits other connections made to the index since this one
        opened: equal twice, nobody else wrote in between."""
        rows = self._read("PRAGMA data_version")
        return rows[0][0] if rows else -1

    # --- stamps ---------------------------------------------------------------------------

    def stamp(self, key: str) -> str | None:
        rows = self._read("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    # --- the stat index -------------------------------------------------------------------

    def stats(self) -> dict[str, tuple[str, str]]:
        """File name -> (its stat as last seen, the sha256 of its bytes then)."""
        return {name: (stat, digest) for name, stat, digest in self._read("SELECT name, stat, digest FROM stats")}

    def update_stats(self, seen: dict[str, tuple[str, str]], forgotten: Iterable[str]) -> None:
        self._write(
            [
                ("INSERT OR REPLACE INTO stats VALUES (?, ?, ?)", [(name, *row) for name, row in seen.items()]),
                ("DELETE FROM stats WHERE name = ?", [(name,) for name in forgotten]),
            ]
        )

    # --- what the store holds --------------------------------------------------------------

    def held(self, store: str | None, names: Iterable[str] | None = None) -> dict[str, tuple[str, int]] | None:
        """File name -> (digest, triples) of what the store `store` (its identity) holds, or None
        if the rows were written for another store (or none); only the rows of `names`, if given."""
        if store is None or self.stamp("store") != store:
            return None
        if names is None:
            rows = self._read("SELECT * FROM held")
        else:
            import json

            listed = json.dumps(list(names))
            rows = self._read("SELECT * FROM held WHERE name IN (SELECT value FROM json_each(?))", (listed,))
        return {name: (digest, triples) for name, digest, triples in rows}

    def held_totals(self) -> tuple[int, int]:
        """How many files the store holds, and their triples."""
        rows = self._read("SELECT COUNT(*), COALESCE(SUM(triples), 0) FROM held")
        return rows[0] if rows else (0, 0)

    def hold(self, store: str | None, files: dict[str, tuple[str, int]], dropped: Iterable[str] = ()) -> None:
        """Record that the store `store` holds `files` (as well as what it held, less `dropped`)."""
        self._write(
            [
                ("INSERT OR REPLACE INTO meta VALUES ('store', ?)", [(store,)]),
                ("INSERT OR REPLACE INTO held VALUES (?, ?, ?)", [(name, *row) for name, row in files.items()]),
                ("DELETE FROM held WHERE name = ?", [(name,) for name in dropped]),
            ]
        )

    def forget_store(self) -> None:
        self._write([("DELETE FROM held", [()]), ("DELETE FROM meta WHERE key = 'store'", [()])])
