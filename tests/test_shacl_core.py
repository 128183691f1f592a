"""SHACL Core compiled to SPARQL (`orgkg.shacl_core`) gives pySHACL's findings, for every constraint
component it compiles (not only those ontology/shapes.ttl uses today), and hands what it does not
compile to pySHACL; Jena's SHACL engine agrees on the repository's shapes where its semantics do.
The repository's own fixtures, seed graph and seeded errors are compared in tests/test_shapes.py."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import astuple
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from orgkg.findings import result_finding
from orgkg.loading import parse_turtle
from orgkg.namespaces import bind_prefixes
from orgkg.rdfs import Closure, rdflib_vocabulary
from orgkg.repository import data_files
from orgkg.shacl_core import Compiled
from orgkg.shapes import Shapes
from orgkg.synth import ERROR_KINDS, synthesize

from . import jena

PREFIXES = """
@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""

#: One shape per component (or combination), each with a message, over the data below.
SHAPES = (
    PREFIXES
    + r"""
ex:Thing a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property ex:Name, ex:Age, ex:Code, ex:Friend, ex:Tags, ex:Colour, ex:Kind, ex:Parent, ex:Lang, ex:Short, ex:Alias .
ex:Name a sh:PropertyShape ; sh:path ex:name ; sh:minCount 1 ; sh:maxCount 2 ; sh:datatype xsd:string ;
    sh:minLength 2 ; sh:maxLength 8 ; sh:message "name" .
ex:Age a sh:PropertyShape ; sh:path ex:age ; sh:maxCount 1 ; sh:minInclusive 0 ; sh:maxExclusive 150 ;
    sh:or ( [ sh:datatype xsd:integer ] [ sh:datatype xsd:decimal ] ) ; sh:severity sh:Warning ; sh:message "age" .
ex:Code a sh:PropertyShape ; sh:path ex:code ; sh:pattern "^[a-z]+$" ; sh:flags "i" ; sh:nodeKind sh:Literal ;
    sh:message "code" .
ex:Friend a sh:PropertyShape ; sh:path ( ex:knows ex:knows ) ; sh:class ex:Thing ; sh:not [ sh:hasValue ex:nobody ] ;
    sh:message "friend of a friend" .
ex:Tags a sh:PropertyShape ; sh:path [ sh:alternativePath ( ex:tag ex:label ) ] ; sh:in ( "a" "b" ex:c ) ;
    sh:message "tags" .
ex:Colour a sh:PropertyShape ; sh:path [ sh:inversePath ex:colourOf ] ; sh:xone ( [ sh:class ex:Red ] [ sh:class ex:Dark ] ) ;
    sh:qualifiedValueShape [ sh:class ex:Red ] ; sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 2 ; sh:message "colour" .
ex:Kind a sh:PropertyShape ; sh:path rdf:type ; sh:hasValue ex:Thing ; sh:and ( [ sh:nodeKind sh:IRI ] [ sh:minExclusive 0 ] ) ;
    sh:message "kind" .
ex:Parent a sh:PropertyShape ; sh:path [ sh:oneOrMorePath ex:parent ] ; sh:node ex:Named ; sh:maxCount 3 ; sh:message "parent" .
ex:Lang a sh:PropertyShape ; sh:path [ sh:zeroOrOnePath ex:label ] ; sh:languageIn ( "en" "vi" ) ; sh:message "language" .
ex:Short a sh:PropertyShape ; sh:path [ sh:zeroOrMorePath ex:next ] ; sh:maxLength 20 ; sh:message "short" .
ex:Alias a sh:PropertyShape ; sh:path ex:alias ; sh:disjoint ex:name ; sh:message "alias" .
ex:NotSelf a sh:NodeShape ; sh:targetClass ex:Thing ; sh:disjoint ex:knows ; sh:message "not self" .
ex:Named a sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "named" ] ;
    sh:property [ sh:path ex:age ; sh:node ex:Small ; sh:message "small age" ; sh:severity sh:Info ] .
ex:Small a sh:NodeShape ; sh:maxInclusive 10 ; sh:message "small" .
ex:Listed a sh:NodeShape ; sh:targetNode ex:a, ex:missing ; sh:in ( ex:a ) ; sh:nodeKind sh:BlankNodeOrIRI ;
    sh:message "listed" .
ex:Objects a sh:NodeShape ; sh:targetObjectsOf ex:knows ; sh:nodeKind sh:IRI ; sh:node ex:Named ; sh:message "objects" .
ex:Subjects a sh:NodeShape ; sh:targetSubjectsOf ex:colourOf ; sh:or ( [ sh:class ex:Red ] [ sh:path ex:name ; sh:minCount 1 ] ) ;
    sh:message "subjects" .
ex:Off a sh:NodeShape ; sh:targetClass ex:Thing ; sh:deactivated true ; sh:nodeKind sh:Literal ; sh:message "off" .
"""
)

