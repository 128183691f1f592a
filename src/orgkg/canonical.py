"""W3C RDFC-1.0 canonical labels for a dataset too large to hold, one part at a time.

RDFC-1.0 labels a blank node from the quads that mention it: the first-degree hash of a node
covers its quads (graph name included), and the N-degree hash of a node whose first-degree hash
is shared reaches only blank nodes linked to it by quads. When no blank node spans two parts
(each file's graph is its own part), a part's blank nodes are labelled from that part alone,
except for the numbers: canonical labels are issued in one order over the whole dataset (every
node whose first-degree hash is unique, by hash, then each shared hash in order, by N-degree
hash). So `CanonicalLabels` reads the parts twice. The first pass keeps, for the whole dataset,
only the sorted hash prefixes of the unique nodes and, per shared hash, how many labels its
group issues (the blank nodes it reaches that have none yet, which does not depend on the
numbers). The second pass labels each part with its global numbers. Memory: one part, plus
8 bytes per blank node. tests/test_canonical.py checks the result against pyoxigraph's
in-memory `Dataset.canonicalize(RDFC_1_0)`.

Terms are N-Quads byte strings as Oxigraph writes them (`_:id`, `<iri>`, literals); a quad is
a 4-tuple (subject, predicate, object, graph name).
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import tempfile
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from orgkg.errors import OrgkgError

Quad = tuple[bytes, bytes, bytes, bytes]
#: Hex digits of a first-degree hash kept per node between the passes (8 bytes); ties between
#: distinct hashes that share them are resolved by one more pass over the parts that hold them.
PREFIX_DIGITS = 16


def is_blank(term: bytes) -> bool:
    return term.startswith(b"_:")


def _line(quad: Quad) -> bytes:
    s, p, o, g = quad
    return s + b" " + p + b" " + o + (b" " + g if g else b"") + b" .\n"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Issuer:
    """An RDFC-1.0 identifier issuer: prefix, counter, identifiers in the order issued."""

    __slots__ = ("prefix", "counter", "issued")

    def __init__(self, prefix: str, counter: int = 0):
        self.prefix, self.counter = prefix, counter
        self.issued: dict[bytes, str] = {}

    def issue(self, node: bytes) -> str:
        label = self.issued.get(node)
        if label is None:
            label = self.issued[node] = f"{self.prefix}{self.counter}"
            self.counter += 1
        return label

    def copy(self) -> _Issuer:
        twin = _Issuer(self.prefix, self.counter)
        twin.issued = dict(self.issued)
        return twin


class Part:
    """One part of the dataset: its quads that mention a blank node, hashed as RDFC-1.0 says."""

    def __init__(self, quads: Iterable[Quad]):
        self.quads = list(quads)
        self.mentions: dict[bytes, list[Quad]] = defaultdict(list)
        for quad in self.quads:
            for term in {quad[0], quad[2], quad[3]}:
                if is_blank(term):
                    self.mentions[term].append(quad)
        self.first: dict[bytes, str] = {node: self._first_degree(node) for node in self.mentions}
        groups: dict[str, list[bytes]] = defaultdict(list)
        for node, digest in self.first.items():
            groups[digest].append(node)
        self.unique = {nodes[0]: digest for digest, nodes in groups.items() if len(nodes) == 1}
        self.shared = {digest: nodes for digest, nodes in groups.items() if len(nodes) > 1}

    def _first_degree(self, node: bytes) -> str:
        def mark(term: bytes) -> bytes:
            return term if not is_blank(term) else b"_:a" if term == node else b"_:z"

        lines = sorted(_line((mark(s), p, mark(o), mark(g))) for s, p, o, g in self.mentions[node])
        return _sha256(b"".join(lines))

    def neighbours(self, node: bytes) -> Iterator[bytes]:
        for s, _, o, g in self.mentions[node]:
            for term in (s, o, g):
                if term != node and is_blank(term):
                    yield term

    def group_sizes(self) -> list[tuple[str, int]]:
        """(shared hash, labels its group issues), in hash order: the nodes the group's N-degree
        hashes reach through blank nodes not yet labelled, the numbers aside."""
        labelled = set(self.unique)
        sizes = []
        for digest in sorted(self.shared):
            reached: set[bytes] = set()
            for start in self.shared[digest]:
                if start in labelled or start in reached:
                    continue
                todo = [start]
                reached.add(start)
                while todo:
                    for other in self.neighbours(todo.pop()):
                        if other not in labelled and other not in reached:
                            reached.add(other)
                            todo.append(other)
            labelled |= reached
            sizes.append((digest, len(reached)))
        return sizes

    def labels(self, unique_label: Callable[[str], int], group_start: Callable[[str], int]) -> dict[bytes, str]:
        """Every blank node's canonical label, given the global number of each unique hash and the
        first number of each shared hash's group (RDFC-1.0 section 4.4.3, steps 4 and 5)."""
        canonical = _Issuer("c14n")
        for node, digest in self.unique.items():
            canonical.issued[node] = f"c14n{unique_label(digest)}"
        for digest in sorted(self.shared):
            canonical.counter = group_start(digest)
            results = []
            for node in self.shared[digest]:
                if node in canonical.issued:
                    continue
                temporary = _Issuer("b")
                temporary.issue(node)
                results.append(self._n_degree(node, temporary, canonical))
            for _, issuer in sorted(results, key=lambda result: result[0]):
                for node in issuer.issued:
                    canonical.issue(node)
        return canonical.issued

    def _related_hash(self, related: bytes, quad: Quad, issuer: _Issuer, position: str, canonical: _Issuer) -> str:
        text = position + ("" if position == "g" else quad[1].decode())
        label = canonical.issued.get(related) or issuer.issued.get(related)
        text += "_:" + label if label is not None else self.first[related]
        return _sha256(text.encode())

    def _n_degree(self, node: bytes, issuer: _Issuer, canonical: _Issuer) -> tuple[str, _Issuer]:
        """Hash N-Degree Quads (RDFC-1.0 section 4.8.3)."""
        related_by_hash: dict[str, list[bytes]] = defaultdict(list)
        for quad in self.mentions[node]:
            for term, position in ((quad[0], "s"), (quad[2], "o"), (quad[3], "g")):
                if is_blank(term) and term != node:
                    related_by_hash[self._related_hash(term, quad, issuer, position, canonical)].append(term)
        data = ""
        for related_hash in sorted(related_by_hash):
            data += related_hash
            chosen_path, chosen_issuer = "", issuer
            for permutation in itertools.permutations(related_by_hash[related_hash]):
                copy, path, recursion = issuer.copy(), "", []
                skipped = False
                for related in permutation:
                    if related in canonical.issued:
                        path += "_:" + canonical.issued[related]
                    else:
                        if related not in copy.issued:
                            recursion.append(related)
                        path += "_:" + copy.issue(related)
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        skipped = True
                        break
                if skipped:
                    continue
                for related in recursion:
                    digest, result_issuer = self._n_degree(related, copy, canonical)
                    path += "_:" + copy.issue(related) + "<" + digest + ">"
                    copy = result_issuer
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        skipped = True
                        break
                if skipped:
                    continue
                if not chosen_path or path < chosen_path:
                    chosen_path, chosen_issuer = path, copy
            data += chosen_path
            issuer = chosen_issuer
        return _sha256(data.encode()), issuer


