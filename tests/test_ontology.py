"""The ontology (ontology/orgkg.ttl) keeps the modelling contract (ontology/README.md).

Each test is a question a reviewer would ask of the ontology file:
does it parse and describe itself, is every okg: term labelled and defined,
does every standard term it reuses really exist, and is every term the
README promises declared?
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib import namespace as rdflib_ns
from rdflib.namespace import DCTERMS, ORG, PROV, QB, SKOS, VANN

from orgkg.namespaces import CV, ELI, KG, OA, OKG, ONTOLOGY_FILE, SCHEMA, WD

REPO = Path(__file__).resolve().parents[1]
README = REPO / "ontology" / "README.md"
VOCAB_DIR = Path(__file__).resolve().parents[2] / "shared" / "vocab"

ONTOLOGY = URIRef(str(OKG).rstrip("#"))
LICENSE = URIRef("https://www.apache.org/licenses/LICENSE-2.0")
#: IRIs outside every vocabulary namespace that the ontology header may use.
HEADER_IRIS = {ONTOLOGY, LICENSE}

#: Namespaces used without checking that the term exists.
UNCHECKED = {
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(rdflib_ns.XSD),
    "vann": str(VANN),
    "wd": str(WD),
}

#: Namespaces whose terms are checked against rdflib's closed namespaces. Membership is
#: tested with `in`: SDO and TIME only warn (they do not raise) on an unknown attribute.
#: (SDO, TIME and XSD stay behind `rdflib_ns.` so pytest's collection does not probe them.)
CLOSED = {"org": ORG, "prov": PROV, "qb": QB, "skos": SKOS, "time": rdflib_ns.TIME, "dct": DCTERMS}

#: Namespaces whose terms are checked against the reference copies in shared/vocab.
VOCAB_FILES = {
    "eli": (str(ELI), "eli.nt"),
    "oa": (str(OA), "oa.nt"),
    "cv": (str(CV), "cpov.ttl"),
}

CHECKED_NAMESPACES = {
    **{prefix: str(ns) for prefix, ns in CLOSED.items()},
    "schema": str(SCHEMA),
    **{prefix: ns for prefix, (ns, _) in VOCAB_FILES.items()},
}


# --------------------------------------------------------------------------- helpers


@cache
def ontology() -> Graph:
    return Graph().parse(REPO / ONTOLOGY_FILE, format="turtle")


def used_iris(graph: Graph) -> set[URIRef]:
    """Every IRI in the graph: subjects, predicates, objects and literal datatypes."""
    iris: set[URIRef] = set()
    for triple in graph:
        for node in triple:
            if isinstance(node, URIRef):
                iris.add(node)
            elif isinstance(node, Literal) and node.datatype is not None:
                iris.add(node.datatype)
    return iris


def iris_in(namespace: str) -> list[URIRef]:
    return sorted(iri for iri in used_iris(ontology()) if str(iri).startswith(namespace))


def okg_subjects() -> list[URIRef]:
    return sorted({s for s in ontology().subjects() if isinstance(s, URIRef) and s.startswith(str(OKG))})


def local_name(iri: URIRef, namespace: str) -> str:
    return str(iri)[len(namespace) :]


@cache
def vocab_terms(filename: str, namespace: str) -> frozenset[str]:
    """Local names of the terms a reference vocabulary file defines (its subjects)."""
    path = VOCAB_DIR / filename
    if not path.is_file():
        pytest.skip(f"reference vocabulary {path} is missing (expected shared/vocab beside the repo)")
    graph = Graph().parse(path, format="nt" if path.suffix == ".nt" else "turtle")
    return frozenset(
        local_name(s, namespace) for s in graph.subjects() if isinstance(s, URIRef) and s.startswith(namespace)
    )


def readme_terms() -> list[str]:
    return sorted(set(re.findall(r"okg:([A-Za-z]+)", README.read_text(encoding="utf-8"))))


def english(values) -> list[Literal]:
    return [v for v in values if isinstance(v, Literal) and v.language == "en"]


# --------------------------------------------------------------------------- 1. header


def test_ontology_parses_and_has_one_header():
    graph = ontology()
    assert len(graph) > 0
    headers = list(graph.subjects(RDF.type, OWL.Ontology))
    assert headers == [ONTOLOGY], f"expected exactly one owl:Ontology <{ONTOLOGY}>, got {headers}"


@pytest.mark.parametrize(
    ("predicate", "expected"),
    [
        (DCTERMS.title, None),
        (DCTERMS.description, None),
        (OWL.versionInfo, Literal("0.1.0")),
        (DCTERMS.license, LICENSE),
        (DCTERMS.creator, Literal("orgkg contributors")),
        (VANN.preferredNamespacePrefix, Literal("okg")),
        (VANN.preferredNamespaceUri, Literal(str(OKG))),
    ],
    ids=lambda v: v.n3(ontology().namespace_manager) if isinstance(v, URIRef) else None,
)
def test_ontology_header_has(predicate, expected):
    values = list(ontology().objects(ONTOLOGY, predicate))
    assert len(values) == 1, f"the ontology header needs exactly one {predicate}, has {values}"
    if expected is not None:
        assert values[0] == expected


# --------------------------------------------------------------------------- 2. okg terms


@pytest.mark.parametrize("term", okg_subjects(), ids=lambda t: local_name(t, str(OKG)))
def test_every_okg_term_is_labelled_defined_and_attributed(term):
    graph = ontology()
    assert english(graph.objects(term, RDFS.label)), f"{term} has no rdfs:label @en"
    definitions = [*graph.objects(term, RDFS.comment), *graph.objects(term, SKOS.definition)]
    assert english(definitions), f"{term} has no rdfs:comment or skos:definition @en"
    assert (term, RDFS.isDefinedBy, ONTOLOGY) in graph, f"{term} lacks rdfs:isDefinedBy <{ONTOLOGY}>"


def test_every_okg_iri_used_is_declared():
    """A misspelt okg: term used as an object would otherwise go unnoticed."""
    graph = ontology()
    undeclared = [iri for iri in iris_in(str(OKG)) if (iri, RDF.type, None) not in graph]
    assert not undeclared, f"okg: IRIs used but never declared with rdf:type: {undeclared}"


def test_english_labels_are_unique():
    by_label: dict[str, set[URIRef]] = defaultdict(set)
    for term in okg_subjects():
        for label in english(ontology().objects(term, RDFS.label)):
            by_label[str(label).casefold()].add(term)
    duplicates = {label: terms for label, terms in by_label.items() if len(terms) > 1}
    assert not duplicates, f"terms sharing an English label: {duplicates}"


# --------------------------------------------------------------------------- 3. reused terms


@pytest.mark.parametrize("prefix", sorted(CLOSED))
def test_reused_terms_exist_in_closed_namespace(prefix):
    namespace = CLOSED[prefix]
    missing = [iri for iri in iris_in(str(namespace)) if iri not in namespace]
    assert not missing, f"{prefix}: terms not in rdflib's closed namespace: {missing}"


def test_reused_schema_org_terms_exist():
    """The project writes http://schema.org/; rdflib's SDO is https://schema.org/."""
    missing = [
        iri
        for iri in iris_in(str(SCHEMA))
        if URIRef(str(rdflib_ns.SDO) + local_name(iri, str(SCHEMA))) not in rdflib_ns.SDO
    ]
    assert not missing, f"schema: terms not in schema.org: {missing}"


