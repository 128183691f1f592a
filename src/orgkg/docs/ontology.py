"""The ontology as its reference page shows it: every okg: term with its labels, definition,
parents and children, alignments to the standard vocabularies, and examples from the data."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import itemgetter

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, QB, RDF, RDFS, SKOS

from orgkg.namespaces import OKG
from orgkg.sparql_text import insert_values
from orgkg.terms import to_rdflib

#: The ontology's own IRI, whose dcterms: metadata heads the reference page.
ONTOLOGY_IRI = URIRef(str(OKG).rstrip("#"))
_LABEL = (RDFS.label, SKOS.prefLabel)
_DEFINITION = (RDFS.comment, SKOS.definition, DCTERMS.description)
_ALIGNMENTS = {
    RDFS.subClassOf: "subclass of",
    RDFS.subPropertyOf: "subproperty of",
    OWL.equivalentClass: "equivalent to",
    OWL.equivalentProperty: "equivalent to",
    SKOS.exactMatch: "exact match",
    SKOS.closeMatch: "close match",
    SKOS.broadMatch: "broader match",
    SKOS.narrowMatch: "narrower match",
    SKOS.relatedMatch: "related match",
    RDFS.seeAlso: "see also",
}
_PROPERTY_TYPES = (
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    RDF.Property,
    QB.DimensionProperty,
    QB.MeasureProperty,
    QB.AttributeProperty,
)
#: Examples shown per term.
EXAMPLES = 3

#: Triples of the data graphs (not the ontology's graph, bound as ?ontology) using a term (bound
#: as ?term, each okg: term of the ontology: read from the indexes, where a filter on the IRI
#: scanned every quad, 72 against 19 s at 10,000 articles) as predicate or object.
_EXAMPLES_QUERY = """SELECT ?term ?s ?p ?o WHERE {
  GRAPH ?g { { ?s ?term ?o BIND(?term AS ?p) } UNION { ?s ?p ?term BIND(?term AS ?o) } }
  FILTER(?g != ?ontology)
}"""


@dataclass
class Term:
    """One okg: term as the ontology reference shows it."""

    iri: URIRef
    local: str
    kinds: list[URIRef]
    labels: list[Literal]
    definition: str
    parents: list[URIRef] = field(default_factory=list)
    children: list[URIRef] = field(default_factory=list)
    alignments: list[tuple[str, URIRef]] = field(default_factory=list)
    domain: list[URIRef] = field(default_factory=list)
    range: list[URIRef] = field(default_factory=list)
    inverse: list[URIRef] = field(default_factory=list)
    notation: str = ""
    broader: list[URIRef] = field(default_factory=list)
    examples: list[tuple] = field(default_factory=list)
    uses: int = 0

    @property
    def category(self) -> str:
        """Where the reference lists the term: classes, properties, schemes, concepts or other."""
        if OWL.Class in self.kinds or RDFS.Class in self.kinds:
            return "classes"
        if any(kind in _PROPERTY_TYPES for kind in self.kinds):
            return "properties"
        if SKOS.ConceptScheme in self.kinds:
            return "schemes"
        return "concepts" if SKOS.Concept in self.kinds else "other"

    @property
    def label(self) -> str:
        return str(self.labels[0]) if self.labels else self.local

    @property
    def other_labels(self) -> list[Literal]:
        return self.labels[1:]


def examples_query(ontology: Graph, ontology_graph: str) -> str:
    """The query whose rows `read_terms` takes as examples, with the ontology's graph and terms bound."""
    terms = [ox.NamedNode(iri) for iri in okg_terms(ontology)]
    return insert_values(_EXAMPLES_QUERY, [("ontology", [ox.NamedNode(ontology_graph)]), ("term", terms)])


def okg_terms(ontology: Graph) -> list[URIRef]:
    """The okg: terms the ontology describes, sorted."""
    return sorted({s for s in ontology.subjects() if isinstance(s, URIRef) and s.startswith(str(OKG))})


def read_terms(ontology: Graph, examples: Iterable) -> list[Term]:
    """Every okg: term the ontology declares, sorted by local name; `examples` are the rows of
    `examples_query` (pyoxigraph terms), read once."""
    terms = []
    for iri in okg_terms(ontology):
        labels = sorted(
            {label for p in _LABEL for label in ontology.objects(iri, p) if isinstance(label, Literal)},
            key=lambda text: (text.language not in (None, "en"), text.language or "", str(text)),
        )
        definition = next((str(d) for p in _DEFINITION for d in ontology.objects(iri, p)), "")
        term = Term(iri, iri.removeprefix(str(OKG)), _sorted(ontology.objects(iri, RDF.type)), labels, definition)
        for predicate in (RDFS.subClassOf, RDFS.subPropertyOf):
            term.parents += _sorted(ontology.objects(iri, predicate))
            term.children += _sorted(ontology.subjects(predicate, iri))
        term.alignments = sorted(
            (name, target)
            for predicate, name in _ALIGNMENTS.items()
            for target in ontology.objects(iri, predicate)
            if isinstance(target, URIRef) and not target.startswith(str(OKG))
        )
        term.domain = _sorted(ontology.objects(iri, RDFS.domain))
        term.range = _sorted(ontology.objects(iri, RDFS.range))
        term.inverse = _sorted([*ontology.objects(iri, OWL.inverseOf), *ontology.subjects(OWL.inverseOf, iri)])
        term.notation = ", ".join(sorted(str(n) for n in ontology.objects(iri, SKOS.notation)))
        term.broader = _sorted(ontology.objects(iri, SKOS.broader))
        terms.append(term)
    _attach_examples(terms, examples)
    return sorted(terms, key=lambda t: t.local.casefold())


def _sorted(nodes) -> list[URIRef]:
    """The IRIs among `nodes`, each once, sorted."""
    return sorted({node for node in nodes if isinstance(node, URIRef)})


def _attach_examples(terms: list[Term], rows: Iterable) -> None:
    """Each term's count of uses and its first EXAMPLES triples (IRIs before blank nodes, then
    by text), from `rows` (term, s, p, o as pyoxigraph terms) read once: a term's uses grow with
    the corpus, so only the examples shown are kept."""
    uses: dict[str, int] = defaultdict(int)
    first: dict[str, list[tuple[tuple, tuple]]] = defaultdict(list)  # term -> (sort key, triple)
    for term, s, p, o in rows:
        uses[term.value] += 1
        kept = first[term.value]
        kept.append(((isinstance(s, ox.BlankNode), s.value, p.value, isinstance(o, ox.BlankNode), o.value), (s, p, o)))
        if len(kept) > 8 * EXAMPLES:  # sorted now and then, so a term holds a few dozen at most
            kept.sort(key=itemgetter(0))
            del kept[EXAMPLES:]
    for term in terms:
        found = sorted(first[str(term.iri)], key=itemgetter(0))[:EXAMPLES]
        term.uses = uses[str(term.iri)]
        term.examples = [tuple(to_rdflib(node) for node in triple) for _, triple in found]
