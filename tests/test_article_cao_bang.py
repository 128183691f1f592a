"""Competency questions answered from the Cao Bang article (seeds/000_8420fa3d6bd522e5.txt).

One test (or more) per paragraph group of the article; the paragraph numbers follow the
map in graph/COVERAGE.md (¶1..¶26: every non-empty line of the text, headings and the
photo caption included).
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from rdflib import OWL, Literal, URIRef

from orgkg.namespaces import KG, OKG, PREFIXES

from .graph_queries import ask, quoted_in, rows

# Plain URIRefs rather than rdflib's closed XSD namespace, which pytest's collection probes.
DATE = URIRef(str(PREFIXES["xsd"]) + "date")
GYEAR = URIRef(str(PREFIXES["xsd"]) + "gYear")

ARTICLE = KG["article-cao-bang-2025"]
SOURCE_FILE = "000_8420fa3d6bd522e5.txt"
ORGANIZING_COMMITTEE = KG["org-cao-bang-provincial-party-organizing-committee"]


quoted = partial(quoted_in, article=ARTICLE)


def figure(kg, node: URIRef):
    (row,) = rows(
        kg,
        """
        SELECT ?value ?comparator ?unit ?period ?indicator ?outOf WHERE {
            ?obs a qb:Observation ; qb:dataSet kg:figures ; okg:value ?value ;
                 okg:comparator ?comparator ; okg:unit ?unit ; okg:refPeriod ?period ;
                 okg:indicator ?indicator ; okg:refArea kg:place-cao-bang .
            OPTIONAL { ?obs okg:outOf ?outOf } }""",
        obs=node,
    )
    return row


# ¶1 ¶24 ¶25 — the article itself ----------------------------------------------------------


def test_the_article_is_an_undated_translation_about_the_95th_anniversary(kg):
    (row,) = rows(
        kg,
        """
        SELECT ?headline ?publisher ?republished ?language ?about WHERE {
            ?article a schema:NewsArticle ; okg:sourceText ?file ; schema:headline ?headline ;
                schema:publisher/rdfs:label ?publisher ; okg:republishedUrl ?republished ;
                schema:inLanguage ?language ; schema:about ?about }""",
        file=Literal(SOURCE_FILE),
    )
    assert str(row.headline) == "The opening milestone of Party building and organization work"
    assert str(row.publisher) == "Baocaobang.vn"
    assert str(row.republished).startswith("https://caobang.gov.vn/chinh-tri/phat-huy-truyen-thong")
    assert str(row.language) == "en"
    assert row.about == KG["event-95th-anniversary-party-organization-sector"]
    assert not ask(kg, "ASK { ?article schema:datePublished ?date }", article=ARTICLE)


def test_every_claim_node_of_the_article_is_mentioned_and_every_mention_is_quoted(kg):
    unmentioned = rows(
        kg,
        """
        SELECT ?node WHERE {
            ?node prov:wasDerivedFrom ?article .
            FILTER NOT EXISTS { ?article schema:mentions|schema:citation ?node } }""",
        article=ARTICLE,
    )
    assert unmentioned == []
    unquoted = rows(
        kg,
        """
        SELECT ?node WHERE {
            ?article schema:mentions|schema:citation ?node .
            FILTER NOT EXISTS { ?node prov:wasDerivedFrom ?article ;
                                      okg:evidence/oa:hasSource ?article } }""",
        article=ARTICLE,
    )
    assert unquoted == []


def test_every_quote_occurs_verbatim_in_the_article_text(kg, sources):
    text = " ".join((sources / SOURCE_FILE).read_text(encoding="utf-8").split())
    exacts = [
        str(row.exact)
        for row in rows(
            kg,
            """
        SELECT DISTINCT ?exact WHERE {
            ?node okg:evidence [ oa:hasSource ?article ; oa:hasSelector/oa:exact ?exact ] }""",
            article=ARTICLE,
        )
    ]
    assert len(exacts) > 100
    assert [exact for exact in exacts if " ".join(exact.split()) not in text] == []


# ¶2 — the Party's founding, the Ministry of Organization and Communications, 14 October --


def test_p8_the_communist_party_of_vietnam_was_founded_on_3_february_1930(kg):
    (row,) = rows(
        kg,
        """
        SELECT ?date WHERE {
            ?event a okg:Establishment ; org:resultingOrganization kg:org-communist-party-of-vietnam ;
                   dct:date ?date ; prov:wasDerivedFrom ?article }""",
        article=ARTICLE,
    )
    assert row.date == Literal("1930-02-03", datatype=DATE)


def test_p1_the_ministry_of_organization_and_communications_is_the_predecessor(kg):
    labels = {
        str(row.label)
        for row in rows(
            kg,
            """
        SELECT ?label WHERE {
            kg:org-central-organizing-committee okg:predecessor ?before .
            ?before rdfs:label ?label . FILTER(lang(?label) = "en") }""",
        )
    }
    assert labels == {"Ministry of Organization and Communications"}
    assert quoted(kg, KG["org-central-organizing-committee"], "the predecessor of today's Central Organizing Committee")


def test_the_ministry_was_set_up_by_the_central_committee_on_14_october_1930_in_hong_kong(kg):
    (row,) = rows(
        kg,
        """
        SELECT ?date ?conference ?country WHERE {
            ?event org:resultingOrganization kg:org-ministry-of-organization-and-communications ;
                   okg:decidedBy kg:org-central-committee ; dct:date ?date ;
                   prov:atLocation kg:place-hong-kong ; dct:isPartOf ?conference .
            ?conference a okg:Conference ; okg:ordinal 1 ;
                   schema:organizer kg:org-provisional-central-executive-committee .
            kg:place-hong-kong schema:containedInPlace ?country }""",
    )
    assert row.date == Literal("1930-10-14", datatype=DATE)
    assert row.country == KG["place-china"]


def test_in_cao_bang_the_1930_decision_is_the_provisional_central_executive_committees(kg, kg_dataset):
    """The sentence puts the decision at that committee's first conference and calls it "the Central
    Committee": decidedBy points at the provisional committee, related to the Central Committee."""
    graph = PREFIXES["kg"].replace("/id/", "/graph/") + "articles/cao-bang-2025"
    deciders = {
        r.decider
        for r in kg_dataset.query(
            f"""
        SELECT ?decider WHERE {{ GRAPH <{graph}> {{
            kg:event-1930-10-14-establishment-ministry-of-organization-and-communications okg:decidedBy ?decider }} }}""",
            initNs=PREFIXES,
        )
    }
    assert deciders == {KG["org-provisional-central-executive-committee"]}
    committee = KG["org-provisional-central-executive-committee"]
    assert ask(kg, "ASK { ?committee prov:specializationOf kg:org-central-committee }", committee=committee)
    assert quoted(
        kg,
        committee,
        "Provisional Central Executive Committee held in Hong Kong (China), the Central Committee decided",
    )
    assert not quoted(kg, KG["org-central-committee"], "the Central Committee decided to establish the Ministry")


