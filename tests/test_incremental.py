"""Incremental validation reports exactly what a full pySHACL run reports, before and after edits.

One synthetic corpus with every kind of seeded error; after each edit (an article added, removed,
a node shared across articles, the reference changed, a broken file) the incremental report is
compared with a full `validate` of the same files: same findings (severity, rule, focus node,
file, message, value), same triple count. Speed is measured by bench/, not here.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from dataclasses import astuple
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.compare import to_isomorphic
from rdflib.namespace import RDF, RDFS

from orgkg.incremental import validate_incremental
from orgkg.incremental.schema import Schema
from orgkg.loading import parse_turtle
from orgkg.namespaces import ELI, KG, OKG
from orgkg.repository import cache_dir, data_files
from orgkg.store import EmbeddedStore
from orgkg.synth import ERROR_KINDS, clone_article, synthesize
from orgkg.validation import VIOLATION, validate


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, root) -> Path:
    path = tmp_path_factory.mktemp("incremental") / "corpus"
    synthesize(30, path, root, seed=5, errors={kind: 1 for kind in ERROR_KINDS})
    return path


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("ORGKG_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _short_name(iri) -> str:
    return "kg:" + str(iri)[len(str(KG)) :]


def _same_as_full(root: Path, jobs: int | None = None) -> list:
    """Run both validators; assert they agree; return the findings."""
    sources = root / "sources"
    incremental = validate_incremental(root, sources, jobs)
    full = validate(root, data_files(root), sources)
    only_full = Counter(map(astuple, full.findings)) - Counter(map(astuple, incremental.findings))
    only_incremental = Counter(map(astuple, incremental.findings)) - Counter(map(astuple, full.findings))
    assert not only_full and not only_incremental, (sorted(only_full), sorted(only_incremental))
    assert (incremental.triples, incremental.notices) == (full.triples, full.notices)
    return full.findings


@pytest.mark.slow
def test_same_report_as_a_full_run_on_seeded_errors(corpus, cache):
    findings = _same_as_full(corpus)
    seeded = json.loads((corpus / "synth.json").read_text())["seeded"]
    found = {(f.rule, f.focus) for f in findings}
    for error in seeded:
        focus = "kg:" + error["node"].rsplit("/", 1)[1]
        assert (error["rule"], focus) in found, error
    assert {f.severity for f in findings} == {VIOLATION, "Warning"}
    # The cycle spans two article files: only the corpus-wide check can see it.
    cycle = next(e for e in seeded if e["kind"] == "predecessor-cycle")
    assert sum(f.rule == "okgsh:NoCircularSuccessionShape" for f in findings) == 2, cycle


@pytest.mark.slow
def test_the_reference_kept_in_memory_is_bounded_and_forgotten_whole(corpus, cache, monkeypatch):
    """A process keeps the reference descriptions it read, up to REFERENCE_CACHE nodes; full, it
    forgets them and reads every node a unit asks for again (at 10,000 articles a unit once asked
    for a node just forgotten: a KeyError)."""
    monkeypatch.setattr("orgkg.incremental.schema.REFERENCE_CACHE", 5)
    _same_as_full(corpus, jobs=1)  # one process: the bound above holds in it


@pytest.mark.parametrize("indexed", [False, True], ids=["node by node", "indexed"])
def test_a_nodes_reference_description_is_read_from_the_reference_graphs_alone(corpus, cache, indexed):
    """What a unit reads of the reference about every IRI of the corpus, put together, is the
    reference files' triples, no more (no article's triples about a node) and no fewer: in a
    process with the index of which graphs describe each node, and in one without (nodes read in
    every graph, and those with more quads than there are reference graphs looked up graph by
    graph)."""
    store = EmbeddedStore(corpus)
    store.build()
    reference_files = sorted((corpus / "graph" / "reference").glob("*.ttl"))
    schema = Schema.load(
        corpus, store.repository.cache, [store.repository.graph_name(p) for p in reference_files], indexed=indexed
    )
    with store.reading() as data:  # each IRI subject: its quads in every graph
        quads = Counter(
            q.subject.value
            for q in data.quads_for_pattern(None, None, None, None)
            if isinstance(q.subject, ox.NamedNode)
        )
    reference_graphs = len(schema.reference_graphs)
    assert any(n > reference_graphs for n in quads.values()) and any(n <= reference_graphs for n in quads.values())
    read = Graph()
    for iri in sorted(quads):
        read += schema.reference_about([iri])
    expected = Graph()
    for path in reference_files:
        expected += parse_turtle(path)
    assert to_isomorphic(read) == to_isomorphic(expected)
    # What the process keeps: with the index, only the nodes the reference describes (an article's
    # own IRIs, most of those asked for, would fill the memo and have it forgotten again and again).
    described = {str(s) for s in expected.subjects() if isinstance(s, URIRef)}
    assert set(schema._about) == (described if indexed else set(quads))


def test_second_run_reuses_every_unit(corpus, cache, monkeypatch):
    first = validate_incremental(corpus, corpus / "sources")
    import orgkg.incremental as incremental

    def refuse(*args, **kwargs):
        raise AssertionError("a unit was validated again although nothing changed")

    monkeypatch.setattr(incremental, "run_units", refuse)
    second = validate_incremental(corpus, corpus / "sources")
    assert sorted(map(astuple, second.findings)) == sorted(map(astuple, first.findings))


def test_an_article_text_edited_in_place_is_checked_again(corpus, tmp_path, cache):
    """Only the text's own stat says it changed (no data file did): the articles that quote it
    are checked again, their quotes reported while the text lacks them and not once restored."""
    root = tmp_path / "texts"
    shutil.copytree(corpus, root)
    before = sorted(map(astuple, _same_as_full(root)))
    text = root / "sources" / "00001.txt"
    original = text.read_text(encoding="utf-8")
    text.write_text("Nothing that the article quotes.\n", encoding="utf-8")
    edited = _same_as_full(root)
    assert {f.file for f in edited if f.rule == "quote-verbatim"} == {"graph/articles/00001.ttl"}
    text.write_text(original, encoding="utf-8")
    assert sorted(map(astuple, _same_as_full(root))) == before


@pytest.mark.slow
def test_edits_keep_it_equal_to_a_full_run(corpus, tmp_path, cache):
    root = tmp_path / "edited"
    shutil.copytree(corpus, root)
    _same_as_full(root)
    # An article added, then removed again.
    clone_article(root, 3, 31)
    _same_as_full(root)
    (root / "graph/articles/00031.ttl").unlink()
    _same_as_full(root)
    # A node of one article described by another article too: judged on both files. Its own
    # article dropped its quote (a seeded error), so the other article's triple must not hide it.
    seeded = json.loads((root / "synth.json").read_text())["seeded"]
    bare = next(e for e in seeded if e["kind"] == "missing-evidence" and e["rule"] == "okgsh:ClaimEvidence")
    other = root / "graph/articles/00007.ttl"
    assert bare["file"] != "graph/articles/00007.ttl"
    other.write_text(
        other.read_text(encoding="utf-8")
        + f'\n<{bare["node"]}> <http://www.w3.org/2000/01/rdf-schema#comment> "Also here." .\n',
        encoding="utf-8",
    )
    findings = _same_as_full(root)
    assert any(f.rule == "okgsh:ClaimEvidence" and bare["node"].endswith(f.focus[3:]) for f in findings)
    # A succession cycle closed by an edit in another file, then opened again.
    later, earlier, home = next(
        (s, o, path)
        for path in sorted((root / "graph/articles").iterdir())
        for s, o in parse_turtle(path).subject_objects(OKG.predecessor)
    )
    elsewhere = next(p for p in sorted((root / "graph/articles").iterdir()) if p != home)
    before = elsewhere.read_text(encoding="utf-8")
    elsewhere.write_text(before + f"\n<{earlier}> <{OKG.predecessor}> <{later}> .\n", encoding="utf-8")
    findings = _same_as_full(root)
    assert {f.focus for f in findings if f.rule == "okgsh:NoCircularSuccessionShape"} >= {
        _short_name(later),
        _short_name(earlier),
    }
    elsewhere.write_text(before, encoding="utf-8")
    findings = _same_as_full(root)
    assert _short_name(later) not in {f.focus for f in findings if f.rule == "okgsh:NoCircularSuccessionShape"}
    # A second unit on a figure: sh:maxCount sees both values.
    figure = root / "graph/articles/00005.ttl"
    figure.write_text(
        figure.read_text(encoding="utf-8").replace("okg:unit okg:Persons", "okg:unit okg:Persons, okg:Cadres", 1),
        encoding="utf-8",
    )
    _same_as_full(root)
    # Two articles each give a reference document a value its sh:maxCount counts: only a view of
    # both sees two; one article alone giving one is no violation.
    document = "https://w3id.org/orgkg/id/doc-21-nq-tw-n1"
    first, second = root / "graph/articles/00002.ttl", root / "graph/articles/00004.ttl"
    first.write_text(
        first.read_text(encoding="utf-8") + f'\n<{document}> <{OKG.subject}> "One subject" .\n', encoding="utf-8"
    )
    findings = _same_as_full(root)
    assert not any(f.focus == "kg:doc-21-nq-tw-n1" and f.path == "okg:subject" for f in findings), findings
    second.write_text(
        second.read_text(encoding="utf-8") + f'\n<{document}> <{OKG.subject}> "Another subject" .\n', encoding="utf-8"
    )
    findings = _same_as_full(root)
    assert any(f.focus == "kg:doc-21-nq-tw-n1" and f.path == "okg:subject" for f in findings), findings
    # A third article tells the seeded duplicate document from its original: the warning goes,
    # though neither file that describes the two documents changed.
    copy = next(e for e in seeded if e["kind"] == "duplicate-document")["node"]
    assert any(f.rule == "duplicate-document" and f.focus == _short_name(copy) for f in findings)
    third = next(
        path
        for path in sorted((root / "graph/articles").iterdir())
        if copy not in path.read_text(encoding="utf-8") and path not in (first, second, other)
    )
    third.write_text(
        third.read_text(encoding="utf-8")
        + f"\n<{copy}> <http://www.w3.org/2002/07/owl#differentFrom> <{copy.rsplit('-copy-', 1)[0]}> .\n",
        encoding="utf-8",
    )
    findings = _same_as_full(root)
    assert not any(f.rule == "duplicate-document" and f.focus == _short_name(copy) for f in findings)
    # Nodes whose IRIs name a year that no text states are warned about; labels another article
    # gives them, stating the year, clear the warnings. (Judged on the same two files, the two
    # nodes share one view, each keeping its own results.)
    node, label = f"{KG}org-test-until-2031", "<http://www.w3.org/2000/01/rdf-schema#label>"
    pair = {node: "Test body", f"{KG}org-test-office-until-2031": "Test office"}
    first.write_text(
        first.read_text(encoding="utf-8")
        + "".join(f'\n<{iri}> a <{OKG.PartyOrganization}> ; {label} "{name}"@en .\n' for iri, name in pair.items()),
        encoding="utf-8",
    )
    findings = _same_as_full(root)
    assert {f.focus for f in findings if f.rule == "iri-year"} >= set(map(_short_name, pair))
    second.write_text(
        second.read_text(encoding="utf-8")
        + "".join(f'\n<{iri}> {label} "{name} (until 2031)"@en .\n' for iri, name in pair.items()),
        encoding="utf-8",
    )
    findings = _same_as_full(root)
    assert not {f.focus for f in findings if f.rule == "iri-year"} & set(map(_short_name, pair))
    # Another article names a second node as the first: both warned about; the name taken back,
    # the warning goes (the labels that clash are kept between runs).
    before, twin = second.read_text(encoding="utf-8"), f"{KG}org-test-twin"
    second.write_text(before + f'\n<{twin}> a <{OKG.PartyOrganization}> ; {label} "Test body"@en .\n', encoding="utf-8")
    findings = _same_as_full(root)
    assert {f.focus for f in findings if f.rule == "duplicate-label"} >= {_short_name(node), _short_name(twin)}
    second.write_text(before, encoding="utf-8")
    findings = _same_as_full(root)
    assert _short_name(twin) not in {f.focus for f in findings if f.rule == "duplicate-label"}
    # The reference changes: every unit depends on it.
    central = root / "graph/reference/central.ttl"
    central.write_text(
        central.read_text(encoding="utf-8") + "\nkg:org-extra a <http://www.w3.org/ns/org#Organization> ;\n"
        '    <http://www.w3.org/2000/01/rdf-schema#label> "Extra body"@en .\n',
        encoding="utf-8",
    )
    findings = _same_as_full(root)
    assert any(f.focus == "kg:org-extra" and f.rule == "okgsh:ClaimEvidence" for f in findings)
    # A file that does not parse: only syntax findings, as in a full run.
    other.write_text(other.read_text(encoding="utf-8") + "\nkg:broken kg:x .\n", encoding="utf-8")
    findings = _same_as_full(root)
    assert [f.check for f in findings] == ["syntax"]


@pytest.mark.slow
def test_a_node_pointed_at_by_an_article_that_does_not_describe_it(corpus, tmp_path, cache):
    """An inverse path counts triples that point at a node: one from an article that says nothing
    else of the node is in no view of it, yet the full run counts it (a milestone marking a
    Provincial Party Committee, whose inverse okg:milestoneOf has sh:maxCount 0)."""
    root = tmp_path / "pointed"
    shutil.copytree(corpus, root)
    committee = next(
        node
        for path in sorted((root / "graph/reference").iterdir())
        for node in parse_turtle(path).subjects(RDF.type, OKG.ProvincialPartyCommittee)
    )
    article = next(
        path for path in sorted((root / "graph/articles").iterdir()) if str(committee) not in path.read_text("utf-8")
    )
    event = next(iter(parse_turtle(article).subjects(RDF.type, OKG.Merger)), None) or next(
        s for s in parse_turtle(article).subjects(RDF.type, None) if str(s).startswith(str(KG))
    )
    before = article.read_text(encoding="utf-8")
    _same_as_full(root)
    article.write_text(before + f"\n<{event}> <{OKG.milestoneOf}> <{committee}> .\n", encoding="utf-8")
    findings = _same_as_full(root)
    assert any(f.rule == "okgsh:CommitteeMarksNoMilestone" and f.focus == _short_name(committee) for f in findings)
    article.write_text(before, encoding="utf-8")
    findings = _same_as_full(root)
    assert not any(f.rule == "okgsh:CommitteeMarksNoMilestone" for f in findings)
    # The reference points at a node an article also describes: the article's view lacks the
    # reference's triple (a view holds what the reference says about the nodes it mentions).
    reference = sorted((root / "graph/reference").iterdir())[0]
    document = next(parse_turtle(root / "graph/reference/central.ttl").subjects(ELI.id_local, None))
    organization = f"{KG}org-test-provincial-party-organization"
    reference.write_text(
        reference.read_text(encoding="utf-8")
        + f'\n<{organization}> a <{OKG.ProvincialPartyOrganization}> ; <{RDFS.label}> "Test Party organization"@en .'
        + f"\n<{document}> <{ELI.passed_by}> <{organization}> .\n",
        encoding="utf-8",
    )
    article.write_text(before + f'\n<{organization}> <{RDFS.comment}> "Also here." .\n', encoding="utf-8")
    findings = _same_as_full(root)
    assert any(f.rule == "okgsh:PartyOrganizationDecidesNothing" for f in findings)


@pytest.mark.slow
def test_the_store_reloads_only_the_changed_article(corpus, tmp_path):
    root = tmp_path / "store"
    shutil.copytree(corpus, root)
    store = EmbeddedStore(root, cache=tmp_path / "store-cache")
    first = store.build()
    assert len(first.loaded) == len(data_files(root))
    clone_article(root, 4, 32)
    second = store.build()
    assert (second.loaded, second.removed, second.unchanged) == (["graph/articles/00032.ttl"], [], len(first.loaded))
    assert second.triples > first.triples


@pytest.mark.slow
def test_cli_flag(cli, corpus, cache):
    failing = cli(
        "validate", "--incremental", "--sources", corpus / "sources", "--format", "json", root=corpus, cache=cache
    )
    assert failing.exit_code == 1, failing.output
    assert json.loads(failing.output)["violations"] > 0
    usage = cli("validate", "--incremental", corpus / "graph", root=corpus, cache=cache)
    assert usage.exit_code == 2 and "leave out PATH" in usage.output


def test_cli_flag_on_a_conforming_corpus(cli, tmp_path, cache, root):
    synthesize(3, tmp_path / "ok", root, seed=4)
    result = cli(
        "validate", "--incremental", "--sources", tmp_path / "ok/sources", "--strict", root=tmp_path / "ok", cache=cache
    )
    assert result.exit_code == 0, result.output
    assert "conforms (strict)" in result.output


@pytest.mark.slow
def test_a_damaged_cache_is_rebuilt(corpus, cache):
    validate_incremental(corpus, corpus / "sources")
    database = cache_dir(corpus) / "validation.sqlite"
    assert database.is_file()
    database.write_bytes(b"this is not an SQLite database" * 100)
    _same_as_full(corpus)
    assert database.read_bytes().startswith(b"SQLite format 3")


@pytest.mark.slow
def test_a_cache_damaged_inside_is_rebuilt(corpus, cache):
    """The cache is not read whole on opening (that grows with the corpus): pages damaged past
    a sound header show when read, and the run starts again from an empty cache."""
    validate_incremental(corpus, corpus / "sources")
    database = cache_dir(corpus) / "validation.sqlite"
    data = bytearray(database.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for start in range(page, len(data), page):  # every page but the first: the b-trees' headers
        data[start : start + 16] = b"\xff" * 16
    database.write_bytes(bytes(data))
    _same_as_full(corpus)


@pytest.mark.slow
def test_workers_are_spawned_and_agree_with_one_process(corpus, tmp_path, monkeypatch):
    """Many changed units run in spawned worker processes (no state inherited through fork)."""
    monkeypatch.setenv("ORGKG_CACHE", str(tmp_path / "one"))
    alone = validate_incremental(corpus, corpus / "sources", jobs=1)
    monkeypatch.setenv("ORGKG_CACHE", str(tmp_path / "pool"))
    pooled = validate_incremental(corpus, corpus / "sources", jobs=2)
    assert sorted(map(astuple, pooled.findings)) == sorted(map(astuple, alone.findings))
    assert pooled.triples == alone.triples


def test_batches_are_bounded_by_their_files():
    """Units and whole-node judgements run in batches of about BATCH files: a run's memory does
    not grow with the corpus, and a task with more files than that runs alone."""
    from orgkg.incremental.unit import BATCH, batches

    tasks = [("one", "", [Path("a.ttl")])] * (BATCH + 1) + [("many", "", [Path("b.ttl")] * (BATCH + 5))]
    tasks += [("one", "", [Path("c.ttl")])]
    grouped = list(batches(tasks))
    assert [len(batch) for batch in grouped] == [BATCH, 1, 1, 1]
    assert [task for batch in grouped for task in batch] == tasks
