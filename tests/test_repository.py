"""The repository model: which files make up the graph, their graphs, and what changed (a stat
index that re-reads a file only when its size, mtime or inode changed)."""

from __future__ import annotations

import os
import time

import pytest

from orgkg.repository import DataFileError, Repository, cache_dir

from .cli import run_cli


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


def test_linked_files_are_data_files_but_linked_folders_are_not_walked(repo, tmp_path):
    (repo / "graph" / "mirror.ttl").symlink_to(repo / "graph" / "articles" / "nghe-an-2024.ttl")
    (repo / "graph" / "again").symlink_to(repo / "graph" / "articles")
    names = [f.name for f in Repository(repo, tmp_path / "cache").files()]
    assert "graph/mirror.ttl" in names
    assert not [name for name in names if name.startswith("graph/again/")]


@pytest.mark.parametrize("name,error", [("notes.ttl.swp", None), ("gone.ttl", "gone.ttl: removed while being read")])
def test_a_file_removed_between_listing_and_stat_is_skipped_unless_it_is_data(repo, tmp_path, monkeypatch, name, error):
    repository = Repository(repo, tmp_path / "cache")
    before = repository.files()
    listdir = os.listdir
    monkeypatch.setattr(os, "listdir", lambda folder: [*listdir(folder), name])  # listed, then gone
    if error is None:
        assert repository.files() == before
    else:
        with pytest.raises(DataFileError, match=error):
            repository.files()


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


def test_a_digest_is_recomputed_only_when_the_stat_changes(repo, tmp_path, monkeypatch):
    repository = Repository(repo, tmp_path / "cache")
    article = repo / "graph" / "articles" / "nghe-an-2024.ttl"
    old = time.time_ns() - 10_000_000_000  # older than the racy window
    os.utime(article, ns=(old, old))
    time.sleep(2.1)  # the change time too must be out of the racy window
    first = repository.digests()["graph/articles/nghe-an-2024.ttl"]
    # Nothing changed: the index answers without reading any file.
    monkeypatch.setattr(
        "orgkg.repository._file_digest", lambda *a: pytest.fail("a file with an unchanged stat was read")
    )
    assert repository.digests()["graph/articles/nghe-an-2024.ttl"] == first
    monkeypatch.undo()
    # Same size, same mtime (set back as `touch -d` does), same inode: the ctime still moved.
    text = article.read_bytes()
    article.write_bytes(text.replace(b"Nghe An", b"Nghe Xn", 1))
    os.utime(article, ns=(old, old))
    assert repository.digests()["graph/articles/nghe-an-2024.ttl"] != first


def test_a_same_size_edit_with_its_mtime_set_back_is_seen_by_queries(repo, tmp_path):
    """Issue 22 item 4: `sed -i` then `touch -d @OLD` changed nothing a query or export saw."""
    article = repo / "graph" / "articles" / "nghe-an-2024.ttl"
    old = time.time_ns() - 10_000_000_000
    os.utime(article, ns=(old, old))
    ask = "ASK { ?s ?p ?o FILTER(CONTAINS(STR(?o), 'Nghe Xn')) }"
    assert (
        run_cli("sparql", "-e", ask, "--format", "csv", root=repo, cache=tmp_path / "cache").output.strip() == "false"
    )
    time.sleep(2.1)  # out of the racy window of the first read
    article.write_bytes(article.read_bytes().replace(b"the Nghe An Provincial", b"the Nghe Xn Provincial", 1))
    os.utime(article, ns=(old, old))
    assert run_cli("sparql", "-e", ask, "--format", "csv", root=repo, cache=tmp_path / "cache").output.strip() == "true"


def test_a_file_dated_past_2262_is_compared_file_by_file_every_time(repo, tmp_path):
    article = repo / "graph" / "articles" / "nghe-an-2024.ttl"
    far = 10**19  # ns since the epoch: past what a signed 64-bit number holds (year 2262)
    os.utime(article, ns=(far, far))
    assert Repository(repo, tmp_path / "cache").scan().state is None
    ask = "ASK { ?s ?p ?o FILTER(CONTAINS(STR(?o), 'Nghe Xn')) }"
    asked = run_cli("sparql", "-e", ask, "--format", "csv", root=repo, cache=tmp_path / "cache")
    assert asked.exit_code == 0 and asked.output.strip() == "false"
    article.write_bytes(article.read_bytes().replace(b"the Nghe An Provincial", b"the Nghe Xn Provincial", 1))
    os.utime(article, ns=(far, far))
    assert run_cli("sparql", "-e", ask, "--format", "csv", root=repo, cache=tmp_path / "cache").output.strip() == "true"


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
    repository.index.close()
    (tmp_path / "cache" / "index.sqlite").write_text('{"version": 1, "files": [1, 2]')
    assert Repository(repo, tmp_path / "cache").digests() == expected