def test_the_secretariat_of_the_9th_central_committee_made_14_october_the_traditional_day(kg):
    (row,) = rows(
        kg,
        """
        SELECT ?tenure ?month ?day WHERE {
            kg:decision-2002-02-02-traditional-day okg:decidedBy kg:org-secretariat ;
                okg:tenure ?tenure ; okg:outcome ?day_event .
            ?day_event a okg:CommemorativeDay ;
                schema:about kg:org-party-organization-building-sector ;
                schema:eventSchedule [ schema:byMonth ?month ; schema:byMonthDay ?day ] }""",
    )
    assert (int(row.tenure), int(row.month), int(row.day)) == (9, 10, 14)
    # The Cao Bang article states the decision without its date.
    assert quoted(
        kg, KG["decision-2002-02-02-traditional-day"], "the Secretariat of the 9th Party Central Committee decided"
    )


# ¶3 — after the 6th Congress (1986) -------------------------------------------------------------


def test_the_6th_congress_is_dated_1986_and_its_quoted_words_are_kept(kg):
    (row,) = rows(
        kg,
        """
        SELECT ?year ?text WHERE {
            kg:event-6th-national-congress schema:startDate ?year .
            ?quote a schema:Quotation ; schema:about kg:event-6th-national-congress ; schema:text ?text }""",
    )
    assert row.year == Literal("1986", datatype=GYEAR)
    assert str(row.text).startswith("on par with a ruling party")


