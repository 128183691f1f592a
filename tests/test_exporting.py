"""`orgkg export`: every format, stable bytes, one article, RDFS entailments."""

from __future__ import annotations

import json
from decimal import Decimal

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import ORG, PROV, RDF, XSD

from orgkg.choices import EXPORT_FORMATS
from orgkg.exporting import INFERRED_GRAPH, export
from orgkg.namespaces import KG


def numbers_canonical(graph: Graph) -> Graph:
    """The graph with decimals in canonical form: the store keeps a decimal's value, so 600.0 in a
    file comes back as "600"^^xsd:decimal (the same number, another lexical form)."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype == XSD.decimal:
            o = Literal(format(Decimal(str(o)).normalize(), "f"), datatype=XSD.decimal)
        out.add((s, p, o))
    return out


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_output_is_byte_identical_from_run_to_run(root, fmt):
    assert export(root, fmt) == export(root, fmt)


@pytest.mark.slow
@pytest.mark.parametrize("fmt,rdflib_format", [("turtle", "turtle"), ("nt", "nt")])
def test_merged_formats_hold_exactly_the_graph(root, kg, fmt, rdflib_format):
    assert isomorphic(Graph().parse(data=export(root, fmt).decode(), format=rdflib_format), numbers_canonical(kg))


@pytest.mark.slow
@pytest.mark.parametrize("fmt,rdflib_format", [("nq", "nquads"), ("trig", "trig"), ("jsonld", "json-ld")])
def test_dataset_formats_keep_one_named_graph_per_file(root, kg_dataset, fmt, rdflib_format):
    exported = Dataset().parse(data=export(root, fmt).decode(), format=rdflib_format)
    names = {g.identifier for g in exported.graphs() if len(g)}
    expected = {g.identifier for g in kg_dataset.graphs() if len(g)}
    assert names == expected
    for name in expected:
        assert isomorphic(exported.graph(name), numbers_canonical(kg_dataset.graph(name))), name


def test_every_graph_exports_alone_by_its_iri_path_or_last_segment(root):
    """Reference graphs and the ontology as well as articles, each by every name it has."""
    from orgkg.exporting import graph_names
    from orgkg.repository import Repository

    repository = Repository(root)
    graphs = [repository.graph_name(path) for path in repository.data_files()]
    names = graph_names(graphs)
    for iri in graphs:
        path = iri.removeprefix("https://w3id.org/orgkg/graph/")
        given = [n for n in (iri, path, path.rsplit("/", 1)[-1]) if names.get(n) == iri]
        assert iri in given and path in given, iri
        for name in given:
            exported = Dataset().parse(data=export(root, "nq", graph=name).decode(), format="nquads")
            assert {str(g.identifier) for g in exported.graphs() if len(g)} == {iri}, name
    for path in sorted((root / "graph").rglob("*.ttl")):
        folder = path.parent.name
        assert names.get(f"{folder}/{path.stem}") == f"https://w3id.org/orgkg/graph/{folder}/{path.stem}", path


def test_unknown_graph_is_a_usage_error_listing_the_graphs(cli, root):
    result = cli("export", "--graph", "hanoi")
    assert result.exit_code == 2
    assert "no graph 'hanoi'; graphs: " in result.output
    listed = result.output.split("graphs: ", 1)[1]
    for path in sorted((root / "graph").rglob("*.ttl")):
        assert path.stem in listed, path


def test_inferred_adds_standard_types_and_properties_in_their_own_graph(root):
    exported = Dataset().parse(data=export(root, "nq", inferred=True).decode(), format="nquads")
    inferred = exported.graph(URIRef(INFERRED_GRAPH))
    merger = KG["event-cao-bang-merger-newspaper-and-radio-television-station"]
    assert (merger, RDF.type, ORG.ChangeEvent) in inferred
    assert (
        KG["org-central-organizing-committee"],
        PROV.wasDerivedFrom,
        KG["org-ministry-of-organization-and-communications"],
    ) in inferred
    assert (KG["doc-18-nq-tw-n1"], RDF.type, URIRef("http://data.europa.eu/eli/ontology#LegalResource")) in inferred
    asserted = Graph()
    for graph in exported.graphs():
        if str(graph.identifier) != INFERRED_GRAPH:
            asserted += graph
    assert not set(inferred) & set(asserted)


def test_output_file_is_written_whole(cli, root, tmp_path):
    target = tmp_path / "orgkg.jsonld"
    result = cli("export", "--format", "jsonld", "-o", target)
    assert result.exit_code == 0 and result.output == ""
    assert json.loads(target.read_text())[0]["@id"].startswith("https://w3id.org/orgkg/graph/")
    assert [p.name for p in tmp_path.iterdir()] == ["orgkg.jsonld"]


def test_nquads_is_the_w3c_canonical_form(root):
    """RDFC-1.0 blank-node labels (_:c14nN), lines sorted by code point, one statement a line."""
    lines = export(root, "nq").decode().splitlines()
    assert lines == sorted(lines)
    blanks = {word for line in lines for word in line.split() if word.startswith("_:")}
    assert blanks and all(label.startswith("_:c14n") for label in blanks)
    dataset = ox.Dataset(ox.parse(export(root, "nq"), format=ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    assert sorted(str(quad) + " ." for quad in dataset) == lines
