"""`orgkg export`: the graph as N-Triples, N-Quads, Turtle, TriG or JSON-LD, read from the embedded
store and written by pyoxigraph, byte-identical from run to run; optionally with the RDFS
entailments of the ontology for standard-vocabulary clients.

Blank nodes get W3C RDFC-1.0 canonical labels, and statements are sorted, so the N-Quads (and
N-Triples) output is the W3C canonical form of the dataset: the same graph always gives the
same bytes, and two exports can be compared with `cmp`. Memory stays bounded whatever the size:
the store writes one named graph at a time, RDFC-1.0 labels each graph's blank nodes with their
global numbers (`orgkg.canonical`: no blank node spans two files), and lines are sorted by an
external merge sort.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from orgkg.canonical import CanonicalLabels, ExternalSort, Quad, is_blank
from orgkg.errors import OrgkgError
from orgkg.formats import WRITERS, graph_ntriples
from orgkg.namespaces import GRAPH_BASE, ONTOLOGY_FILE, prefixes_used
from orgkg.repository import graph_iri

INFERRED_GRAPH = GRAPH_BASE + "inferred"
_QUADS = ("nq", "trig", "jsonld")  # formats with named graphs; the others hold the union, each triple once


class ExportError(OrgkgError):
    pass


def export(root: Path, fmt: str, graph: str | None = None, inferred: bool = False) -> bytes:
    """The export as bytes (for callers that hold it anyway; `write_export` streams)."""
    buffer = io.BytesIO()
    write_export(root, fmt, buffer, graph, inferred)
    return buffer.getvalue()


def write_export(root: Path, fmt: str, out: BinaryIO, graph: str | None = None, inferred: bool = False) -> None:
    """Write the export in `fmt` to the binary stream `out`: every graph, or the one `graph` names."""
    from orgkg.store import EmbeddedStore

    if fmt not in WRITERS:
        raise ExportError(f"unknown export format {fmt!r}; use one of {', '.join(WRITERS)}", option="output_format")
    store_handle = EmbeddedStore(root)
    with store_handle.reading() as store:
        graphs = _chosen_graphs(store, graph)
        source = _Source(store, root, graphs, inferred, whole=graph is None)
        folder = store_handle.repository.cache
        sorter = ExternalSort(folder)
        try:
            key = _KEYS[fmt]
            with tempfile.TemporaryFile(dir=folder) as spool:
                # one read of the store: the quads without blank nodes go to the sort at once,
                # each graph's others are spooled for the second pass
                labels = CanonicalLabels(source.parts(lambda q: sorter.add(key(q)), spool), lambda: _spooled(spool))
                for quad in labels.labelled(_spooled(spool)):
                    sorter.add(key(quad))
            if fmt in ("nq", "nt"):
                out.writelines(sorter)
            else:
                _write_rdf(sorter, fmt, out, store_handle.repository.cache)
        finally:
            sorter.close()


_KEYS: dict[str, Callable[[Quad], bytes]] = {
    # canonical N-Quads: the lines in code point order
    "nq": lambda q: q[0] + b" " + q[1] + b" " + q[2] + b" " + q[3] + b" .\n",
    # the union: each triple once, in the order of (subject, predicate, object) as N-Triples
    "nt": lambda q: q[0] + b" " + q[1] + b" " + q[2] + b" .\n",
    "turtle": lambda q: q[0] + b" " + q[1] + b" " + q[2] + b" .\n",
    # by graph name first, then as N-Triples, so writers group a graph's statements
    "trig": lambda q: q[3][1:-1] + b" " + q[0] + b" " + q[1] + b" " + q[2] + b" .\n",
    "jsonld": lambda q: q[3][1:-1] + b" " + q[0] + b" " + q[1] + b" " + q[2] + b" .\n",
}


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


class _Source:
    """The chosen graphs, one at a time: each graph's quads that mention a blank node form one
    part (with the entailments about its blank nodes, which lie in no other graph); the other
    quads go straight to a sink."""

    def __init__(self, store: ox.Store, root: Path, graphs: list[ox.NamedNode], inferred: bool, whole: bool):
        self.store, self.graphs, self.whole = store, graphs, whole
        self.closure = None
        if inferred:
            from orgkg.rdfs import Closure, oxigraph_vocabulary

            ontology = ox.NamedNode(graph_iri(root / ONTOLOGY_FILE, root))
            self.closure = Closure(
                (tuple(q.triple) for q in store.quads_for_pattern(None, None, None, ontology)), oxigraph_vocabulary()
            )

    def parts(self, sink: Callable[[Quad], None], spool: BinaryIO) -> Iterator[list[Quad]]:
        """Each graph's part, also written to `spool` (N-Quads, an empty line after each part)."""
        for graph in self.graphs:
            name = str(graph).encode()
            part: list[Quad] = []
            for line in graph_ntriples(self.store, graph).splitlines():
                s, p, o = line[:-2].split(b" ", 2)
                if is_blank(s) or is_blank(o):
                    part.append((s, p, o, name))
                else:
                    sink((s, p, o, name))
            if self.closure is not None:
                part += self._entailed(graph, sink)
            spool.writelines(_KEYS["nq"](quad) for quad in part)
            spool.write(b"\n")
            yield part

    def _entailed(self, graph: ox.NamedNode, sink: Callable[[Quad], None]) -> list[Quad]:
        """What RDFS adds to `graph` (and no chosen graph states), in the inferred graph: the
        quads about its blank nodes, for its part; the others to `sink`."""
        assert self.closure is not None
        stated = {tuple(quad.triple) for quad in self.store.quads_for_pattern(None, None, None, graph)}
        name, default = str(ox.NamedNode(INFERRED_GRAPH)).encode(), ox.DefaultGraph()
        part: list[Quad] = []
        for triple in self.closure.entailments(stated) - stated:
            s, p, o = (str(term).encode() for term in triple)
            if is_blank(s) or is_blank(o):
                part.append((s, p, o, name))
            elif not self.whole or ox.Quad(triple[0], triple[1], triple[2], default) not in self.store:
                sink((s, p, o, name))
        return part