# ¶5 — the first Party cell of the province -------------------------------------------------


def test_the_first_party_cell_was_set_up_on_1_april_1930_in_nam_lin_inside_cao_bang(kg):
    (row,) = rows(
        kg,
        """
        SELECT ?date ?unnamed WHERE {
            ?event a okg:Establishment ; org:resultingOrganization ?cell ; dct:date ?date ;
                   prov:atLocation kg:place-nam-lin .
            ?cell a okg:PartyCell ; okg:unnamed ?unnamed .
            kg:place-nam-lin schema:containedInPlace kg:place-hoang-tung-commune .
            kg:place-hoang-tung-commune a okg:Commune ; schema:containedInPlace kg:place-hoa-an-district .
            kg:place-hoa-an-district a okg:District ; schema:containedInPlace+ kg:place-vietnam }""",
    )
    assert row.date == Literal("1930-04-01", datatype=DATE)
    assert row.unnamed.toPython() is True
    assert quoted(kg, KG["place-hoa-an-district"], "In Cao Bang, a land rich in patriotic traditions")


def test_the_first_cell_marks_a_milestone_of_the_provincial_party_organization(kg):
    event = KG["event-1930-04-01-establishment-first-party-cell-cao-bang"]
    milestones = {r.org for r in rows(kg, "SELECT ?org WHERE { ?event okg:milestoneOf ?org }", event=event)}
    assert milestones == {
        KG["org-cao-bang-provincial-party-organization"],
        KG["org-cao-bang-party-organization-building-sector"],
    }
    assert quoted(
        kg, event, "marking a milestone in the process of formation and development of the provincial Party Committee"
    )


def test_cao_bang_lies_in_vietnam_only_by_the_encoders_inference(kg):
    """The article never names Vietnam as a place: the nesting is marked, and the place's quote is indirect."""
    assert ask(
        kg,
        """ASK { ?i a okg:Inference ; rdf:subject kg:place-cao-bang ; rdf:predicate schema:containedInPlace ;
                                rdf:object kg:place-vietnam ; prov:wasDerivedFrom ?article }""",
        article=ARTICLE,
    )
    assert not quoted(kg, KG["place-vietnam"], "Vietnamese revolution")
    assert ask(
        kg, """ASK { kg:place-vietnam okg:evidence [ oa:hasSource ?article ; okg:indirect true ] }""", article=ARTICLE
    )


# ¶6 — "Cadres are the root of all work" -----------------------------------------------------------


def test_cadres_are_the_root_of_all_work_is_attributed_to_ho_chi_minh(kg):
    assert ask(
        kg,
        """
        ASK { ?motto a okg:Motto ; schema:text "Cadres are the root of all work" ;
                     okg:attributedTo kg:person-ho-chi-minh ; prov:wasDerivedFrom ?article }""",
        article=ARTICLE,
    )


# ¶8 ¶9 — the 2020-2025 term, the 19th Congress, one Organizing Committee under many names -------


def test_the_organizing_committee_is_one_node_under_all_its_printed_names(kg):
    names = {
        str(row.name)
        for row in rows(
            kg,
            """
        SELECT ?name WHERE { ?committee rdfs:label|skos:altLabel ?name }""",
            committee=ORGANIZING_COMMITTEE,
        )
    }
    assert {
        "Organizing Committee of the Cao Bang Provincial Party Committee",
        "Provincial Party Committee's Organization Board",
        "the Board",
        "Provincial Party Organization and Building Department",
        "Provincial Party Organization Committee",
    } <= names
    assert ask(
        kg,
        "ASK { ?committee a okg:OrganizingCommittee ; "
        "org:subOrganizationOf kg:org-cao-bang-provincial-party-committee }",
        committee=ORGANIZING_COMMITTEE,
    )


