"""`orgkg fmt`: one stable, sorted, prefix-aware Turtle layout, so diffs of data stay readable.

Layout: the file's leading comment block; the prefixes it uses, sorted; then one block per
subject, sorted by name (the ontology header first); `a` first, then predicates sorted; objects
sorted; blank nodes used once are written inline as `[ ... ]`, RDF lists as `( ... )`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, XSD
from rdflib.term import Node

from orgkg.loading import TurtleSyntaxError, parse_turtle
from orgkg.namespaces import PREFIXES, bind_prefixes, short

INDENT = "    "
# rdflib's namespace attributes are looked up through __getattr__: once here, not per triple.
_TYPE, _FIRST, _REST, _NIL, _ONTOLOGY = RDF.type, RDF.first, RDF.rest, RDF.nil, OWL.Ontology
_PLAIN_NUMBER: dict[URIRef | None, str] = {
    XSD.integer: r"[+-]?\d+",
    XSD.decimal: r"[+-]?\d*\.\d+",
    XSD.boolean: r"true|false",
}


class TripleSource(Protocol):
    """What the writer reads of a graph: an rdflib Graph, or the generator's triple set."""

    def __contains__(self, triple: Any, /) -> bool: ...
    def subjects(self, predicate: Any = None, obj: Any = None, /) -> Iterator[Any]: ...
    def predicates(self, subject: Any = None, obj: Any = None, /) -> Iterator[Any]: ...
    def objects(self, subject: Any = None, predicate: Any = None, /) -> Iterator[Any]: ...
    def predicate_objects(self, subject: Any = None, /) -> Iterator[Any]: ...
    def value(self, subject: Any = None, predicate: Any = None, /) -> Any: ...


class TurtleWriter:
    def __init__(self, graph: TripleSource):
        self.graph = graph
        self.used_namespaces: set[str] = set()
        references: dict[BNode, int] = {}
        for obj in graph.objects():
            if isinstance(obj, BNode):
                references[obj] = references.get(obj, 0) + 1
        self.inline = {node for node, count in references.items() if count == 1}

    def term(self, term, depth: int) -> str:
        if isinstance(term, URIRef):
            return self.iri(term)
        if isinstance(term, Literal):
            return self.literal(term)
        if term in self.inline:
            items = self.as_list(term)
            if items is not None:
                return "( " + " ".join(self.term(item, depth) for item in items) + " )" if items else "()"
            if not any(isinstance(o, BNode) for o in self.graph.objects(term)):
                return "[ " + self.predicates(term, None) + " ]"
            return "[\n" + self.predicates(term, depth + 1) + "\n" + INDENT * depth + "]"
        return "_:" + self.labels[term]

    def iri(self, iri: Node) -> str:
        name = short(str(iri))
        if not name.startswith("<"):
            self.used_namespaces.add(name.split(":", 1)[0])
        return name

    def verb(self, predicate: Node) -> str:
        """A predicate: `a` for rdf:type (only there: rdf:type as an object stays `rdf:type`)."""
        return "a" if predicate == _TYPE else self.iri(predicate)

    def literal(self, literal: Literal) -> str:
        lexical = str(literal)
        pattern = _PLAIN_NUMBER.get(literal.datatype)
        if pattern and re.fullmatch(pattern, lexical):
            return lexical
        quoted = _quote(lexical)
        if literal.language:
            return f"{quoted}@{literal.language}"
        if literal.datatype and literal.datatype != XSD.string:
            return f"{quoted}^^{self.iri(literal.datatype)}"
        return quoted

    def as_list(self, node: BNode) -> list | None:
        """The members of a well-formed RDF list starting at `node`, else None."""
        items: list[Node | None] = []
        current: Node | None = node
        while current != _NIL:
            if set(self.graph.predicates(current)) != {_FIRST, _REST}:
                return None
            items.append(self.graph.value(current, _FIRST))
            current = self.graph.value(current, _REST)
            if current != _NIL and current not in self.inline:
                return None
        return items

    def predicates(self, subject, depth: int | None) -> str:
        """Predicate-object lists of `subject`; depth None writes them on one line."""
        blocks = []
        by_predicate = sorted(set(self.graph.predicates(subject)), key=lambda p: (p != _TYPE, self.iri(p)))
        for predicate in by_predicate:
            objects = sorted(self.term(o, (depth or 0)) for o in self.graph.objects(subject, predicate))
            one_line = ", ".join(objects)
            if depth is None or any("\n" in o for o in objects) or len(one_line) + 4 * depth < 90:
                blocks.append(f"{self.verb(predicate)} {one_line}")
            else:
                blocks.append(f"{self.verb(predicate)}\n" + ",\n".join(INDENT * (depth + 1) + o for o in objects))
        if depth is None:
            return " ; ".join(blocks)
        return " ;\n".join(INDENT * depth + block for block in blocks)

    def body(self) -> str:
        """The subject blocks (prefixes used are collected in `used_namespaces`)."""
        top = [s for s in set(self.graph.subjects()) if s not in self.inline]
        named = [s for s in top if not isinstance(s, BNode)]
        blank = [s for s in top if isinstance(s, BNode)]
        # Blank nodes that cannot be inlined get labels in an order fixed by their content.
        self.labels = {node: f"b{index}" for index, node in enumerate(sorted(blank, key=self._content_key))}
        ontology_first = sorted(named, key=lambda s: ((s, _TYPE, _ONTOLOGY) not in self.graph, self.iri(s)))
        ordered = ontology_first + sorted(blank, key=lambda node: self.labels[node])
        return "\n\n".join(
            f"{self.term(s, 0) if isinstance(s, BNode) else self.iri(s)}\n{self.predicates(s, 1)} ." for s in ordered
        )

    def prefixes(self) -> str:
        return "".join(f"@prefix {p}: <{PREFIXES[p]}> .\n" for p in sorted(self.used_namespaces))

    def document(self) -> str:
        body = self.body()
        return self.prefixes() + "\n" + body + "\n"

    def _content_key(self, node: BNode) -> str:
        return " ".join(sorted(f"{p} {o}" for p, o in self.graph.predicate_objects(node) if not isinstance(o, BNode)))


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f'"{escaped}"'


def leading_comments(text: str) -> str:
    """The comment block a file starts with (licence, purpose), kept by the formatter."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.rstrip())
    return "\n".join(lines) + "\n\n" if lines else ""


def format_turtle(path: Path) -> str:
    """The canonical text of a Turtle file (raises TurtleSyntaxError if it does not parse)."""
    return canonical_turtle(parse_turtle(path), leading_comments(path.read_text(encoding="utf-8")))


def canonical_turtle(graph: Graph, comments: str = "") -> str:
    """`graph` in the canonical layout, after the comment block `comments` ("# ..." lines)."""
    if len(graph) == 0:
        return comments
    return comments + TurtleWriter(bind_prefixes(graph)).document()


@dataclass
class FormatReport:
    files: int = 0
    changed: list[Path] = field(default_factory=list)
    broken: list[TurtleSyntaxError] = field(default_factory=list)


def format_files(files: list[Path], check: bool = False) -> FormatReport:
    """Bring each file to the canonical layout, written atomically (with `check`, only say which
    would change). A file that does not parse is reported and left as it is."""
    from orgkg.atomic import write_atomic

    report = FormatReport(files=len(files))
    for path in files:
        try:
            canonical = format_turtle(path)
        except TurtleSyntaxError as error:
            report.broken.append(error)
            continue
        if canonical != path.read_text(encoding="utf-8"):
            report.changed.append(path)
            if not check:
                write_atomic(path, canonical)
    return report