def test_a_symlinked_ontology_out_of_the_repository_is_refused_even_with_a_warm_cache(repo, tmp_path):
    cache = tmp_path / "cache"
    assert run_cli("build", root=repo, cache=cache).exit_code == 0  # warm
    outside = tmp_path / "outside.ttl"
    ontology = repo / "ontology" / "orgkg.ttl"
    outside.write_bytes(ontology.read_bytes())
    ontology.unlink()
    ontology.symlink_to(outside)
    for command in (["build"], ["query", "run", "mergers"], ["export"], ["validate"]):
        result = run_cli(*command, root=repo, cache=cache)
        assert result.exit_code == 2 and "a symbolic link out of the repository" in result.output, command


def test_two_files_naming_one_graph_are_refused_by_every_command(repo, tmp_path):
    """Issue 22 item 1: graph/ontology/orgkg.ttl beside ontology/orgkg.ttl emptied the ontology."""
    (repo / "graph" / "ontology").mkdir()
    (repo / "graph" / "ontology" / "orgkg.ttl").write_text("<urn:a> <urn:b> <urn:c> .\n")
    for command in (
        ["build"],
        ["query", "run", "change-events"],
        ["export"],
        ["validate"],
        ["load", "http://127.0.0.1:9/x"],
    ):
        result = run_cli(*command, root=repo, cache=tmp_path / "cache")
        assert result.exit_code == 2, (command, result.output)
        assert result.output.strip().splitlines() == [
            "orgkg: graph/ontology/orgkg.ttl and ontology/orgkg.ttl would both be the graph "
            "<https://w3id.org/orgkg/graph/ontology/orgkg>; rename or remove graph/ontology/orgkg.ttl"
        ], command


@pytest.mark.parametrize(
    "name", [b"a b.ttl", b"a>b.ttl", b"a%zz.ttl", b"a\\b.ttl", b"caf\xe9.ttl", b'a"b.ttl'], ids=lambda n: repr(n)
)
def test_a_file_name_that_cannot_make_a_graph_iri_is_one_line_in_every_command(repo, tmp_path, name):
    """Issue 22 item 16: such names gave tracebacks in build, query, export... while validate
    accepted them; now every command refuses them in one line (a UTF-8 name like bằng.ttl is fine)."""
    path = os.path.join(os.fsencode(repo / "graph" / "articles"), name)
    with open(path, "wb") as handle:
        handle.write(b"<urn:a> <urn:b> <urn:c> .\n")
    for command in (["build"], ["query", "run", "mergers"], ["export"], ["validate"], ["describe", "kg:org-politburo"]):
        result = run_cli(*command, root=repo, cache=tmp_path / "cache")
        assert result.exit_code == 2, (command, result.output)
        assert len(result.output.strip().splitlines()) == 1 and "becomes its graph IRI" in result.output, command


def test_a_unicode_file_name_is_a_graph(repo, tmp_path):
    (repo / "graph" / "articles" / "cao-bằng-extra.ttl").write_text("<urn:a> <urn:b> <urn:c> .\n")
    result = run_cli(
        "sparql", "-e", "SELECT ?g { GRAPH ?g { <urn:a> ?p ?o } }", "--format", "csv", root=repo, cache=tmp_path / "c"
    )
    assert result.output.split() == ["g", "https://w3id.org/orgkg/graph/articles/cao-bằng-extra"], result.output


@pytest.mark.parametrize("setting", ["outside", "graph is a file"])
def test_outside_a_repository_every_command_says_how_to_name_one(repo, tmp_path, monkeypatch, setting):
    """Issue 22 item 2: commands answered from the checkout orgkg was installed from."""
    where = tmp_path / "elsewhere"
    where.mkdir()
    if setting == "graph is a file":
        (where / "ontology").mkdir()
        (where / "graph").write_text("")
    monkeypatch.chdir(where)
    for command in (["query", "run", "mergers"], ["export"], ["validate"], ["build"]):
        result = run_cli(*command, root=repo, cache=tmp_path / "cache", env={"ORGKG_ROOT": None})
        assert result.exit_code == 2, (command, result.output)
        assert result.output.strip().splitlines() == [
            f"orgkg: no orgkg repository (a folder with ontology/ and graph/) at or above {where}; "
            "run orgkg inside one, or name it with ORGKG_ROOT (see --root)"
        ]
    named = run_cli("--root", repo, "query", "run", "mergers", "--format", "csv", root=repo, env={"ORGKG_ROOT": None})
    assert named.exit_code == 0 and len(named.output.splitlines()) > 1, named.output
    monkeypatch.chdir(repo / "graph" / "articles")
    below = run_cli("query", "run", "mergers", "--format", "csv", root=repo, env={"ORGKG_ROOT": None})
    assert below.output == named.output


def test_an_index_that_cannot_be_written_only_costs_a_rehash(repo, tmp_path, cli, monkeypatch):
    """index.sqlite a folder: it cannot be opened as it is, and build and query run still succeed."""
    monkeypatch.setenv("ORGKG_CACHE", str(tmp_path / "cache"))
    (cache_dir(repo) / "index.sqlite" / "inside").mkdir(parents=True)
    assert cli("build", root=repo, cache=tmp_path / "cache").exit_code == 0
    result = cli("query", "run", "mergers", "--format", "csv", root=repo, cache=tmp_path / "cache")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("merger,")
