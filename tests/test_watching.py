"""`orgkg watch`: a real watcher process over a copy of the repository, and the store trusting
its token instead of a stat per file only while no data file changed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orgkg.cache_db import CacheIndex
from orgkg.incremental.cache import Cache
from orgkg.repository import Repository, cache_dir
from orgkg.store import EmbeddedStore
from orgkg.watching import SOCKET_NAME, ask_watcher, decode_answer

from .servers import WATCH, watcher_running

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="orgkg watch needs Linux's inotify")

ADDED = "ASK { ?s ?p 'added' }"


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch) -> Path:
    """The folder under which this test's commands and watchers keep their caches."""
    monkeypatch.setenv("ORGKG_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def an_article(repo: Path) -> Path:
    """One of the repository's articles, whichever sorts first."""
    return sorted((repo / "graph" / "articles").glob("*.ttl"))[0]


@pytest.fixture
def watched(repo):
    """The repository copy with a watcher running, its files out of the racy window."""
    time.sleep(2.1)  # the copied files settle: a racily clean file stamps nothing
    with watcher_running(repo):
        yield repo


def stamped(repo: Path) -> EmbeddedStore:
    """The store brought up to date through a query, so that it stamps the watcher's token."""
    store = EmbeddedStore(repo)
    assert store.query(ADDED).boolean is False
    return store


walking = Repository._stat_all


def walked_never(monkeypatch) -> None:
    monkeypatch.setattr(Repository, "_stat_all", lambda self, links=None: pytest.fail("the files were walked"))


def append(path: Path, text: str = "<urn:x> <urn:y> 'added' .\n") -> None:
    with open(path, "a", encoding="utf-8") as handle:  # in place: the folder's stat stays as it was
        handle.write(text)


def test_an_unchanged_watched_repository_is_fresh_without_a_stat_per_file(watched, monkeypatch):
    stamped(watched)
    answer = ask_watcher(watched, cache_dir(watched))
    assert answer is not None and answer == ask_watcher(watched, cache_dir(watched))
    files = len(Repository(watched).data_files())
    walked_never(monkeypatch)
    assert EmbeddedStore(watched).query(ADDED).boolean is False
    built = EmbeddedStore(watched).build()  # `orgkg build`'s count of unchanged files, from the manifest
    assert (built.loaded, built.removed, built.unchanged) == ([], [], files)


def test_a_store_stamped_before_the_watcher_started_takes_its_token_on_the_next_query(repo, monkeypatch):
    """The bench's case: queries without a watcher, then a watcher: the first query after it
    walks once and finds nothing changed; every later one trusts the token."""
    time.sleep(2.1)
    stamped(repo)  # no watcher yet: the stamp has no token
    with watcher_running(repo):
        assert EmbeddedStore(repo).query(ADDED).boolean is False  # walks, finds the store fresh
        walked_never(monkeypatch)
        assert EmbeddedStore(repo).query(ADDED).boolean is False


@pytest.mark.parametrize(
    "change",
    [
        "written in place",
        "mtime set back",
        "new file",
        "new folder, then written in place",
        "removed",
        "folder renamed",
    ],
)
def test_every_change_to_a_watched_file_is_seen_by_the_next_query(watched, change, monkeypatch):
    """A file's own change is named by the watcher's journal, and only that file is read again;
    a folder's change is not named, and the files are walked."""
    store = stamped(watched)
    article = an_article(watched)
    before = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0].value
    if change == "written in place":
        append(article)
    elif change == "mtime set back":
        info = article.stat()
        text = article.read_text(encoding="utf-8")
        article.write_text(text.replace('"@en', '"@xx', 1), encoding="utf-8")  # the same size
        os.utime(article, ns=(info.st_atime_ns, info.st_mtime_ns))
    elif change == "new file":
        append(watched / "graph" / "articles" / "new.ttl")
    elif change == "new folder, then written in place":
        (watched / "graph" / "extra").mkdir()
        added = watched / "graph" / "extra" / "more.ttl"
        append(added, "<urn:x> <urn:y> 'first' .\n")
        time.sleep(2.1)  # settled, so that the next query stamps the token
        assert EmbeddedStore(watched).query("ASK { ?s ?p 'first' }").boolean is True
        append(added)  # in a folder the watcher found after it started
    elif change == "removed":
        article.unlink()
    else:
        (watched / "graph" / "articles").rename(watched / "graph" / "stories")
    if change != "folder renamed":
        walked_never(monkeypatch)
    answer = EmbeddedStore(watched)
    if change == "removed":
        assert answer.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0].value != before
    elif change == "mtime set back":
        assert answer.query("ASK { ?s ?p ?o FILTER(LANG(?o) = 'xx') }").boolean is True
    elif change == "folder renamed":
        graphs = {row[0].value for row in answer.query("SELECT DISTINCT ?g WHERE { GRAPH ?g {} }").rows}
        assert any(graph.endswith(f"/stories/{article.stem}") for graph in graphs)
    else:
        assert answer.query(ADDED).boolean is True
    monkeypatch.setattr(Repository, "_stat_all", walking)
    assert_store_holds_the_files(watched)


