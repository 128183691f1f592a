"""Lint rules of orgkg.validation that look across the whole graph: duplicate documents, IRI years."""

from __future__ import annotations

from rdflib import Graph

from orgkg.namespaces import bind_prefixes
from orgkg.terms import oxigraph_store
from orgkg.validation import duplicate_document_findings, iri_year_findings, node_texts

PREFIXES = """
@prefix kg: <https://w3id.org/orgkg/id/> .
@prefix eli: <http://data.europa.eu/eli/ontology#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix okg: <https://w3id.org/orgkg/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def directive(iri: str, quote: str, facts: str = "") -> str:
    return f"""{iri} eli:id_local "35-CT/TW" ; eli:passed_by kg:org-politburo ; {facts}
        okg:evidence [ oa:hasSelector [ oa:exact "{quote}" ] ] ."""


def duplicates(*documents: str) -> list:
    graph = bind_prefixes(Graph()).parse(data=PREFIXES + "\n".join(documents), format="turtle")
    short = graph.namespace_manager.normalizeUri
    return duplicate_document_findings(oxigraph_store(graph), short, {})


REVIEWED = "Summarizing Directive No. 35-CT/TW of the Politburo"
ISSUED = "the Politburo issued Directive No. 35-CT/TW"


def test_two_iris_that_nothing_tells_apart_are_a_possible_duplicate_quoting_both():
    findings = duplicates(directive("kg:a", REVIEWED), directive("kg:b", ISSUED))
    assert [(f.severity, f.rule, f.focus) for f in findings] == [
        ("Warning", "duplicate-document", "kg:a"),
        ("Warning", "duplicate-document", "kg:b"),
    ]
    assert REVIEWED in findings[0].message and ISSUED in findings[0].message
    assert "possible duplicate" in findings[0].message and "merge them only if" in findings[0].message


def test_a_document_quoted_several_times_is_shown_by_its_first_quote_in_code_point_order():
    quoted_twice = directive("kg:a", ISSUED) + f' kg:a okg:evidence [ oa:hasSelector [ oa:exact "{REVIEWED}" ] ] .'
    findings = duplicates(quoted_twice, directive("kg:b", ISSUED))
    assert f"this one is quoted {min(ISSUED, REVIEWED)!r}, that one {ISSUED!r}" in findings[0].message


def test_a_missing_fact_does_not_tell_documents_apart():
    assert duplicates(
        directive("kg:a", REVIEWED, 'okg:subject "Party Congresses at all levels" ;'), directive("kg:b", ISSUED)
    )


def test_what_the_text_tells_apart_is_told_apart():
    for one, other in [
        (
            'okg:subject "Party Congresses at all levels" ;',
            'okg:subject "Party Congresses at all levels towards the 14th National Congress" ;',
        ),
        ("okg:forCongress kg:event-13th-national-congress ;", "okg:forCongress kg:event-14th-national-congress ;"),
        ("okg:tenure 12 ;", "okg:tenure 13 ;"),
        ('eli:date_document "2019-05-30"^^xsd:date ;', 'eli:date_document "2024-06-14"^^xsd:date ;'),
        ("owl:differentFrom kg:b ;", ""),
    ]:
        assert duplicates(directive("kg:a", REVIEWED, one), directive("kg:b", ISSUED, other)) == [], one


def test_the_same_subject_in_other_spacing_or_case_does_not_tell_apart():
    assert duplicates(
        directive("kg:a", REVIEWED, 'okg:subject "Party Congresses at all levels" ;'),
        directive("kg:b", ISSUED, 'okg:subject "party congresses  at all levels" ;'),
    )


def iri_years(data: str) -> list:
    graph = bind_prefixes(Graph()).parse(data=PREFIXES + data, format="turtle")
    return iri_year_findings(node_texts(graph), graph.namespace_manager.normalizeUri, {})


def test_a_year_in_an_iri_that_no_label_date_or_quote_states_is_flagged():
    (finding,) = iri_years("""kg:org-newspaper-until-2025 rdfs:label "Cao Bang Newspaper (before the merger)"@en ;
        okg:evidence [ oa:hasSelector [ oa:exact "merging Cao Bang Newspaper" ] ] .""")
    assert (finding.severity, finding.rule, finding.focus) == ("Warning", "iri-year", "kg:org-newspaper-until-2025")
    assert "2025" in finding.message


def test_years_stated_by_a_label_a_date_or_a_quote_are_fine():
    assert (
        iri_years("""
        kg:term-2020-2025 rdfs:label "2020-2025 term"@en .
        kg:decision-2002-02-02-day okg:date "2002-02-02"^^xsd:date .
        kg:obs-1930 okg:evidence [ oa:hasSelector [ oa:exact "on October 14, 1930" ] ] .
        kg:doc-2993-qd-tu-n1 rdfs:label "Regulation No. 2993-QD/TU"@en .""")
        == []
    )


def test_full_validation_reports_progress_for_each_file_then_each_check(root):
    """What `orgkg validate` shows on a terminal: every file parsed, then SHACL, lint, corpus
    rules and quotes, counting up to the total."""
    from orgkg.namespaces import ONTOLOGY_FILE, SHAPES_FILE
    from orgkg.validation import validate

    files = sorted((root / "tests" / "fixtures" / "shapes").glob("article-*.pass.ttl"))
    calls: list[tuple[int, int]] = []
    validate(root, files, complete=False, progress=lambda done, total: calls.append((done, total)))
    total = len({*files, root / ONTOLOGY_FILE, root / SHAPES_FILE}) + 4
    assert calls == [(done, total) for done in range(1, total + 1)]


def test_a_later_articles_resolution_18_or_19_on_another_subject_is_not_merged_into_the_seed_ones(kg):
    """Issue 19 item 12: doc-18-nq-tw-n1 and doc-19-nq-tw-n1 carry what the articles say of them."""
    for code in ("18-NQ/TW", "19-NQ/TW"):
        graph = bind_prefixes(Graph())
        graph += kg
        graph.parse(
            data=PREFIXES
            + f"""kg:later eli:id_local "{code}" ; eli:passed_by kg:org-central-committee ;
                    okg:subject "land policy and law" ; eli:date_document "2022-06-16"^^xsd:date ;
                    okg:evidence [ oa:hasSelector [ oa:exact "Resolution No. {code} on land" ] ] .""",
            format="turtle",
        )
        findings = duplicate_document_findings(oxigraph_store(graph), graph.namespace_manager.normalizeUri, {})
        assert not [f for f in findings if "kg:later" in (f.focus, f.message)], findings
