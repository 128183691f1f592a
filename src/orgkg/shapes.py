"""The SHACL shapes (ontology/shapes.ttl) run on Oxigraph, with pySHACL's results: the one shape
pipeline of full and incremental validation (`Shapes.run`: the data and its RDFS closure copied
into an Oxigraph store once, then every shape).

pySHACL walks focus nodes one by one in Python and parses the text of a SPARQL-based constraint
again for every focus node. So SHACL Core runs as SPARQL (`orgkg.shacl_core`: one query per shape
and constraint over all focus nodes), and the SPARQL constraints of node shapes are run here: each
SELECT once, with $this bound to every focus node (IRIs in one VALUES block, blank nodes one by
one), each solution the result pySHACL gives (the shape's severity, its message, sh:value ?value
or else the focus node). Only shapes the compiler leaves out go to pySHACL, with inference off:
callers give the RDFS closure (`orgkg.rdfs`). tests/test_shapes.py checks the whole against one
plain pySHACL run on every fixture, on the seed graph and on a synthetic corpus with every kind
of seeded error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from orgkg.findings import VIOLATION, Finding, local_name, result_finding, short_name
from orgkg.namespaces import PREFIXES
from orgkg.shacl_core import TARGETS, Compiled, compile_shapes, deactivated
from orgkg.sparql_text import insert_values, tokenize
from orgkg.terms import oxigraph_quads, oxigraph_store, solutions, to_rdflib

#: What `Shapes.run` gives per result: the finding, its focus node and its value (rdflib terms;
#: the value is None where the result has none).
Result = tuple[Finding, object, object]

#: Shapes whose results depend on the whole corpus (a succession cycle may span many files).
CORPUS_SHAPES = frozenset({URIRef(str(PREFIXES["okgsh"]) + "NoCircularSuccessionShape")})
_RDF_TYPE = ox.NamedNode(str(RDF.type))
_THIS = ox.Variable("this")
_VALUES_CHUNK = 5000  # focus IRIs per VALUES block
_FREE_ABOVE = 200  # more focus nodes than this: the query runs with $this free


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

    def focus_nodes(self, store: ox.Store, graph: ox.NamedNode | None = None) -> set:
        """The shape's targets in a store (or one of its graphs) whose RDFS entailments are
        materialised."""
        found: set = set()
        for kind, term in self.targets:
            node = ox.NamedNode(str(term))
            if kind == SH.targetClass:
                found.update(q.subject for q in store.quads_for_pattern(None, _RDF_TYPE, node, graph))
            elif kind == SH.targetNode:
                found.add(node)
            elif kind == SH.targetSubjectsOf:
                found.update(q.subject for q in store.quads_for_pattern(None, node, None, graph))
            else:
                found.update(
                    q.object
                    for q in store.quads_for_pattern(None, node, None, graph)
                    if not isinstance(q.object, ox.Literal)
                )
        return found

    def solutions(self, store: ox.Store, focus: Iterable | None, graph: ox.NamedNode | None = None) -> list[tuple]:
        """(focus, value) of every result, in Oxigraph terms; `focus` None leaves $this free
        (every solution then names its own focus node; callers keep the targeted ones). Many
        focus nodes are not bound at all: Oxigraph joins a long VALUES block slowly, so the
        query runs free and its solutions are kept for the focus nodes. `graph`: run on that graph
        of the store alone."""
        runs: list[tuple[str, dict]] = []
        kept = None
        if focus is not None and len(focus := set(focus)) > _FREE_ABOVE:
            focus, kept = None, focus
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
            answer = store.query(query, prefixes=dict(self.prefixes), substitutions=bound, default_graph=graph)
            for solution in solutions(answer):
                this = bound.get(_THIS) or solution["this"]
                value = solution["value"]  # None where the SELECT has no ?value
                if kept is None or this in kept:
                    found[(this, value if value is not None else this)] = None
        return list(found)

    def finding(self, focus, value, names: Graph, shapes: Graph, where: Mapping) -> Finding:
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
    """The shapes graph, split: SPARQL constraints of node shapes, SHACL Core compiled to SPARQL,
    and what is left for pySHACL (shapes the compiler does not cover; usually none)."""

    def __init__(self, graph: Graph, compiled: Compiled | None = None):
        """`compiled`: the SHACL Core checks compiled from this very graph before (a cache's)."""
        self.graph = graph
        self._given = compiled
        self.sparql = tuple(
            self._sparql_shape(node)
            for node in sorted({s for s in graph.subjects(SH.sparql, None) if isinstance(s, URIRef)})
            if graph.value(node, SH.path) is None and not deactivated(graph, node)
        )
        self.lifted = frozenset(shape.node for shape in self.sparql)

    @cached_property
    def compiled(self) -> Compiled:
        """Compiled when first run: an incremental run with nothing to re-validate needs none."""
        return self._given or compile_shapes(self.graph, self.lifted)

    @property
    def checks(self) -> list:
        return self.compiled.checks

    @property
    def delegated(self) -> frozenset:
        return frozenset(self.compiled.delegated)

    @cached_property
    def core(self) -> Graph:
        """What pySHACL runs: the shapes graph without the lifted constraints and without the
        targets of compiled shapes."""
        core = Graph()
        core.namespace_manager = self.graph.namespace_manager
        targets = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target}
        compiled_roots = {check.root for check in self.checks}
        core += (
            t
            for t in self.graph
            if not (t[0] in self.lifted and t[1] == SH.sparql) and not (t[0] in compiled_roots and t[1] in targets)
        )
        return core

    def _sparql_shape(self, node: URIRef) -> SparqlShape:
        graph = self.graph
        constraints = [c for c in sorted(graph.objects(node, SH.sparql), key=str) if not deactivated(graph, c)]
        messages = [*graph.objects(node, SH.message), *(m for c in constraints for m in graph.objects(c, SH.message))]
        prefixes = {
            (str(graph.value(d, SH.prefix)), str(graph.value(d, SH.namespace)))
            for c in constraints
            for owner in graph.objects(c, SH.prefixes)
            for d in graph.objects(owner, SH.declare)
        }
        return SparqlShape(
            node,
            tuple(sorted((kind, t) for kind in TARGETS for t in graph.objects(node, kind) if isinstance(t, URIRef))),
            tuple(exists_as_optional(str(graph.value(c, SH.select)).replace("$this", "?this")) for c in constraints),
            tuple(sorted(prefixes)),
            local_name(graph.value(node, SH.severity)) or VIOLATION,
            str(messages[0]) if messages else "constraint not met",
            node in CORPUS_SHAPES,
        )

    def run(
        self, data: Graph, entailed: Iterable[tuple], where: Mapping, store: ox.Store | None = None
    ) -> list[Result]:
        """Every shape on `data` with the triples `entailed` (its RDFS closure, computed by the
        caller) added, findings named from `data`. `store`, an Oxigraph copy of `data` the caller
        made for its own queries, gets the closure added; without it one is made."""
        entailed = list(entailed)
        store = store if store is not None else oxigraph_store(data)
        store.bulk_extend(oxigraph_quads(entailed))
        results: list[Result] = []
        for check in self.checks:
            for focus, value in check.results(store):
                results.append(self._check_result(check, focus, value, data, where))
        return results + self._sparql_and_delegated(store, None, data, entailed, where, corpus=True)

    def run_each(self, views: list[tuple[Graph, list, Mapping]], corpus: bool = True) -> list[list[Result]]:
        """`run` on each of many small views (data, entailed, where) at once: each view a named
        graph of one store, each check one query over all of them (a query's fixed cost, parsing
        and planning, exceeds its run on one article's data)."""
        graphs = [ox.NamedNode(f"urn:orgkg:view:{index}") for index in range(len(views))]
        store = ox.Store()
        for graph, (data, entailed, _) in zip(graphs, views, strict=True):
            store.bulk_extend(oxigraph_quads(data, graph))
            store.bulk_extend(oxigraph_quads(entailed, graph))
        index = {graph: at for at, graph in enumerate(graphs)}
        results: list[list[Result]] = [[] for _ in views]
        for check in self.checks:
            for graph, focus, value in check.results_per_graph(store):
                data, _, where = views[index[graph]]
                results[index[graph]].append(self._check_result(check, focus, value, data, where))
        for at, (graph, (data, entailed, where)) in enumerate(zip(graphs, views, strict=True)):
            results[at] += self._sparql_and_delegated(store, graph, data, entailed, where, corpus)
        return results

    def _check_result(self, check, focus, value, data: Graph, where: Mapping) -> Result:
        focus, value = to_rdflib(focus), value if value is None else to_rdflib(value)
        finding = Finding(
            local_name(check.severity),
            "shacl",
            check.message,
            focus=short_name(data, focus),
            path=short_name(self.graph, check.path) if check.path is not None else "",
            rule=short_name(self.graph, check.shape if isinstance(check.shape, URIRef) else check.component),
            file=where.get(focus, ""),
            value=short_name(data, value) if value is not None else "",
        )
        return finding, focus, value

    def _sparql_and_delegated(
        self, store: ox.Store, graph: ox.NamedNode | None, data: Graph, entailed: list, where: Mapping, corpus: bool
    ) -> list[Result]:
        """The results of the SPARQL constraints (on `graph` of the store, or all of it) and of
        the shapes left to pySHACL (on `data` and `entailed`)."""
        results: list[Result] = []
        for shape in self.sparql:
            if corpus or not shape.corpus:
                for focus, value in shape.solutions(store, shape.focus_nodes(store, graph), graph):
                    focus, value = to_rdflib(focus), to_rdflib(value)
                    results.append((shape.finding(focus, value, data, self.graph, where), focus, value))
        if self.delegated:
            closed = Graph()
            closed += data
            closed.addN((s, p, o, closed) for s, p, o in entailed)
            report = self.core_report(closed)
            for node in report.subjects(RDF.type, SH.ValidationResult):
                focus, value = report.value(node, SH.focusNode), report.value(node, SH.value)
                results.append((result_finding(report, node, data, self.graph, where), focus, value))
        return results

    def core_report(self, data: Graph) -> Graph:
        """pySHACL's sh:ValidationReport of the delegated shapes on `data`, already RDFS-closed."""
        import pyshacl

        _, results, _ = pyshacl.validate(
            data, shacl_graph=self.core, inference="none", abort_on_first=False, allow_warnings=True, meta_shacl=False
        )
        return results


