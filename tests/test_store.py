"""The embedded store: one named graph per file, incremental rebuilds, same answers as rdflib."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from orgkg.catalogue import load_catalogue
from orgkg.engines import RdflibEngine
from orgkg.namespaces import QUERIES_DIR
from orgkg.repository import cache_dir, graph_iri
from orgkg.store import EmbeddedStore, return_freed_memory

from .cli import run_cli
from .compare import comparable


def test_build_loads_every_file_then_only_what_changed(repo, tmp_path):
    store = EmbeddedStore(repo, tmp_path / "cache")
    first = store.build()
    assert first.unchanged == 0 and len(first.loaded) >= 4
    again = store.build()
    assert again.loaded == [] and again.triples == first.triples
    article = repo / "graph" / "articles" / "nghe-an-2024.ttl"
    article.write_text(
        article.read_text(encoding="utf-8")
        + '\n<https://w3id.org/orgkg/id/x> <https://w3id.org/orgkg/id/p> "added" .\n',
        encoding="utf-8",
    )
    third = store.build()
    assert third.loaded == ["graph/articles/nghe-an-2024.ttl"]
    assert third.triples == first.triples + 1
    article.unlink()
    fourth = store.build()
    assert fourth.removed == ["graph/articles/nghe-an-2024.ttl"] and fourth.triples < first.triples


def test_named_graph_per_file(repo, tmp_path):
    store = EmbeddedStore(repo, tmp_path / "cache")
    results = store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
    graphs = [row[0].value for row in results.rows]
    assert "https://w3id.org/orgkg/graph/articles/cao-bang-2025" in graphs
    assert "https://w3id.org/orgkg/graph/ontology/orgkg" in graphs
    assert "https://w3id.org/orgkg/graph/reference/central" in graphs


def test_a_broken_file_leaves_its_previous_graph_in_place(repo, tmp_path):
    from orgkg.loading import TurtleSyntaxError

    store = EmbeddedStore(repo, tmp_path / "cache")
    before = store.build().triples
    (repo / "graph" / "reference" / "central.ttl").write_text("@prefix broken")
    with pytest.raises(TurtleSyntaxError):
        store.build()
    assert store.size() == before


@pytest.mark.slow
def test_every_saved_query_gives_the_same_rows_on_oxigraph_and_rdflib(root, tmp_path):
    oxigraph, reference = EmbeddedStore(root, tmp_path / "cache"), RdflibEngine(root)
    for query in load_catalogue(root / QUERIES_DIR).values():
        sparql = query.bind({})
        assert comparable(oxigraph.query(sparql)) == comparable(reference.query(sparql)), query.name


def test_every_saved_query_returns_rows_on_the_seed_graph(root, tmp_path):
    store = EmbeddedStore(root, tmp_path / "cache")
    empty = [q.name for q in load_catalogue(root / QUERIES_DIR).values() if not store.query(q.bind({})).rows]
    assert empty == []


def test_the_default_graph_holds_each_triple_once_and_graph_shows_every_file(repo, tmp_path):
    stated_twice = '<https://w3id.org/orgkg/id/x> <https://w3id.org/orgkg/id/p> "both" .\n'
    for name in ("cao-bang-2025", "nghe-an-2024"):
        article = repo / "graph" / "articles" / f"{name}.ttl"
        article.write_text(article.read_text(encoding="utf-8") + stated_twice, encoding="utf-8")
    store = EmbeddedStore(repo, tmp_path / "cache")
    pattern = "<https://w3id.org/orgkg/id/x> <https://w3id.org/orgkg/id/p> ?o"
    assert len(store.query(f"SELECT ?o WHERE {{ {pattern} }}").rows) == 1
    assert len(store.query(f"SELECT ?g WHERE {{ GRAPH ?g {{ {pattern} }} }}").rows) == 2
    # Removed from one file, the triple stays in the union; from both, it goes.
    (repo / "graph" / "articles" / "nghe-an-2024.ttl").unlink()
    assert len(store.query(f"SELECT ?o WHERE {{ {pattern} }}").rows) == 1
    (repo / "graph" / "articles" / "cao-bang-2025.ttl").unlink()
    assert store.query(f"SELECT ?o WHERE {{ {pattern} }}").rows == []


def union_and_named(store: EmbeddedStore) -> tuple[set, set]:
    """The default graph's triples, and the set of the named graphs' triples."""
    with store.reading() as oxigraph:
        quads = list(oxigraph)
    default = {q.triple for q in quads if isinstance(q.graph_name, ox.DefaultGraph)}
    return default, {q.triple for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)}


def test_a_build_in_many_bulk_calls_holds_the_union_and_keeps_it_through_edits(repo, tmp_path, monkeypatch):
    """A first build in calls of a few hundred quads each holds what one call would; after an edit that
    changes an article's quotes (blank nodes) and a removal, the default graph is still exactly
    the set union of the named graphs."""
    whole = EmbeddedStore(repo, tmp_path / "whole")
    monkeypatch.setattr("orgkg.store.BULK_QUADS", 500)
    chunked = EmbeddedStore(repo, tmp_path / "chunked")
    assert chunked.build().triples == whole.build().triples
    default, named = union_and_named(chunked)
    assert default == named and len(named) > 100
    assert len(default) == len(union_and_named(whole)[0])  # blank nodes differ between two parses
    article = repo / "graph" / "articles" / "nghe-an-2024.ttl"
    text = article.read_text(encoding="utf-8")
    assert "oa:exact" in text
    article.write_text(text.replace('oa:exact "', 'oa:exact "Edited: ', 1), encoding="utf-8")
    assert chunked.build().loaded == ["graph/articles/nghe-an-2024.ttl"]
    default, named = union_and_named(chunked)
    assert default == named
    assert any(str(t.object).startswith('"Edited: ') for t in default)
    article.unlink()
    chunked.build()
    default, named = union_and_named(chunked)
    assert default == named and not any(str(t.object).startswith('"Edited: ') for t in default)


@pytest.mark.parametrize("how", ["first build", "rebuild of the file"])
def test_a_build_keeps_every_literal_and_blank_node_as_the_file_has_them(repo, tmp_path, how):
    """The engine is handed N-Quads text made from the parsed triples: a literal that ends in " ."
    before a line break, or holds quotes and backslashes, and a blank node shared by two statements
    come out of the store as the file has them, in its graph and the default graph, whether the
    bulk loader or a rebuild of that one file wrote them."""
    odd = repo / "graph" / "odd.ttl"
    text = (
        "@prefix ex: <http://example.org/> .\n"
        'ex:a ex:says """first line .\nsecond "quoted" \\\\ line .""" ; ex:has [ ex:x 1 ; ex:y "z ."@vi ] .\n'
    )
    store = EmbeddedStore(repo, tmp_path / "cache")
    odd.write_text(text if how == "first build" else "", encoding="utf-8")
    store.build()
    if how != "first build":
        odd.write_text(text, encoding="utf-8")
        assert store.build().loaded == ["graph/odd.ttl"]
    expected = set(ox.parse(odd.read_bytes(), format=ox.RdfFormat.TURTLE))
    graph = ox.NamedNode(graph_iri(odd, repo))
    with store.reading() as oxigraph:
        held = {q.triple for q in oxigraph.quads_for_pattern(None, None, None, graph)}
        default = {q.triple for q in oxigraph.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    literals = {t.object for t in held if isinstance(t.object, ox.Literal)}
    assert literals == {t.object for t in expected if isinstance(t.object, ox.Literal)}
    assert any(o.value.startswith('first line .\nsecond "quoted" \\') for o in literals)
    assert len(held) == len(expected) == 4 and held <= default
    blank = {t.subject for t in held if isinstance(t.subject, ox.BlankNode)}
    assert len(blank) == 1 and {t.object for t in held if t.predicate.value.endswith("has")} == blank


def mergers(store: EmbeddedStore) -> int:
    return len(store.query(load_catalogue(store.root / QUERIES_DIR)["mergers"].bind({})).rows)


@pytest.mark.parametrize("damage", ["store removed", "index not a database", "corrupt store files"])
def test_a_damaged_store_is_rebuilt_never_silently_empty(repo, tmp_path, damage):
    store = EmbeddedStore(repo, tmp_path / "cache")
    expected = mergers(store)
    assert expected > 0
    if damage == "store removed":  # what the lock error used to advise
        shutil.rmtree(store.location)
    elif damage == "index not a database":  # the manifest is in it
        store.index.close()
        store.index.path.write_text('{"version": 4, "files": ["not", "a", "manifest"]}')
    else:
        for table in store.location.glob("*.sst"):
            table.write_bytes(b"garbage" * 100)
    assert mergers(EmbeddedStore(repo, tmp_path / "cache")) == expected
    assert EmbeddedStore(repo, tmp_path / "cache").build().loaded == []


def test_a_cache_path_that_is_a_file_is_one_line_exit_2(repo, tmp_path):
    blocker = tmp_path / "cache"
    blocker.write_text("not a folder")
    result = run_cli("query", "run", "mergers", root=repo, cache=blocker)
    assert result.exit_code == 2
    assert result.output.startswith("orgkg: cannot use the cache folder") and result.output.count("\n") == 1


def test_a_reader_waits_for_a_builder_instead_of_failing(repo, tmp_path, monkeypatch):
    monkeypatch.setenv("ORGKG_CACHE", str(tmp_path / "cache"))
    cache = cache_dir(repo)
    EmbeddedStore(repo, cache).build()
    article = repo / "graph" / "articles" / "nghe-an-2024.ttl"
    article.write_text(article.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # needs a rebuild
    with (cache / "lock").open("a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another orgkg is building
        reader = subprocess.Popen(
            [sys.executable, "-m", "orgkg.cli", "query", "run", "mergers", "--format", "csv"],
            env={**os.environ, "ORGKG_ROOT": str(repo)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(1)
        assert reader.poll() is None  # still waiting, not failed
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    assert len(out.splitlines()) > 1


def test_a_build_plans_again_only_if_another_wrote_while_it_waited(repo, tmp_path, monkeypatch):
    """The plan is made before the lock is taken; a builder that ran meanwhile (a new store mark,
    a commit to the index) makes it be made again, so what that one loaded is not loaded twice."""
    waiting, other = EmbeddedStore(repo, tmp_path / "cache"), EmbeddedStore(repo, tmp_path / "cache")
    waiting.build()
    article = repo / "graph" / "articles" / "nghe-an-2024.ttl"
    plans = []
    plan, lock = EmbeddedStore._plan, EmbeddedStore._lock
    monkeypatch.setattr(EmbeddedStore, "_plan", lambda self, *args: plans.append(self) or plan(self, *args))

    def edit() -> None:
        article.write_text(article.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        time.sleep(0.01)

    edit()
    assert waiting.build().loaded == ["graph/articles/nghe-an-2024.ttl"] and plans == [waiting]
    plans.clear()
    edit()

    def other_builds_first(self, exclusive):
        if self is waiting:
            assert other.build().loaded == ["graph/articles/nghe-an-2024.ttl"]
        return lock(self, exclusive)

    monkeypatch.setattr(EmbeddedStore, "_lock", other_builds_first)
    assert waiting.build().loaded == []
    assert plans == [waiting, other, waiting]


def test_a_broken_file_in_a_first_build_leaves_nothing_half_trusted(repo, tmp_path):
    from orgkg.loading import TurtleSyntaxError

    central = repo / "graph" / "reference" / "central.ttl"
    good = central.read_text(encoding="utf-8")
    central.write_text("@prefix broken")
    store = EmbeddedStore(repo, tmp_path / "cache")
    with pytest.raises(TurtleSyntaxError):
        store.build()
    assert store.size() == 0  # no manifest: nothing the store holds is trusted
    central.write_text(good, encoding="utf-8")
    report = store.build()
    assert report.rebuilt and report.unchanged == 0 and report.triples > 4000


def test_a_store_folder_refilled_with_an_older_copy_is_rebuilt_not_read(repo, tmp_path):
    """Issue 22 item 5: the folder's inode is the same, its contents an older valid store."""
    store = EmbeddedStore(repo, tmp_path / "cache")
    ask = "ASK { ?s ?p 'added later' }"
    assert store.query(ask).boolean is False
    older = tmp_path / "older"
    shutil.copytree(store.location, older)
    article = repo / "graph" / "articles" / "nghe-an-2024.ttl"
    article.write_text(article.read_text(encoding="utf-8") + "<urn:x> <urn:y> 'added later' .\n", encoding="utf-8")
    assert store.query(ask).boolean is True
    for entry in store.location.iterdir():
        entry.unlink()
    for entry in older.iterdir():
        shutil.copy2(entry, store.location / entry.name)
    assert EmbeddedStore(repo, tmp_path / "cache").query(ask).boolean is True