def test_the_19th_provincial_congress_opened_the_2020_2025_term_and_passed_a_resolution(kg):
    assert ask(
        kg,
        """
        ASK { ?congress a okg:Congress ; okg:ordinal 19 ; okg:opensTerm kg:term-2020-2025 .
              ?resolution eli:type_document okg:Resolution ; prov:wasGeneratedBy ?congress .
              ?article schema:citation ?resolution }""",
        article=ARTICLE,
    )


# ¶10 — the two-level local government model and the 2025 restructuring ------------------------


def test_p2_cao_bang_newspaper_was_merged_from_the_old_paper_and_the_radio_tv_station(kg):
    originals = {
        str(row.label)
        for row in rows(
            kg,
            """
        SELECT ?label WHERE {
            ?merger a okg:Merger ; org:resultingOrganization ?result ; org:originalOrganization ?original .
            ?result rdfs:label "Cao Bang Newspaper"@en ; okg:predecessor ?original .
            ?original skos:altLabel|rdfs:label ?label .
            FILTER(?label IN ("Cao Bang Newspaper"@en, "Cao Bang Radio and Television Station"@en)) }""",
        )
    }
    assert originals == {"Cao Bang Newspaper", "Cao Bang Radio and Television Station"}
    # Distinct identity after the change: the paper before the merger is another node.
    assert KG["org-cao-bang-newspaper"] != KG["org-cao-bang-newspaper-before-merger"]


def test_p3_ten_district_and_161_commune_committees_ended_and_56_were_set_up(kg):
    counts = {
        (str(row.kind), int(row.units))
        for row in rows(
            kg,
            """
        SELECT ?kind ?units WHERE {
            { ?event a okg:Dissolution ; okg:originalCount ?units ; okg:originalKind ?kind }
            UNION
            { ?event a okg:Establishment ; okg:resultingCount ?units ; okg:resultingKind ?kind }
            ?event dct:spatial kg:place-cao-bang ; prov:wasDerivedFrom ?article }""",
            article=ARTICLE,
        )
    }
    assert counts == {
        (str(OKG.DistrictPartyCommittee), 10),
        (str(OKG.CommunePartyCommittee), 161),
        (str(OKG.CommunePartyCommittee), 56),
    }


def test_the_2025_changes_rest_on_resolutions_18_and_19_and_were_advised_by_the_committee(kg):
    events = rows(
        kg,
        """
        SELECT ?event WHERE {
            ?event dct:isPartOf kg:event-cao-bang-two-level-local-government-implementation ;
                   cv:hasFormalFramework kg:doc-18-nq-tw-n1 , kg:doc-19-nq-tw-n1 , ?conclusions ;
                   okg:advisedBy ?committee }""",
        committee=ORGANIZING_COMMITTEE,
        conclusions=KG["doc-conclusions-politburo-secretariat-reorganizing-apparatus"],
    )
    assert len(events) == 9


def test_the_conclusions_of_the_politburo_and_secretariat_are_one_collective_unnamed_document(kg):
    conclusions = KG["doc-conclusions-politburo-secretariat-reorganizing-apparatus"]
    assert ask(
        kg,
        """
        ASK { ?article schema:citation ?doc .
              ?doc eli:type_document okg:Conclusion ; okg:collective true ; okg:unnamed true ;
                   eli:passed_by kg:org-politburo , kg:org-secretariat ; okg:subject ?subject .
              kg:event-cao-bang-two-level-local-government-implementation cv:hasFormalFramework ?doc
              FILTER NOT EXISTS { ?doc eli:id_local ?code } }""",
        article=ARTICLE,
        doc=conclusions,
    )
    assert quoted(kg, conclusions, "the conclusions of the Politburo and the Secretariat on continuing to innovate")


def test_p9_the_organizing_committee_advised_deploying_key_personnel_programs(kg):
    activity = KG["activity-cao-bang-deploying-key-personnel-programs-2020-2025"]
    assert ask(
        kg,
        """
        ASK { ?activity a prov:Activity ; okg:advisedBy ?committee ;
                        okg:decidedBy kg:org-cao-bang-provincial-party-standing-committee ;
                        okg:duringTerm kg:term-2020-2025 ;
                        prov:used kg:doc-resolution-19th-cao-bang-provincial-party-congress }""",
        activity=activity,
        committee=ORGANIZING_COMMITTEE,
    )
    assert quoted(kg, activity, "to deploy many key programs and projects on personnel organization work")


