"""The RDF formats orgkg writes, by the names its commands take, and the one writer of them:
pyoxigraph's, with the project's prefixes that the statements use."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from orgkg.namespaces import prefixes_used

#: Format name (as `--format` takes it) -> pyoxigraph's writer.
WRITERS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
}
#: Formats that write prefixes.
_PREFIXED = ("turtle", "trig")


def write(statements: Iterable[ox.Triple | ox.Quad], fmt: str, prefixes: dict[str, str] | None = None) -> bytes:
    """`statements` (in the order given) in `fmt`; Turtle and TriG declare `prefixes`, by default
    the project prefixes that the statements' IRIs and datatypes use."""
    listed: list[Any] = list(statements)  # of one kind: pyoxigraph takes triples or quads
    if fmt in _PREFIXED and prefixes is None:
        prefixes = prefixes_used(iris(listed))
    written = ox.serialize(listed, format=WRITERS[fmt], prefixes=prefixes if fmt in _PREFIXED else None)
    assert written is not None  # pyoxigraph returns None only when given a file to write to
    return written


def iris(statements: Iterable[ox.Triple | ox.Quad]) -> set[str]:
    """The IRIs a writer may shorten: named nodes, and literals' datatypes."""
    found: set[str] = set()
    for statement in statements:
        for term in statement:
            if isinstance(term, ox.NamedNode):
                found.add(term.value)
            elif isinstance(term, ox.Literal):
                found.add(term.datatype.value)
    return found


def graph_ntriples(store: ox.Store, graph: ox.NamedNode) -> bytes:
    """One named graph of `store` as N-Triples, written by the store itself (in Rust)."""
    written = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
    assert written is not None  # as for write
    return written
