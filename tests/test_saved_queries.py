"""Saved queries answer what newcomers asked (issue 12): each test pins a question of theirs to
the rows a saved query gives on the embedded store."""

from __future__ import annotations

import csv
import io

import pytest

from .cli import run_cli
from .graph_queries import NS

#: Real servers, a browser, Jena, many processes or a site build: `make check` leaves these out.
pytestmark = pytest.mark.slow

KG = "https://w3id.org/orgkg/id/"


@pytest.fixture(scope="module")
def query(root, cache):
    def run(name: str, **params: str) -> list[dict]:
        args = ["query", "run", name, "--format", "csv"]
        for key, value in params.items():
            args += ["--param", f"{key}={value}"]
        result = run_cli(*args, root=root, cache=cache)
        assert result.exit_code == 0, result.output
        return list(csv.DictReader(io.StringIO(result.output)))

    return run


def things(rows: list[dict], column: str = "thing") -> set[str]:
    return {row[column].removeprefix(KG) for row in rows}


def test_events_in_window_finds_events_dated_with_dct_date(query):
    """Item 5: the 1930 conference and establishments are dated with dct:date only."""
    found = things(query("events-in-window", **{"from": "1930-01-01", "to": "1930-12-31"}))
    assert {
        "event-1930-first-conference-provisional-central-executive-committee",
        "event-1930-10-14-establishment-ministry-of-organization-and-communications",
        "event-1930-02-03-establishment-communist-party-of-vietnam",
    } <= found


def test_events_dated_only_by_their_term_answer_a_window(query):
    """Item 5: the competition has no date of its own, only the 2020-2025 term."""
    rows = query("events-in-window", **{"from": "2022-03-01", "to": "2022-03-31"})
    competition = [r for r in rows if r["thing"] == KG + "event-cao-bang-competition-excellent-party-cell-secretaries"]
    assert [(r["kind"], r["start"], r["end"], r["datedBy"]) for r in competition] == [
        ("competition", "2020", "2025", "https://w3id.org/orgkg/ontology#duringTerm")
    ]


def test_a_year_overlaps_a_window_inside_it(query):
    """A gYear covers all its days: the 2024 review is in a window of one day of 2024."""
    found = things(query("events-in-window", **{"from": "2024-06-01", "to": "2024-06-01"}))
    assert "event-nghe-an-review-2993-qd-tu-5-years" in found
    assert "event-94th-anniversary-party-organization-sector" not in found


def test_change_events_in_period_and_dated_in_window_share_the_date_model(query):
    """Item 12: foundings, documents and articles are dated too, whatever property says so."""
    changes = things(query("change-events-in-period", **{"from": "1930-01-01", "to": "1930-12-31"}))
    assert "event-1930-first-conference-provisional-central-executive-committee" not in changes
    assert "event-1930-04-01-establishment-first-party-cell-cao-bang" in changes
    dated = {
        r["thing"].removeprefix(KG): r["datedBy"].rsplit("/", 1)[-1]
        for r in query("dated-in-window", **{"from": "1930-01-01", "to": "1930-12-31"})
    }
    assert dated["org-ministry-of-organization-and-communications"] == "foundingDate"
    assert dated["event-1930-first-conference-provisional-central-executive-committee"] == "date"
    in_2024 = {
        r["thing"].removeprefix(KG): r["datedBy"].rsplit("/", 1)[-1]
        for r in query("dated-in-window", **{"from": "2024-06-06", "to": "2024-06-06"})
    }
    assert in_2024["doc-29-ct-tu-2024-06-06"] == "ontology#date_document"


@pytest.fixture(scope="module")
def engines(root, cache):
    from orgkg.engines import RdflibEngine
    from orgkg.store import EmbeddedStore

    return EmbeddedStore(root, cache=cache), RdflibEngine(root)


def saved_query_names() -> list[str]:
    from pathlib import Path

    return sorted(path.stem for path in (Path(__file__).resolve().parents[1] / "queries").glob("*.rq"))