@pytest.mark.parametrize("prefix", sorted(VOCAB_FILES))
def test_reused_terms_exist_in_reference_vocabulary(prefix):
    namespace, filename = VOCAB_FILES[prefix]
    known = vocab_terms(filename, namespace)
    missing = [iri for iri in iris_in(namespace) if local_name(iri, namespace) not in known]
    assert not missing, f"{prefix}: terms not defined in shared/vocab/{filename}: {missing}"


def test_no_iri_outside_the_allowed_namespaces():
    allowed = (str(OKG), *UNCHECKED.values(), *CHECKED_NAMESPACES.values())
    strays = sorted(iri for iri in used_iris(ontology()) if iri not in HEADER_IRIS and not str(iri).startswith(allowed))
    assert not strays, f"IRIs from namespaces the ontology may not use: {strays}"


# --------------------------------------------------------------------------- 4. README contract


@pytest.mark.parametrize("name", readme_terms())
def test_readme_term_is_declared(name):
    term = OKG[name]
    assert (term, RDF.type, None) in ontology(), f"README names okg:{name} but orgkg.ttl does not declare it"


def test_readme_names_some_terms():
    assert len(readme_terms()) > 100


# --------------------------------------------------------------------------- standards-only clients


def superclasses(term: URIRef) -> set[URIRef]:
    return set(ontology().transitive_objects(term, RDFS.subClassOf))


def subclasses(term: URIRef) -> set[URIRef]:
    return set(ontology().transitive_subjects(RDFS.subClassOf, term)) - {term}


