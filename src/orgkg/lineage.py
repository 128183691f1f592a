"""`orgkg lineage`: an organization's predecessors and successors, drawn as text, Mermaid,
Graphviz DOT or SVG. The edges come from the saved query `lineage`, the one source of truth."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from orgkg.catalogue import find_query
from orgkg.namespaces import PREFIXES, QUERIES_DIR

LINEAGE_FORMATS = ("text", "mermaid", "dot", "svg")


class LineageError(Exception):
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


def _plain(text: str) -> str:
    """Lower case without diacritics (đ -> d), for matching names as users type them."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def resolve(engine, name_or_iri: str) -> str:
    """An IRI, a kg: name, or a label (case and diacritics ignored) of exactly one organization."""
    if name_or_iri.startswith(("http://", "https://")):
        return name_or_iri
    if name_or_iri.startswith("kg:"):
        return PREFIXES["kg"] + name_or_iri[3:]
    results = engine.query(
        "PREFIX org: <http://www.w3.org/ns/org#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT DISTINCT ?o ?label ?preferred WHERE { ?o a ?c . ?c rdfs:subClassOf* org:Organization . "
        "{ ?o rdfs:label ?label BIND(true AS ?preferred) } UNION { ?o skos:altLabel ?label } }")
    wanted = _plain(name_or_iri)
    candidates = [(row[0].value, _plain(row[1].value), row[2] is not None) for row in results.rows]
    # Best first: the exact label, then an exact variant, then any label containing the words.
    matches = ({o for o, label, preferred in candidates if label == wanted and preferred}
               or {o for o, label, _ in candidates if label == wanted}
               or {o for o, label, _ in candidates if wanted in label})
    if len(matches) == 1:
        return next(iter(matches))
    if not matches:
        raise LineageError(f"no organization is labelled {name_or_iri!r}; try `orgkg query run search-label "
                           f"--param text={name_or_iri}`")
    listed = ", ".join(sorted(m.removeprefix(PREFIXES["kg"]) for m in matches)[:10])
    raise LineageError(f"{name_or_iri!r} matches several organizations ({listed}); give one as kg:NAME")


def lineage(root: Path, engine, organization: str) -> list[Edge]:
    sparql = find_query(root / QUERIES_DIR, "lineage").bind({"organization": [organization]})
    results = engine.query(sparql)
    edges = set()
    for values in results.rows:
        row = {name: ("" if v is None else v.value) for name, v in zip(results.variables, values)}
        # GROUP_CONCAT's order is unspecified in SPARQL 1.1: sort the legal bases ourselves.
        bases = " | ".join(sorted(filter(None, row["legalBasis"].split(" | "))))
        edges.add(Edge(row["later"], row["laterLabel"], row["earlier"], row["earlierLabel"],
                       row["kind"], row["date"], bases))
    return sorted(edges, key=lambda e: (e.date, e.later_label, e.earlier_label, e.kind))


def label_of(engine, organization: str) -> str:
    node = ox.NamedNode(organization)  # validated, and written as an IRI term: never pasted text
    results = engine.query(f"SELECT ?l WHERE {{ {node} <{PREFIXES['rdfs']}label> ?l FILTER(LANG(?l) IN (\"\", \"en\")) }}")
    return results.rows[0][0].value if results.rows else organization


def render_text(title: str, edges: list[Edge]) -> str:
    if not edges:
        return f"{title}: no predecessors or successors in the graph"
    lines = [f"Lineage of {title}"]
    lines += [f"  {e.earlier_label}  ->  {e.later_label}" + (f"   [{e.caption}]" if e.caption else "")
              for e in edges]
    return "\n".join(lines)


def _node_ids(edges: list[Edge]) -> dict[str, str]:
    iris = sorted({e.earlier for e in edges} | {e.later for e in edges})
    return {iri: f"n{index}" for index, iri in enumerate(iris)}


def _escape(text: str) -> str:
    return text.replace('"', "'")


def render_mermaid(focus: str, edges: list[Edge]) -> str:
    ids = _node_ids(edges)
    labels = {e.earlier: e.earlier_label for e in edges} | {e.later: e.later_label for e in edges}
    lines = ["flowchart LR"]
    lines += [f'  {ids[iri]}["{_escape(labels[iri])}"]' for iri in ids]
    lines += [f'  {ids[e.earlier]} -->|"{_escape(e.caption)}"| {ids[e.later]}' if e.caption
              else f"  {ids[e.earlier]} --> {ids[e.later]}" for e in edges]
    if focus in ids:
        lines.append(f"  style {ids[focus]} stroke-width:3px")
    return "\n".join(lines) + "\n"


def render_dot(focus: str, edges: list[Edge]) -> str:
    ids = _node_ids(edges)
    labels = {e.earlier: e.earlier_label for e in edges} | {e.later: e.later_label for e in edges}
    lines = ["digraph lineage {", "  rankdir=LR;",
             '  node [shape=box, style="rounded,filled", fillcolor="#f4f1ea", fontname="Helvetica"];',
             '  edge [fontname="Helvetica", fontsize=10, color="#8a6d3b"];']
    for iri, node in ids.items():
        extra = ', penwidth=2.5, fillcolor="#f9e4b7"' if iri == focus else ""
        lines.append(f'  {node} [label="{_escape(labels[iri])}", URL="{iri}"{extra}];')
    lines += [f'  {ids[e.earlier]} -> {ids[e.later]} [label="{_escape(e.caption)}"];' for e in edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_svg(focus: str, edges: list[Edge]) -> str:
    dot = shutil.which("dot")
    if dot is None:
        raise LineageError("svg needs Graphviz's `dot` (apt-get install graphviz); "
                           "or use --format dot / mermaid")
    result = subprocess.run([dot, "-Tsvg"], input=render_dot(focus, edges), capture_output=True,
                            text=True, timeout=60)
    if result.returncode != 0:
        raise LineageError(f"dot failed: {result.stderr.strip()}")
    return result.stdout
