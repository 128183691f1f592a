"""The canonical Turtle layout: same triples, stable output, idempotent."""

from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from orgkg.formatting import format_turtle
from orgkg.repository import turtle_files

SAMPLE = """# A sample
@prefix kg: <https://w3id.org/orgkg/id/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix okg: <https://w3id.org/orgkg/ontology#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
kg:z okg:evidence [ oa:hasSelector [ oa:exact "b \\"quoted\\"\\nline" ] ], [ oa:hasSelector [ oa:exact "a" ] ] .
kg:a a okg:Merger ; okg:value "2000"^^xsd:decimal, 3.5, 7 ; okg:flag true ; okg:label "x"@vi, "y"@en .
kg:s sh:or ( [ sh:datatype xsd:date ] [ sh:datatype xsd:gYear ] ) ; sh:in () .
_:shared okg:p kg:a . kg:a okg:q _:shared . kg:z okg:q _:shared .
"""


def test_formatting_keeps_every_triple_and_is_idempotent(tmp_path):
    source = tmp_path / "sample.ttl"
    source.write_text(SAMPLE)
    first = format_turtle(source)
    assert first.startswith("# A sample\n\n@prefix kg:")
    assert isomorphic(Graph().parse(data=first, format="turtle"), Graph().parse(data=SAMPLE, format="turtle"))
    source.write_text(first)
    assert format_turtle(source) == first


def test_formatting_does_not_depend_on_blank_node_identifiers(tmp_path):
    outputs = set()
    for attempt in range(5):
        source = tmp_path / f"sample{attempt}.ttl"
        source.write_text(SAMPLE)
        outputs.add(format_turtle(source))
    assert len(outputs) == 1


@pytest.mark.slow
def test_repository_files_round_trip(root):
    for path in turtle_files(root):
        formatted = format_turtle(path)
        assert isomorphic(Graph().parse(data=formatted, format="turtle"), Graph().parse(path)), path


def test_rdf_type_as_an_object_is_written_as_an_iri_not_as_the_keyword_a(tmp_path):
    source = tmp_path / "statement.ttl"
    source.write_text(
        "@prefix kg: <https://w3id.org/orgkg/id/> .\n"
        "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
        "kg:i a rdf:Statement ; rdf:predicate rdf:type ; rdf:object kg:c .\n"
    )
    written = format_turtle(source)
    assert "rdf:predicate rdf:type" in written
    assert isomorphic(Graph().parse(data=written, format="turtle"), Graph().parse(source, format="turtle"))