@pytest.mark.parametrize(
    ("root", "standard"),
    [
        (OKG.PartyOrganization, ORG.Organization),
        (OKG.StateOrganization, ORG.Organization),
        (OKG.MassOrganization, ORG.Organization),
        (OKG.MediaOrganization, ORG.Organization),
        (OKG.ChangeEvent, ORG.ChangeEvent),
        (OKG.AdministrativeUnit, SCHEMA.AdministrativeArea),
    ],
    ids=lambda v: local_name(v, str(OKG)) if v.startswith(str(OKG)) else v.split("/")[-1].split("#")[-1],
)
def test_specialised_classes_reach_the_standard_class(root, standard):
    """After RDFS inference a client knowing only the standard finds every instance."""
    for cls in {root} | subclasses(root):
        assert standard in superclasses(cls), f"{cls} is not a subclass of {standard}"


def test_events_are_schema_events():
    events = [
        OKG[n]
        for n in (
            "Congress",
            "Conference",
            "Competition",
            "Campaign",
            "Contest",
            "Workshop",
            "Review",
            "AwardConferral",
            "Anniversary",
            "CommemorativeDay",
        )
    ]
    for event in events:
        assert SCHEMA.Event in superclasses(event), f"{event} is not a schema:Event"


def test_predecessor_is_a_prov_derivation_with_inverse_successor():
    graph = ontology()
    assert (OKG.predecessor, RDFS.subPropertyOf, PROV.wasDerivedFrom) in graph
    assert (OKG.predecessor, OWL.inverseOf, OKG.successor) in graph
    assert (OKG.predecessor, SKOS.closeMatch, WD.P1365) in graph
    assert (OKG.successor, SKOS.closeMatch, WD.P1366) in graph


@pytest.mark.parametrize(
    "kind", [QB.DimensionProperty, QB.MeasureProperty, QB.AttributeProperty], ids=lambda k: k.split("#")[-1]
)
def test_figure_structure_lists_every_component(kind):
    graph = ontology()
    slot = {QB.DimensionProperty: QB.dimension, QB.MeasureProperty: QB.measure, QB.AttributeProperty: QB.attribute}[
        kind
    ]
    declared = set(graph.subjects(RDF.type, kind))
    in_structure = {graph.value(component, slot) for component in graph.objects(OKG.FigureStructure, QB.component)} - {
        None
    }
    assert declared, f"no {kind} declared"
    assert declared == in_structure


@pytest.mark.parametrize(
    "scheme",
    [OKG.DocumentTypeScheme, OKG.IssuerLevelScheme, OKG.UnitScheme, OKG.ComparatorScheme],
    ids=lambda s: local_name(s, str(OKG)),
)
def test_concept_schemes_hold_concepts_with_notations(scheme):
    graph = ontology()
    assert (scheme, RDF.type, SKOS.ConceptScheme) in graph
    concepts = set(graph.subjects(SKOS.inScheme, scheme))
    assert concepts
    for concept in concepts:
        assert (concept, RDF.type, SKOS.Concept) in graph
        if (concept, SKOS.topConceptOf, scheme) in graph and scheme != OKG.DocumentTypeScheme:
            assert graph.value(concept, SKOS.notation) is not None, f"{concept} has no notation"


@pytest.mark.parametrize(
    ("concept", "notation"),
    [
        ("Resolution", "NQ"),
        ("Directive", "CT"),
        ("Conclusion", "KL"),
        ("DecisionOrRegulation", "QĐ"),
        ("Guidance", "HD"),
        ("Notice", "TB"),
        ("OfficialLetter", "CV"),
        ("IssuerCentral", "TW"),
        ("IssuerProvincial", "TU"),
        ("IssuerDistrict", "HU"),
        ("IssuerBlocOrGrassroots", "ĐU"),
        ("IssuerCentralOffice", "VPTW"),
        ("IssuerCentralOrganizingCommittee", "BTCTW"),
    ],
)
def test_document_code_parts_have_their_notation(concept, notation):
    assert (OKG[concept], SKOS.notation, Literal(notation)) in ontology()


@pytest.mark.parametrize(("concept", "ascii_form"), [("DecisionOrRegulation", "QD"), ("IssuerBlocOrGrassroots", "DU")])
def test_ascii_spelling_of_d_with_stroke_is_an_alt_label(concept, ascii_form):
    assert (OKG[concept], SKOS.altLabel, Literal(ascii_form)) in ontology()


def test_blank_nodes_only_inside_the_figure_structure():
    graph = ontology()
    for subject in {s for s in graph.subjects() if isinstance(s, BNode)}:
        assert (OKG.FigureStructure, QB.component, subject) in graph, f"stray blank node {subject}"


