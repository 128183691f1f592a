"""`orgkg lineage`: an organization's predecessors and successors, drawn as text, Mermaid,
Graphviz DOT or SVG. The edges come from the saved query `lineage`, the one source of truth."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from orgkg.catalogue import find_query
from orgkg.errors import OrgkgError
from orgkg.namespaces import PREFIXES, QUERIES_DIR


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
    results = engine.query(sparql)
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
    return sorted(edges, key=lambda e: (e.date, e.later_label, e.earlier_label, e.kind))


def label_of(engine, organization: str) -> str:
    node = ox.NamedNode(organization)  # validated, and written as an IRI term: never pasted text
    results = engine.query(f'SELECT ?l WHERE {{ {node} <{PREFIXES["rdfs"]}label> ?l FILTER(LANG(?l) IN ("", "en")) }}')
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
    dot = shutil.which("dot")
    if dot is None:
        raise LineageError(
            "svg needs Graphviz's `dot` (apt-get install graphviz); or choose the dot or mermaid format",
            option="output_format",
        )
    result = subprocess.run([dot, "-Tsvg"], input=render_dot(focus, edges), capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise LineageError(f"dot failed: {result.stderr.strip()}")
    return result.stdout