def test_two_checkouts_sharing_one_cache_setting_each_read_their_own_store(repo, tmp_path, monkeypatch):
    """Issue 22 item 3: with one ORGKG_CACHE, another checkout building between this one's build
    and its read (as concurrent runs do) gave this one the other's answers."""
    monkeypatch.setenv("ORGKG_CACHE", str(tmp_path / "shared"))
    other = tmp_path / "other"
    shutil.copytree(repo, other)
    (other / "graph" / "articles" / "nghe-an-2024.ttl").unlink()
    count = "SELECT (COUNT(DISTINCT ?g) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
    mine, theirs = EmbeddedStore(repo), EmbeddedStore(other)
    build = EmbeddedStore.build
    monkeypatch.setattr(mine, "build", lambda force=False, scan=None: (build(mine, force, scan), theirs.build())[0])
    graphs = len(list((repo / "graph").rglob("*.ttl"))) + 1
    assert int(mine.query(count).rows[0][0].value) == graphs
    assert int(EmbeddedStore(other).query(count).rows[0][0].value) == graphs - 1


def test_an_unchanged_repository_is_known_fresh_without_reading_the_index(repo, tmp_path, monkeypatch):
    """Issue 21: a query on files that have not changed reads one stamp, and opens no database:
    neither the stat index nor the store's manifest (one row per file); a change is still seen."""
    from orgkg.cache_db import CacheIndex

    time.sleep(2.1)  # the copied files out of the racy window
    store = EmbeddedStore(repo, tmp_path / "cache")
    expected = mergers(store)
    monkeypatch.setattr(CacheIndex, "db", property(lambda self: pytest.fail("the index was opened")))
    assert mergers(EmbeddedStore(repo, tmp_path / "cache")) == expected
    monkeypatch.undo()
    article = repo / "graph" / "articles" / "nghe-an-2024.ttl"
    article.write_text(article.read_text(encoding="utf-8") + "<urn:x> <urn:y> 'added' .\n", encoding="utf-8")
    assert EmbeddedStore(repo, tmp_path / "cache").query("ASK { ?s ?p 'added' }").boolean is True