def exists_as_optional(select: str) -> str:
    """The SELECT with each FILTER [NOT] EXISTS of its WHERE group's top level turned into an
    OPTIONAL binding a flag, at the end of the group, and a FILTER on the flag: the same solutions
    for our use (FILTERs apply to the whole group; a kept row stays one row, or repeats only where
    the pattern matches, which `solutions` folds), but Oxigraph evaluates an OPTIONAL with the
    row's bindings, where it scans the whole store for FILTER EXISTS once per row."""
    tokens = tokenize(select)
    opening = next((at for at, token in enumerate(tokens) if token.text == "{" and token.depth == 0), None)
    if opening is None:
        return select
    closing = next(at for at in range(opening + 1, len(tokens)) if tokens[at].text == "}" and tokens[at].depth == 0)
    cuts: list[tuple[int, int]] = []
    optionals: list[str] = []
    at = opening + 1
    while at < closing:
        token = tokens[at]
        negated = at + 1 < closing and tokens[at + 1].word == "NOT"
        keyword = at + (2 if negated else 1)
        if token.word == "FILTER" and token.depth == 1 and tokens[keyword].word == "EXISTS":
            brace = keyword + 1
            end = next(i for i in range(brace + 1, closing) if tokens[i].text == "}" and tokens[i].depth == 1)
            flag = f"?_exists{len(cuts)}"
            inner = select[tokens[brace].start + 1 : tokens[end].start]
            test = ("!" if negated else "") + f"bound({flag})"
            optionals.append(f"OPTIONAL {{ {inner} BIND(true AS {flag}) }} FILTER({test})")
            cuts.append((token.start, tokens[end].start + 1))
            at = end
        at += 1
    if not cuts:
        return select
    pieces, position = [], 0
    for begin, end in cuts:
        pieces.append(select[position:begin])
        position = end
    end_of_group = tokens[closing].start
    return "".join(pieces) + select[position:end_of_group] + " ".join(optionals) + "\n" + select[end_of_group:]