DATA = (
    PREFIXES
    + r"""
ex:a a ex:Thing ; ex:name "Al", "Alexander the Great", "x"@en ; ex:age 42 ; ex:code "abc", "ab1" ;
    ex:knows ex:b ; ex:tag "a", "z" ; ex:label "hello"@en, "xin chào"@vi, "hallo"@de ; ex:parent ex:b ;
    ex:next ex:b ; ex:alias "Al", "Sandro" .
ex:b a ex:Thing ; ex:age "old", -3, 200 ; ex:code ex:notLiteral ; ex:knows ex:a, ex:r3, [ a ex:Thing ; ex:name "Bo" ] ;
    ex:tag ex:c, ex:d ; ex:parent ex:c2 ; ex:label "plain" .
ex:c2 ex:name "Cy" ; ex:age 12 ; ex:parent ex:d2 .
ex:d2 ex:age 3 .
ex:r1 a ex:Red ; ex:colourOf ex:a .
ex:r2 a ex:Red, ex:Dark ; ex:colourOf ex:a ; ex:name "R" .
ex:r3 a ex:Dark ; ex:colourOf ex:b .
ex:r4 ex:colourOf ex:b .
ex:thing2 a ex:Thing ; ex:knows ex:nobody .
ex:nobody a ex:Thing ; ex:knows ex:nobody .
ex:r3 ex:knows ex:r4 .
"""
)


def plain(shapes: Graph, data: Graph) -> list:
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_infos=True, allow_warnings=True)
    return [result_finding(results, r, data, shapes, {}) for r in results.subjects(RDF.type, SH.ValidationResult)]


def compiled(shapes: Graph, data: Graph) -> list:
    return [finding for finding, _, _ in Shapes(shapes).run(data, [], {})]


def assert_same(shapes: Graph, data: Graph) -> list:
    expected, found = Counter(map(astuple, plain(shapes, data))), Counter(map(astuple, compiled(shapes, data)))
    assert expected == found, (sorted(expected - found), sorted(found - expected))
    return sorted(expected)


def test_every_compiled_component_gives_pyshacls_results():
    shapes, data = Graph().parse(data=SHAPES, format="turtle"), Graph().parse(data=DATA, format="turtle")
    assert not Shapes(shapes).delegated
    findings = assert_same(shapes, data)
    fired = {finding[2] for finding in findings}
    assert {"name", "age", "code", "friend of a friend", "tags", "colour", "kind", "parent", "language"} <= fired
    assert {"named", "small age", "small", "listed", "objects", "subjects"} <= fired  # nested, sh:detail too
    assert "short" in fired  # a zero-length path reaches the focus node itself, an IRI over 20 characters
    assert {"alias", "not self"} <= fired  # sh:disjoint on a property's values and on the focus node itself
    assert "off" not in fired


def test_components_it_does_not_compile_go_to_pyshacl():
    shapes = Graph().parse(
        data=SHAPES
        + """ex:Closed a sh:NodeShape ; sh:targetClass ex:Red ; sh:closed true ; sh:ignoredProperties ( rdf:type ) ;
                sh:message "closed" .
             ex:Unique a sh:NodeShape ; sh:targetClass ex:Thing ;
                sh:property [ sh:path ex:label ; sh:uniqueLang true ; sh:message "unique" ] .""",
        format="turtle",
    )
    data = Graph().parse(data=DATA + 'ex:a ex:label "again"@en .', format="turtle")
    assert Shapes(shapes).delegated == {URIRef("http://example.org/Closed"), URIRef("http://example.org/Unique")}
    fired = {finding[2] for finding in assert_same(shapes, data)}
    assert {"closed", "unique", "name"} <= fired


