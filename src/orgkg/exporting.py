"""`orgkg export`: the graph as N-Triples, N-Quads, Turtle, TriG or JSON-LD, read from the embedded
store and written by pyoxigraph, byte-identical from run to run; optionally with the RDFS
entailments of the ontology for standard-vocabulary clients.

Blank nodes get W3C RDFC-1.0 canonical labels, and statements are sorted, so the N-Quads (and
N-Triples) output is the W3C canonical form of the dataset: the same graph always gives the
same bytes, and two exports can be compared with `cmp`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from orgkg.errors import OrgkgError
from orgkg.formats import graph_ntriples, write
from orgkg.namespaces import GRAPH_BASE, ONTOLOGY_FILE
from orgkg.repository import graph_iri

INFERRED_GRAPH = GRAPH_BASE + "inferred"
_MERGED = ("turtle", "nt")  # formats without named graphs: the union, each triple once


class ExportError(OrgkgError):
    pass


def export(root: Path, fmt: str, graph: str | None = None, inferred: bool = False) -> bytes:
    from orgkg.store import EmbeddedStore

    with EmbeddedStore(root).reading() as store:
        graphs = _chosen_graphs(store, graph)
        blocks = [_graph_nquads(store, graph) for graph in graphs]
        if inferred:
            blocks.append(_inferred_nquads(store, root, graphs))
        return serialize(canonical_lines(blocks), fmt)


def _chosen_graphs(store: ox.Store, name: str | None) -> list[ox.NamedNode]:
    """Every named graph; with `name`, the one graph it names (see graph_names)."""
    graphs = sorted((g for g in store.named_graphs() if isinstance(g, ox.NamedNode)), key=lambda g: g.value)
    if name is None:
        return graphs
    named = graph_names([g.value for g in graphs])
    if name in named:
        return [ox.NamedNode(named[name])]
    shortest = sorted({min((n for n, iri in named.items() if iri == g.value), key=len) for g in graphs})
    raise ExportError(f"no graph {name!r}; graphs: {', '.join(shortest)}")


def graph_names(graphs: list[str]) -> dict[str, str]:
    """Every name a graph may be given by -> its IRI: the IRI itself, its path under the graph
    base (articles/cao-bang-2025, reference/central, ontology/orgkg) and, where no other graph
    shares it, its last segment (cao-bang-2025, central)."""
    names: dict[str, str] = {}
    last: dict[str, list[str]] = {}
    for iri in graphs:
        names[iri] = iri
        if iri.startswith(GRAPH_BASE):
            path = iri[len(GRAPH_BASE) :]
            names[path] = iri
            last.setdefault(path.rsplit("/", 1)[-1], []).append(iri)
    names.update({segment: iris[0] for segment, iris in last.items() if len(iris) == 1 and segment not in names})
    return names


def _graph_nquads(store: ox.Store, graph: ox.NamedNode) -> bytes:
    """One named graph as N-Quads, written by the store (Rust): its N-Triples, each line given
    the graph's name."""
    name = f" {graph} .\n".encode()
    return b"".join(line[:-3] + name for line in graph_ntriples(store, graph).splitlines(keepends=True))


def _inferred_nquads(store: ox.Store, root: Path, graphs: list[ox.NamedNode]) -> bytes:
    data = [quad.triple for graph in graphs for quad in store.quads_for_pattern(None, None, None, graph)]
    ontology = store.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri(root / ONTOLOGY_FILE, root)))
    inferred_graph = ox.NamedNode(INFERRED_GRAPH)
    entailed = rdfs_entailments(data, (quad.triple for quad in ontology))
    return write([ox.Quad(s, p, o, inferred_graph) for s, p, o in entailed], "nq")


#: An N-Triples or N-Quads line whose object is a blank node: ` _:label` just before the graph
#: name (if any) and the final dot. A literal cannot match: its last character, a quote, a
#: language tag or a datatype IRI, stands where the label would end.
_BLANK_OBJECT = re.compile(rb" _:[^\s\"@^<>]+( <[^>]*>)? \.\n?\Z")


def canonical_lines(blocks: Iterable[bytes]) -> list[bytes]:
    """The N-Quads lines of `blocks` as W3C canonical N-Quads: RDFC-1.0 blank-node labels, sorted
    by code point. RDFC-1.0 hashes a blank node from the quads that mention it and nothing else,
    so only those lines go through pyoxigraph's canonicalisation, which holds its input in
    memory; the others are kept as the store wrote them (at 10,000 articles: 60% of the quads,
    and a peak of 3.3 GB instead of 4.6 GB)."""
    plain: list[bytes] = []
    blank: list[bytes] = []
    for block in blocks:
        for line in block.splitlines(keepends=True):
            (blank if line.startswith(b"_:") or _BLANK_OBJECT.search(line) else plain).append(line)
    labelled = ox.Dataset(ox.parse(b"".join(blank), format=ox.RdfFormat.N_QUADS))
    del blank
    labelled.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    plain += write(labelled, "nq").splitlines(keepends=True)
    del labelled
    plain.sort()
    return plain


def serialize(lines: list[bytes], fmt: str) -> bytes:
    """Canonical N-Quads `lines` in `fmt`; the merged formats hold the set union of the graphs."""
    if fmt == "nq":
        return b"".join(lines)
    if fmt == "nt":  # each line without its graph name; a triple that two graphs state, once
        triples = sorted({line.rsplit(b" ", 2)[0] + b" .\n" for line in lines})
        return b"".join(triples)
    quads = ox.parse(b"".join(lines), format=ox.RdfFormat.N_QUADS)
    statements = sorted({quad.triple for quad in quads} if fmt in _MERGED else quads, key=_statement_key)
    return write(statements, fmt)


def _statement_key(statement) -> tuple[str, ...]:
    """Graph first, then subject, predicate, object, so writers group a graph's statements."""
    graph = (str(statement.graph_name),) if isinstance(statement, ox.Quad) else ()
    return (*graph, str(statement.subject), str(statement.predicate), str(statement.object))


def rdfs_entailments(data, ontology) -> set[ox.Triple]:
    """Triples RDFS adds through the ontology (`orgkg.rdfs`), minus those already stated."""
    from orgkg.rdfs import Closure, oxigraph_vocabulary

    data = set(data)
    return {ox.Triple(*triple) for triple in Closure(ontology, oxigraph_vocabulary()).entailments(data)} - data
