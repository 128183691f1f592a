"""The repository model: which files make up the graph, their graphs, and what changed (a stat
index that re-reads a file only when its size, mtime or inode changed)."""

from __future__ import annotations

import os
import time

import pytest

from orgkg.repository import DataFileError, Repository


def test_data_files_are_the_ontology_then_graph_files_sorted_with_their_graphs(repo, tmp_path):
    files = Repository(repo, tmp_path / "cache").files()
    assert [f.name for f in files][:2] == ["ontology/orgkg.ttl", "graph/articles/cao-bang-2025.ttl"]
    assert [f.name for f in files[1:]] == sorted(f.name for f in files[1:])
    by_name = {f.name: f.graph for f in files}
    assert by_name["graph/articles/nghe-an-2024.ttl"] == "https://w3id.org/orgkg/graph/articles/nghe-an-2024"
    assert by_name["ontology/orgkg.ttl"] == "https://w3id.org/orgkg/graph/ontology/orgkg"


def test_a_folder_named_like_a_turtle_file_is_not_a_data_file(repo, tmp_path):
    (repo / "graph" / "odd.ttl").mkdir()
    assert "graph/odd.ttl" not in [f.name for f in Repository(repo, tmp_path / "cache").files()]


@pytest.mark.parametrize(
    "target,message",
    [
        ("/etc/hostname", "a symbolic link out of the repository"),
        ("missing.ttl", "which does not exist"),
        ("loop.ttl", "loops"),
    ],
)
def test_bad_symbolic_links_are_named_not_followed(repo, tmp_path, target, message):
    link = repo / "graph" / "loop.ttl"
    link.symlink_to(target)
    with pytest.raises(DataFileError, match=message):
        Repository(repo, tmp_path / "cache").files()


def test_a_digest_is_recomputed_only_when_the_stat_changes(repo, tmp_path):
    repository = Repository(repo, tmp_path / "cache")
    article = repo / "graph" / "articles" / "nghe-an-2024.ttl"
    old = time.time_ns() - 10_000_000_000  # older than the racy window
    os.utime(article, ns=(old, old))
    first = repository.digests()["graph/articles/nghe-an-2024.ttl"]
    # Same size, same mtime, same inode: the index answers without reading the file.
    text = article.read_bytes()
    article.write_bytes(text.replace(b"Nghe An", b"Nghe Xn", 1))
    os.utime(article, ns=(old, old))
    assert repository.digests()["graph/articles/nghe-an-2024.ttl"] == first
    # A new mtime: read again.
    os.utime(article, ns=(old + 1_000, old + 1_000))
    assert repository.digests()["graph/articles/nghe-an-2024.ttl"] != first


def test_a_file_changed_just_now_is_never_trusted_from_the_index(repo, tmp_path):
    repository = Repository(repo, tmp_path / "cache")
    article = repo / "graph" / "articles" / "nghe-an-2024.ttl"
    os.utime(article)  # edited now
    first = repository.digests()["graph/articles/nghe-an-2024.ttl"]
    stat = article.stat()
    article.write_bytes(article.read_bytes().replace(b"Nghe An", b"Nghe Xn", 1))
    os.utime(article, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # within the clock's granularity
    assert repository.digests()["graph/articles/nghe-an-2024.ttl"] != first


def test_a_damaged_index_only_costs_a_rehash(repo, tmp_path):
    repository = Repository(repo, tmp_path / "cache")
    expected = repository.digests()
    (tmp_path / "cache" / "index.json").write_text('{"version": 1, "files": [1, 2]')
    assert Repository(repo, tmp_path / "cache").digests() == expected


def test_an_index_that_cannot_be_written_only_costs_a_rehash(repo, tmp_path, cli):
    """index.json a folder: writing the index fails, and build and query run still succeed."""
    (tmp_path / "cache" / "index.json").mkdir(parents=True)
    assert cli("build", root=repo, cache=tmp_path / "cache").exit_code == 0
    result = cli("query", "run", "mergers", "--format", "csv", root=repo, cache=tmp_path / "cache")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("merger,")