def assert_store_holds_the_files(repo: Path) -> None:
    """The store's manifest names every data file the walk finds, with its digest."""
    store = EmbeddedStore(repo)
    held = store.index.held(store._identity())
    assert held is not None and {name: digest for name, (digest, _) in held.items()} == Repository(repo).digests()


def test_journaled_changes_one_after_another_keep_the_store_exact(watched, monkeypatch):
    """Changes read through the journal stamp no state, only the token: the next change is read
    through the journal again (the manifest's rows of the named files alone), and a command
    without the watcher walks and finds the same."""
    stamped(watched)
    walked_never(monkeypatch)
    holding = CacheIndex.held

    def named_rows_only(self, store, names=None):
        assert names is not None, "the whole manifest was read: the store's work grew with the corpus"
        return holding(self, store, names)

    monkeypatch.setattr(CacheIndex, "held", named_rows_only)
    articles = watched / "graph" / "articles"
    append(articles / "new.ttl")
    assert EmbeddedStore(watched).query(ADDED).boolean is True
    (articles / "new.ttl").rename(articles / "renamed.ttl")
    append(an_article(watched), "<urn:x> <urn:y> 'second' .\n")
    store = EmbeddedStore(watched)
    assert store.query("ASK { ?s ?p 'second' }").boolean is True
    graphs = {row[0].value for row in store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p 'added' } }").rows}
    assert [graph.rsplit("/", 1)[1] for graph in graphs] == ["renamed"]
    monkeypatch.setattr(Repository, "_stat_all", walking)
    monkeypatch.setattr(CacheIndex, "held", holding)
    assert_store_holds_the_files(watched)


def test_a_builder_that_wrote_since_the_stamp_makes_the_store_walk(watched, monkeypatch):
    """The journal counts from the store's stamp, the manifest stands for the other files: if
    another builder (one whose files were older) wrote between, neither holds, and the files
    are walked."""
    stamped(watched)
    stale = an_article(watched).relative_to(watched).as_posix()
    scanning = Repository.scan

    def scan_then_another_builder_writes(self, since=None, base=None):
        found = scanning(self, since, base)
        other = EmbeddedStore(watched)
        other._mark_build()
        other.index.hold(other._identity(), {stale: ("0" * 64, 1)})  # its older copy of the article
        return found

    monkeypatch.setattr(Repository, "scan", scan_then_another_builder_writes)
    append(watched / "graph" / "articles" / "new.ttl")  # a change for the journal to name
    EmbeddedStore(watched).build()
    monkeypatch.setattr(Repository, "scan", scanning)
    assert_store_holds_the_files(watched)


