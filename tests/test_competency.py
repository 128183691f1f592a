"""The public competency questions (../shared/competency-questions.md), each answered by a
SPARQL query over the graph, with the answers read off the articles by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Graph, URIRef

from orgkg.loading import parse_turtle
from orgkg.namespaces import KG, ONTOLOGY_FILE
from orgkg.rdfs import Closure, rdflib_vocabulary

from .graph_queries import NS
from .graph_queries import rows as select


def english(graph, sparql: str) -> set[str]:
    return {str(row[0]) for row in select(graph, sparql)}


def test_p1_predecessor_of_the_central_organizing_committee(kg):
    assert english(
        kg,
        """SELECT ?label WHERE {
        kg:org-central-organizing-committee okg:predecessor/rdfs:label ?label FILTER(LANG(?label) = "en") }""",
    ) == {"Ministry of Organization and Communications"}


def test_p2_organizations_merged_into_cao_bang_newspaper(kg):
    rows = select(
        kg,
        """SELECT ?original ?label WHERE {
        ?merger a okg:Merger ; org:resultingOrganization kg:org-cao-bang-newspaper ;
                org:originalOrganization ?original .
        ?original rdfs:label ?label FILTER(LANG(?label) = "en") }""",
    )
    assert {r[0] for r in rows} == {
        KG["org-cao-bang-newspaper-before-merger"],
        KG["org-cao-bang-radio-and-television-station"],
    }
    assert {str(r[1]) for r in rows} >= {"Cao Bang Radio and Television Station"}
    # the newspaper after the merger is a distinct node from the one before it
    assert KG["org-cao-bang-newspaper"] not in {r[0] for r in rows}


def test_p3_party_committees_ended_and_set_up_in_cao_bang(kg):
    rows = select(
        kg,
        """SELECT ?kind ?ended ?created WHERE {
        ?event dct:spatial kg:place-cao-bang .
        { ?event a okg:Dissolution ; okg:originalCount ?ended ; okg:originalKind ?kind }
        UNION { ?event a okg:Establishment ; okg:resultingCount ?created ; okg:resultingKind ?kind } }""",
    )
    ended = {r[0]: int(r[1]) for r in rows if r[1] is not None}
    created = {r[0]: int(r[2]) for r in rows if r[2] is not None}
    assert ended == {URIRef(NS["okg"]["DistrictPartyCommittee"]): 10, URIRef(NS["okg"]["CommunePartyCommittee"]): 161}
    assert created == {URIRef(NS["okg"]["CommunePartyCommittee"]): 56}


def test_p4_documents_mentioned_in_both_articles(kg):
    codes = english(
        kg,
        """SELECT ?code WHERE {
        kg:article-cao-bang-2025 schema:citation ?doc . kg:article-nghe-an-2024 schema:citation ?doc .
        ?doc eli:id_local ?code }""",
    )
    assert codes == {"18-NQ/TW", "19-NQ/TW", "21-NQ/TW"}
    # the Cao Bang article's loose wording resolves to the same document, with its own quote
    quotes = english(
        kg,
        """SELECT ?quote WHERE { kg:doc-21-nq-tw-n1 okg:evidence ?e .
        ?e oa:hasSource kg:article-cao-bang-2025 ; oa:hasSelector/oa:exact ?quote }""",
    )
    assert any("Resolution No. 21 of the Central Committee" in q for q in quotes)


def test_p5_new_party_members_admitted_in_nghe_an_in_2023(kg):
    rows = select(
        kg,
        """SELECT ?value ?unit ?comparator WHERE {
        ?obs okg:refArea kg:place-nghe-an ; okg:refPeriod "2023"^^xsd:gYear ;
             okg:indicator kg:indicator-new-party-members-admitted ;
             okg:value ?value ; okg:unit ?unit ; okg:comparator ?comparator }""",
    )
    assert [(Decimal(str(v)), u.split("#")[1], c.split("#")[1]) for v, u, c in rows] == [
        (Decimal(5097), "Persons", "Exactly")
    ]
    increase = select(
        kg,
        """SELECT ?value ?baseline WHERE {
        ?obs okg:refArea kg:place-nghe-an ; okg:refPeriod "2023"^^xsd:gYear ;
             okg:unit okg:Percent ; okg:value ?value ; okg:baselinePeriod ?baseline }""",
    )
    assert [(Decimal(str(v)), str(b)) for v, b in increase] == [(Decimal("27.2"), "2022")]


def test_p6_the_implied_2022_figure_is_derived_by_a_query_not_stored(kg, root):
    from orgkg.catalogue import find_query
    from orgkg.engines import RdflibEngine

    assert not select(kg, 'SELECT ?o WHERE { ?o okg:refPeriod "2022"^^xsd:gYear }')
    query = find_query(root / "queries", "derived-previous-period")
    results = RdflibEngine(root).query(query.bind({}))
    rows = [dict(zip(results.variables, row)) for row in results.rows]
    assert [(int(r["derivedValue"].value), r["baselinePeriod"].value, r["derived"].value) for r in rows] == [
        (4007, "2022", "true")
    ]


def test_p7_head_of_the_cao_bang_organizing_committee(kg):
    assert english(
        kg,
        """SELECT ?name WHERE {
        ?post org:postIn kg:org-cao-bang-provincial-party-organizing-committee ; rdfs:label ?postLabel .
        FILTER(STRSTARTS(?postLabel, "Head"))
        ?person org:holds ?post ; rdfs:label ?name FILTER(LANG(?name) IN ("", "en")) }""",
    ) == {"Le Hai Yen"}


def test_p8_founding_date_of_the_communist_party_of_vietnam(kg):
    assert english(
        kg,
        """SELECT ?date WHERE {
        ?event a okg:Establishment ; org:resultingOrganization kg:org-communist-party-of-vietnam ;
               dct:date ?date }""",
    ) == {"1930-02-03"}


def test_p9_dates_of_the_20th_cao_bang_provincial_party_congress(kg):
    rows = select(
        kg,
        """SELECT ?start ?end WHERE {
        ?congress a okg:Congress ; okg:ordinal 20 ; dct:spatial|schema:location kg:place-cao-bang ;
                  schema:startDate ?start ; schema:endDate ?end }""",
    )
    assert [(str(s), str(e)) for s, e in rows] == [("2025-09-15", "2025-09-17")]


def test_p10_source_and_words_of_the_highest_ratio_claim(kg):
    rows = select(
        kg,
        """SELECT DISTINCT ?article ?quote WHERE {
        ?claim okg:evidence ?e . ?e oa:hasSource ?article ; oa:hasSelector/oa:exact ?quote .
        FILTER(CONTAINS(?quote, "the highest ratio of party members/population")) }""",
    )
    assert {r[0] for r in rows} == {KG["article-cao-bang-2025"]}


@pytest.fixture(scope="module")
def standard_view(kg, root) -> Graph:
    """The graph plus its RDFS entailments, as a client that knows only the standards sees it."""
    ontology = parse_turtle(root / ONTOLOGY_FILE)
    view = Graph()
    for triple in Closure(ontology, rdflib_vocabulary()).entailments(kg):
        view.add(triple)
    return kg + view


STANDARD = """PREFIX org: <http://www.w3.org/ns/org#> PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX eli: <http://data.europa.eu/eli/ontology#> PREFIX schema: <http://schema.org/>
PREFIX qb: <http://purl.org/linked-data/cube#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def test_standard_client_finds_the_mergers(standard_view):
    rows = standard_view.query(
        STANDARD
        + """SELECT ?event (COUNT(DISTINCT ?o) AS ?originals) WHERE {
        ?event a org:ChangeEvent ; org:originalOrganization ?o ; org:resultingOrganization ?r }
        GROUP BY ?event HAVING (COUNT(DISTINCT ?o) >= 2 && COUNT(DISTINCT ?r) = 1)"""
    )
    assert KG["event-cao-bang-merger-newspaper-and-radio-television-station"] in {r[0] for r in rows}


