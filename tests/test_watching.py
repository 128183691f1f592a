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

from orgkg.repository import Repository, cache_dir
from orgkg.store import EmbeddedStore
from orgkg.watching import SOCKET_NAME, watch_token

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


def walked_never(monkeypatch) -> None:
    monkeypatch.setattr(Repository, "_stat_all", lambda self, links=None: pytest.fail("the files were walked"))


def append(path: Path, text: str = "<urn:x> <urn:y> 'added' .\n") -> None:
    with open(path, "a", encoding="utf-8") as handle:  # in place: the folder's stat stays as it was
        handle.write(text)


def test_an_unchanged_watched_repository_is_fresh_without_a_stat_per_file(watched, monkeypatch):
    stamped(watched)
    token = watch_token(watched, cache_dir(watched))
    assert token is not None and token == watch_token(watched, cache_dir(watched))
    walked_never(monkeypatch)
    assert EmbeddedStore(watched).query(ADDED).boolean is False


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
def test_every_change_to_a_watched_file_is_seen_by_the_next_query(watched, change):
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
    assert socket.exists() and watch_token(repo, socket.parent) is None
    append(an_article(repo))
    assert EmbeddedStore(repo).query(ADDED).boolean is True
    with watcher_running(repo):
        assert watch_token(repo, socket.parent) is not None
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
