"""What every unit needs, loaded once per process: the ontology with its RDFS closure, the shapes,
and which shapes a node's triples bring into play (to know when views of a node can be combined)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH

from orgkg.loading import parse_turtle
from orgkg.namespaces import ONTOLOGY_FILE, SHAPES_FILE
from orgkg.rdfs import Closure, rdflib_vocabulary
from orgkg.shacl_core import TARGETS, Compiled
from orgkg.shapes import Shapes
from orgkg.sparql_text import insert_values
from orgkg.store import EmbeddedStore
from orgkg.terms import solutions, to_rdflib
from orgkg.validation import OntologyTerms

#: Reference nodes whose descriptions a process keeps (a unit mentions a few dozen; articles
#: quote the same provinces and bodies again and again). Under 1 KB a node: at most ~70 MB. The
#: reference of 100,000 articles describes 62,000 nodes, so a worker with the index keeps them
#: all; one without also keeps the IRIs the reference does not describe, to read each once.
REFERENCE_CACHE = 100_000


@dataclass
class Schema:
    """The ontology (closed), the shapes, and the target index; the embedded store, read-only."""

    root: Path
    ontology: Graph  # as parsed
    terms: OntologyTerms  # what lint says of each okg: term the ontology declares
    closure: Closure
    closed: dict  # node -> the ontology's triples about it with their entailments; each unit gets those it uses
    shapes: Shapes
    targets: dict  # (target kind, class / predicate / node) -> the shapes a unit runs with that target
    capped: dict  # shape with a sh:maxCount -> the predicates it caps (None: a path not made of predicates)
    inverse: dict  # shape -> {predicate an inverse path of it follows: how its results count those triples}
    combinable: frozenset  # shapes whose every result is about a value (their views need not agree)
    embedded: EmbeddedStore | None = None
    reference_graphs: tuple = ()
    ontology_subjects: set = field(default_factory=set)
    _store: ox.Store | None = None  # opened on first use, in the process that uses it
    indexed: bool = False  # whether to index which reference graphs describe each node (`_describing`)

    def __post_init__(self):
        self._about: dict[str, tuple] = {}  # IRI -> its reference triples: reference_about's bounded memo

    def store(self) -> ox.Store:
        if self._store is None:
            assert self.embedded is not None, "a schema loaded with its store"
            self._store = self.embedded.open_read_only()
        return self._store

    def reference_about(self, iris: Iterable[str]) -> list[tuple]:
        """The reference's triples about these IRIs and the blank nodes they lead to (rdflib
        terms), each node read once until the memo is full. Each IRI is looked up on its own:
        `set - dict.keys()` walks the whole memo (1.7 ms a unit at 90,000 nodes)."""
        iris = {iri for iri in iris if not self.indexed or iri in self._describing}  # the rest: none
        if missing := sorted(iri for iri in iris if iri not in self._about):
            if len(self._about) + len(missing) > REFERENCE_CACHE:
                self._about.clear()  # full: forget, and read every node asked for again
                missing = sorted(iris)
            store = self.store()
            for iri in missing:
                todo, seen, triples = self._reference_quads(store, ox.NamedNode(iri)), set(), []
                while todo:
                    quad = todo.pop()
                    triples.append(tuple(map(to_rdflib, (quad.subject, quad.predicate, quad.object))))
                    if isinstance(quad.object, ox.BlankNode) and quad.object not in seen:
                        seen.add(quad.object)
                        todo += store.quads_for_pattern(quad.object, None, None, quad.graph_name)
                self._about[iri] = tuple(triples)
        return [triple for iri in iris for triple in self._about[iri]]

    def _reference_quads(self, store: ox.Store, subject: ox.NamedNode) -> list[ox.Quad]:
        """The node's quads in the reference graphs. With the index (a process that runs many
        units), looked up in the graphs that describe it. Without, its quads in every graph are
        read while they are fewer than the reference graphs, and past that it is looked up in each
        of them: a resolution every article cites is the subject of thousands of article quads
        (75,000 at 100,000 articles), where its reference description is a few."""
        if self.indexed:
            return [
                q
                for g in self._describing.get(subject.value, ())
                for q in store.quads_for_pattern(subject, None, None, g)
            ]
        graphs = self._reference_nodes
        quads = list(islice(store.quads_for_pattern(subject, None, None, None), len(graphs) + 1))
        if len(quads) > len(graphs):
            return [q for graph in graphs for q in store.quads_for_pattern(subject, None, None, graph)]
        return [q for q in quads if q.graph_name in graphs]

    @cached_property
    def _reference_nodes(self) -> frozenset:
        return frozenset(ox.NamedNode(graph) for graph in self.reference_graphs)

    @cached_property
    def _describing(self) -> dict[str, list[ox.NamedNode]]:
        """IRI -> the reference graphs it is a subject in: read once (100,000 articles: ~1 s, where
        looking every node up in each reference graph took 6 ms of each unit)."""
        found: dict[str, list[ox.NamedNode]] = defaultdict(list)
        query = insert_values(
            "SELECT DISTINCT ?s ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s)) }",
            [("g", sorted(self._reference_nodes, key=str))],
        )
        for subject, graph in solutions(self.store().query(query)):
            found[subject.value].append(graph)
        return dict(found)

    @classmethod
    def load(
        cls,
        root: Path,
        cache: Path,
        reference_graphs: Iterable[str],
        parsed: dict[Path, Graph] | None = None,
        store: ox.Store | None = None,
        compiled: str | None = None,
        indexed: bool = False,
    ) -> Schema:
        """`parsed`: the ontology and shapes files already parsed (by path), so they are not parsed
        twice; `store`: the embedded store, already open for reading in this process; `compiled`:
        the shapes' checks as `Compiled.to_json` wrote them (compiled again if None); `indexed`:
        for a process that runs many units (the index costs what a few hundred units save)."""
        parsed = parsed or {}
        ontology_path, shapes_path = root / ONTOLOGY_FILE, root / SHAPES_FILE
        ontology = parsed[ontology_path] if ontology_path in parsed else parse_turtle(ontology_path)
        shapes = Shapes(
            parsed[shapes_path] if shapes_path in parsed else parse_turtle(shapes_path),
            Compiled.from_json(compiled) if compiled else None,
        )
        closure = Closure(ontology, rdflib_vocabulary())
        closed: dict = defaultdict(set)  # an index, not a graph: copying the ontology into one costs more
        for triple in (*ontology, *closure.entailments(ontology)):
            closed[triple[0]].add(triple)
        return cls(
            root,
            ontology,
            OntologyTerms(ontology),
            closure,
            closed,
            shapes,
            *_target_index(shapes),
            EmbeddedStore(root, cache),
            tuple(sorted(reference_graphs)),
            set(ontology.subjects()),
            store,
            indexed,
        )

    def ontology_about(self, nodes: Iterable) -> Iterable:
        """The closed ontology's triples about `nodes` and the blank nodes they lead to (shapes
        read one step from a focus node: a concept's scheme, a class's superclasses)."""
        todo, seen = [n for n in nodes if n in self.ontology_subjects], set()
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for triple in self.closed.get(node, ()):
                yield triple
                if isinstance(triple[2], BNode):
                    todo.append(triple[2])

    def shapes_targeting(self, node, about: Iterable, pointing: Iterable) -> frozenset:
        """The unit's shapes whose targets include `node`, given the triples about it and pointing at it."""
        about, pointing = list(about), list(pointing)
        supers = self.closure.superproperties
        keys = {(SH.targetClass, c) for c in self.closure.types(about, pointing)} | {(SH.targetNode, node)}
        keys |= {(SH.targetSubjectsOf, q) for _, p, _ in about for q in {p} | supers.get(p, set())}
        keys |= {(SH.targetObjectsOf, q) for _, p, _ in pointing for q in {p} | supers.get(p, set())}
        return frozenset(shape for key in keys for shape in self.targets.get(key, ()))

    def caps(self, shapes: frozenset, about: Iterable) -> bool:
        """Whether the triples `about` a node give it a value that a sh:maxCount of these shapes
        counts (a path not made of predicates always may): then views of the node cannot be
        combined, as each would count only its own values."""
        predicates = self.with_superproperties(about)
        return any(
            self.capped[shape] is None or self.capped[shape] & predicates for shape in shapes if shape in self.capped
        )

    @cached_property
    def inverse_predicates(self) -> frozenset:
        """Every predicate some shape's inverse path follows (with its subproperties, whose
        triples entail one of it): the triples pointing at a node that its shapes may read."""
        followed = {p for counted in self.inverse.values() for p in counted}
        subs = {q for q, supers in self.closure.superproperties.items() if supers & followed}
        return frozenset(followed | subs)

    def counts_pointing(self, shapes: frozenset, pointing: Iterable, kinds: tuple[str, ...]) -> bool:
        """Whether the triples `pointing` at a node are counted, as one of `kinds` ("min": a
        result that more such triples can only clear; "max": any other), by an inverse path of
        these shapes: then views without those triples cannot judge the node."""
        predicates = self.with_superproperties(pointing)
        return any(
            kind in kinds
            for shape in shapes
            for predicate, kind in self.inverse.get(shape, {}).items()
            if predicate in predicates
        )

    def with_superproperties(self, triples: Iterable) -> set:
        """The predicates of `triples` and their superproperties (what RDFS entails they state)."""
        return {q for _, p, _ in triples for q in {p} | self.closure.superproperties.get(p, set())}


