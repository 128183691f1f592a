"""The SHACL shapes (ontology/shapes.ttl), each kind run where it is cheap, with pySHACL's results.

pySHACL parses the text of a SPARQL-based constraint again for every focus node: 355 parses were
most of a validation of the seed graph. So the SPARQL constraints of node shapes are lifted out of
its hands: each SELECT runs once on Oxigraph, with $this bound to every focus node (IRIs in one
VALUES block, blank nodes one by one), and each solution becomes the result pySHACL gives (the
shape's severity, its message, sh:value ?value or else the focus node). Everything else, SHACL
Core, goes to pySHACL with inference off: callers add the RDFS closure (`orgkg.rdfs`) once.
tests/test_shapes.py checks the two halves against one plain pySHACL run on every fixture, on the
seed graph and on a synthetic corpus with every kind of seeded error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from orgkg.findings import VIOLATION, Finding, local_name, short_name
from orgkg.namespaces import PREFIXES
from orgkg.sparql_text import insert_values
from orgkg.terms import solutions

#: Shapes whose results depend on the whole corpus (a succession cycle may span many files).
CORPUS_SHAPES = frozenset({URIRef(str(PREFIXES["okgsh"]) + "NoCircularSuccessionShape")})
TARGET_KINDS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
_RDF_TYPE = ox.NamedNode(str(RDF.type))
_THIS = ox.Variable("this")
_VALUES_CHUNK = 5000  # focus IRIs per VALUES block


@dataclass(frozen=True)
class SparqlShape:
    """A node shape's SPARQL constraints, run as one query each."""

    node: URIRef
    targets: tuple[tuple[URIRef, URIRef], ...]  # (target kind, class / node / predicate)
    selects: tuple[str, ...]  # $this spelt ?this
    prefixes: tuple[tuple[str, str], ...]
    severity: str
    message: str
    corpus: bool  # in CORPUS_SHAPES: judged on the whole corpus, never on part of it

    def focus_nodes(self, store: ox.Store) -> set:
        """The shape's targets in a store whose RDFS entailments are materialised."""
        found: set = set()
        for kind, term in self.targets:
            node = ox.NamedNode(str(term))
            if kind == SH.targetClass:
                found.update(q.subject for q in store.quads_for_pattern(None, _RDF_TYPE, node))
            elif kind == SH.targetNode:
                found.add(node)
            elif kind == SH.targetSubjectsOf:
                found.update(q.subject for q in store.quads_for_pattern(None, node, None))
            else:
                found.update(
                    q.object for q in store.quads_for_pattern(None, node, None) if not isinstance(q.object, ox.Literal)
                )
        return found

    def solutions(self, store: ox.Store, focus: Iterable | None) -> list[tuple]:
        """(focus, value) of every result, in Oxigraph terms; `focus` None leaves $this free
        (every solution then names its own focus node; callers keep the targeted ones)."""
        runs: list[tuple[str, dict]] = []
        for select in self.selects:
            if focus is None:
                runs.append((select, {}))
                continue
            nodes = sorted(focus, key=str)
            iris = [node for node in nodes if isinstance(node, ox.NamedNode)]
            runs += [
                (insert_values(select, [("this", iris[i : i + _VALUES_CHUNK])]), {})
                for i in range(0, len(iris), _VALUES_CHUNK)
            ]
            runs += [(select, {_THIS: node}) for node in nodes if isinstance(node, ox.BlankNode)]
        found: dict = {}
        for query, bound in runs:
            for solution in solutions(store.query(query, prefixes=dict(self.prefixes), substitutions=bound)):
                this = bound.get(_THIS) or solution["this"]
                value = solution["value"]  # None where the SELECT has no ?value
                found[(this, value if value is not None else this)] = None
        return list(found)

    def finding(self, focus, value, names: Graph, shapes: Graph, where: dict) -> Finding:
        """A solution as the Finding pySHACL's result would give (rdflib terms, named in `names`)."""
        return Finding(
            self.severity,
            "shacl",
            self.message,
            focus=short_name(names, focus),
            rule=short_name(shapes, self.node),
            file=where.get(focus, ""),
            value=short_name(names, value),
        )


class Shapes:
    """The shapes graph, split: SPARQL constraints of node shapes here, SHACL Core for pySHACL."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self.sparql = tuple(
            self._sparql_shape(node)
            for node in sorted({s for s in graph.subjects(SH.sparql, None) if isinstance(s, URIRef)})
            if graph.value(node, SH.path) is None and not _deactivated(graph, node)
        )
        lifted = {shape.node for shape in self.sparql}
        #: what pySHACL runs: the shapes graph without the lifted constraints
        self.core = Graph()
        self.core.namespace_manager = graph.namespace_manager
        self.core += (t for t in graph if not (t[0] in lifted and t[1] == SH.sparql))

    def _sparql_shape(self, node: URIRef) -> SparqlShape:
        graph = self.graph
        constraints = [c for c in sorted(graph.objects(node, SH.sparql), key=str) if not _deactivated(graph, c)]
        messages = [*graph.objects(node, SH.message), *(m for c in constraints for m in graph.objects(c, SH.message))]
        prefixes = {
            (str(graph.value(d, SH.prefix)), str(graph.value(d, SH.namespace)))
            for c in constraints
            for owner in graph.objects(c, SH.prefixes)
            for d in graph.objects(owner, SH.declare)
        }
        return SparqlShape(
            node,
            tuple(
                sorted((kind, t) for kind in TARGET_KINDS for t in graph.objects(node, kind) if isinstance(t, URIRef))
            ),
            tuple(str(graph.value(c, SH.select)).replace("$this", "?this") for c in constraints),
            tuple(sorted(prefixes)),
            local_name(graph.value(node, SH.severity)) or VIOLATION,
            str(messages[0]) if messages else "constraint not met",
            node in CORPUS_SHAPES,
        )

    def core_report(self, data: Graph) -> Graph:
        """pySHACL's sh:ValidationReport of the SHACL Core shapes on `data`, already RDFS-closed."""
        import pyshacl

        _, results, _ = pyshacl.validate(
            data, shacl_graph=self.core, inference="none", abort_on_first=False, allow_warnings=True, meta_shacl=False
        )
        return results


def _deactivated(graph: Graph, node) -> bool:
    return graph.value(node, SH.deactivated) == Literal(True)
