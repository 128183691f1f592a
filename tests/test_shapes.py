"""The SHACL shapes (ontology/shapes.ttl) catch exactly the mistakes they name.

Every rule has a pair of fixtures under tests/fixtures/shapes/:
``<rule>.fail.ttl`` breaks that rule and nothing else (its first line,
``# expect: okgsh:Shape``, names the shape that must fire; an optional
``# also: okgsh:Other ...`` line names shapes that necessarily fire with it), and
``<rule>.pass.ttl`` is the same data, corrected, and conforms.

Data is validated the way the shapes are written for: as one union graph with the ontology
mixed in and RDFS inference, by one plain pySHACL run. The project's own validator (SHACL Core in
pySHACL on the RDFS closure computed once, SPARQL constraints as one Oxigraph query each) must
give identical findings: on every fixture, on the seed graph and on a synthetic corpus with every
kind of seeded error.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import astuple
from functools import lru_cache
from pathlib import Path

import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SH

from orgkg.findings import result_finding
from orgkg.loading import parse_turtle
from orgkg.namespaces import bind_prefixes
from orgkg.rdfs import Closure, rdflib_vocabulary
from orgkg.repository import data_files
from orgkg.shapes import Shapes
from orgkg.synth import ERROR_KINDS, synthesize
from orgkg.validation import shacl_findings

ROOT = Path(__file__).resolve().parents[1]
SHAPES_FILE = ROOT / "ontology" / "shapes.ttl"
ONTOLOGY_FILE = ROOT / "ontology" / "orgkg.ttl"
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
OKGSH = Namespace("https://w3id.org/orgkg/shapes#")

# Used only while ontology/orgkg.ttl does not exist yet: the few axioms of the
# modelling contract (ontology/README.md) that the fixtures need for inference.
_STAND_IN_ONTOLOGY = """
@prefix okg:    <https://w3id.org/orgkg/ontology#> .
@prefix org:    <http://www.w3.org/ns/org#> .
@prefix eli:    <http://data.europa.eu/eli/ontology#> .
@prefix prov:   <http://www.w3.org/ns/prov#> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <http://schema.org/> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .
okg:PartyOrganization rdfs:subClassOf org:Organization .
okg:PartyCommittee rdfs:subClassOf okg:PartyOrganization .
okg:ProvincialPartyCommittee rdfs:subClassOf okg:PartyCommittee .
okg:DistrictPartyCommittee rdfs:subClassOf okg:PartyCommittee .
okg:CommunePartyCommittee rdfs:subClassOf okg:PartyCommittee .
okg:BlocPartyCommittee rdfs:subClassOf okg:PartyCommittee .
okg:CentralPartyBody rdfs:subClassOf okg:PartyOrganization .
okg:MediaOrganization rdfs:subClassOf org:Organization .
okg:Newspaper rdfs:subClassOf okg:MediaOrganization .
okg:RadioTelevisionStation rdfs:subClassOf okg:MediaOrganization .
okg:AdministrativeUnit rdfs:subClassOf schema:AdministrativeArea .
okg:Province rdfs:subClassOf okg:AdministrativeUnit .
okg:ChangeEvent rdfs:subClassOf org:ChangeEvent .
okg:Establishment rdfs:subClassOf okg:ChangeEvent .
okg:Dissolution rdfs:subClassOf okg:ChangeEvent .
okg:Merger rdfs:subClassOf okg:ChangeEvent .
okg:Renaming rdfs:subClassOf okg:ChangeEvent .
okg:Restructuring rdfs:subClassOf okg:ChangeEvent .
okg:Congress rdfs:subClassOf schema:Event .
okg:PartyDocument rdfs:subClassOf eli:LegalResource .
okg:Decision rdfs:subClassOf prov:Activity .
okg:predecessor rdfs:subPropertyOf prov:wasDerivedFrom .
okg:Resolution skos:inScheme okg:DocumentTypeScheme ; skos:prefLabel "Nghị quyết"@vi .
okg:IssuerCentral skos:inScheme okg:IssuerLevelScheme .
"""


@lru_cache(maxsize=1)
def shapes() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


@lru_cache(maxsize=1)
def ontology() -> Graph:
    """The ontology used for inference: ontology/orgkg.ttl, or a stand-in while it is missing."""
    if ONTOLOGY_FILE.exists():
        return Graph().parse(ONTOLOGY_FILE, format="turtle")
    return Graph().parse(data=_STAND_IN_ONTOLOGY, format="turtle")


def validate(fixture: Graph) -> tuple[bool, Graph, str]:
    """Validate like the project does: the data graph is the union of the ontology and the
    data (pySHACL's ont_graph mix-in alone copies only class and property axioms, not the
    SKOS concepts), with the ontology also given for RDFS inference."""
    data = fixture + ontology()
    conforms, results, text = pyshacl.validate(data, shacl_graph=shapes(), ont_graph=ontology(), inference="rdfs")
    return conforms, results, text


def fast_findings(data: Graph) -> list:
    """The project's validator (SHACL part) on `data`, ontology included."""
    return shacl_findings(data, Shapes(shapes()), Closure(ontology(), rdflib_vocabulary()), {})