def test_a_recursive_shape_goes_to_pyshacl():
    shapes = Graph().parse(
        data=PREFIXES
        + """ex:Chain a sh:NodeShape ; sh:targetClass ex:Thing ;
                sh:property [ sh:path ex:parent ; sh:node ex:Chain ; sh:message "chain" ] ; sh:message "chain" .""",
        format="turtle",
    )
    assert Shapes(shapes).delegated == {URIRef("http://example.org/Chain")}


def test_compiled_checks_read_back_from_text_run_the_same(root):
    """Incremental validation keeps the compiled checks in its cache (`Compiled.to_json`): read
    back, they are the same checks (blank-node shapes and delegated shapes included) and a
    shapes graph given them compiles nothing."""
    shapes = Graph().parse(
        data=SHAPES + 'ex:Closed a sh:NodeShape ; sh:targetClass ex:Red ; sh:closed true ; sh:message "closed" .',
        format="turtle",
    )
    first = Shapes(shapes).compiled
    again = Compiled.from_json(first.to_json())
    assert again == first and any(check.path is None for check in again.checks)
    assert again.delegated == {URIRef("http://example.org/Closed")}
    data = Graph().parse(data=DATA, format="turtle")
    given = Shapes(shapes, again)
    assert sorted(map(astuple, (f for f, _, _ in given.run(data, [], {})))) == sorted(map(astuple, plain(shapes, data)))
    repository = parse_turtle(root / "ontology" / "shapes.ttl")
    assert Compiled.from_json(Shapes(repository).compiled.to_json()) == Shapes(repository).compiled


# --- Jena's SHACL engine, on the repository's shapes ---------------------------------------------


def closed_union(root: Path) -> Graph:
    """The data as the shapes are written for: every file and the ontology, RDFS-closed."""
    ontology = parse_turtle(root / "ontology" / "orgkg.ttl")
    data = bind_prefixes(Graph())
    for path in data_files(root):
        data += parse_turtle(path)
    data += ontology
    data.addN((s, p, o, data) for s, p, o in Closure(ontology, rdflib_vocabulary()).entailments(data))
    return data


def jena_results(work: Path, shapes: Path, data: Graph) -> Counter:
    """(focus, source shape, value) of each top-level result of Jena's `shacl validate`."""
    data_file = work / "data.nt"
    data.serialize(data_file, format="nt", encoding="utf-8")
    answer = jena.run(work, "shacl.shacl", "validate", "--shapes", str(shapes), "--data", str(data_file))
    assert "sh:ValidationReport" in answer.stdout, answer.stderr[-2000:]
    report = Graph().parse(data=answer.stdout, format="turtle")
    return Counter(
        (report.value(r, SH.focusNode), report.value(r, SH.sourceShape), report.value(r, SH.value))
        for r in report.objects(None, SH.result)
    )


@pytest.mark.slow
@pytest.mark.skipif(not jena.available(), reason="Jena (Debian libapache-jena-java) is not installed")
def test_jena_finds_the_same_on_a_corpus_with_seeded_errors(root, tmp_path):
    """Jena reports sh:node failures without pySHACL's sh:detail results, so top-level results
    are compared: the same focus, shape and value, as often, on the shapes' SHACL Core and
    SPARQL constraints alike."""
    corpus = tmp_path / "corpus"
    synthesize(20, corpus, root, seed=7, errors={kind: 1 for kind in ERROR_KINDS})
    data = closed_union(corpus)
    shapes_file = corpus / "ontology" / "shapes.ttl"
    shapes = Shapes(parse_turtle(shapes_file))
    ours = Counter()
    top = {check.shape for check in shapes.checks if _top_level(check)} | {s.node for s in shapes.sparql}
    for finding, focus, value in shapes.run(data, [], {}):
        source = URIRef(re.sub("^okgsh:", "https://w3id.org/orgkg/shapes#", finding.rule))
        if source in top:
            ours[(focus, source, value if finding.value else None)] += 1
    theirs = jena_results(tmp_path, shapes_file, data)
    theirs = Counter({(f, s, v if v is not None else None): n for (f, s, v), n in theirs.items()})
    assert sum(ours.values()) > 10
    assert ours == theirs, (sorted(ours - theirs)[:10], sorted(theirs - ours)[:10])


def _top_level(check) -> bool:
    return check.query.startswith("SELECT DISTINCT (?focus AS ?this)")