def test_each_provincial_party_committee_is_the_elected_committee_of_its_party_organization(kg):
    """Issue 19 item 9: "Provincial Party Committee" names two bodies, the province's Party
    organization (Đảng bộ tỉnh: congresses, milestones) and its executive committee (Tỉnh ủy:
    decisions, documents, the Standing Committee and advisory boards under it)."""
    from .graph_queries import rows

    pairs = rows(
        kg,
        """SELECT ?committee ?organization WHERE {
             ?committee a okg:ProvincialPartyCommittee .
             OPTIONAL { ?committee okg:executiveCommitteeOf ?organization .
                        ?organization a okg:ProvincialPartyOrganization } }""",
    )
    assert pairs and all(row.organization is not None for row in pairs)
    organizations = {row.organization for row in pairs}
    assert organizations == set(kg.subjects(RDF.type, OKG.ProvincialPartyOrganization))
    assert len(organizations) == len(pairs)
    # the congress is the organization's, the regulation the committee's
    assert rows(
        kg,
        "SELECT ?c WHERE { ?c a okg:Congress ; okg:ordinal 20 ; schema:organizer ?o . ?o a okg:ProvincialPartyOrganization }",
    )
    assert rows(
        kg, "SELECT ?d WHERE { ?d eli:id_local '2993-QD/TU' ; eli:passed_by ?c . ?c a okg:ProvincialPartyCommittee }"
    )
    # and the link between them is the encoder's reading, stated as such
    for row in pairs:
        assert rows(
            kg,
            "SELECT ?i WHERE { ?i a okg:Inference ; rdf:subject ?s ; rdf:predicate okg:executiveCommitteeOf ; rdf:object ?o }",
            s=row.committee,
            o=row.organization,
        ), row.committee


INFERRED = """ASK { ?i a okg:Inference ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; rdfs:comment ?why ;
                    prov:wasDerivedFrom ?article ; okg:evidence/oa:hasSelector/oa:exact ?quote }"""


def test_inferences_stated_as_fact_are_marked_as_inferences(kg):
    """Issue 19 item 11: each statement below was explained only in a comment."""
    from .graph_queries import ask, rows

    statements = [
        (KG["event-94th-anniversary-party-organization-sector"], SCHEMA.startDate, None),
        (KG["doc-35-ct-tw-n1"], OWL.differentFrom, KG["doc-35-ct-tw-n2"]),
        (KG["doc-35-ct-tw-n2"], OWL.differentFrom, KG["doc-35-ct-tw-n1"]),
        (KG["event-cao-bang-competition-excellent-party-cell-secretaries"], SCHEMA.organizer, None),
        (KG["event-cao-bang-scientific-workshop-quality-of-grassroots-party-organizations"], SCHEMA.organizer, None),
    ]
    # every body the articles place in the Communist Party of Vietnam
    statements += [
        (s, ORG.subOrganizationOf, KG["org-communist-party-of-vietnam"])
        for s in kg.subjects(ORG.subOrganizationOf, KG["org-communist-party-of-vietnam"])
    ]
    # the legal basis of the two-level model carried over to each of its steps
    for row in rows(
        kg,
        """SELECT ?step ?doc WHERE { ?step dct:isPartOf ?whole ; cv:hasFormalFramework ?doc .
                                                    ?whole cv:hasFormalFramework ?doc }""",
    ):
        statements.append((row.step, CV.hasFormalFramework, row.doc))
    assert len(statements) > 10
    for s, p, o in statements:
        for value in [o] if o is not None else list(kg.objects(s, p)):
            assert (s, p, value) in kg, (s, p, value)
            assert ask(kg, INFERRED, s=s, p=p, o=value), (s, p, value)


def test_congresses_at_all_levels_are_a_series_not_a_congress(kg):
    """Issue 19 item 12: a group of congresses spoken of together is an okg:CongressSeries."""
    collective_congresses = [s for s in kg.subjects(RDF.type, OKG.Congress) if (s, OKG.collective, Literal(True)) in kg]
    assert collective_congresses == []
    series = set(kg.subjects(RDF.type, OKG.CongressSeries))
    assert KG["event-cao-bang-party-congresses-at-all-levels-2025-2030"] in series
    assert (
        KG["event-20th-cao-bang-provincial-party-congress"],
        SCHEMA.superEvent,
        KG["event-cao-bang-party-congresses-at-all-levels-2025-2030"],
    ) in kg
