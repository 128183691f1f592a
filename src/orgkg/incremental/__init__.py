"""`orgkg validate --incremental`: the report of a full `orgkg validate`, at the cost of what changed.

A full run checks the union of every file at once, so its cost grows with the whole corpus. Here
the same rules run in pieces, and only the pieces that changed:

- **Units** (`unit`). Each article file is one unit: the file, the reference descriptions of the
  nodes it mentions (read from the embedded store) and the ontology, with the RDFS entailments of
  `orgkg.rdfs`. The per-node rules of a full run check it: `orgkg.shapes` (the full run's shape
  pipeline on an Oxigraph copy of the unit), lint's per-node rules and the quotes.
  graph/reference/ with the ontology is one more unit; `schema` is what every unit shares. A
  unit is re-run when its file, the ontology, the shapes, the reference or the quoted article
  texts change; results wait in a SQLite `cache` beside the store, each written as it comes (a
  run holds one batch at a time, whatever the corpus), with the compiled SHACL checks. Units
  run in batches: each unit's view one named graph of one Oxigraph store, each SHACL check one
  query over the batch. Many units run in worker processes that load the schema themselves
  (safe under the spawn start method).
- **Shared nodes** (`views`). A node described by several units (a reference entity every
  article quotes) is judged by all their views: a result that says something is missing (no sh:value, or the
  node itself) stands only if every describing unit reports it; a result about a value stands
  if any unit reports it. Where views cannot be combined -- a node described by two articles
  but not by the reference, a reference node that an article gives a new type, a value an
  article gives it that a sh:maxCount counts, triples pointing at it that an inverse path counts
  (a maximum, or a minimum from a unit that does not describe it, so no view judging it holds
  them) -- the node is validated on all the files that describe it or point at it that way.
  Each unit records which nodes it points at along a predicate some inverse path reads, so the
  triples of an article that only points at a node are not lost, and a node that articles
  merely quote (a province's Party Committee) is not judged whole.
- **Corpus-wide rules** (`corpus`) run on the embedded store (itself rebuilt incrementally):
  succession cycles (okgsh:NoCircularSuccessionShape, its SPARQL bound to the nodes that changed units
  mention and to those that failed before), one IRI per document code and issuer, dangling
  references; duplicate labels come from an index of every unit's labels, case-folded as lint
  folds them.
- **Files** are re-hashed only when their size, mtime or inode changed.

The layout rules make this exact: shared entities are typed in graph/reference/ and articles
add claims to them. tests/test_incremental.py checks that the report equals a full run on a
synthetic corpus with every kind of seeded error, before and after edits.
"""

from __future__ import annotations

import gc
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from orgkg import shacl_core
from orgkg.atomic import file_lock
from orgkg.cache_db import remove_database
from orgkg.errors import OrgkgError
from orgkg.findings import Report, parse_all, sort_findings
from orgkg.incremental.cache import Cache, digest
from orgkg.incremental.corpus import (
    corpus_findings,
    update_corpus_shapes,
    update_document_duplicates,
    update_year_findings,
)
from orgkg.incremental.schema import Schema
from orgkg.incremental.unit import UnitResult, batches, fingerprint, run_units
from orgkg.incremental.views import REFERENCE, combine, update_duplicates, update_fallbacks
from orgkg.loading import TurtleSyntaxError
from orgkg.namespaces import ONTOLOGY_FILE, SHAPES_FILE
from orgkg.sources import Sources
from orgkg.store import EmbeddedStore
from orgkg.validation import NO_SOURCES

if TYPE_CHECKING:
    from orgkg.watching import WatchAnswer

#: Bump when what a unit stores changes meaning: every cached result is then recomputed.
VERSION = "7"
#: Above this many changed units, corpus shapes are checked on the whole store at once.
INCREMENTAL_LIMIT = 200
#: Below this many changed units, worker processes cost more than they save.
POOL_THRESHOLD = 16
#: The cache's database, in the store's cache folder.
CACHE_FILE = "validation.sqlite"
#: How long a run waits for another run on the same repository.
LOCK_WAIT = 600.0