class CanonicalLabels:
    """Global RDFC-1.0 numbering over parts read more than once: `parts` (each an iterable of
    quads mentioning blank nodes, no blank node in two parts) for the first pass, and `again()`
    the same parts for any later one."""

    def __init__(
        self,
        parts: Iterable[Iterable[Quad]],
        again: Callable[[], Iterable[Iterable[Quad]]],
        digits: int = PREFIX_DIGITS,
    ):
        self.again, self.digits = again, digits
        prefixes = array("Q")
        groups: list[tuple[str, int]] = []
        for quads in parts:
            part = Part(quads)
            prefixes.extend(self._prefix(digest) for digest in part.unique.values())
            groups += part.group_sizes()
        self.prefixes = array("Q", sorted(prefixes))
        del prefixes
        self.ties = self._resolve_ties()
        groups.sort()
        self.group_hashes = [digest for digest, _ in groups]
        self.group_starts = array("Q", itertools.accumulate((size for _, size in groups), initial=len(self.prefixes)))

    def _prefix(self, digest: str) -> int:
        return int(digest[: self.digits], 16)

    def _resolve_ties(self) -> dict[int, list[str]]:
        """Prefixes that distinct unique hashes share, with those hashes in order (one more pass)."""
        tied = {a for a, b in zip(self.prefixes, self.prefixes[1:]) if a == b}
        if not tied:
            return {}
        full: dict[int, list[str]] = defaultdict(list)
        for quads in self.again():
            for digest in Part(quads).unique.values():
                if self._prefix(digest) in tied:
                    full[self._prefix(digest)].append(digest)
        return {prefix: sorted(digests) for prefix, digests in full.items()}

    def unique_label(self, digest: str) -> int:
        prefix = self._prefix(digest)
        rank = bisect_left(self.prefixes, prefix)
        return rank + self.ties[prefix].index(digest) if prefix in self.ties else rank

    def group_start(self, digest: str) -> int:
        return self.group_starts[bisect_left(self.group_hashes, digest)]

    def labelled(self, parts: Iterable[Iterable[Quad]]) -> Iterator[Quad]:
        """Every quad of `parts` (the same parts once more), its blank nodes relabelled `_:c14nN`."""
        for quads in parts:
            part = Part(quads)
            labels = part.labels(self.unique_label, self.group_start)
            names = {node: b"_:" + label.encode() for node, label in labels.items()}
            for s, p, o, g in part.quads:
                yield names.get(s, s), p, names.get(o, o), names.get(g, g)


