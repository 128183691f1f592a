"""What `orgkg load` sends: each graph of the embedded store as N-Triples bodies of bounded size,
streamed (memory: one body, plus one entry per blank node), never splitting a blank node's triples
across requests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

import pyoxigraph as ox

from orgkg.formats import graph_ntriples, write
from orgkg.load_lock import TEMPORARY_BASE
from orgkg.namespaces import GRAPH_BASE


@dataclass
class Upload:
    """One local graph, streamed from the embedded store as N-Triples bodies of at most
    chunk-size triples each (memory: one chunk, plus one entry per blank node)."""

    iri: str
    triples: int
    store: ox.Store
    chunk_size: int
    #: Where this load keeps its temporary graphs: TEMPORARY_BASE + the load's own token, so
    #: that an upload landing after its load has ended never lands in another load's graphs.
    aside: str = TEMPORARY_BASE
    #: The digest of the file the graph was built from, as the store's load record keeps it.
    digest: str = ""

    @property
    def temporary(self) -> str:
        """graph/x -> graph/_loading/<token>/x"""
        return self.aside + self.iri.removeprefix(GRAPH_BASE)

    def bodies(self) -> Iterator[bytes]:
        return graph_bodies(self.store, ox.NamedNode(self.iri), self.chunk_size, self.triples)


def prepare(
    store: ox.Store, graph_triples: dict[str, int], chunk_size: int, digests: dict[str, str] | None = None
) -> list[Upload]:
    """The repository's graphs (ontology, reference entities, one per article) ready to send, read
    from the embedded store, with the triple counts and file digests its build recorded
    (`EmbeddedStore.graph_triples()`, `.graph_digests()`): open it with `EmbeddedStore.reading()`
    and keep it open while the uploads are sent, so that no build changes it under the load."""
    digests = digests or {}
    return [
        Upload(graph, triples, store, chunk_size, digest=digests.get(graph, ""))
        for graph, triples in graph_triples.items()
    ]


def graph_bodies(store: ox.Store, graph: ox.NamedNode, size: int, triples: int | None = None) -> Iterator[bytes]:
    """N-Triples bodies of at most `size` triples, never splitting the triples that share a blank
    node: each request has its own blank-node scope, so `_:b` in two bodies would be two nodes.

    Two passes over the graph: the first finds which blank nodes are connected (one entry per
    blank node), the second sends the triples without blank nodes as they come, then each group
    of connected blank nodes with its triples, read back from the store's indexes. `triples`,
    the graph's size when known, spares a count.
    """
    if triples is None:  # not recorded by the build: counted, as far as needed
        triples = sum(1 for _ in islice(store.quads_for_pattern(None, None, None, graph), size + 1))
    if triples <= size:
        yield graph_ntriples(store, graph)  # one body, written in Rust
        return
    parent: dict[ox.BlankNode, ox.BlankNode] = {}

    def top(node: ox.BlankNode) -> ox.BlankNode:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for quad in store.quads_for_pattern(None, None, None, graph):
        blanks = [t for t in (quad.subject, quad.object) if isinstance(t, ox.BlankNode)]
        if len(blanks) == 2:
            parent[top(blanks[0])] = top(blanks[1])
        elif blanks:
            top(blanks[0])
    batch: list[ox.Triple] = []
    sent = False

    def body() -> bytes:
        return write(batch, "nt")

    for quad in store.quads_for_pattern(None, None, None, graph):
        if not isinstance(quad.subject, ox.BlankNode) and not isinstance(quad.object, ox.BlankNode):
            batch.append(quad.triple)
            if len(batch) >= size:
                yield body()
                batch, sent = [], True
    groups: dict[ox.BlankNode, list[ox.BlankNode]] = {}
    for node in parent:
        groups.setdefault(top(node), []).append(node)
    for members in groups.values():
        group = {quad.triple for node in members for quad in store.quads_for_pattern(node, None, None, graph)}
        group |= {quad.triple for node in members for quad in store.quads_for_pattern(None, None, node, graph)}
        if batch and len(batch) + len(group) > size:
            yield body()
            batch, sent = [], True
        batch.extend(group)
    if batch or not sent:
        yield body()