def validate_incremental(
    root: Path, sources: Path | None = None, jobs: int | None = None, progress: Callable[[int, int], None] | None = None
) -> Report:
    """The report `validation.validate(root, data_files(root), sources)` gives, recomputing only
    the units whose files or dependencies changed since the last run (`progress(done, total)`
    is told as units finish). Runs on one repository take turns: they share one cache."""
    root = root.resolve()
    store = EmbeddedStore(root)
    store.repository.cache.mkdir(parents=True, exist_ok=True)
    busy = OrgkgError(
        f"another incremental validation of {root} has been running for over {LOCK_WAIT:g} s; try again when it is done"
    )
    with file_lock(store.repository.cache / "validation.lock", busy, wait=LOCK_WAIT):
        try:
            return _validate_incremental(root, store, sources, jobs, progress)
        except sqlite3.DatabaseError as error:
            # The cache is opened without reading every page first (that grows with the corpus):
            # a damaged page shows when read, and the cache is then made again from nothing.
            if isinstance(error, sqlite3.OperationalError):  # locked, disk full: not damage
                raise
            remove_database(store.repository.cache / CACHE_FILE)
            return _validate_incremental(root, store, sources, jobs, progress)


def _validate_incremental(root: Path, store: EmbeddedStore, sources, jobs, progress) -> Report:
    from orgkg.watching import ask_watcher

    repository = store.repository
    texts = Sources.for_root(root, sources)
    cache = Cache(repository.cache / CACHE_FILE)
    try:
        # Asked before any file is read, so that what changes during the run is named next time.
        heard = ask_watcher(root, repository.cache, cache.meta("watched"))
        scan = store.scan()  # the one walk of the repository (a stat per file), or the watcher's journal
        digests = scan.digests
        paths = {name: f"{root}/{name}" for name in digests}  # strings: 10,000 Path objects took 35 ms
        report = Report(files=list(paths.values()))
        ontology_path, shapes_path = root / ONTOLOGY_FILE, root / SHAPES_FILE
        schema_graphs = parse_all([ontology_path, shapes_path], root, report)
        if report.findings:
            return report

        reference_names = [ONTOLOGY_FILE.as_posix()] + [name for name in paths if name.startswith("graph/reference/")]
        reference_files = [Path(paths[name]) for name in reference_names]
        kept = cache.depend_on(
            digest(
                json.dumps(
                    [
                        VERSION,
                        version("pyshacl"),
                        digest(shapes_path.read_bytes()),
                        texts and [str(folder) for folder in texts.folders],
                        [digests[name] for name in reference_names],
                    ]
                )
            )
        )
        changes = _changes(heard, root, texts) if kept else None
        if heard is not None:
            cache.remember("watched", heard.token)  # committed with this run's results, or not at all
        try:
            store.build(scan=scan)
        except TurtleSyntaxError:
            pass  # the units that parse this file report it with every other malformed file
        with store.reading(build=False) as store_view:  # the shared lock; a damaged store rebuilt
            units = {REFERENCE: cache.meta("dependencies")}  # unit -> digest
            in_reference = set(reference_names)  # names, not paths: hashing 10,000 paths took 14 ms
            units.update({name: digests[name] for name in paths if name not in in_reference})
            if changes is None:  # every unit, and every text's stat against the one each unit last saw
                cached, candidates = cache.units(), None
                quoting = {
                    name
                    for name, unit_marks in cache.text_marks().items()
                    if any(fingerprint(texts, text) != mark for text, mark in unit_marks.items())
                }
            else:  # only the units of the files and texts the watcher named since the last run
                named, named_texts = changes
                quoting = cache.quoting(named_texts)
                candidates = {REFERENCE, *named, *quoting}
                cached = cache.units(candidates)
            stale = [
                name
                for name, unit_digest in units.items()
                if (candidates is None or name in candidates) and (cached.get(name) != unit_digest or name in quoting)
            ]
            removed = sorted(set(cached) - set(units))
            many = len(stale) > INCREMENTAL_LIMIT
            touched_before = cache.iris_of(stale + removed)
            labels_before = None if many else cache.label_keys(stale + removed)

            compiled_key = "compiled " + digest(Path(shacl_core.__file__).read_bytes())
            setting = (
                root,
                repository.cache,
                tuple(sorted(repository.graph_name(path) for path in reference_files[1:])),
                cache.meta(compiled_key),
            )
            schema = Schema.load(*setting[:3], parsed=schema_graphs, store=store_view, compiled=setting[3])
            if stale and setting[3] is None:  # compiled once for the shapes, then read back
                setting = (*setting[:3], schema.shapes.compiled.to_json())
                cache.remember(compiled_key, setting[3])
            # Each result goes to the cache as it comes (the run holds one at a time); a file that
            # does not parse rolls the whole run back, so the next run sees every unit still stale.
            syntax, mentioned = [], set()
            cache.drop(removed)
            tasks = [
                (n, units[n], reference_files if n == REFERENCE else [Path(paths[n])], texts, n != REFERENCE)
                for n in stale
            ]
            for result in _run_units(schema, setting, tasks, jobs, progress):
                syntax += result.syntax
                if not result.syntax:
                    cache.store(result)
                if not many:
                    mentioned.update(result.mentioned)
            if syntax:
                cache.db.rollback()
                report.findings = sorted(syntax, key=lambda f: (f.file, f.line or 0))
                return report
            touched = touched_before | cache.iris_of(stale)
            order = {name: index for index, name in enumerate(paths)}
            update_fallbacks(cache, schema, touched, digests, paths, texts)
            update_duplicates(cache, store_view, touched)
            changed = None if many else mentioned
            update_corpus_shapes(schema, store_view, cache, changed)
            update_document_duplicates(store_view, cache, None if changed is None else touched, order)
            update_year_findings(cache, None if changed is None else touched, order)
            cache.update_combined(None if changed is None else touched)
            cache.update_label_clashes(None if labels_before is None else labels_before | cache.label_keys(stale))
            cache.db.commit()

            report.triples = cache.triples()
            findings = combine(cache, order) + corpus_findings(schema, store_view, cache, order)
            if texts is None:
                report.notices.append(NO_SOURCES)
            report.findings = sort_findings(findings)
    finally:
        cache.db.close()
    return report


