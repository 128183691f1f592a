"""`orgkg lineage`: an organization's predecessors and successors, drawn as text, Mermaid,
Graphviz DOT or SVG. The edges come from the saved query `lineage`; `every_lineage` gives the
same edges for every organization at once from the saved query `lineage-links` (one pass over the
links instead of one path search per organization, which grew with the corpus)."""

from __future__ import annotations

import shutil
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from orgkg.catalogue import find_query
from orgkg.errors import OrgkgError
from orgkg.namespaces import PREFIXES, QUERIES_DIR
from orgkg.sparql_text import insert_values


class LineageError(OrgkgError):
    pass


@dataclass(frozen=True)
class Edge:
    later: str
    later_label: str
    earlier: str
    earlier_label: str
    kind: str
    date: str
    legal_basis: str

    @property
    def caption(self) -> str:
        return ", ".join(part for part in (self.kind, self.date, self.legal_basis) if part)


def lineage(root: Path, engine, organization: str) -> list[Edge]:
    sparql = find_query(root / QUERIES_DIR, "lineage").bind({"organization": [f"<{organization}>"]})
    return _in_order(_edges(engine.query(sparql)))


def every_lineage(root: Path, engine) -> dict[str, list[Edge]]:
    """`lineage` of every organization with a predecessor or successor: the links reachable
    backwards (through predecessors) or forwards (through successors) from each."""
    links = _edges(engine.query(find_query(root / QUERIES_DIR, "lineage-links").bind({})))
    by_later, by_earlier = defaultdict(list), defaultdict(list)
    for edge in links:
        by_later[edge.later].append(edge)
        by_earlier[edge.earlier].append(edge)
    linked = {edge.later for edge in links} | {edge.earlier for edge in links}
    return {
        organization: _in_order(
            _reachable(organization, by_later, lambda e: e.earlier)
            | _reachable(organization, by_earlier, lambda e: e.later)
        )
        for organization in linked
    }


def _reachable(start: str, links_from: dict[str, list[Edge]], next_node) -> set[Edge]:
    """The links met walking from `start` in one direction, at any depth."""
    found, seen, todo = set(), {start}, [start]
    while todo:
        for edge in links_from.get(todo.pop(), ()):
            found.add(edge)
            if next_node(edge) not in seen:
                seen.add(next_node(edge))
                todo.append(next_node(edge))
    return found


def _edges(results) -> set[Edge]:
    edges = set()
    for values in results.rows:
        row = {name: ("" if v is None else v.value) for name, v in zip(results.variables, values)}
        edges.add(
            Edge(
                row["later"],
                row["laterLabel"],
                row["earlier"],
                row["earlierLabel"],
                row["kind"],
                row["date"],
                row["legalBasis"],
            )
        )
    return edges


def _in_order(edges: set[Edge]) -> list[Edge]:
    return sorted(edges, key=lambda e: (e.date, e.later_label, e.earlier_label, e.kind))


def label_of(engine, organization: str) -> str:
    query = f'SELECT ?l WHERE {{ ?node <{PREFIXES["rdfs"]}label> ?l FILTER(LANG(?l) IN ("", "en")) }}'
    results = engine.query(insert_values(query, [("node", [ox.NamedNode(organization)])]))
    return results.rows[0][0].value if results.rows else organization


def render(engine, focus: str, edges: list[Edge], fmt: str) -> str:
    """The lineage of `focus` in `fmt` (choices.LINEAGE_FORMATS): text titled with its label, or
    a Mermaid, DOT or SVG picture."""
    if fmt == "text":
        return render_text(label_of(engine, focus), edges)
    return {"mermaid": render_mermaid, "dot": render_dot, "svg": render_svg}[fmt](focus, edges)


def render_text(title: str, edges: list[Edge]) -> str:
    if not edges:
        return f"{title}: no predecessors or successors in the graph"
    lines = [f"Lineage of {title}"]
    lines += [f"  {e.earlier_label}  ->  {e.later_label}" + (f"   [{e.caption}]" if e.caption else "") for e in edges]
    return "\n".join(lines)


def _node_ids(edges: list[Edge]) -> dict[str, str]:
    iris = sorted({e.earlier for e in edges} | {e.later for e in edges})
    return {iri: f"n{index}" for index, iri in enumerate(iris)}


def _escape(text: str) -> str:
    return text.replace('"', "'")


def _dot(text: str) -> str:
    """Text for a quoted DOT string: a backslash there escapes what follows (the closing quote)."""
    return _escape(text.replace("\\", "\\\\"))


#: The schemes a node's link may have: a `javascript:` or `data:` IRI would run in the picture.
LINK_SCHEMES = ("http://", "https://")


def render_mermaid(focus: str, edges: list[Edge]) -> str:
    ids = _node_ids(edges)
    labels = {e.earlier: e.earlier_label for e in edges} | {e.later: e.later_label for e in edges}
    lines = ["flowchart LR"]
    lines += [f'  {ids[iri]}["{_escape(labels[iri])}"]' for iri in ids]
    lines += [
        f'  {ids[e.earlier]} -->|"{_escape(e.caption)}"| {ids[e.later]}'
        if e.caption
        else f"  {ids[e.earlier]} --> {ids[e.later]}"
        for e in edges
    ]
    if focus in ids:
        lines.append(f"  style {ids[focus]} stroke-width:3px")
    return "\n".join(lines) + "\n"


def render_dot(focus: str, edges: list[Edge]) -> str:
    ids = _node_ids(edges)
    labels = {e.earlier: e.earlier_label for e in edges} | {e.later: e.later_label for e in edges}
    lines = [
        "digraph lineage {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fillcolor="#f4f1ea", fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10, color="#8a6d3b"];',
    ]
    for iri, node in ids.items():
        extra = ', penwidth=2.5, fillcolor="#f9e4b7"' if iri == focus else ""
        link = f', URL="{_dot(iri)}"' if iri.startswith(LINK_SCHEMES) else ""
        lines.append(f'  {node} [label="{_dot(labels[iri])}"{link}{extra}];')
    lines += [f'  {ids[e.earlier]} -> {ids[e.later]} [label="{_dot(e.caption)}"];' for e in edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_svg(focus: str, edges: list[Edge]) -> str:
    return render_svgs([(focus, edges)])[0]


#: Pictures one `dot` process draws: a process per picture cost more than the drawing.
SVG_BATCH = 200


def render_svgs(pictures: list[tuple[str, list[Edge]]]) -> list[str]:
    """Each (focus, edges) drawn as an SVG document, in batches of one `dot` process each (dot
    draws every graph of its input, one document after another)."""
    dot = shutil.which("dot")
    if dot is None:
        raise LineageError(
            "svg needs Graphviz's `dot` (apt-get install graphviz); or choose the dot or mermaid format",
            option="output_format",
        )
    documents: list[str] = []
    for start in range(0, len(pictures), SVG_BATCH):
        batch = pictures[start : start + SVG_BATCH]
        text = "".join(render_dot(focus, edges) for focus, edges in batch)
        result = subprocess.run([dot, "-Tsvg"], input=text, capture_output=True, text=True, timeout=60 + len(batch))
        drawn = ["<?xml" + part for part in result.stdout.split("<?xml")[1:]]
        if result.returncode != 0 or len(drawn) != len(batch):
            raise LineageError(f"dot failed: {result.stderr.strip() or 'it drew fewer pictures than it was given'}")
        documents += drawn
    return documents
