"""Parsing Turtle files; which files make up the graph is `repository`'s concern.

`parse_strict` is the front door: it alone decides whether a file is valid Turtle. It uses
pyoxigraph's parser, which is strict where rdflib's is lax (a relative IRI, a space in an IRI,
a byte-order mark, invalid UTF-8, a malformed language tag), so that validate, fmt, the store
and every other command agree on what parses. Where an rdflib graph is needed (validation, fmt,
--engine rdflib) it is built from the triples the front door read, so each file is parsed once,
in Rust, and every command sees the same triples; rdflib is imported only there.
"""

from __future__ import annotations

import errno
import functools
import logging
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from orgkg.errors import DataError
from orgkg.namespaces import SHAPES_FILE, bind_prefixes
from orgkg.repository import DataFileError, graph_iri

if TYPE_CHECKING:
    from rdflib import Dataset, Graph

#: Hints for the parser messages users meet most, matched by substring.
_SYNTAX_HINTS = (
    ("\ufeff", "remove the byte-order mark at the start of the file (save it as UTF-8 without BOM)"),
    ("No scheme found", "write IRIs in full (<https://...>) or as prefixed names; relative IRIs are not allowed"),
    ("Invalid IRI code point", "percent-encode the character in the IRI (a space is %20)"),
    ("Invalid UTF-8", "save the file as UTF-8"),
    ("language code", "use a BCP 47 language tag such as @en or @vi"),
    ("has not been declared", "declare the prefix with @prefix at the top of the file, or fix its spelling"),
    ("Line jumps are not allowed", "close the string on the same line, or use a '''long string'''"),
    ("Unexpected end", "a statement, string or bracket is left open: close it and end with ' .'"),
    ("dot is expected", "end the previous statement with ' .' (or ';' / ',' to continue it)"),
    ("followed by a dot", "end the statement with ' .' (or ';' / ',' to continue it)"),
    ("not a valid RDF object", "a predicate needs an object: check for a stray ';' or ','"),
)
_DEFAULT_HINT = "check the Turtle syntax at the marked position (riot --validate shows it too)"


class TurtleSyntaxError(DataError):
    """A Turtle file that does not parse, located to file:line:column."""

    def __init__(self, path: Path, line: int, column: int, reason: str, hint: str | None = None):
        self.path, self.line, self.column, self.reason = path, line, column, reason
        self.hint = hint or next((h for key, h in _SYNTAX_HINTS if key in reason), _DEFAULT_HINT)
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.reason} (hint: {self.hint})"


def read_data_file(path: Path, root: Path | None = None) -> bytes:
    """The bytes of a Turtle file, or a one-line DataFileError saying what is wrong and what to do.
    With `root`, a file (or the target of a symlink) outside the repository is refused."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise DataFileError(f"{path} is a folder, not a Turtle file; rename it") from None
    except FileNotFoundError:
        if path.is_symlink():
            raise DataFileError(f"{path} is a symlink to nothing ({path.readlink()}); fix or remove it") from None
        raise DataFileError(f"{path} does not exist") from None
    except PermissionError:
        raise DataFileError(f"{path} cannot be read (permission denied); fix its permissions") from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise DataFileError(f"{path} is a symlink loop; fix or remove it") from None
        raise DataFileError(f"{path} cannot be read: {error.strerror or error}") from None
    real = os.path.realpath(path)
    if root is not None and not Path(real).is_relative_to(os.path.realpath(root)):
        raise DataFileError(f"{path} leads outside the repository ({real}); copy the file in instead")
    return data


#: How deep blank nodes may nest (an RDF list counts one level per item): canonical export
#: (RDFC-1.0) takes seconds at 200 levels of look-alike nodes and hours at 1,000, and rdflib and
#: the diff recurse through them.
MAX_BLANK_DEPTH = 64
#: The longest token (a literal, an IRI) pyoxigraph's parser holds.
MAX_TOKEN_BYTES = 16 * 1024 * 1024


def parse_strict(path: Path, root: Path | None = None, data: bytes | None = None) -> list[ox.Triple]:
    """The triples of a Turtle file, or TurtleSyntaxError / DataFileError: the one place that
    decides whether a file is valid, and within the limits every later step can handle."""
    return _parse(path, root, data)[0]


def _parse(path: Path, root: Path | None = None, data: bytes | None = None) -> tuple[list[ox.Triple], dict[str, str]]:
    """parse_strict's triples, and the prefixes the file declares."""
    data = read_data_file(path, root) if data is None else data
    parser = ox.parse(data, format=ox.RdfFormat.TURTLE)
    try:
        triples = list(parser)
    except SyntaxError as error:
        reason = str(error.msg).split(": ", 1)[-1] if str(error.msg).startswith("Parser error") else str(error.msg)
        raise TurtleSyntaxError(path, error.lineno or 1, error.offset or 1, reason) from None
    except MemoryError:
        raise TurtleSyntaxError(
            path,
            1,
            1,
            f"a literal or IRI is longer than {MAX_TOKEN_BYTES:,} bytes, the limit (MAX_TOKEN_BYTES)",
            "keep long texts in the sources folder and quote only the words a claim needs",
        ) from None
    depth = blank_depth(triples, MAX_BLANK_DEPTH)
    if depth > MAX_BLANK_DEPTH:
        raise TurtleSyntaxError(
            path,
            1,
            1,
            f"blank nodes nest more than {MAX_BLANK_DEPTH} deep, the limit (MAX_BLANK_DEPTH; "
            "an RDF list counts one level per item)",
            "give the inner nodes IRIs, or split the list",
        )
    return triples, parser.prefixes


