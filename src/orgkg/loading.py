"""Parsing Turtle files into rdflib graphs (validation, fmt, the rdflib engine), one named graph
per file; which files make up the graph is `repository`'s concern."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from orgkg.namespaces import SHAPES_FILE, bind_prefixes
from orgkg.repository import graph_iri

#: Hints for the parser messages users meet most, matched by substring.
_SYNTAX_HINTS = (
    ("not bound", "declare the prefix with @prefix at the top of the file, or fix its spelling"),
    ("newline found in string", "close the string on the same line, or use a '''long string'''"),
    ("EOF found", "a statement, string or bracket is left open: close it and end with ' .'"),
    ("expected '.'", "end the previous statement with ' .' (or ';' / ',' to continue it)"),
    ("objectList expected", "a predicate needs an object: check for a stray ';' or ','"),
)
_DEFAULT_HINT = "check the Turtle syntax at the marked position (riot --validate shows it too)"


@dataclass  # not frozen: raising sets __traceback__ on it
class TurtleSyntaxError(Exception):
    """A Turtle file that does not parse, located to file:line:column."""

    path: Path
    line: int
    column: int
    reason: str
    hint: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.reason} (hint: {self.hint})"


def is_shapes_file(path: Path, root: Path) -> bool:
    return path.resolve() == (root / SHAPES_FILE).resolve()


def parse_turtle(path: Path, into: Graph | None = None) -> Graph:
    """Parse one Turtle file, turning rdflib's BadSyntax into a located TurtleSyntaxError."""
    graph = into if into is not None else bind_prefixes(Graph())
    try:
        graph.parse(path, format="turtle")
    except BadSyntax as error:
        raise _located(path, error) from None
    return graph


def _located(path: Path, error: BadSyntax) -> TurtleSyntaxError:
    text: bytes = error._str if isinstance(error._str, bytes) else str(error._str).encode()
    offset = min(error._i, len(text))
    line_start = text.rfind(b"\n", 0, offset) + 1
    column = len(text[line_start:offset].decode("utf-8", errors="replace")) + 1
    reason = str(error._why)
    hint = next((h for key, h in _SYNTAX_HINTS if key in reason), _DEFAULT_HINT)
    return TurtleSyntaxError(path, error.lines + 1, column, reason, hint)


def load_union(files: list[Path]) -> Graph:
    """All files merged into one graph (what SHACL and rdflib queries see)."""
    graph = bind_prefixes(Graph())
    for path in files:
        parse_turtle(path, into=graph)
    return graph


def load_dataset(files: list[Path], root: Path) -> Dataset:
    """A dataset with one named graph per file, named by `graph_iri`."""
    dataset = Dataset()
    bind_prefixes(dataset)
    for path in files:
        parse_turtle(path, into=dataset.graph(URIRef(graph_iri(path, root))))
    return dataset