class SortError(OrgkgError):
    pass


class ExternalSort:
    """Byte lines sorted by code point, each distinct line once, in memory bounded by `chunk`
    bytes: full chunks are sorted and written to temporary files, then merged."""

    def __init__(self, folder: Path | None = None, chunk: int = 64 << 20):
        self.folder, self.chunk = folder, chunk
        self.lines: list[bytes] = []
        self.size = 0
        self.runs: list[Path] = []
        self._temporary: tempfile.TemporaryDirectory | None = None

    def add(self, line: bytes) -> None:
        self.lines.append(line)
        self.size += len(line) + 64  # the bytes object's own overhead
        if self.size >= self.chunk:
            self._spill()

    def _spill(self) -> None:
        if self._temporary is None:
            try:
                self._temporary = tempfile.TemporaryDirectory(prefix="orgkg-sort-", dir=self.folder)
            except OSError as error:
                raise SortError(f"cannot create a folder for sorting ({error.strerror}); set TMPDIR") from None
        self.lines.sort()
        run = Path(self._temporary.name) / f"run{len(self.runs)}"
        try:
            with open(run, "wb") as handle:
                handle.writelines(self.lines)
        except OSError as error:
            raise SortError(f"cannot write a sort run to {run} ({error.strerror}); free disk space") from None
        self.runs.append(run)
        self.lines, self.size = [], 0

    def __iter__(self) -> Iterator[bytes]:
        """The sorted distinct lines; temporary files are removed once read."""
        self.lines.sort()
        handles = [open(run, "rb", buffering=1 << 20) for run in self.runs]
        try:
            previous = None
            for line in heapq.merge(self.lines, *handles):
                if line != previous:
                    yield line
                    previous = line
        finally:
            for handle in handles:
                handle.close()
            self.close()

    def close(self) -> None:
        self.lines = []
        if self._temporary is not None:
            self._temporary.cleanup()
            self._temporary = None