@pytest.mark.parametrize("name", saved_query_names())
def test_csv_is_byte_identical_on_oxigraph_and_rdflib(root, engines, name):
    """Item 10: list cells sorted, numbers canonical, rows in a total order, on both engines."""
    from orgkg.catalogue import find_query
    from orgkg.namespaces import QUERIES_DIR
    from orgkg.results import render

    sparql = find_query(root / QUERIES_DIR, name).bind({})
    oxigraph, rdflib = (render(engine.query(sparql), "csv") for engine in engines)
    assert oxigraph == rdflib
    assert oxigraph.count("\n") > 1, f"{name} returns no rows with its defaults"


def by(rows: list[dict], column: str, value: str) -> dict:
    """The one row whose column holds value (IRIs given without the kg: namespace)."""
    found = [row for row in rows if row[column].removeprefix(KG) == value]
    assert len(found) == 1, (value, found)
    return found[0]


def test_change_events_show_kinds_without_counts_and_every_kind_of_place(query):
    """Item 6."""
    rows = query("change-events")
    steering = by(rows, "event", "event-cao-bang-dissolution-steering-committees")
    assert (steering["originalCount"], steering["originalKind"]) == ("", "steering committee")
    assert (
        by(rows, "event", "event-1930-04-01-establishment-first-party-cell-cao-bang")["place"]
        == "Cao Bang province | Nam Lin"
    )
    assert (
        by(rows, "event", "event-1930-10-14-establishment-ministry-of-organization-and-communications")["place"]
        == "Hong Kong"
    )


def test_documents_lists_every_document_with_tenure_subject_and_citing_articles(query):
    """Items 7 and 13: the unnumbered plans and projects too, with tenure and subject."""
    rows = query("documents")
    assert len(rows) == len({row["document"] for row in rows}) > 20  # one row per document
    project = by(rows, "document", "doc-cao-bang-project-administrative-unit-arrangement")
    assert (project["subject"], project["articles"]) == (
        "administrative unit arrangement",
        KG + "article-cao-bang-2025",
    )
    by(rows, "document", "doc-nghe-an-plan-arrangement-administrative-units-2023-2025")
    resolution5 = by(rows, "document", "doc-resolution-5-central-committee-10th-tenure")
    assert resolution5["tenure"] == "10th tenure of the Central Committee"
    assert resolution5["subject"].startswith("continuing to innovate the Party's leadership methods")


def test_document_by_code_prints_the_code_as_stored(query):
    """Item 7: the code typed in lower case with QD comes back as the sources print it."""
    rows = query("document-by-code", code="2993-qd / tu")
    assert [(r["document"], r["storedCode"]) for r in rows] == [(KG + "doc-2993-qd-tu-n1", "2993-QD/TU")]
    assert rows[0]["subject"] == "the exemplary responsibility of cadres and Party members"


def test_documents_and_figures_by_article(query):
    """Item 13: filtered by the citing or printing article, given by its headline."""
    documents = query("documents-by-article", article="The opening milestone of Party building and organization work")
    assert documents and all(KG + "article-cao-bang-2025" in r["articles"].split(" | ") for r in documents)
    assert "doc-cao-bang-project-administrative-unit-arrangement" in things(documents, "document")
    figures = query("figures-by-article", article="kg:article-nghe-an-2024")
    target = by(figures, "observation", "obs-nghe-an-2024-9m-new-party-members-share-of-21-nq-tw-target")
    assert (
        target["quote"] == "4,600 party members were admitted, reaching 76.7% according to the target of "
        "Resolution No. 21-NQ/TW"
    )
    assert not {r["observation"] for r in figures} & {r["observation"] for r in query("figures-by-article")}


