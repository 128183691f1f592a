"""The one RDFS closure: what it entails equals what pySHACL's RDFS inference adds, short of the
axiomatic triples that say nothing about the data; rdflib and pyoxigraph terms entail alike."""

from __future__ import annotations

import owlrl
import pyoxigraph as ox
import pytest
from pyshacl.inference.custom_rdfs_closure import CustomRDFSSemantics
from rdflib import Graph, Literal
from rdflib.namespace import ORG, PROV, RDF, RDFS

from orgkg.namespaces import KG, OKG
from orgkg.rdfs import Closure, oxigraph_vocabulary, rdflib_vocabulary
from orgkg.terms import from_rdflib

AXIOMATIC = (str(RDF), str(RDFS), "http://www.w3.org/2001/XMLSchema#")


@pytest.mark.slow  # pySHACL's own inference over the seed graph, for comparison
def test_entailments_are_pyshacls_rdfs_inference_without_its_axioms(kg, root):
    ontology = Graph().parse(root / "ontology/orgkg.ttl")
    ours = Closure(ontology, rdflib_vocabulary()).entailments(kg) - set(kg)
    theirs = Graph()
    theirs += kg
    owlrl.DeductiveClosure(CustomRDFSSemantics).expand(theirs)
    theirs = set(theirs) - set(kg)
    assert ours and ours <= theirs, sorted(ours - theirs)[:5]
    # What owlrl adds besides: types and subclasses from RDF/RDFS/XSD (rdfs:Resource, rdf:Property...)
    # and every property its own subproperty. None of it is about the project's terms.
    assert all(str(o).startswith(AXIOMATIC) or s == o for s, _, o in theirs - ours), sorted(theirs - ours)[:5]


def test_rules_on_a_small_schema():
    schema = [
        (OKG.Merger, RDFS.subClassOf, OKG.ChangeEvent),
        (OKG.ChangeEvent, RDFS.subClassOf, ORG.ChangeEvent),
        (OKG.predecessor, RDFS.subPropertyOf, PROV.wasDerivedFrom),
        (OKG.predecessor, RDFS.domain, ORG.Organization),
        (OKG.predecessor, RDFS.range, ORG.Organization),
        (OKG.value, RDFS.range, OKG.Quantity),
    ]
    closure = Closure(schema, rdflib_vocabulary())
    a, b, event = KG.a, KG.b, KG.event
    entailed = closure.entailments(
        [(a, OKG.predecessor, b), (event, RDF.type, OKG.Merger), (a, OKG.value, Literal(3)), *schema]
    )
    assert entailed == {
        (a, PROV.wasDerivedFrom, b),  # rdfs7
        (a, RDF.type, ORG.Organization),
        (b, RDF.type, ORG.Organization),  # rdfs2, rdfs3
        (event, RDF.type, OKG.ChangeEvent),
        (event, RDF.type, ORG.ChangeEvent),  # rdfs9 through rdfs11
        (OKG.Merger, RDFS.subClassOf, ORG.ChangeEvent),  # rdfs11
    }  # and no range type for the literal 3
    assert closure.types([(a, OKG.predecessor, b)], []) == {ORG.Organization}
    assert closure.types([], [(a, OKG.predecessor, b)]) == {ORG.Organization}
    assert closure.types([(event, RDF.type, OKG.Merger)], []) == {OKG.Merger, OKG.ChangeEvent, ORG.ChangeEvent}


def test_pyoxigraph_terms_entail_what_rdflib_terms_do(kg, root):
    ontology = Graph().parse(root / "ontology/orgkg.ttl")

    def convert(triples):
        return {tuple(from_rdflib(t) for t in triple) for triple in triples}

    by_rdflib = Closure(ontology, rdflib_vocabulary()).entailments(kg)
    by_oxigraph = Closure(convert(ontology), oxigraph_vocabulary()).entailments(convert(kg))
    assert by_oxigraph == convert(by_rdflib)
    assert any(isinstance(o, ox.NamedNode) and p == ox.NamedNode(str(RDF.type)) for _, p, o in by_oxigraph)