def blank_depth(triples: list[ox.Triple], limit: int) -> int:
    """The longest chain of blank nodes, each the object of the one before (counted without
    recursion; a cycle of blank nodes adds nothing), or limit + 1 once it passes the limit."""
    children: dict[ox.BlankNode, list[ox.BlankNode]] = {}
    parents: dict[ox.BlankNode, int] = {}
    for triple in triples:
        if isinstance(triple.object, ox.BlankNode) and isinstance(triple.subject, ox.BlankNode):
            children.setdefault(triple.subject, []).append(triple.object)
            parents[triple.object] = parents.get(triple.object, 0) + 1
    if not children:
        return (
            1 if any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples) else 0
        )
    depth = {node: 1 for node in children if node not in parents}
    ready, deepest = list(depth), 1
    while ready:
        node = ready.pop()
        for child in children.get(node, ()):
            depth[child] = max(depth.get(child, 0), depth[node] + 1)
            deepest = max(deepest, depth[child])
            if deepest > limit:
                return limit + 1
            parents[child] -= 1
            if not parents[child]:
                ready.append(child)
    return deepest


def is_shapes_file(path: Path, root: Path) -> bool:
    return path.resolve() == (root / SHAPES_FILE).resolve()


def parse_turtle(path: Path, into: Graph | None = None, subjects: set | None = None) -> Graph:
    """One Turtle file as an rdflib graph (or added to `into`), built from the triples the front
    door (`parse_strict`) read; its blank nodes are fresh, as a parse of the file would make them.
    `subjects`, if given, gets the subjects of the file's triples."""
    from rdflib import BNode, Graph

    triples, prefixes = _parse(path)
    graph = into if into is not None else bind_prefixes(Graph())
    for prefix, namespace in prefixes.items():
        graph.bind(prefix, namespace)
    blank: dict[ox.BlankNode, BNode] = {}

    def term(node):
        if isinstance(node, ox.BlankNode):
            return blank.get(node) or blank.setdefault(node, BNode())
        return _rdflib_term(node)

    # Ill-typed literals ("abc"^^xsd:integer) are SHACL's to report: rdflib would also log its
    # own traceback for each on standard error.
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph.addN((term(t.subject), term(t.predicate), term(t.object), graph) for t in triples)
    if subjects is not None:
        subjects.update(term(t.subject) for t in triples)
    return graph


@functools.lru_cache(maxsize=1 << 16)
def _rdflib_term(node):
    """An IRI or literal as rdflib's, once for each of the terms a corpus repeats."""
    from orgkg.terms import to_rdflib

    return to_rdflib(node)


def load_union(files: list[Path]) -> Graph:
    """All files merged into one rdflib graph: the reference view the tests and the bench's rdflib
    peer compare with."""
    from rdflib import Graph

    graph = bind_prefixes(Graph())
    for path in files:
        parse_turtle(path, into=graph)
    return graph


def load_dataset(files: list[Path], root: Path) -> Dataset:
    """A dataset with one named graph per file, named by `graph_iri`."""
    from rdflib import Dataset, URIRef

    dataset = Dataset()
    bind_prefixes(dataset)
    for path in files:
        parse_turtle(path, into=dataset.graph(URIRef(graph_iri(path, root))))
    return dataset