def test_the_organizing_committee_is_a_member_of_the_provinces_sector_as_in_nghe_an(kg):
    assert ask(
        kg,
        "ASK { ?committee org:memberOf kg:org-cao-bang-party-organization-building-sector }",
        committee=ORGANIZING_COMMITTEE,
    )
    assert ask(
        kg,
        """ASK { kg:event-cao-bang-two-level-local-government-implementation
                                okg:advisedBy kg:org-cao-bang-party-organization-building-sector }""",
    )


def test_the_congresses_at_all_levels_are_a_collective_node(kg):
    assert ask(kg, "ASK { kg:event-cao-bang-party-congresses-at-all-levels-2025-2030 okg:collective true }")


def test_the_old_newspapers_iri_says_no_year_the_text_does_not(kg):
    assert ask(kg, "ASK { kg:org-cao-bang-newspaper-before-merger a okg:Newspaper }")
    assert not [r for r in rows(kg, "SELECT ?s WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?s), 'until-2025')) }")]


def test_unnamed_results_and_uncounted_groups_stay_unnamed(kg):
    (row,) = rows(
        kg,
        "SELECT ?label WHERE { ?node okg:unnamed true ; rdfs:label ?label }",
        node=KG["org-cao-bang-merged-propaganda-and-mass-mobilization-committee"],
    )
    assert str(row.label).startswith("(unnamed)")
    # "a number of steering committees", "socio-political organizations": a kind, no count, no nodes
    kinds = {
        (str(r.event), str(r.kind))
        for r in rows(
            kg,
            """
        SELECT ?event ?kind WHERE { ?event okg:originalKind ?kind FILTER NOT EXISTS { ?event okg:originalCount ?n } }""",
        )
    }
    assert kinds == {
        (str(KG["event-cao-bang-dissolution-steering-committees"]), str(OKG.SteeringCommittee)),
        (
            str(KG["event-cao-bang-restructuring-fatherland-front-and-socio-political-organizations"]),
            str(OKG.SocioPoliticalOrganization),
        ),
    }
    assert ask(
        kg,
        """
        ASK { ?merger a okg:Merger ;
                org:originalOrganization kg:org-cao-bang-provincial-party-propaganda-and-education-committee ,
                                         kg:org-cao-bang-provincial-party-mass-mobilization-committee ;
                org:resultingOrganization kg:org-cao-bang-merged-propaganda-and-mass-mobilization-committee }""",
    )


def test_agencies_and_enterprises_committee_ended_and_two_bloc_committees_were_set_up(kg):
    assert ask(
        kg,
        """
        ASK { ?end a okg:Dissolution ;
                   org:originalOrganization kg:org-cao-bang-provincial-party-committee-of-agencies-and-enterprises .
              ?start a okg:Establishment ;
                   org:resultingOrganization kg:org-cao-bang-party-committee-of-provincial-party-committee-agencies ,
                                             kg:org-cao-bang-provincial-peoples-committee-party-committee .
              ?rearrangement a okg:Restructuring ; org:originalOrganization kg:org-cao-bang-fatherland-front }""",
    )


# ¶11 — the photo caption: the Decision establishing the 56 commune Party Committees ----------


def test_the_decision_on_56_new_communes_is_the_instrument_of_their_establishment(kg):
    assert ask(
        kg,
        """
        ASK { ?event okg:resultingCount 56 ; cv:hasFormalFramework ?decision .
              ?decision eli:type_document okg:DecisionDocument ;
                        okg:subject "to establish Party Committees of 56 new communes in Cao Bang province" .
              ?handover a schema:Event ; schema:about ?decision .
              ?article schema:citation ?decision }""",
        article=ARTICLE,
    )
    # no issuer is printed, so, like the Project on administrative unit arrangement, not a Party document
    for document in (
        "doc-cao-bang-decision-establishing-56-commune-party-committees",
        "doc-cao-bang-project-administrative-unit-arrangement",
    ):
        assert ask(
            kg, "ASK { ?doc a eli:LegalResource FILTER NOT EXISTS { ?doc a okg:PartyDocument } }", doc=KG[document]
        )


