"""SHACL Core as SPARQL: each constraint of each shape one query over all its focus nodes, on Oxigraph.

pySHACL walks the focus nodes one by one in Python (bench/results.md measures it). Here a targeted
shape's targets become one SPARQL pattern for ?this, and each constraint component of the shape
(or of one of its property shapes) becomes a pattern that matches exactly the focus nodes and
value nodes pySHACL reports: one query, answered in Rust. A shape nested under sh:node, sh:not,
sh:and, sh:or, sh:xone or sh:qualifiedValueShape becomes a "does not conform" expression (its
patterns as OPTIONALs that bind flags: Oxigraph evaluates those with the outer bindings, where it
runs FILTER EXISTS as a scan per row). Constraint components that are not compiled (sh:closed, sh:uniqueLang, sh:equals and the
other pair constraints, SPARQL-based targets, recursive shapes, constraints without sh:message,
whose default text is pySHACL's own) make their whole targeted shape go to pySHACL instead
(`Compiled.delegated`), so every shapes graph gives pySHACL's findings, only faster where it can.
tests/test_shacl_core.py checks the findings against pySHACL and Jena.

The data is expected RDFS-closed (callers add the closure, `orgkg.rdfs`), as pySHACL's
`inference="rdfs"` would leave it.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, fields
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH

from orgkg.terms import from_rdflib, solutions

TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
_MAX_COUNTED = 4  # counts above this are compiled to too many joins: such shapes go to pySHACL
_NODE_KINDS = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
_COMPARISONS = {SH.minExclusive: ">", SH.minInclusive: ">=", SH.maxExclusive: "<", SH.maxInclusive: "<="}
#: Parameters that are not constraints: a shape's metadata, or read with another parameter.
_NOT_CONSTRAINTS = {
    RDF.type,
    RDFS.label,
    RDFS.comment,
    SH.path,
    SH.message,
    SH.severity,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.defaultValue,
    SH.deactivated,
    SH.flags,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.declare,
    SH.prefixes,
    *TARGETS,
}
_PER_VALUE = {
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH.pattern,
    SH.minLength,
    SH.maxLength,
    SH.languageIn,
    SH["in"],
    SH["not"],
    SH["and"],
    SH["or"],
    SH.xone,
    SH.node,
    *_COMPARISONS,
}
_COMPILED = _PER_VALUE | {SH.minCount, SH.maxCount, SH.hasValue, SH.qualifiedValueShape, SH.property, SH.disjoint}


class Unsupported(Exception):
    """A shape this compiler leaves to pySHACL."""


@dataclass(frozen=True)
class Check:
    """One query: the results of one constraint component of `shape` on the focus nodes of `root`."""

    root: URIRef  # the targeted shape
    shape: URIRef | BNode  # the source shape: `root` itself or one of its property shapes
    component: URIRef  # sh:...ConstraintComponent
    query: str  # SELECT ?this ?value (?value unbound where the result has no sh:value)
    severity: URIRef
    message: str
    path: URIRef | None  # the shape's path when it is one predicate (what reports show)
    per_graph: str  # the query run in every named graph at once: SELECT ?graph ?this ?value

    def results(self, store: ox.Store) -> list[tuple]:
        """(focus, value or None) of every result, in Oxigraph terms."""
        return [(solution["this"], solution["value"]) for solution in solutions(store.query(self.query))]

    def results_per_graph(self, store: ox.Store) -> list[tuple]:
        """(graph, focus, value or None) of every result in each named graph as if it were the
        whole data: many small data sets checked with one query."""
        answer = solutions(store.query(self.per_graph))
        return [(solution["graph"], solution["this"], solution["value"]) for solution in answer]


@dataclass
class Compiled:
    checks: list[Check]
    delegated: set  # targeted shapes pySHACL runs

    def to_json(self) -> str:
        """The checks as text, for a cache: a process that reads them back compiles nothing."""
        return json.dumps(
            {
                "checks": [[_n3(getattr(check, f.name)) for f in fields(Check)] for check in self.checks],
                "delegated": sorted(_n3(shape) for shape in self.delegated),
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Compiled:
        data = json.loads(text)
        return cls(
            [Check(*map(_from_n3, values)) for values in data["checks"]], {_from_n3(t) for t in data["delegated"]}
        )


def _n3(value):
    """A Check's field as JSON: IRIs and blank nodes in N-Triples form, text as it is."""
    if isinstance(value, URIRef):
        return f"<{value}>"
    if isinstance(value, BNode):
        return f"_:{value}"
    return value if value is None else ["text", value]


def _from_n3(value):
    if value is None or isinstance(value, list):
        return value and value[1]
    return BNode(value[2:]) if value.startswith("_:") else URIRef(value[1:-1])


