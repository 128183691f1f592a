"""`orgkg export`: the graph as N-Triples, N-Quads, Turtle, TriG or JSON-LD, read from the embedded
store and written by pyoxigraph, byte-identical from run to run; optionally with the RDFS
entailments of the ontology for standard-vocabulary clients.

Blank nodes get W3C RDFC-1.0 canonical labels, and statements are sorted, so the N-Quads (and
N-Triples) output is the W3C canonical form of the dataset: the same graph always gives the
same bytes, and two exports can be compared with `cmp`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from orgkg.namespaces import GRAPH_BASE, ONTOLOGY_FILE, PREFIXES
from orgkg.repository import graph_iri

INFERRED_GRAPH = GRAPH_BASE + "inferred"
_WRITERS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
}
_MERGED = ("turtle", "nt")  # formats without named graphs: the union, each triple once


class ExportError(Exception):
    pass


def export(root: Path, fmt: str, article: str | None = None, inferred: bool = False) -> bytes:
    from orgkg.store import EmbeddedStore

    with EmbeddedStore(root).reading() as store:
        graphs = _chosen_graphs(store, article)
        quads = (quad for graph in graphs for quad in store.quads_for_pattern(None, None, None, graph))
        if inferred:
            quads = list(quads)
            ontology = store.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri(root / ONTOLOGY_FILE, root)))
            inferred_graph = ox.NamedNode(INFERRED_GRAPH)
            entailed = rdfs_entailments([q.triple for q in quads], (q.triple for q in ontology))
            quads += [ox.Quad(*triple, inferred_graph) for triple in entailed]
        return serialize(quads, fmt)


def _chosen_graphs(store: ox.Store, article: str | None) -> list[ox.NamedNode]:
    """Every named graph; with `article`, only the article graph whose name ends with it."""
    graphs = sorted(store.named_graphs(), key=lambda g: g.value)
    if article is None:
        return graphs
    chosen = [g for g in graphs if g.value == article or g.value.endswith("/articles/" + article)]
    if not chosen:
        names = ", ".join(g.value.rsplit("/", 1)[-1] for g in graphs if "/articles/" in g.value)
        raise ExportError(f"no article graph {article!r}; articles: {names}")
    return chosen


def serialize(quads: Iterable[ox.Quad], fmt: str) -> bytes:
    """The quads with canonical blank-node labels, sorted, in `fmt` (merged formats: the set
    union of their graphs)."""
    canonical = canonical_quads(quads)
    if fmt in _MERGED:
        canonical = (ox.Quad(quad.subject, quad.predicate, quad.object) for quad in canonical)
    if fmt in ("nt", "nq"):
        # Canonical N-Quads is sorted by code point: sort the lines pyoxigraph writes (N-Quads of
        # default-graph quads are N-Triples), a batch at a time, never a Python object per quad.
        lines = []
        while batch := list(islice(canonical, 50_000)):
            lines += ox.serialize(batch, format=ox.RdfFormat.N_QUADS).splitlines(keepends=True)
        lines.sort()
        if fmt in _MERGED:  # the union: a triple that two graphs state is written once
            lines = [line for position, line in enumerate(lines) if not position or line != lines[position - 1]]
        return b"".join(lines)
    statements = sorted({quad.triple for quad in canonical} if fmt in _MERGED else canonical, key=_statement_key)
    prefixes = _used_prefixes(statements) if fmt in ("turtle", "trig") else None
    return ox.serialize(statements, format=_WRITERS[fmt], prefixes=prefixes)


def canonical_quads(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """The quads as W3C RDFC-1.0 labels them: those without a blank node as they come, then the
    others relabelled. RDFC-1.0 hashes a blank node from the quads that mention it and nothing
    else, so only those go through pyoxigraph's canonicalisation, which holds its input in
    memory (at 10,000 articles 60% of the quads, and half the memory of canonicalising all)."""
    with_blank = ox.Dataset()
    for quad in quads:
        if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
            with_blank.add(quad)
        else:
            yield quad
    with_blank.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    yield from with_blank


def _statement_key(statement) -> tuple[str, ...]:
    """Graph first, then subject, predicate, object, so writers group a graph's statements."""
    graph = (statement.graph_name.value,) if isinstance(statement, ox.Quad) else ()
    return (*graph, str(statement.subject), str(statement.predicate), str(statement.object))


def _used_prefixes(statements) -> dict[str, str]:
    iris = {term.value for statement in statements for term in statement if isinstance(term, ox.NamedNode)}
    iris |= {s.object.datatype.value for s in statements if isinstance(s.object, ox.Literal)}
    return {
        prefix: namespace for prefix, namespace in PREFIXES.items() if any(iri.startswith(namespace) for iri in iris)
    }


def rdfs_entailments(data, ontology) -> set[ox.Triple]:
    """Triples RDFS adds through the ontology (`orgkg.rdfs`), minus those already stated."""
    from orgkg.rdfs import Closure, oxigraph_vocabulary

    data = set(data)
    return {ox.Triple(*triple) for triple in Closure(ontology, oxigraph_vocabulary()).entailments(data)} - data