def test_articles_give_url_republication_date_interpretation_and_topic(query):
    """Item 8."""
    rows = query("articles")
    cao_bang, nghe_an = by(rows, "article", "article-cao-bang-2025"), by(rows, "article", "article-nghe-an-2024")
    assert cao_bang["url"] == cao_bang["republishedUrl"] and cao_bang["url"].startswith("https://caobang.gov.vn/")
    assert cao_bang["about"].startswith("95th anniversary of the Party Organization and Building sector")
    assert nghe_an["dateInterpretation"].startswith("The printed date 10/12/2024 is ambiguous")
    assert (nghe_an["printedDate"], nghe_an["datePublished"], nghe_an["url"]) == ("10/12/2024", "2024-10-12", "")
    sources = query("source-of-fact")
    assert by(sources, "article", "article-cao-bang-2025")["url"] == cao_bang["url"]


def test_search_label_types_every_node(query):
    """Item 9: activities, observations and the unnamed merged committee have a type."""
    rows = query("search-label", text="nghe an")
    assert all(row["type"] for row in rows)
    assert {"Activity", "Observation"} <= {row["type"] for row in rows}
    merged = query("search-label", text="body formed by merging")
    assert [r["type"] for r in merged] == ["Organization"]


def test_people_are_listed_with_their_posts(query):
    """Item 15; issue 19 item 6: Ho Chi Minh's post, once only an alternative label."""
    ho = by(query("people-and-posts"), "person", "person-ho-chi-minh")
    assert (ho["role"], ho["organization"]) == ("President (Ho Chi Minh)", "State of Vietnam")


def test_derived_figures_days_between_and_implied_total(query):
    """Item 16: computed, never stored, and marked derived."""
    days = query("derived-days-between")
    assert [(r["firstDate"], r["secondDate"], r["days"], r["derived"]) for r in days] == [
        ("1930-02-03", "1930-10-14", "253", "true")
    ]
    back = query(
        "derived-days-between",
        first="kg:article-nghe-an-2024",
        second="kg:event-94th-anniversary-party-organization-sector",
    )
    assert [r["days"] for r in back] == ["2"]
    implied = query("derived-implied-total")
    assert [
        (r["targetDocument"], r["countValue"], r["sharePercent"], r["derivedValue"], r["comparator"]) for r in implied
    ] == [("21-NQ/TW", "4600", "76.7", "5997", "about")]


def test_examples_in_help_name_saved_queries_that_exist(root, cache):
    """Item 14: `query run --help` showed documents-by-code, which does not exist."""
    import re

    names = set(saved_query_names())
    for command in (["query", "run"], ["query"], ["serve"], ["describe"]):
        result = run_cli(*command, "--help", root=root)
        for name in re.findall(r"query run ([\w-]+)", result.output):
            assert name in names, (command, name)
    unknown = run_cli("query", "run", "documents-by-code", root=root, cache=cache)
    assert unknown.exit_code == 2 and "did you mean document-by-code" in unknown.output


def test_organizations_have_founding_dates_from_either_property_or_event(query):
    """Item 12: the Nghe An Committee of Agencies has an establishment event but no foundingDate."""
    rows = query("organizations")
    assert by(rows, "organization", "org-nghe-an-provincial-party-committee-of-agencies")["founded"] == "1954-09-22"
    assert by(rows, "organization", "org-ministry-of-organization-and-communications")["founded"] == "1930-10-14"


def test_organizations_lists_every_node_typed_as_an_organization_once(query, kg):
    """Issue 19 item 1: every node of a class under org:Organization, the unnamed ones too."""
    from rdflib import RDF, RDFS

    org = NS["org"]
    classes = set(kg.transitive_subjects(RDFS.subClassOf, org.Organization))
    typed = {str(node) for cls in classes for node in kg.subjects(RDF.type, cls)}
    rows = query("organizations")
    assert sorted(row["organization"] for row in rows) == sorted(typed)
    merged = by(rows, "organization", "org-cao-bang-merged-propaganda-and-mass-mobilization-committee")
    assert (merged["kind"], merged["unnamed"]) == ("Organization", "true")
    assert by(rows, "organization", "org-central-organizing-committee")["kind"] == (
        "Organizing Committee | central Party body"
    )


def dated(query, name: str, start: str, end: str) -> dict[str, dict]:
    return {row["thing"].removeprefix(KG): row for row in query(name, **{"from": start, "to": end})}