def compile_shapes(graph: Graph, lifted: frozenset = frozenset()) -> Compiled:
    """Every targeted shape of `graph` as checks, or delegated; the SPARQL constraints of the
    `lifted` shapes are run elsewhere (`orgkg.shapes`)."""
    compiled = Compiled([], set())
    targeted = {s for kind in TARGETS for s in graph.subjects(kind, None)}
    targeted |= {s for s in graph.subjects(SH.target, None)}
    targeted |= {s for s in graph.subjects(RDF.type, SH.NodeShape) if (s, RDF.type, RDFS.Class) in graph}
    for root in sorted(targeted, key=str):
        if deactivated(graph, root):
            continue
        try:
            compiled.checks += _Compiler(graph, lifted).checks(URIRef(str(root)))
        except Unsupported:
            compiled.delegated.add(root)
    return compiled


def deactivated(graph: Graph, node) -> bool:
    """Whether a shape or constraint is switched off (sh:deactivated true): it reports nothing."""
    return graph.value(node, SH.deactivated) == Literal(True)


def _term(term) -> str:
    """An RDF term in SPARQL syntax."""
    return str(from_rdflib(term))


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


class _Compiler:
    def __init__(self, graph: Graph, lifted: frozenset = frozenset()):
        self.graph, self.lifted = graph, lifted
        self.counter = itertools.count()
        self.stack: list = []
        self.scopes: list[list[str]] = [[]]  # the OPTIONALs each group being built needs

    def exists(self, pattern: str) -> str:
        """An expression true when `pattern` matches for the current bindings. Oxigraph runs
        FILTER EXISTS without the outer bindings (a scan per row), but pushes them into OPTIONAL:
        so the pattern becomes an OPTIONAL of the enclosing group that binds a flag."""
        flag = f"?f{next(self.counter)}"
        self.scopes[-1].append(f"OPTIONAL {{ {pattern} BIND(true AS {flag}) }}")
        return f"bound({flag})"

    def scoped(self, build):
        """`build()`'s result and the OPTIONALs its expressions need, collected apart."""
        self.scopes.append([])
        try:
            result = build()
        finally:
            optionals = self.scopes.pop()
        return result, " ".join(optionals)

    def fresh(self) -> str:
        return f"?v{next(self.counter)}"

    def members(self, node) -> list:
        return list(Collection(self.graph, node))

    # --- top level ---------------------------------------------------------------------

    def checks(self, root: URIRef) -> list[Check]:
        if (root, SH.target, None) in self.graph:
            raise Unsupported(root)
        return self.shape_checks(root, root, self.targets(root), "?focus", [])

    def per_graph(self, root: URIRef, query: str) -> str:
        """`query` (SELECT DISTINCT ... WHERE { <targets of root> rest }) run in each named graph
        as if it were the whole data. Oxigraph evaluates a subquery inside GRAPH against every
        graph, so the targets are matched without their subquery: a focus node matched twice
        gives the same rows twice, which the outer DISTINCT folds."""
        head, rest = query.split(" WHERE { " + self.targets(root), 1)
        assert rest.endswith(" }") and "SELECT" not in rest, "one subquery, the targets'"
        head = head.replace("SELECT DISTINCT ", "SELECT DISTINCT ?graph ", 1)
        return f"{head} WHERE {{ GRAPH ?graph {{ {{ {self.target_patterns(root)} }} {rest[:-2]} }} }}"

    def shape_checks(self, root: URIRef, node_shape, context: str, focus: str, keys: list[str]) -> list[Check]:
        """The checks of `node_shape` and its property shapes on the nodes `context` binds to
        `focus`. pySHACL also reports what a sh:node value fails as results of their own (the
        sh:detail of the sh:node result): those are checks too, one per failing (focus, value)
        pair, so `keys` (the variables of the enclosing foci) keep them apart."""
        graph = self.graph
        checks = []
        shapes = [node_shape] + [p for p in graph.objects(node_shape, SH.property) if not deactivated(graph, p)]
        for shape in shapes:
            if shape != node_shape and graph.value(shape, SH.path) is None:
                raise Unsupported(shape)
            message = list(graph.objects(shape, SH.message))
            for component, parameter in self.components(shape, top=True):
                if len(message) != 1:
                    raise Unsupported(shape)  # no message: pySHACL's default text is its own
                (values, condition, value), optionals = self.scoped(
                    lambda: self.violation(shape, component, parameter, focus)  # noqa: B023
                )
                projection = " ".join([*keys, f"({focus} AS ?this)"] + ([f"({value} AS ?value)"] if value else []))
                query = f"SELECT DISTINCT {projection} WHERE {{ {context} {values} {optionals} FILTER({condition}) }}"
                checks.append(
                    Check(
                        root,
                        shape,
                        _component_iri(component),
                        query,
                        graph.value(shape, SH.severity) or SH.Violation,
                        str(message[0]),
                        p if isinstance(p := graph.value(shape, SH.path), URIRef) else None,
                        self.per_graph(root, query),
                    )
                )
                if component == SH.node:
                    if parameter in self.stack:
                        raise Unsupported(parameter)  # a recursive shape
                    values, value_node = self.values(shape, focus)
                    failing, optionals = self.scoped(lambda: self.nonconforming(parameter, value_node))  # noqa: B023
                    detail = f"{context} {values} {optionals} FILTER({failing})"
                    self.stack.append(parameter)
                    checks += self.shape_checks(
                        root, parameter, detail, value_node, list(dict.fromkeys([*keys, focus]))
                    )
                    self.stack.pop()
        return checks

    def targets(self, root) -> str:
        """A pattern binding ?focus to each focus node of `root`, once."""
        return f"{{ SELECT DISTINCT ?focus WHERE {{ {self.target_patterns(root)} }} }}"

    def target_patterns(self, root) -> str:
        """A pattern binding ?focus to each focus node of `root` (some maybe more than once)."""
        graph, blocks = self.graph, []
        classes = list(graph.objects(root, SH.targetClass))
        if (root, RDF.type, RDFS.Class) in graph:
            classes.append(root)
        blocks += [f"?focus <{RDF.type}>/<{RDFS.subClassOf}>* {_term(c)} ." for c in classes]
        blocks += [f"VALUES ?focus {{ {_term(n)} }}" for n in graph.objects(root, SH.targetNode)]
        blocks += [f"?focus {_term(p)} [] ." for p in graph.objects(root, SH.targetSubjectsOf)]
        blocks += [f"[] {_term(p)} ?focus ." for p in graph.objects(root, SH.targetObjectsOf)]
        return " UNION ".join(f"{{ {block} }}" for block in blocks)

    def components(self, shape, top: bool = False) -> list[tuple[Any, Any]]:
        """(parameter, value) of each constraint of `shape` (sh:property excepted at the top,
        where each property shape is a source shape of its own)."""
        graph = self.graph
        found: list[tuple[Any, Any]] = []
        for predicate, value in sorted(graph.predicate_objects(shape)):
            if predicate in _NOT_CONSTRAINTS or (top and predicate == SH.property):
                continue
            if predicate == SH.sparql and shape in self.lifted:
                continue
            if predicate not in _COMPILED:
                raise Unsupported(predicate)
            if predicate == SH.qualifiedValueShape and (shape, SH.qualifiedValueShapesDisjoint, None) in graph:
                raise Unsupported(predicate)
            if predicate == SH.qualifiedValueShape:
                for count in (SH.qualifiedMinCount, SH.qualifiedMaxCount):
                    if (shape, count, None) in graph:
                        found.append((count, value))
                continue
            found.append((predicate, value))
        return found

    # --- patterns ----------------------------------------------------------------------

    def path(self, node) -> str:
        graph = self.graph
        if isinstance(node, URIRef):
            return _term(node)
        if (node, RDF.first, None) in graph:
            return "(" + "/".join(self.path(step) for step in self.members(node)) + ")"
        for predicate, operator in (
            (SH.inversePath, "^{}"),
            (SH.zeroOrMorePath, "{}*"),
            (SH.oneOrMorePath, "{}+"),
            (SH.zeroOrOnePath, "{}?"),
        ):
            inner = graph.value(node, predicate)
            if inner is not None:
                return "(" + operator.format(self.path(inner)) + ")"
        alternatives = graph.value(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.path(step) for step in self.members(alternatives)) + ")"
        raise Unsupported(node)

    def values(self, shape, focus: str) -> tuple[str, str]:
        """A pattern binding a variable to each value node of `shape` for `focus`, and the variable."""
        path = self.graph.value(shape, SH.path)
        if path is None:
            return "", focus
        value = self.fresh()
        return f"{focus} {self.path(path)} {value} .", value

    def distinct_values(self, shape, focus: str, count: int, condition=None) -> str:
        """A pattern matching when `focus` has `count` distinct value nodes (meeting `condition`)."""
        path = self.path(self.graph.value(shape, SH.path))
        names = [self.fresh() for _ in range(count)]
        parts = [f"{focus} {path} {name} ." for name in names]
        filters, optionals = self.scoped(lambda: [f"FILTER({condition(name)})" for name in names if condition])
        parts += [optionals, *filters]
        parts += [f"FILTER(!sameTerm({a}, {b}))" for a, b in itertools.combinations(names, 2)]
        return " ".join(parts)

    def violation(self, shape, component, parameter, focus: str) -> tuple[str, str, str | None]:
        """For a bound `focus`: a pattern binding each value node the component judges (empty
        when it judges the focus node as a whole), an expression true for each result, and the
        variable holding the result's value (None: the result has none)."""
        is_property = self.graph.value(shape, SH.path) is not None
        if component in _PER_VALUE:
            values, value = self.values(shape, focus)
            return values, self.failing(component, parameter, value), value
        if component == SH.property:
            return "", self.nonconforming(parameter, focus), None
        if component == SH.disjoint:  # each value node that is also a value of the property at the focus
            values, value = self.values(shape, focus)
            return values, self.exists(f"{focus} {_term(parameter)} {value}"), value
        if component == SH.hasValue:
            if not is_property:
                return "", f"!sameTerm({focus}, {_term(parameter)})", focus
            path = self.path(self.graph.value(shape, SH.path))
            return "", "!" + self.exists(f"{focus} {path} {_term(parameter)}"), None
        if not is_property:
            raise Unsupported(component)
        count = int(self.graph.value(shape, component))
        condition = None
        if component in (SH.qualifiedMinCount, SH.qualifiedMaxCount):
            qualified = parameter
            condition = lambda name: f"!({self.nonconforming(qualified, name)})"  # noqa: E731
        if component in (SH.minCount, SH.qualifiedMinCount):
            if count == 0:
                return "", "false", None
            if count > _MAX_COUNTED:
                raise Unsupported(component)
            return "", "!" + self.exists(self.distinct_values(shape, focus, count, condition)), None
        if count + 1 > _MAX_COUNTED:
            raise Unsupported(component)
        return "", self.exists(self.distinct_values(shape, focus, count + 1, condition)), None

    def failing(self, component, parameter, v: str) -> str:
        """An expression true when the value node `v` fails a per-value constraint."""
        graph = self.graph
        if component == SH["class"]:
            return "!" + self.exists(f"{v} <{RDF.type}>/<{RDFS.subClassOf}>* {_term(parameter)}")
        if component == SH.datatype:
            return f"!COALESCE(isLiteral({v}) && sameTerm(datatype({v}), {_term(parameter)}), false)"
        if component == SH.nodeKind:
            return "!" + _NODE_KINDS[parameter].format(v=v)
        if component in _COMPARISONS:
            return f"!COALESCE({v} {_COMPARISONS[component]} {_term(parameter)}, false)"
        if component in (SH.minLength, SH.maxLength):
            operator = ">=" if component == SH.minLength else "<="
            return f"isBlank({v}) || !COALESCE(STRLEN(STR({v})) {operator} {int(parameter)}, false)"
        if component == SH.pattern:
            flags = graph.value(next(graph.subjects(SH.pattern, parameter)), SH.flags)
            arguments = _string(str(parameter)) + (f", {_string(str(flags))}" if flags is not None else "")
            return f"isBlank({v}) || !COALESCE(REGEX(STR({v}), {arguments}), false)"
        if component == SH.languageIn:
            tags = " || ".join(f"langMatches(lang({v}), {_string(str(tag))})" for tag in self.members(parameter))
            return f"!COALESCE(isLiteral({v}) && ({tags or 'false'}), false)"
        if component == SH["in"]:
            members = " || ".join(f"sameTerm({v}, {_term(member)})" for member in self.members(parameter))
            return f"!({members or 'false'})"
        if component == SH["not"]:
            return f"!({self.nonconforming(parameter, v)})"
        if component == SH.node:
            return self.nonconforming(parameter, v)
        failing = [f"({self.nonconforming(member, v)})" for member in self.members(parameter)]
        if component == SH["and"]:
            return " || ".join(failing) or "false"
        if component == SH["or"]:
            return " && ".join(failing) or "true"
        conforming = " + ".join(f"IF({member}, 0, 1)" for member in failing) or "0"
        return f"({conforming}) != 1"  # sh:xone

    def nonconforming(self, shape, focus: str) -> str:
        """An expression true when `focus` does not conform to `shape` (any result of any severity)."""
        if shape in self.stack:
            raise Unsupported(shape)  # a recursive shape
        if deactivated(self.graph, shape):
            return "false"
        self.stack.append(shape)
        try:
            branches = []
            for component, parameter in self.components(shape):
                (values, condition, _), optionals = self.scoped(
                    lambda: self.violation(shape, component, parameter, focus)  # noqa: B023
                )
                if values:
                    branches.append(self.exists(f"{values} {optionals} FILTER({condition})"))
                else:  # about `focus` itself: what the condition needs goes to the enclosing group
                    self.scopes[-1].append(optionals)
                    branches.append(f"({condition})")
        finally:
            self.stack.pop()
        return " || ".join(branches) or "false"


def _component_iri(parameter) -> URIRef:
    name = str(parameter).rsplit("#", 1)[-1]
    return SH[name[0].upper() + name[1:] + "ConstraintComponent"]