def _spooled(spool: BinaryIO) -> Iterator[list[Quad]]:
    """The parts `_Source.parts` spooled, read back in order."""
    spool.seek(0)
    part: list[Quad] = []
    for line in spool:
        if line == b"\n":
            yield part
            part = []
            continue
        s, p, rest = line[:-3].split(b" ", 2)
        o, g = rest.rsplit(b" ", 1)
        part.append((s, p, o, g))


def _write_rdf(lines: ExternalSort, fmt: str, out: BinaryIO, folder: Path) -> None:
    """Sorted key lines through pyoxigraph's writer, streamed from a temporary file, with the
    project prefixes the statements use."""
    namespaces: set[bytes] = set()
    with tempfile.TemporaryFile(dir=folder) as sorted_file:
        for line in lines:
            if fmt in _QUADS:
                graph, line = line.split(b" ", 1)
                terms = line[:-3].split(b" ", 2)
                line = line[:-2] + b"<" + graph + b"> .\n"
                namespaces.add(_namespace(graph))
            else:
                terms = line[:-3].split(b" ", 2)
            namespaces.update(_namespace(_iri(term)) for term in terms)
            sorted_file.write(line)
        sorted_file.seek(0)
        prefixes = None
        if fmt in ("turtle", "trig"):
            prefixes = prefixes_used(ns.decode() for ns in namespaces if ns)
        parsed = ox.parse(sorted_file, format=ox.RdfFormat.N_QUADS if fmt in _QUADS else ox.RdfFormat.N_TRIPLES)
        ox.serialize(parsed, out, format=WRITERS[fmt], prefixes=prefixes)


def _iri(term: bytes) -> bytes:
    """The IRI in an N-Triples term: the term's own, or a literal's datatype; else b""."""
    if term.startswith(b"<"):
        return term[1:-1]
    if term.endswith(b">") and term.startswith(b'"'):
        return term[term.rindex(b"^^<") + 3 : -1]
    return b""


def _namespace(iri: bytes) -> bytes:
    """`iri` up to its last / or #: every project namespace ends there, so an IRI starts with a
    namespace exactly when this does."""
    return iri[: max(iri.rfind(b"/"), iri.rfind(b"#")) + 1]