def _target_index(shapes: Shapes) -> tuple[dict, dict, dict, frozenset]:
    """Which shapes each class, predicate or node brings into play (corpus shapes excepted); the
    shapes with a sh:maxCount and what they cap; the predicates each shape's inverse paths follow;
    the shapes whose views combine by union."""
    graph = shapes.graph
    corpus = {shape.node for shape in shapes.sparql if shape.corpus}
    index: dict = defaultdict(set)
    for kind in TARGETS:
        for shape, target in graph.subject_objects(kind):
            if shape not in corpus:
                index[(kind, target)].add(shape)
    capped: dict = {}
    for shape in set(graph.subjects(SH.property, None)):
        parts = [
            _forward_predicates(graph, graph.value(prop, SH.path))
            for prop in graph.objects(shape, SH.property)
            if (prop, SH.maxCount, None) in graph or (prop, SH.qualifiedMaxCount, None) in graph
        ]
        if parts:
            capped[shape] = None if None in parts else frozenset(p for part in parts if part is not None for p in part)
    targeted = {shape for shape_set in index.values() for shape in shape_set}
    inverse = {shape: found for shape in targeted if (found := _inverse_paths(graph, shape))}
    combinable = frozenset(shape for shape in targeted if _about_values_only(graph, shape))
    return dict(index), capped, inverse, combinable