def test_no_stamp_is_trusted_while_a_file_is_racily_clean(repo, tmp_path):
    """A file written in the last two seconds may be written again without its stat changing
    (the clock's granularity): the scan has no state then, so only the index's rows decide."""
    from orgkg.repository import Repository

    time.sleep(2.1)
    repository = Repository(repo, tmp_path / "cache")
    settled = repository.scan().state
    assert settled is not None and repository.scan().state == settled
    article = repo / "graph" / "articles" / "nghe-an-2024.ttl"
    article.write_bytes(article.read_bytes())  # the same bytes, written now
    assert repository.scan().state is None
    time.sleep(2.1)
    assert repository.scan().state not in (None, settled)  # its ctime moved


@pytest.mark.parametrize("retire_over", [0, 10**9], ids=["large update", "small update"])
def test_a_large_update_retires_the_write_ahead_log_a_small_one_leaves_it(repo, tmp_path, monkeypatch, retire_over):
    """Every read-only open replays the log: a large update's is retired by one more read-write
    open; a small one's costs an open a few ms, less than that open. The edit is seen either way."""
    from orgkg import store as store_module

    monkeypatch.setattr(store_module, "WAL_RETIRE_TRIPLES", retire_over)
    store = EmbeddedStore(repo, tmp_path / "cache")
    store.build()
    article = repo / "graph" / "articles" / "nghe-an-2024.ttl"
    article.write_text(
        article.read_text(encoding="utf-8")
        + "\n<https://w3id.org/orgkg/id/x> a <https://w3id.org/orgkg/ontology#Merger> .\n",
        encoding="utf-8",
    )
    store.build()
    logs = [path for path in store.location.glob("*.log") if path.stat().st_size > 0]
    assert bool(logs) == (retire_over > 0)
    assert store.query("ASK { <https://w3id.org/orgkg/id/x> a ?kind }").boolean