def test_standard_client_finds_the_predecessor_of_the_central_organizing_committee(standard_view):
    rows = standard_view.query(
        STANDARD
        + """SELECT ?p WHERE {
        <https://w3id.org/orgkg/id/org-central-organizing-committee> prov:wasDerivedFrom ?p .
        ?p a org:Organization }"""
    )
    assert {r[0] for r in rows} == {KG["org-ministry-of-organization-and-communications"]}


def test_standard_client_finds_documents_by_code(standard_view):
    rows = standard_view.query(
        STANDARD
        + """SELECT ?doc WHERE {
        ?doc a eli:LegalResource ; eli:id_local "2993-QD/TU" }"""
    )
    assert len(rows) == 1


def test_standard_client_finds_the_2023_nghe_an_admissions(standard_view):
    rows = standard_view.query(
        STANDARD
        + """SELECT ?value WHERE {
        ?obs a qb:Observation ; ?dimension <https://w3id.org/orgkg/id/place-nghe-an> ;
             ?period "2023"^^<http://www.w3.org/2001/XMLSchema#gYear> ; ?measure ?value .
        ?measure a qb:MeasureProperty . ?dimension a qb:DimensionProperty }"""
    )
    assert {Decimal(str(r[0])) for r in rows} >= {Decimal(5097)}
