"""RDFS entailment under a fixed schema, computed once: the one closure of the project.

pySHACL's own inference (owlrl) copies the ontology into the data and closes everything, axioms
included, on every run. The ontology does not change while data is checked or exported, so its
subClassOf, subPropertyOf, domain and range axioms are closed here once into lookup tables, and
the entailments of any data then follow in one pass over its triples (rules rdfs2, 3, 5, 7, 9
and 11). Terms are anything hashable: the same code serves rdflib and pyoxigraph triples, given
the five RDFS terms in that library's spelling (`Vocabulary`).
"""

from __future__ import annotations

import builtins
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

from orgkg.namespaces import PREFIXES

RDF_TYPE = PREFIXES["rdf"] + "type"
RDFS_NS = PREFIXES["rdfs"]


@dataclass(frozen=True)
class Vocabulary:
    """rdf:type and the four RDFS schema terms as one RDF library spells them."""

    type: Hashable
    sub_class_of: Hashable
    sub_property_of: Hashable
    domain: Hashable
    range: Hashable
    literal: builtins.type  # the library's literal class: literals get no range types

    def is_literal(self, term) -> bool:
        return isinstance(term, self.literal)

    @classmethod
    def of(cls, named_node: Callable[[str], Hashable], literal_class: builtins.type) -> Vocabulary:
        """The vocabulary for a library: its IRI constructor and its literal class."""
        return cls(
            named_node(RDF_TYPE),
            named_node(RDFS_NS + "subClassOf"),
            named_node(RDFS_NS + "subPropertyOf"),
            named_node(RDFS_NS + "domain"),
            named_node(RDFS_NS + "range"),
            literal_class,
        )


def rdflib_vocabulary() -> Vocabulary:
    from rdflib import Literal, URIRef

    return Vocabulary.of(URIRef, Literal)


def oxigraph_vocabulary() -> Vocabulary:
    import pyoxigraph

    return Vocabulary.of(pyoxigraph.NamedNode, pyoxigraph.Literal)


def _transitive(pairs: Iterable[tuple]) -> dict:
    """For each node with a parent: every ancestor (strict, unless a cycle leads back)."""
    parents: dict = defaultdict(set)
    for child, parent in pairs:
        parents[child].add(parent)
    closed = {}
    for start in parents:
        seen, todo = set(), list(parents[start])
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(parents.get(node, ()))
        closed[start] = seen
    return closed


class Closure:
    """The schema's axioms closed into tables; `entailments` applies them to data."""

    def __init__(self, schema: Iterable[tuple], vocabulary: Vocabulary):
        self.vocabulary = v = vocabulary
        triples = list(schema)
        #: class -> its strict superclasses (rdfs11)
        self.superclasses = _transitive((s, o) for s, p, o in triples if p == v.sub_class_of)
        #: property -> its strict superproperties (rdfs5)
        self.superproperties = _transitive((s, o) for s, p, o in triples if p == v.sub_property_of)
        #: property -> the classes its subjects (domains) or resource objects (ranges) get, with superclasses
        self.domains = self._typed_by(triples, v.domain)
        self.ranges = self._typed_by(triples, v.range)

    def _typed_by(self, triples: list, axiom) -> dict:
        direct: dict = defaultdict(set)
        for prop, _, cls in (t for t in triples if t[1] == axiom):
            direct[prop] |= self.classes({cls})
        table: dict = defaultdict(set)
        for prop in set(direct) | set(self.superproperties):
            for candidate in {prop} | self.superproperties.get(prop, set()):
                table[prop] |= direct.get(candidate, set())
        return {prop: frozenset(classes) for prop, classes in table.items() if classes}

    def classes(self, classes: Iterable) -> set:
        """The classes given and all their superclasses."""
        out = set()
        for cls in classes:
            out.add(cls)
            out |= self.superclasses.get(cls, set())
        return out

    def entailments(self, triples: Iterable[tuple]) -> set[tuple]:
        """Everything RDFS adds to `triples` through the schema (some may already be stated):
        superproperty triples, domain and range types, superclass types, and the transitive
        subClassOf / subPropertyOf triples of schema statements among `triples`."""
        v = self.vocabulary
        out = set()
        for s, p, o in triples:
            for q in self.superproperties.get(p, ()):
                out.add((s, q, o))
            for cls in self.domains.get(p, ()):
                out.add((s, v.type, cls))
            if v.is_literal(o):
                continue
            for cls in self.ranges.get(p, ()):
                out.add((o, v.type, cls))
            if p == v.type:
                out.update((s, v.type, cls) for cls in self.superclasses.get(o, ()))
            elif p == v.sub_class_of:
                out.update((s, p, cls) for cls in self.superclasses.get(o, ()))
            elif p == v.sub_property_of:
                out.update((s, p, prop) for prop in self.superproperties.get(o, ()))
        return out

    def types(self, about: Iterable[tuple], pointing: Iterable[tuple]) -> set:
        """Every class a node belongs to after entailment, from the triples about it and those
        pointing at it (without materialising anything)."""
        v = self.vocabulary
        found = set()
        for _, p, o in about:
            found |= self.domains.get(p, set())
            if p == v.type:
                found |= self.classes({o})
        for _, p, _ in pointing:
            found |= self.ranges.get(p, set())
        return found