def _forward_predicates(shapes: Graph, path) -> frozenset | None:
    """The predicates a path follows forward, if it is made of predicates, inverses of
    predicates (which follow none forward) and alternatives of those; None for any other path
    (a sequence, a repetition), whose values may come from anywhere."""
    if isinstance(path, URIRef):
        return frozenset({path})
    if isinstance(shapes.value(path, SH.inversePath), URIRef):
        return frozenset()
    alternatives = shapes.value(path, SH.alternativePath)
    parts = [_forward_predicates(shapes, member) for member in Collection(shapes, alternatives)] if alternatives else []
    if not parts or None in parts:
        return None
    return frozenset(p for part in parts if part is not None for p in part)


def _inverse_paths(shapes: Graph, shape) -> dict:
    """predicate -> "value", "min" or "max": how the results of `shape` about a focus node read
    the triples pointing at it along an inverse path. "value": a property shape of its own that
    checks each value alone (a result names the pointing node, and a view that holds the triple
    finds it); "min": one whose results more such triples can only clear (minimum counts); "max":
    any other (a sh:maxCount, or a path inside sh:or, sh:not...: only all such triples at once
    decide)."""
    found: dict = {}
    todo = [(prop, True) for prop in shapes.objects(shape, SH.property)]
    todo += [(nested, False) for nested in _logical_members(shapes, shape)]
    seen = set()
    while todo:
        node, own = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        path = shapes.value(node, SH.path)
        if path is None:  # a node shape inside sh:or, sh:node...: about the focus node itself
            todo += [(prop, False) for prop in shapes.objects(node, SH.property)]
            todo += [(nested, False) for nested in _logical_members(shapes, node)]
            continue
        constraints = set(shapes.predicates(node))
        if not own or constraints & {SH.maxCount, SH.qualifiedMaxCount}:
            kind = "max"
        elif constraints & {SH.minCount, SH.qualifiedMinCount, SH.hasValue}:
            kind = "min"
        else:
            kind = "value"
        for predicate in _inverse_members(shapes, path):
            found[predicate] = max(found.get(predicate, kind), kind, key=_KINDS.index)
    return found


