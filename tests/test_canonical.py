"""RDFC-1.0 graph by graph (`orgkg.canonical`) gives exactly pyoxigraph's in-memory canonical
N-Quads: on datasets built to share first-degree hashes (the N-degree step, permutations, groups
that label each other's nodes), on the seed graph's export and on a synthetic corpus; and the
external sort gives every distinct line once, in order, whatever its chunk size."""

from __future__ import annotations

import random
from collections import defaultdict

import pyoxigraph as ox
import pytest

from orgkg.canonical import CanonicalLabels, ExternalSort, is_blank
from orgkg.exporting import export
from orgkg.repository import data_files
from orgkg.synth import synthesize


def reference(nquads: bytes) -> list[bytes]:
    """pyoxigraph's canonical N-Quads lines of the whole dataset, held in memory."""
    dataset = ox.Dataset(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted((str(quad) + " .\n").encode() for quad in dataset)


def graph_by_graph(nquads: bytes, digits: int = 16) -> list[bytes]:
    """The same lines from `CanonicalLabels`, each named graph one part."""
    parts: dict[bytes, list] = defaultdict(list)
    plain = []
    for quad in dict.fromkeys(ox.parse(nquads, format=ox.RdfFormat.N_QUADS)):  # a dataset is a set
        terms = tuple(str(term).encode() for term in (quad.subject, quad.predicate, quad.object, quad.graph_name))
        (parts[terms[3]] if any(is_blank(t) for t in terms) else plain).append(terms)
    labels = CanonicalLabels(
        (parts[name] for name in sorted(parts)), lambda: (parts[name] for name in sorted(parts)), digits
    )
    quads = [*plain, *labels.labelled(parts[name] for name in sorted(parts))]
    return sorted(b" ".join(quad) + b" .\n" for quad in quads)


def symmetric_dataset(rng: random.Random, graphs: int) -> bytes:
    """Blank nodes in few shapes, so that many share a first-degree hash: pairs of evidence nodes
    with equal quotes, rings and stars of blank nodes, one IRI shared across graphs."""
    lines = []
    for g in range(graphs):
        name = f"<http://example.org/g{g}>"
        count = rng.randint(2, 9)
        nodes = [f"_:g{g}n{i}" for i in range(count)]
        for i, node in enumerate(nodes):
            lines.append(f"{node} <http://example.org/p> {nodes[(i + 1) % count]} {name} .")
            if rng.random() < 0.5:
                lines.append(f'{node} <http://example.org/q> "{rng.choice("ab")}" {name} .')
            if rng.random() < 0.3:
                lines.append(f"<http://example.org/claim> <http://example.org/evidence> {node} {name} .")
            if rng.random() < 0.2:
                lines.append(f"{node} <http://example.org/p> {rng.choice(nodes)} {name} .")
        lines.append(f'<http://example.org/claim> <http://example.org/label> "x" {name} .')
    return "\n".join(lines).encode() + b"\n"


@pytest.mark.parametrize("seed", range(40))
def test_symmetric_datasets_get_pyoxigraphs_labels(seed):
    nquads = symmetric_dataset(random.Random(seed), graphs=random.Random(seed).randint(1, 4))
    assert graph_by_graph(nquads) == reference(nquads)


def test_hash_prefixes_that_tie_are_ordered_by_the_full_hash():
    """With one hex digit kept per hash, unique hashes collide: the extra pass orders them."""
    nquads = b"".join(symmetric_dataset(random.Random(seed), graphs=3) for seed in range(3))
    nquads = b"".join(
        line.replace(b"_:g", b"_:s%d" % n).replace(b"/g", b"/s%dg" % n) + b"\n"
        for n, block in enumerate([nquads, nquads])
        for line in block.splitlines()
    )
    assert graph_by_graph(nquads, digits=1) == reference(nquads)


def test_evidence_pairs_with_the_same_quote(root):
    """Two evidence nodes of one claim, quoting the same words: RDFC-1.0's N-degree step."""
    nquads = b"".join(
        f"<http://e/c> <http://e/evidence> _:e{i} <http://e/g> .\n_:e{i} <http://e/selector> _:s{i} <http://e/g> .\n"
        f'_:s{i} <http://e/exact> "same" <http://e/g> .\n'.encode()
        for i in range(3)
    )
    assert graph_by_graph(nquads) == reference(nquads)


def test_the_seed_graph_export_is_pyoxigraphs_canonical_form(root):
    exported = export(root, "nq", inferred=True)
    assert exported.splitlines(keepends=True) == reference(exported)


def test_a_synthetic_corpus_export_is_pyoxigraphs_canonical_form(root, tmp_path):
    synthesize(40, tmp_path, root, seed=3)
    assert data_files(tmp_path)
    exported = export(tmp_path, "nq")
    assert exported.splitlines(keepends=True) == reference(exported)
    assert exported == export(tmp_path, "nq")


def test_external_sort_gives_each_line_once_in_order(tmp_path):
    rng = random.Random(5)
    lines = [f"line {rng.randint(0, 500)} {'é' * rng.randint(0, 3)}\n".encode() for _ in range(3000)]
    sorter = ExternalSort(tmp_path, chunk=4000)
    for line in lines:
        sorter.add(line)
    assert len(sorter.runs) > 10
    assert list(sorter) == sorted(set(lines))
    assert list(tmp_path.iterdir()) == []  # the runs are removed once read