def test_cadre_planning_indicator_says_no_more_than_the_text(kg):
    (row,) = rows(kg, "SELECT ?definition WHERE { kg:indicator-cadres-in-planning skos:definition ?definition }")
    assert "leaders and managers" not in str(row.definition)


# ¶12 — Le Hai Yen ----------------------------------------------------------------------------------


def test_p7_le_hai_yen_heads_the_organizing_committee_and_sits_on_the_standing_committee(kg):
    (row,) = rows(
        kg,
        """
        SELECT ?name WHERE {
            ?person org:holds [ a org:Post ; org:postIn ?committee ] ; rdfs:label ?name .
            ?membership a org:Membership ; org:member ?person ;
                        org:organization kg:org-cao-bang-provincial-party-standing-committee }""",
        committee=ORGANIZING_COMMITTEE,
    )
    assert str(row.name) == "Le Hai Yen"
    assert quoted(kg, KG["person-le-hai-yen"], "Head of the Provincial Party Organization Committee")
    assert quoted(
        kg, KG["person-le-hai-yen"], "Head of the Provincial Party Committee's Organizing Committee Le Hai Yen"
    )


# ¶13 — Party cells, new members, Resolution No. 21, the highest ratio ------------------------------


def test_over_2000_new_members_a_year_on_average_and_party_cells_in_all_hamlets(kg):
    members = figure(kg, KG["obs-cao-bang-new-party-members-per-year-2020-2025"])
    assert (members.value.toPython(), members.comparator, members.unit, members.period) == (
        Decimal("2000"),
        OKG.AverageMoreThan,
        OKG.Persons,
        KG["term-2020-2025"],
    )
    cells = figure(kg, KG["obs-cao-bang-hamlets-residential-groups-with-party-cells"])
    assert (cells.value.toPython(), cells.unit) == (Decimal("100"), OKG.Percent)


def test_resolution_21_is_the_shared_document_with_its_loose_cao_bang_wording(kg):
    assert ask(
        kg,
        """
        ASK { ?article schema:citation kg:doc-21-nq-tw-n1 .
              kg:doc-21-nq-tw-n1 eli:id_local "21-NQ/TW" ;
                  skos:altLabel "Resolution No. 21 of the Central Committee"@en .
              ?claim schema:citation kg:doc-21-nq-tw-n1 ;
                     schema:about kg:obs-cao-bang-new-party-members-per-year-2020-2025 }""",
        article=ARTICLE,
    )
    assert quoted(kg, KG["doc-21-nq-tw-n1"], "Resolution No. 21 of the Central Committee")
    assert not ask(kg, "ASK { kg:doc-21-nq-tw-n1 okg:codeInferred true }")


def test_resolution_21_identified_with_21_nq_tw_is_recorded_as_an_inference(kg):
    (row,) = rows(
        kg,
        """
        SELECT ?why WHERE { ?i a okg:Inference ; rdf:subject kg:doc-21-nq-tw-n1 ; rdf:predicate eli:id_local ;
                               rdf:object "21-NQ/TW" ; rdfs:comment ?why ; prov:wasDerivedFrom ?article }""",
        article=ARTICLE,
    )
    assert "without a code" in str(row.why)


def test_p10_the_highest_ratio_claim_is_backed_by_the_cao_bang_article_in_its_words(kg):
    (row,) = rows(
        kg,
        """
        SELECT ?article ?exact WHERE {
            ?claim schema:about kg:place-cao-bang ;
                   okg:evidence [ oa:hasSource ?article ; oa:hasSelector/oa:exact ?exact ] .
            FILTER(CONTAINS(?exact, "the highest ratio of party members/population")) }""",
    )
    assert row.article == ARTICLE
    assert "compared to the whole country" in str(row.exact)


# ¶14 — cadre work in figures, the campaign, the competition, the workshop ---------------------------