def same_findings(data: Graph, results: Graph | None = None) -> list:
    """Plain pySHACL (its `results` when already run) and the project's validator on `data`:
    assert their findings are identical; return them."""
    if results is None:
        _, results, _ = pyshacl.validate(data, shacl_graph=shapes(), ont_graph=ontology(), inference="rdfs")
    plain = [result_finding(results, r, data, shapes(), {}) for r in results.subjects(RDF.type, SH.ValidationResult)]
    fast = fast_findings(data)
    only_plain = Counter(map(astuple, plain)) - Counter(map(astuple, fast))
    only_fast = Counter(map(astuple, fast)) - Counter(map(astuple, plain))
    assert not only_plain and not only_fast, (sorted(only_plain), sorted(only_fast))
    return fast


def expectation(path: Path) -> tuple[URIRef, set[URIRef]]:
    """The shape a failing fixture must fire (``# expect:``) and any that fire with it (``# also:``)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    first = re.fullmatch(r"# expect: okgsh:(\w+)", lines[0])
    assert first, f"{path.name}: first line must be '# expect: okgsh:<Shape>'"
    also: set[URIRef] = set()
    for line in lines[1:]:
        if line.startswith("# also:"):
            also |= {OKGSH[name] for name in re.findall(r"okgsh:(\w+)", line)}
    return OKGSH[first.group(1)], also


def declared(result_shape: URIRef, constraint, predicate: URIRef):
    """The sh:message or sh:severity declared for a result: on its SPARQL constraint, else on its shape."""
    if constraint is not None:
        value = shapes().value(constraint, predicate)
        if value is not None:
            return value
    return shapes().value(result_shape, predicate)


FAIL = sorted(FIXTURES.glob("*.fail.ttl"))
PASS = sorted(FIXTURES.glob("*.pass.ttl"))


def short(term) -> str:
    return "okgsh:" + str(term).removeprefix(str(OKGSH))


@pytest.mark.parametrize("path", FAIL, ids=lambda p: p.name.removesuffix(".fail.ttl"))
def test_fail_fixture_fires_exactly_its_rule(path: Path) -> None:
    """The project's validator; the slow test below checks plain pySHACL says the same."""
    expected, also = expectation(path)
    assert (shapes().value(expected, RDF.type)) is not None, f"{expected} is not in shapes.ttl"
    findings = fast_findings(bind_prefixes(Graph().parse(path, format="turtle") + ontology()))
    named = {f.rule for f in findings if f.rule.startswith("okgsh:")}  # nested results name a component
    assert named == {short(shape) for shape in {expected} | also}, (path.name, findings)
    constraints = list(shapes().objects(expected, SH.sparql))
    messages = {str(m) for node in (expected, *constraints) for m in shapes().objects(node, SH.message)}
    severity = str(declared(expected, constraints[0] if constraints else None, SH.severity)).rsplit("#", 1)[-1]
    for finding in (f for f in findings if f.rule == short(expected)):
        assert finding.message in messages and finding.severity == severity, finding


@pytest.mark.parametrize("path", PASS, ids=lambda p: p.name.removesuffix(".pass.ttl"))
def test_pass_fixture_conforms(path: Path) -> None:
    assert fast_findings(bind_prefixes(Graph().parse(path, format="turtle") + ontology())) == []


@pytest.mark.slow
@pytest.mark.parametrize("path", FAIL + PASS, ids=lambda p: p.name.removesuffix(".ttl"))
def test_plain_pyshacl_fires_the_same_rules_on_every_fixture(path: Path) -> None:
    """One plain pySHACL run: the shapes themselves fire what the fixture expects, with their
    declared messages and severities, and the project's validator gives identical findings."""
    fixture = Graph().parse(path, format="turtle")
    conforms, results, text = validate(fixture)
    findings = same_findings(bind_prefixes(fixture + ontology()), results)
    if path in PASS:
        assert conforms and findings == [], f"{path.name} should conform\n{text}"
        return
    expected, also = expectation(path)
    fired = {}
    for result in results.objects(None, SH.result):  # top-level results, not sh:detail
        fired.setdefault(results.value(result, SH.sourceShape), []).append(result)
    assert set(fired) == {expected} | also, f"{path.name}: unexpected shapes fired\n{text}"
    for result in fired[expected]:
        constraint = results.value(result, SH.sourceConstraint)
        assert results.value(result, SH.resultMessage) == declared(expected, constraint, SH.message)
        assert results.value(result, SH.resultSeverity) == declared(expected, constraint, SH.severity)