def test_figures_dated_by_a_bare_year_and_organizations_by_their_founding_event(query):
    """Issue 19 item 2: okg:refPeriod "2023"^^xsd:gYear dates a figure; the 1954 committee its founding event."""
    in_2023 = dated(query, "dated-in-window", "2023-06-01", "2023-06-30")
    admitted = in_2023["obs-nghe-an-2023-new-party-members-admitted"]
    assert (admitted["start"], admitted["end"], admitted["datedBy"]) == (
        "2023",
        "",
        "https://w3id.org/orgkg/ontology#refPeriod",
    )
    in_2025 = dated(query, "dated-in-window", "2025-01-01", "2025-12-31")
    assert "obs-cao-bang-grassroots-party-organizations-completed-congress" in in_2025
    committee = dated(query, "dated-in-window", "1954-09-22", "1954-09-22")[
        "org-nghe-an-provincial-party-committee-of-agencies"
    ]
    assert (committee["start"], committee["datedBy"]) == ("1954-09-22", "http://www.w3.org/ns/org#resultedFrom")


def test_a_congress_is_dated_by_the_first_year_of_the_term_it_opens(query):
    """Issue 19 item 5: the 19th Cao Bang congress (term 2020-2025) is not in a 2023 window."""
    assert "event-19th-cao-bang-provincial-party-congress" not in dated(
        query, "events-in-window", "2023-01-01", "2023-12-31"
    )
    congress = dated(query, "events-in-window", "2020-01-01", "2020-12-31")[
        "event-19th-cao-bang-provincial-party-congress"
    ]
    assert (congress["start"], congress["end"], congress["datedBy"]) == (
        "2020",
        "",
        "https://w3id.org/orgkg/ontology#opensTerm",
    )


def test_dated_in_window_lists_every_dated_node(query, kg):
    """Issue 19: one date model, checked against the whole graph: every node carrying one of the
    date properties, a period, or (an organization) a dated founding event is listed, and every
    property that carries a date is either part of the model or dates something else."""
    from rdflib import RDF, XSD, Literal, URIRef

    ns = NS
    own = {ns["dct"].date, ns["eli"].date_document, ns["prov"].startedAtTime, ns["prov"].endedAtTime}
    own |= {ns["schema"][n] for n in ("startDate", "endDate", "foundingDate", "dissolutionDate", "datePublished")}
    own |= {ns["okg"].decisionDate, ns["okg"].effectiveDate}
    periods = {
        ns["okg"].duringTerm,
        ns["dct"].temporal,
        ns["okg"].refPeriod,
        ns["org"].memberDuring,
        ns["okg"].opensTerm,
    }
    # a date of something other than the subject: an instant's own value, an inference's object, a baseline
    elsewhere = {ns["time"][n] for n in ("inXSDDate", "inXSDgYear", "inXSDgYearMonth", "inXSDDateTimeStamp")}
    elsewhere |= {RDF.object, ns["okg"].baselinePeriod}
    date_types = {XSD.date, XSD.gYear, XSD.gYearMonth, XSD.dateTime}
    carrying = {p for _, p, o in kg if isinstance(o, Literal) and o.datatype in date_types}
    assert carrying <= own | periods | elsewhere, carrying - own - periods - elsewhere

    expected = {s for p in own for s in kg.subjects(p, None)}
    expected |= {
        s
        for p in periods
        for s, o in kg.subject_objects(p)
        if isinstance(o, Literal) or kg.value(o, ns["time"].hasBeginning) is not None
    }
    for event, organization in kg.subject_objects(ns["org"].resultingOrganization):
        if kg.value(event, ns["dct"].date) or kg.value(event, ns["schema"].startDate):
            expected.add(organization)
    listed = set(dated(query, "dated-in-window", "0001-01-01", "9999-12-31"))
    assert listed == {str(s).removeprefix(KG) for s in expected if isinstance(s, URIRef)}