def _changes(heard: WatchAnswer | None, root: Path, texts: Sources | None) -> tuple[list[str], set[str]] | None:
    """The names under the root and the article texts changed since the last run (whose watcher
    token `heard` was asked about), as `orgkg watch` saw them; None when it cannot name them all
    (none runs, it is another one, or a text folder is one it does not watch): then every unit's
    digest and every text's stat are checked."""
    if heard is None or heard.changed is None:
        return None
    if texts is not None and not {str(f) for f in texts.folders} <= set(heard.texts):
        return None
    paths = [name if name.startswith("/") else f"{root}/{name}" for name in heard.changed]
    folders = texts.folders if texts is not None else ()
    named_texts = {path.removeprefix(f"{f}/") for f in folders for path in paths if path.startswith(f"{f}/")}
    return [name for name in heard.changed if not name.startswith("/")], named_texts


def _run_units(
    schema: Schema,
    setting: tuple,
    tasks: list[tuple],
    jobs: int | None,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[UnitResult]:
    """Every unit's result, as it comes; in worker processes (one per CPU) when there are many.
    Workers are spawned and load the schema from `setting` themselves: nothing depends on memory
    inherited by fork."""
    jobs = jobs or os.cpu_count() or 1
    pool = None
    runs: Iterator[list[UnitResult]]
    if len(tasks) < POOL_THRESHOLD or jobs == 1:
        runs = (run_units(schema, batch) for batch in batches(tasks))
    else:
        from concurrent.futures import ProcessPoolExecutor  # only here: most runs re-validate a few units
        from multiprocessing import get_context

        pool = ProcessPoolExecutor(
            jobs, mp_context=get_context("spawn"), initializer=_start_worker, initargs=(gc.get_threshold(), *setting)
        )
        runs = pool.map(_work, batches(tasks))
    done = 0
    try:
        for results in runs:
            for result in results:
                done += 1
                yield result
                if progress:
                    progress(done, len(tasks))
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)


_worker_schema: Schema | None = None  # each worker process's own, loaded by _start_worker


def _start_worker(pace: tuple[int, ...], root: Path, cache: Path, reference_graphs: tuple, compiled: str) -> None:
    """A spawned process starts at the garbage collector's default pace, not its command's
    (orgkg.console): at 100,000 articles the default's collections took 3.5-5 ms of an 18 ms unit,
    more as the reference memo grew."""
    global _worker_schema
    gc.set_threshold(*pace)
    _worker_schema = Schema.load(root, cache, reference_graphs, compiled=compiled, indexed=True)


def _work(batch: list[tuple]) -> list[UnitResult]:
    assert _worker_schema is not None, "the pool's initializer loads it"
    return run_units(_worker_schema, batch)