def test_cadre_work_figures_keep_their_comparators(kg):
    expected = {
        "obs-cao-bang-cadres-in-planning-2020-2025": (Decimal("2030"), OKG.Exactly, OKG.Cadres),
        "obs-cao-bang-cadres-assigned-appointed-2020-2025": (Decimal("600"), OKG.MoreThan, OKG.Cadres),
        "obs-cao-bang-cadres-sent-for-training-2020-2025": (Decimal("3650"), OKG.MoreThan, OKG.Cadres),
        "obs-cao-bang-grassroots-party-organizations-completing-tasks-well": (Decimal("90"), OKG.MoreThan, OKG.Percent),
    }
    for node, (value, comparator, unit) in expected.items():
        row = figure(kg, KG[node])
        assert (row.value.toPython(), row.comparator, row.unit) == (value, comparator, unit), node
        assert row.period == KG["term-2020-2025"]


def test_self_examination_campaign_competition_with_1675_secretaries_and_workshop(kg):
    assert ask(
        kg,
        """
        ASK { ?campaign a okg:Campaign ; schema:organizer kg:org-cao-bang-provincial-party-committee ;
                        okg:advisedBy ?committee .
              ?theme a okg:Motto ; schema:text "self-examination, self-correction" ; okg:mottoOf ?campaign .
              ?workshop a okg:Workshop ; schema:organizer ?committee }""",
        committee=ORGANIZING_COMMITTEE,
    )
    (row,) = rows(
        kg,
        """
        SELECT ?value WHERE {
            ?competition a okg:Competition .
            ?obs schema:about ?competition ; okg:value ?value ; okg:unit okg:Persons }""",
    )
    assert row.value.toPython() == Decimal("1675")


# ¶15 — congresses at all levels and the 20th Provincial Party Congress ---------------------------


def test_p9_the_20th_provincial_congress_was_held_15_to_17_september_2025(kg):
    (row,) = rows(
        kg,
        """
        SELECT ?start ?end ?motto WHERE {
            ?congress a okg:Congress ; okg:ordinal 20 ; okg:opensTerm kg:term-2025-2030 ;
                schema:startDate ?start ; schema:endDate ?end ;
                schema:organizer kg:org-cao-bang-provincial-party-organization .
            [] okg:mottoOf ?congress ; schema:text ?motto }""",
    )
    assert (row.start, row.end) == (Literal("2025-09-15", datatype=DATE), Literal("2025-09-17", datatype=DATE))
    assert str(row.motto) == "Solidarity - Democracy - Discipline - Breakthrough - Development"


def test_all_grassroots_organizations_and_60_of_60_committees_held_their_congress(kg):
    grassroots = figure(kg, KG["obs-cao-bang-grassroots-party-organizations-completed-congress"])
    assert (grassroots.value.toPython(), grassroots.unit) == (Decimal("100"), OKG.Percent)
    committees = figure(kg, KG["obs-cao-bang-party-committees-under-ppc-completed-congress"])
    assert (committees.value.toPython(), committees.outOf.toPython()) == (Decimal("60"), Decimal("60"))
    assert committees.period == Literal("2025", datatype=GYEAR)


# ¶18 ¶19 ¶21 ¶22 — sayings and principles --------------------------------------------------------


def text_of(kg, cls) -> set[str]:
    query = "SELECT ?text WHERE { ?node a ?cls ; schema:text ?text ; prov:wasDerivedFrom ?article }"
    return {str(row.text) for row in rows(kg, query, cls=cls, article=ARTICLE)}


def test_quoted_sayings_are_kept_exactly_as_printed_and_principles_are_not_mottos(kg):
    """Issue 19 item 12: rules of work are okg:Principle, not mottos."""
    texts = text_of(kg, OKG.Principle)
    assert {
        "key of the key",
        "both red and professional",
        "right person, right job",
        "some in, some out; some up, some down",
        "prioritizing quality over quantity, standards over structure",
    } == texts
    mottos = text_of(kg, OKG.Motto)
    assert {"Cadres are the root of all work", "self-examination, self-correction"} <= mottos
    assert not texts & mottos
    assert not {"self-evolution", "self-transformation"} & (texts | mottos)


def test_self_evolution_and_self_transformation_are_signs_of_degradation_not_mottos(kg):
    signs = {
        str(r.label)
        for r in rows(
            kg,
            """
        SELECT ?label WHERE { ?sign a okg:SignOfDegradation ; rdfs:label ?label ; prov:wasDerivedFrom ?article }""",
            article=ARTICLE,
        )
    }
    assert signs == {"self-evolution", "self-transformation"}
    assert quoted(kg, KG["sign-self-evolution"], "promptly handling signs of degradation")


