"""`orgkg diff`: a semantic diff of the graph between two git revisions (or a revision and
the working tree), for reviewing a change to the encoding.

Statements are compared as quads (one named graph per file, as the store names them), so
reordering, reformatting or re-prefixing a file changes nothing. Blank nodes are matched by
content: each gets a label hashed from its own statements (nested blank nodes by their labels)
and from the statements pointing to it, so relabelling `_:b0` as `_:x` is no change, while any
change inside an evidence node shows as that node's statements removed and added. (RDFC-1.0's
canonical labels would not do: they are numbered over the whole dataset, so one new node would
relabel every node after it.)
"""

from __future__ import annotations

import hashlib
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from orgkg.errors import OrgkgError
from orgkg.namespaces import DATA_DIRS, PREFIXES, short

_COLOURS = {"+": "green", "-": "red"}
WORKING_TREE = None  #: the revision that means "the files as they are now"
_LABEL = PREFIXES["rdfs"] + "label"
_EVIDENCE = PREFIXES["okg"] + "evidence"
_EXACT = PREFIXES["oa"] + "exact"
_SELECTOR = PREFIXES["oa"] + "hasSelector"


class DiffError(OrgkgError):
    """A revision git does not know, or a repository that is not a git checkout."""


@dataclass
class Diff:
    added: set[ox.Quad]
    removed: set[ox.Quad]
    labels: dict[str, str]  #: IRI -> English label, from either side
    quotes: dict[tuple[str, str], list[str]]  #: (graph IRI, subject) -> quotes on the new side

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        result = subprocess.run(["git", *args], cwd=root, input=stdin, capture_output=True, timeout=120)
    except FileNotFoundError:
        raise DiffError("git is not installed") from None
    if result.returncode != 0:
        raise DiffError(f"git {' '.join(args)}: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout


def _files_at(root: Path, revision: str | None) -> dict[Path, bytes]:
    """Data files (path under root -> bytes) at a revision, or in the working tree."""
    from orgkg.loading import is_shapes_file
    from orgkg.repository import Repository

    if revision is WORKING_TREE:
        return {path: path.read_bytes() for path in Repository(root).data_files()}
    try:
        _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except DiffError:
        raise DiffError(
            f"{revision!r} is not a git revision of {root}; try HEAD, HEAD~1, a branch or a commit"
        ) from None
    blobs = {}  # path -> blob id, then every blob read by one `git cat-file --batch`
    for line in _git(root, "ls-tree", "-r", "-z", revision, "--", *DATA_DIRS).decode().split("\0"):
        meta, _, name = line.partition("\t")
        if name.endswith(".ttl") and meta.split()[1] == "blob" and not is_shapes_file(root / name, root):
            blobs[root / name] = meta.split()[2]
    batch = _git(root, "cat-file", "--batch", stdin="".join(f"{blob}\n" for blob in blobs.values()).encode())
    files, offset = {}, 0
    for path in blobs:
        header_end = batch.index(b"\n", offset)
        size = int(batch[offset:header_end].split()[2])
        files[path] = batch[header_end + 1 : header_end + 1 + size]
        offset = header_end + 1 + size + 1
    return files


def _quads(root: Path, revision: str | None) -> set[ox.Quad]:
    from orgkg.loading import TurtleSyntaxError, parse_strict
    from orgkg.repository import graph_iri

    quads = []
    for path, data in _files_at(root, revision).items():
        graph = ox.NamedNode(graph_iri(path, root))
        try:
            triples = parse_strict(path, root, data)
        except TurtleSyntaxError as error:  # exit 1 would read as "changes": a broken side is an error
            where = "the working tree" if revision is WORKING_TREE else revision
            raise DiffError(f"{error} (in {where}); fix the file or compare other revisions") from None
        quads += [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
    return _relabel(quads)


def _relabel(quads: list[ox.Quad]) -> set[ox.Quad]:
    """The quads with every blank node labelled by a hash of its content and its referrers."""
    outgoing, incoming = defaultdict(list), defaultdict(list)
    for quad in quads:
        if isinstance(quad.subject, ox.BlankNode):
            outgoing[quad.subject].append(quad)
        if isinstance(quad.object, ox.BlankNode):
            incoming[quad.object].append(quad)
    down: dict[ox.BlankNode, str] = {}

    def content(node: ox.BlankNode, seen: frozenset = frozenset()) -> str:
        if node not in down:
            if node in seen:  # a cycle of blank nodes: stop here
                return "cycle"
            inner = seen | {node}
            parts = sorted(
                f"{q.predicate} {content(q.object, inner) if isinstance(q.object, ox.BlankNode) else q.object} "
                f"{q.graph_name}"
                for q in outgoing[node]
            )
            down[node] = hashlib.sha256("\n".join(parts).encode()).hexdigest()
        return down[node]

    def label(node: ox.BlankNode) -> ox.BlankNode:
        referrers = sorted(
            f"{content(q.subject) if isinstance(q.subject, ox.BlankNode) else q.subject} {q.predicate}"
            for q in incoming[node]
        )
        return ox.BlankNode("b" + hashlib.sha256((content(node) + "\n".join(referrers)).encode()).hexdigest()[:16])

    labels: dict[object, ox.BlankNode] = {node: label(node) for node in set(outgoing) | set(incoming)}
    return {
        ox.Quad(labels.get(q.subject, q.subject), q.predicate, labels.get(q.object, q.object), q.graph_name)
        for q in quads
    }


def diff(root: Path, before: str | None = "HEAD", after: str | None = WORKING_TREE) -> Diff:
    old, new = _quads(root, before), _quads(root, after)
    labels: dict[str, str] = {}
    for quad in old | new:
        if (
            quad.predicate.value == _LABEL
            and isinstance(quad.subject, ox.NamedNode)
            and isinstance(quad.object, ox.Literal)
            and quad.object.language in (None, "en")
        ):
            labels.setdefault(quad.subject.value, quad.object.value)
    # Quads of the working tree or a revision: every graph is a file's named graph.
    selectors: dict[tuple[object, str], object] = {
        (q.subject, str(q.graph_name)): q.object for q in new if q.predicate.value == _SELECTOR
    }
    exact: dict[tuple[object, str], str] = {
        (q.subject, str(q.graph_name)): q.object.value
        for q in new
        if q.predicate.value == _EXACT and isinstance(q.object, ox.Literal)
    }
    quotes: dict[tuple[str, str], list[str]] = defaultdict(list)
    for quad in new:
        if quad.predicate.value == _EVIDENCE and isinstance(quad.subject, ox.NamedNode):
            graph = str(quad.graph_name)
            selector = selectors.get((quad.object, graph))
            if (selector, graph) in exact:
                quotes[_graph_name(quad), quad.subject.value].append(exact[selector, graph])
    return Diff(added=new - old, removed=old - new, labels=labels, quotes=dict(quotes))


def _graph_name(quad: ox.Quad) -> str:
    """The IRI of a quad's graph (every quad here is in a file's named graph)."""
    return quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else str(quad.graph_name)


def _term(term, labels: dict[str, str]) -> str:
    if isinstance(term, ox.NamedNode):
        name = short(term.value)
        return f"{name} ({labels[term.value]})" if term.value in labels else name
    return str(term)


def _grouped(result: Diff) -> dict[str, dict[str, list[tuple[str, ox.Quad]]]]:
    groups: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for sign, quads in (("-", result.removed), ("+", result.added)):
        for quad in quads:
            groups[_graph_name(quad)][str(quad.subject)].append((sign, quad))
    return {
        graph: {
            subject: sorted(changes, key=lambda c: (str(c[1].predicate), str(c[1].object), c[0]))
            for subject, changes in sorted(subjects.items())
        }
        for graph, subjects in sorted(groups.items())
    }


def render(result: Diff, fmt: str, colour: bool = False) -> str:
    if fmt == "patch":
        return _patch(result)
    from orgkg.output import paint

    markdown = fmt == "markdown"
    colour = colour and not markdown
    lines = [f"{len(result.added)} statements added, {len(result.removed)} removed"]
    for graph, subjects in _grouped(result).items():
        lines += ["", f"### {graph}" if markdown else f"graph <{graph}>"]
        for changes in subjects.values():
            node = changes[0][1].subject
            lines.append(
                f"\n**{_term(node, result.labels)}**\n\n```diff" if markdown else f"  {_term(node, result.labels)}"
            )
            for sign, quad in changes:
                text = f"{sign} {_term(quad.predicate, {})} {_term(quad.object, result.labels)}"
                lines.append(text if markdown else "    " + (paint(text, _COLOURS[sign], True) if colour else text))
            if markdown:
                lines.append("```")
            if any(sign == "+" for sign, _ in changes) and isinstance(node, ox.NamedNode):
                for quote in sorted(result.quotes.get((graph, node.value), [])):
                    lines.append(f"> {quote}" if markdown else f'    quote: "{quote}"')
    return "\n".join(lines).rstrip() + "\n"


def _patch(result: Diff) -> str:
    """RDF Patch (https://afs.github.io/rdf-patch/): a transaction of D(elete) and A(dd) rows."""
    rows = ["TX ."]
    rows += [f"D {q.subject} {q.predicate} {q.object} {q.graph_name} ." for q in sorted(result.removed, key=str)]
    rows += [f"A {q.subject} {q.predicate} {q.object} {q.graph_name} ." for q in sorted(result.added, key=str)]
    rows.append("TC .")
    return "\n".join(rows) + "\n"