def test_a_build_keeps_only_the_newest_of_rocksdbs_old_info_logs(repo, tmp_path):
    """Each read-write open leaves RocksDB's last info log as LOG.old.<time>; a thousand are kept
    unless orgkg prunes them."""
    from orgkg.store import KEPT_INFO_LOGS

    store = EmbeddedStore(repo, tmp_path / "cache")
    article = repo / "graph" / "articles" / "nghe-an-2024.ttl"
    original = article.read_text(encoding="utf-8")
    for number in range(KEPT_INFO_LOGS + 3):
        article.write_text(original + f"\n<https://w3id.org/orgkg/id/x> <urn:n> {number} .\n", encoding="utf-8")
        store.build()
    kept = sorted(path.name for path in store.location.glob("LOG.old.*"))
    assert len(kept) == KEPT_INFO_LOGS and (store.location / "LOG").exists()
    assert store.query("ASK { <https://w3id.org/orgkg/id/x> <urn:n> 5 }").boolean


def _anonymous_memory() -> int:
    """This process's resident anonymous memory, in bytes (Linux)."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"^RssAnon:\s+(\d+) kB", status, re.MULTILINE).group(1)) * 1024


def test_memory_the_engine_freed_goes_back_to_the_system():
    """Issue 21: glibc keeps freed memory below a live block; after one large query at 100,000
    articles the docs held 1.1 GB of it. Blocks malloc'd and freed (but the last) stay resident
    until return_freed_memory."""
    import ctypes

    libc = ctypes.CDLL(None)
    if getattr(libc, "malloc_trim", None) is None or not Path("/proc/self/status").exists():
        pytest.skip("needs glibc's malloc_trim and Linux's /proc (a C library without it keeps nothing to give back)")
    libc.malloc.restype, libc.free.argtypes = ctypes.c_void_p, [ctypes.c_void_p]
    size, count = 1000, 64_000  # 64 MB in blocks under the mmap threshold: on the heap
    blocks = [libc.malloc(size) for _ in range(count)]
    for block in blocks:
        ctypes.memset(block, 1, size)
    for block in blocks[:-1]:
        libc.free(block)
    held = _anonymous_memory()
    return_freed_memory()
    assert held - _anonymous_memory() > 32_000_000
    libc.free(blocks[-1])


def test_no_garbage_collection_runs_in_the_thread_that_opens_the_store(root, tmp_path, monkeypatch):
    """RocksDB is opened in a worker thread while the files are checked; a collection run there
    would free this thread's cyclic garbage in it, and pyoxigraph's query solutions may be
    dropped only in the thread that made them ("unsendable, but is being dropped on another
    thread", seen under pytest-xdist). So the collector is off until that thread has ended."""
    import gc
    import threading

    store = EmbeddedStore(root, tmp_path)
    store.build()
    seen = []
    open_or_none = EmbeddedStore._open_or_none

    def watched(self):
        seen.append((threading.current_thread().name, gc.isenabled()))
        return open_or_none(self)

    monkeypatch.setattr(EmbeddedStore, "_open_or_none", watched)
    with store.reading() as opened:
        assert opened.query("ASK { ?s ?p ?o }")
    assert seen == [("orgkg-open", False)]
    assert gc.isenabled()