def test_the_journal_names_files_and_gives_up_on_folders(repo, tmp_path):
    """The watcher in this process: the names changed since a token, and "*" (None) where an
    event named no file, for another watcher's token, or past the journal's limit."""
    from orgkg.watching import JOURNAL_LIMIT, Watcher

    texts = [repo / "sources", tmp_path / "texts elsewhere"]
    for folder in texts:
        folder.mkdir()
    watcher = Watcher(repo, tmp_path / "watch-cache", texts)
    try:
        start = watcher.token
        articles = repo / "graph" / "articles"
        append(articles / "one.ttl")
        (repo / "README.md").write_text("beside the watched folders", encoding="utf-8")
        (repo / "sources" / "one.txt").write_text("a text", encoding="utf-8")
        (texts[1] / "two.txt").write_text("a text", encoding="utf-8")
        watcher.read_events()
        assert sorted(watcher.changed_since(start) or []) == [
            str(texts[1] / "two.txt"),
            "graph/articles/one.ttl",
            "sources/one.txt",
        ]
        assert decode_answer(watcher.answer(f"since {start}\n".encode()))[1].texts == [str(f) for f in texts]
        start = watcher.token  # from here, data files only
        append(articles / "three.ttl")
        watcher.read_events()
        assert watcher.changed_since(start) == ["graph/articles/three.ttl"]
        middle = watcher.token
        append(articles / "two.ttl")
        watcher.read_events()
        assert watcher.changed_since(middle) == ["graph/articles/two.ttl"]
        assert sorted(watcher.changed_since(start) or []) == ["graph/articles/three.ttl", "graph/articles/two.ttl"]
        assert watcher.changed_since(watcher.token) == []
        assert watcher.changed_since("another-session.0") is None
        for number in range(JOURNAL_LIMIT + 1):
            (articles / f"many-{number}.ttl").touch()
        watcher.read_events()
        assert watcher.changed_since(start) is None and watcher.changed_since(middle) is None
        before_folder = watcher.token
        (articles / "folder").mkdir()
        watcher.read_events()
        assert watcher.changed_since(before_folder) is None
        after_folder = watcher.token
        append(articles / "folder" / "four.ttl")
        watcher.read_events()
        assert watcher.changed_since(after_folder) == ["graph/articles/folder/four.ttl"]
    finally:
        watcher.close()


def test_incremental_validation_reads_only_what_the_journal_names(watched, monkeypatch, tmp_path):
    """One article added beside a watcher: validated without a walk or reading every unit's row,
    with the report (files in the walk's order, findings) that a walking run from nothing gives."""
    from orgkg.incremental import validate_incremental

    validate_incremental(watched)
    copy = watched / "graph" / "articles" / "a-copy.ttl"
    copy.write_text(an_article(watched).read_text(encoding="utf-8"), encoding="utf-8")
    walked_never(monkeypatch)
    every_unit = Cache.units
    monkeypatch.setattr(
        Cache,
        "units",
        lambda self, names=None: every_unit(self, names) if names else pytest.fail("every unit's row read"),
    )
    journaled = validate_incremental(watched)
    monkeypatch.setattr(Repository, "_stat_all", walking)
    monkeypatch.setattr(Cache, "units", every_unit)
    monkeypatch.setenv("ORGKG_CACHE", str(tmp_path / "walking"))  # no watcher answers there
    walked = validate_incremental(watched, jobs=1)
    assert str(copy) in journaled.files and journaled.files == walked.files
    assert journaled.findings == walked.findings and journaled.triples == walked.triples


