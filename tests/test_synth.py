"""The synthetic corpus: valid, in the canonical layout, reproducible, and usable from the CLI."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from rdflib.namespace import PROV, RDF

from orgkg.formatting import format_turtle
from orgkg.loading import parse_turtle
from orgkg.namespaces import KG, OA, OKG, SCHEMA
from orgkg.repository import data_files
from orgkg.synth import ERROR_KINDS, clone_article, synthesize
from orgkg.validation import validate

#: Writing and validating synthetic corpora takes seconds a test: `make check` leaves these out.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, root) -> Path:
    path = tmp_path_factory.mktemp("synth") / "ten"
    report = synthesize(10, path, root, seed=1)
    assert (report.articles, report.errors) == (10, [])
    return path


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


def test_repository_layout(corpus, root):
    articles = sorted(p.name for p in (corpus / "graph/articles").iterdir())
    assert articles == [f"{n:05d}.ttl" for n in range(1, 11)]
    assert sorted(p.name for p in (corpus / "sources").iterdir()) == [f"{n:05d}.txt" for n in range(1, 11)]
    assert (corpus / "graph/reference/central.ttl").is_file()
    for copied in ("ontology/orgkg.ttl", "ontology/shapes.ttl", "queries/lineage.rq"):
        assert (corpus / copied).read_bytes() == (root / copied).read_bytes()
    assert json.loads((corpus / "synth.json").read_text())["articles"] == 10


def test_valid_against_the_shapes_with_every_quote_verbatim(corpus):
    report = validate(corpus, data_files(corpus), corpus / "sources")
    assert report.conforms(strict=True), [f for f in report.findings][:5]
    assert report.notices == []
    assert report.triples > 10 * 150


def test_every_file_in_the_canonical_fmt_layout(corpus):
    for path in (corpus / "graph").rglob("*.ttl"):
        assert format_turtle(path) == path.read_text(encoding="utf-8"), path


def test_claims_quote_the_text_and_the_reference_holds_identity_only(corpus):
    article = parse_turtle(corpus / "graph/articles/00001.ttl")
    node = KG["article-00001"]
    assert (node, RDF.type, SCHEMA.NewsArticle) in article
    text = (corpus / "sources/00001.txt").read_text(encoding="utf-8")
    quotes = [str(quote) for quote in article.objects(None, OA.exact)]
    assert len(quotes) >= 10 and all(quote in text for quote in quotes)
    assert set(article.subjects(PROV.wasDerivedFrom, node)) == set(article.subjects(OKG.evidence, None))
    for path in (corpus / "graph/reference").iterdir():
        reference = parse_turtle(path)
        assert not set(reference.predicates()) & {PROV.wasDerivedFrom, OKG.evidence}, path


def test_same_seed_same_bytes(tmp_path, root):
    synthesize(5, tmp_path / "a", root, seed=7)
    synthesize(5, tmp_path / "b", root, seed=7)
    synthesize(5, tmp_path / "c", root, seed=8)
    assert _tree_digest(tmp_path / "a") == _tree_digest(tmp_path / "b") != _tree_digest(tmp_path / "c")


def test_seeded_errors_are_listed(tmp_path, root):
    report = synthesize(30, tmp_path / "e", root, seed=5, errors={kind: 1 for kind in ERROR_KINDS})
    assert sorted(e.kind for e in report.errors) == sorted(ERROR_KINDS)
    listed = json.loads((tmp_path / "e/synth.json").read_text())["seeded"]
    assert [e["node"] for e in listed] == [e.node for e in report.errors]


def test_clone_article_adds_one_article_with_its_own_iris(tmp_path, root):
    synthesize(3, tmp_path / "c", root, seed=2)
    added = clone_article(tmp_path / "c", 2, 4)
    graph = parse_turtle(added)
    assert (KG["article-00004"], None, SCHEMA.NewsArticle) in graph
    assert "00002" not in added.read_text(encoding="utf-8")
    with pytest.raises(FileExistsError):
        clone_article(tmp_path / "c", 2, 4)


def test_cli_refuses_an_existing_folder_and_unknown_kinds(cli, tmp_path):
    target = tmp_path / "cli"
    first = cli("dev", "synth", "2", "-o", target, "--seed", "3")
    assert first.exit_code == 0, first.output
    assert "2 articles" in first.output
    again = cli("dev", "synth", "2", "-o", target)
    assert again.exit_code == 2 and "exists and is not empty" in again.output
    assert again.output.endswith("choose another folder (see --output)\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cli"]  # nothing staged is left behind
    unknown = cli("dev", "synth", "2", "-o", tmp_path / "x", "--errors", "typo=1")
    assert unknown.exit_code == 2 and "merger-one-original" in unknown.output
    too_small = cli("dev", "synth", "1", "-o", tmp_path / "y", "--errors", "predecessor-cycle=1")
    assert too_small.exit_code == 2 and "too small" in too_small.output
    assert not (tmp_path / "y").exists()


def test_the_generators_triple_set_answers_as_rdflibs_graph():
    """The generator's triple set stands in for rdflib's Graph: after the same adds, removals and
    sets, both hold the same triples and answer lookups alike, in the same order (a seed's
    corpus depends on it: seeded errors pick the first evidence, the first document)."""
    from rdflib import BNode, Graph, Literal

    from orgkg.synth.triples import Triples

    ours, theirs = Triples(), Graph()
    a, b, c = KG["a"], KG["b"], KG["c"]
    first, second = BNode(), BNode()
    steps = [
        ("add", (a, RDF.type, OKG.Merger)),
        ("add", (a, OKG.evidence, first)),
        ("add", (a, OKG.evidence, second)),
        ("add", (a, OKG.evidence, first)),  # again: a set
        ("add", (first, OA.hasSource, b)),
        ("add", (b, PROV.wasDerivedFrom, c)),
        ("add", (c, PROV.wasDerivedFrom, c)),
        ("set", (b, PROV.wasDerivedFrom, a)),
        ("remove", (a, OKG.evidence, None)),
        ("add", (a, OKG.evidence, second)),
        ("remove", (first, None, None)),
        ("set", (a, SCHEMA.name, Literal("x"))),
    ]
    for verb, triple in steps:
        getattr(ours, verb)(triple)
        getattr(theirs, verb)(triple)
        assert set(ours.triples((None, None, None))) == set(theirs)
        assert len(ours) == len(theirs)
    for s in (a, b, c, first):
        assert list(ours.predicate_objects(s)) == list(theirs.predicate_objects(s))
        assert sorted(ours.predicates(s)) == sorted(theirs.predicates(s))
        assert ours.value(s, PROV.wasDerivedFrom) == theirs.value(s, PROV.wasDerivedFrom)
    assert list(ours.subjects(PROV.wasDerivedFrom)) == list(theirs.subjects(PROV.wasDerivedFrom))
    assert list(ours.objects(a, OKG.evidence)) == [second]
    assert ((a, None, None) in ours, (first, None, None) in ours) == (True, False)