def test_the_congress_personnel_principle_is_recorded(kg):
    principle = KG["principle-quality-over-quantity-standards-over-structure"]
    assert ask(
        kg,
        "ASK { ?principle a okg:Principle ; okg:principleOf kg:event-cao-bang-party-congresses-at-all-levels-2025-2030 }",
        principle=principle,
    )
    assert quoted(kg, principle, "prioritizing quality over quantity, standards over structure")


# ¶21 — the new phase: the 20th Congress Resolution, the 2026-2031 elections -----------------------


def test_the_new_phase_names_the_20th_congress_resolution_and_the_2026_2031_elections(kg):
    assert ask(
        kg,
        """
        ASK { ?resolution prov:wasGeneratedBy ?congress . ?congress okg:ordinal 20 .
              ?election a schema:Event ;
                        schema:about kg:org-national-assembly , kg:org-peoples-councils-at-all-levels , kg:term-2026-2031 .
              kg:org-peoples-councils-at-all-levels a okg:PeoplesCouncil ; okg:collective true .
              ?statement a schema:Quotation ; schema:creator kg:person-le-hai-yen ;
                         schema:about kg:term-2025-2030 }""",
    )


# ¶23 — the 95th anniversary ------------------------------------------------------------------------


def test_the_95th_anniversary_dated_only_by_the_url_slug_is_indirect_support(kg):
    assert ask(
        kg,
        """
        ASK { kg:event-95th-anniversary-party-organization-sector okg:evidence [ okg:indirect true ;
                  oa:hasSelector/oa:exact ?slug ] . FILTER(CONTAINS(?slug, "14-10-1930-14-10-2025")) }""",
    )


def test_the_95th_anniversary_falls_on_14_october_2025(kg):
    (row,) = rows(
        kg,
        """
        SELECT ?date WHERE {
            kg:event-95th-anniversary-party-organization-sector a okg:Anniversary ; okg:ordinal 95 ;
                schema:startDate ?date ; schema:about kg:org-party-organization-building-sector }""",
    )
    assert row.date == Literal("2025-10-14", datatype=DATE)


def test_baocaobang_vn_is_the_newspapers_site_only_by_the_encoders_inference(kg):
    """Issue 19 item 10: the relation is recorded, and marked as inferred, so a query can drop it."""
    site, newspaper = KG["org-baocaobang-vn"], KG["org-cao-bang-newspaper"]
    assert ask(kg, "ASK { ?site org:subOrganizationOf ?newspaper }", site=site, newspaper=newspaper)
    assert ask(
        kg,
        """ASK { ?i a okg:Inference ; rdf:subject ?site ; rdf:predicate org:subOrganizationOf ; rdf:object ?newspaper ;
                    rdfs:comment ?why ; prov:wasDerivedFrom kg:article-cao-bang-2025 }""",
        site=site,
        newspaper=newspaper,
    )
    assert (site, OWL.sameAs, newspaper) not in kg


def test_p10_the_board_advises_on_the_administrative_unit_project_as_an_activity(kg):
    """Issue 19 item 13: as the Nghe An Board's Project and Plan, an activity that generated it."""
    assert ask(
        kg,
        """ASK { ?activity a prov:Activity ; okg:advisedBy ?board ;
                           prov:generated kg:doc-cao-bang-project-administrative-unit-arrangement }""",
        board=ORGANIZING_COMMITTEE,
    )


def test_ho_chi_minhs_post_and_what_the_6th_congress_marked_are_links(kg):
    """Issue 19 item 6: both were only in a label or a quote."""
    assert ask(
        kg,
        """ASK { kg:person-ho-chi-minh org:holds ?post . ?post a org:Post ; org:postIn kg:org-state-of-vietnam .
                 kg:event-6th-national-congress okg:milestoneOf ?renewal . ?renewal a prov:Activity ;
                    rdfs:label "Comprehensive national renewal"@en }""",
    )