def test_mergers_and_lineage_give_the_legal_basis_change_events_gives(query):
    """Issue 19 item 3: the unnamed Politburo/Secretariat conclusions are a legal basis in all three."""
    changes = {row["event"]: row["legalBasis"] for row in query("change-events")}
    mergers = query("mergers")
    assert mergers
    for merger in mergers:
        assert merger["legalBasis"] == changes[merger["merger"]], merger["merger"]
    checked = 0
    for organization in {row["organization"] for row in query("organizations")}:
        for row in query("lineage", organization=organization):
            if row["event"]:
                assert row["legalBasis"] == changes[row["event"]], (organization, row["event"])
                checked += 1
    assert checked
    assert any("conclusions of the Politburo and the Secretariat" in m["legalBasis"] for m in mergers)


def test_at_place_finds_everything_located_in_a_place_or_within_it(query, kg):
    """Issue 19 item 6: the districts of the Nghe An support activity were only in its quote."""
    ns = NS
    located = [ns["schema"].location, ns["prov"].atLocation, ns["dct"].spatial, ns["okg"].refArea]
    expected: dict[str, set[str]] = {}
    for predicate in located:
        for thing, where in kg.subject_objects(predicate):
            for place in kg.transitive_objects(where, ns["schema"].containedInPlace):
                expected.setdefault(str(place), set()).add(str(thing))
    assert expected
    for place, things in expected.items():
        assert {row["thing"] for row in query("at-place", place=place)} == things, place
    in_quy_chau = query("at-place", place="kg:place-quy-chau-district")
    assert [r["thing"] for r in in_quy_chau] == [KG + "activity-nghe-an-supporting-disadvantaged-areas"]


def test_documents_by_issuer_and_by_level_per_article(query, kg):
    """Issue 19 item 7: every issuer's and every level's documents, one row per citing article."""
    from rdflib import RDF

    ns = NS
    articles = set(kg.subjects(RDF.type, ns["schema"].NewsArticle))
    cited = {(str(d), str(a)) for a, d in kg.subject_objects(ns["schema"].citation) if a in articles}
    for role, predicate in (("passed by", ns["eli"].passed_by), ("responsible", ns["eli"].responsibility_of_agent)):
        for issuer in set(kg.objects(None, predicate)):
            rows = query("documents-by-issuer", issuer=str(issuer))
            expected = {str(d) for d in kg.subjects(predicate, issuer)}
            assert {r["document"] for r in rows if r["role"] == role} == expected, issuer
            assert {(r["document"], r["article"]) for r in rows if r["article"]} <= cited
    for level in set(kg.objects(None, ns["okg"].issuerLevel)):
        rows = query("documents-by-issuer-level", level=str(level))
        documents = {str(d) for d in kg.subjects(ns["okg"].issuerLevel, level)}
        assert {r["document"] for r in rows} == documents
        assert {(r["document"], r["article"]) for r in rows} == {(d, a) for d, a in cited if d in documents}


def test_figures_by_unit_and_by_bound_with_article_and_subject(query, kg):
    """Issue 19 item 7: percentages, "over"/"more than" figures, per article; what a figure counts."""
    okg = NS["okg"]
    for name, parameter, predicate in (
        ("figures-by-unit", "inUnit", okg.unit),
        ("figures-by-comparator", "bound", okg.comparator),
    ):
        for concept in set(kg.objects(None, predicate)):
            rows = query(name, **{parameter: str(concept)})
            assert {r["observation"] for r in rows} == {str(o) for o in kg.subjects(predicate, concept)}, concept
            assert all(r["article"] and r["quote"] for r in rows), concept
    percent = query("figures-by-unit")
    assert percent and all(r["unit"] == "percent" for r in percent)
    participants = by(query("figures"), "observation", "obs-cao-bang-competition-participants")
    assert (
        participants["subject"]
        == "Competition for Excellent Party Cell Secretaries at all levels in the Cao Bang Provincial Party Committee"
    )
    citations = query("document-citations")
    assert by(citations, "document", "doc-29-ct-tu-2024-06-06")["subject"].startswith("strengthening the building")
