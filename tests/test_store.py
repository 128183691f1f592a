"""The embedded store: one named graph per file, incremental rebuilds, same answers as rdflib."""

from __future__ import annotations

import shutil

import pytest

from orgkg.catalogue import load_catalogue
from orgkg.namespaces import QUERIES_DIR
from orgkg.store import EmbeddedStore, RdflibEngine

from .compare import comparable


@pytest.fixture
def repo(root, tmp_path):
    copy = tmp_path / "repo"
    for folder in ("ontology", "graph", "queries"):
        shutil.copytree(root / folder, copy / folder)
    return copy


def test_build_loads_every_file_then_only_what_changed(repo, tmp_path):
    store = EmbeddedStore(repo, tmp_path / "cache")
    first = store.build()
    assert first.unchanged == 0 and len(first.loaded) >= 4
    again = store.build()
    assert again.loaded == [] and again.triples == first.triples
    article = repo / "graph" / "articles" / "nghe-an-2024.ttl"
    article.write_text(article.read_text(encoding="utf-8") +
                       '\n<https://w3id.org/orgkg/id/x> <https://w3id.org/orgkg/id/p> "added" .\n',
                       encoding="utf-8")
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


def test_every_saved_query_gives_the_same_rows_on_oxigraph_and_rdflib(root, tmp_path):
    oxigraph, reference = EmbeddedStore(root, tmp_path / "cache"), RdflibEngine(root)
    for query in load_catalogue(root / QUERIES_DIR).values():
        sparql = query.bind({})
        assert comparable(oxigraph.query(sparql)) == comparable(reference.query(sparql)), query.name


def test_every_saved_query_returns_rows_on_the_seed_graph(root, tmp_path):
    store = EmbeddedStore(root, tmp_path / "cache")
    empty = [q.name for q in load_catalogue(root / QUERIES_DIR).values() if not store.query(q.bind({})).rows]
    assert empty == []