def test_every_fail_fixture_has_a_pass_twin() -> None:
    fail = {p.name.removesuffix(".fail.ttl") for p in FAIL}
    ok = {p.name.removesuffix(".pass.ttl") for p in PASS}
    assert fail == ok
    assert len(fail) >= 40


# --- the shapes graph itself -------------------------------------------------

TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


def targeted_shapes() -> set:
    return {s for p in TARGETS for s in shapes().subjects(p, None)}


def rules() -> set[URIRef]:
    """Each rule a fixture must exercise: the named property shapes of targeted shapes,
    and targeted shapes that constrain the focus node itself (sh:or, sh:sparql)."""
    found: set[URIRef] = set()
    for shape in targeted_shapes():
        found |= set(shapes().objects(shape, SH.property))
        if (shape, SH["or"], None) in shapes() or (shape, SH.sparql, None) in shapes():
            found.add(shape)
    return found


@pytest.mark.slow  # pySHACL on the shapes graph against SHACL's own shapes: the fast lane's slowest test
def test_shapes_graph_is_valid_shacl() -> None:
    conforms, _, text = pyshacl.validate(Graph(), shacl_graph=shapes(), meta_shacl=True)
    assert conforms, text


def test_every_top_level_shape_is_named_labelled_and_in_the_shapes_namespace() -> None:
    for shape in targeted_shapes() | rules():
        assert isinstance(shape, URIRef) and shape.startswith(str(OKGSH)), shape
        assert shapes().value(shape, RDFS.label) is not None, f"{shape} has no rdfs:label"


def test_every_constraint_states_a_message_and_a_severity() -> None:
    g = shapes()
    constrained = set(g.objects(None, SH.property)) | set(g.objects(None, SH.sparql))
    constrained |= {s for s in targeted_shapes() if (s, SH["or"], None) in g}
    for node in constrained:
        message = g.value(node, SH.message)
        assert isinstance(message, Literal) and str(message).strip(), f"{node} has no sh:message"
        assert g.value(node, SH.severity) in (SH.Violation, SH.Warning), f"{node} has no sh:severity"
    for sparql in g.objects(None, SH.sparql):
        assert not isinstance(sparql, BNode) or g.value(sparql, SH.message), sparql


def test_warnings_are_few() -> None:
    warnings = set(shapes().subjects(SH.severity, SH.Warning))
    assert len(warnings) <= 3, warnings


def test_every_rule_has_a_failing_fixture() -> None:
    covered = set()
    for path in FAIL:
        expected, _ = expectation(path)
        covered.add(expected)
    missing = sorted(str(r) for r in rules() - covered)
    assert not missing, f"rules without a .fail.ttl fixture: {missing}"


# --- the project's validator against plain pySHACL ---------------------------------------------


def union(files: list[Path]) -> Graph:
    data = bind_prefixes(Graph())
    for path in files:
        data += parse_turtle(path)
    return data


@pytest.mark.slow
def test_identical_findings_on_the_seed_graph(root) -> None:
    assert same_findings(union(data_files(root))) == []


@pytest.mark.slow
def test_identical_findings_on_a_corpus_with_every_kind_of_seeded_error(root, tmp_path) -> None:
    synthesize(20, tmp_path, root, seed=7, errors={kind: 1 for kind in ERROR_KINDS})
    findings = same_findings(union(data_files(tmp_path)))
    fired = {f.rule for f in findings}
    shacl_rules = {rule for _, rule in ERROR_KINDS.values() if rule.startswith("okgsh:")}
    assert shacl_rules <= fired, shacl_rules - fired


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(ERROR_KINDS))
def test_identical_findings_on_a_corpus_with_one_kind_of_seeded_error(root, tmp_path, kind) -> None:
    """Each kind alone, as `orgkg dev synth 20 --errors KIND=1` seeds it: what one error does to
    the rest of the corpus is judged the same way by both."""
    synthesize(20, tmp_path, root, seed=11, errors={kind: 1})
    findings = same_findings(union(data_files(tmp_path)))
    rule = ERROR_KINDS[kind][1]
    if rule.startswith("okgsh:"):
        assert rule in {f.rule for f in findings}, (kind, findings)


def test_run_each_gives_each_view_what_run_gives_it_alone() -> None:
    """Incremental validation checks many small views at once, each a graph of one store
    (`Shapes.run_each`): every fixture with the ontology, all at once, gets the results it gets
    alone."""
    compiled, closure = Shapes(shapes()), Closure(ontology(), rdflib_vocabulary())
    views = []
    for path in FAIL + PASS:
        data = bind_prefixes(Graph()).parse(path, format="turtle")
        data += ontology()
        views.append((data, list(closure.entailments(data)), {}))
    together = compiled.run_each(views)
    fired = 0
    for (data, entailed, where), results in zip(views, together, strict=True):
        alone = compiled.run(data, entailed, where)
        assert Counter(map(astuple, (r[0] for r in results))) == Counter(map(astuple, (r[0] for r in alone)))
        fired += bool(alone)
    assert fired >= len(FAIL)