_KINDS = ("value", "min", "max")


def _inverse_members(shapes: Graph, path) -> set:
    """The predicates a path follows backward (every predicate under an sh:inversePath)."""
    found: set = set()
    todo, seen = [path], set()
    while todo:
        node = todo.pop()
        if node in seen or not isinstance(node, BNode):
            continue
        seen.add(node)
        for predicate, value in shapes.predicate_objects(node):
            if predicate == SH.inversePath:
                found |= {value} if isinstance(value, URIRef) else _forward_members(shapes, value)
            else:
                todo.append(value)
    return found


def _forward_members(shapes: Graph, path) -> set:
    """Every predicate a path names (path predicates are the IRIs among its nodes' objects)."""
    found: set = set()
    todo, seen = [path], set()
    while todo:
        node = todo.pop()
        if isinstance(node, URIRef):
            found.add(node)
        elif isinstance(node, BNode) and node not in seen:
            seen.add(node)
            todo += list(shapes.objects(node, None))
    return found - {RDF.nil}


def _logical_members(shapes: Graph, node) -> list:
    """The shapes that sh:node, sh:not, sh:and, sh:or and sh:xone apply to the same focus node."""
    members = [*shapes.objects(node, SH.node), *shapes.objects(node, SH["not"])]
    for logical in (SH["and"], SH["or"], SH.xone):
        for head in shapes.objects(node, logical):
            members += list(Collection(shapes, head))
    return members


_METADATA = {
    RDF.type,
    RDFS.label,
    RDFS.comment,
    SH.property,
    SH.targetSubjectsOf,
    SH.severity,
    SH.message,
    SH.name,
    SH.description,
}
_COUNTS = (SH.minCount, SH.qualifiedMinCount, SH.maxCount, SH.qualifiedMaxCount)


def _about_values_only(shapes: Graph, shape) -> bool:
    """A node shape targeting the subjects of the very paths it constrains, with no counts: a view
    that does not target a node has no values for it either, so its views combine by union."""
    subjects_of = set(shapes.objects(shape, SH.targetSubjectsOf))
    if not subjects_of or set(shapes.predicates(shape)) - _METADATA:
        return False
    for prop in shapes.objects(shape, SH.property):
        if any((prop, count, None) in shapes for count in _COUNTS):
            return False
        path = shapes.value(prop, SH.path)
        alternatives = shapes.value(path, SH.alternativePath) if isinstance(path, BNode) else None
        paths = set(Collection(shapes, alternatives)) if alternatives is not None else {path}
        if not paths <= subjects_of:
            return False
    return True