def test_a_file_changed_while_incremental_validation_ran_is_validated_by_the_next_run(watched, monkeypatch):
    """The run asks the watcher before it reads any file: a change made after its scan is named
    to the next run, which validates it."""
    from orgkg import incremental

    incremental.validate_incremental(watched)
    article = an_article(watched)
    parsing = incremental.parse_all

    def parse_after_a_change(*arguments):
        append(article, "this is not Turtle\n")  # after the scan read the files
        return parsing(*arguments)

    monkeypatch.setattr(incremental, "parse_all", parse_after_a_change)
    incremental.validate_incremental(watched)
    monkeypatch.setattr(incremental, "parse_all", parsing)
    again = incremental.validate_incremental(watched)
    assert [(finding.check, finding.file) for finding in again.findings] == [
        ("syntax", article.relative_to(watched).as_posix())
    ]


def test_incremental_validation_rechecks_the_articles_whose_texts_the_journal_names(
    repo, sources, monkeypatch, tmp_path
):
    """A watched text changed: the articles quoting it are validated again, no text's stat taken;
    the report is the one a run that checks every text gives."""
    from orgkg import incremental

    shutil.copytree(sources, repo / "sources")  # the default text folder: the watcher watches it
    time.sleep(2.1)
    with watcher_running(repo):
        assert not any(finding.check == "quote" for finding in incremental.validate_incremental(repo).findings)
        text = repo / "sources" / sorted(path.name for path in sources.iterdir())[0]
        text.write_text("Nothing this article quotes.\n", encoding="utf-8")
        fingerprint = incremental.fingerprint
        monkeypatch.setattr(incremental, "fingerprint", lambda *_: pytest.fail("a text's stat was taken"))
        journaled = incremental.validate_incremental(repo)
    monkeypatch.setattr(incremental, "fingerprint", fingerprint)
    monkeypatch.setenv("ORGKG_CACHE", str(tmp_path / "walking"))  # no watcher answers there
    walked = incremental.validate_incremental(repo, jobs=1)
    assert any(finding.check == "quote" for finding in journaled.findings)
    assert journaled.findings == walked.findings


def test_linked_data_files_are_always_walked(repo):
    """A data file that is a symbolic link may point into a folder the watcher does not watch."""
    target = repo / "elsewhere" / "linked.ttl"
    target.parent.mkdir()
    target.write_text("<urn:x> <urn:y> 'linked' .\n", encoding="utf-8")
    (repo / "graph" / "linked.ttl").symlink_to(target)
    time.sleep(2.1)
    with watcher_running(repo):
        stamped(repo)
        append(target)  # in a folder no one watches
        assert EmbeddedStore(repo).query(ADDED).boolean is True


def test_a_second_watcher_is_refused(watched):
    second = subprocess.run(
        WATCH, env={**os.environ, "ORGKG_ROOT": str(watched)}, capture_output=True, text=True, timeout=30
    )
    assert second.returncode == 2 and "already watched" in second.stderr and "Traceback" not in second.stderr


def test_a_killed_watcher_leaves_queries_correct_and_its_socket_to_the_next(repo):
    time.sleep(2.1)
    with watcher_running(repo) as watcher:
        stamped(repo)
        watcher.kill()
        watcher.wait(timeout=10)
    socket = cache_dir(repo) / SOCKET_NAME
    assert socket.exists() and ask_watcher(repo, socket.parent) is None
    append(an_article(repo))
    assert EmbeddedStore(repo).query(ADDED).boolean is True
    with watcher_running(repo):
        assert ask_watcher(repo, socket.parent) is not None
    assert not socket.exists()


def test_a_watcher_whose_repository_moved_stops_and_is_never_trusted(repo, tmp_path):
    """Another repository put at the watched path is other folders: the watcher says so and stops."""
    time.sleep(2.1)
    with watcher_running(repo) as watcher:
        stamped(repo)
        repo.rename(tmp_path / "moved")
        shutil.copytree(tmp_path / "moved", repo)
        append(an_article(repo))
        assert EmbeddedStore(repo).query(ADDED).boolean is True
        assert watcher.wait(timeout=10) == 2
        assert watcher.stderr is not None
        message = watcher.stderr.read()
    assert "was moved or removed" in message and "Traceback" not in message
