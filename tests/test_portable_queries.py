"""Every saved query file runs unchanged on any SPARQL 1.1 engine that holds the graph as the
README says (the union of the graphs as the default graph, each triple once) and gives exactly
the rows `orgkg query run NAME` gives with its defaults: the defaults are in the query text.

The file text is sent as it is on disk, `#+` header and all: to pyoxigraph over `orgkg export`
(N-Triples, the union, into the default graph; N-Quads, the named graphs) and to an Oxigraph
server loaded with `orgkg load --union-default-graph`, queried over plain HTTP.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from orgkg.catalogue import load_catalogue
from orgkg.namespaces import QUERIES_DIR, find_root
from orgkg.store import from_oxigraph, from_sparql_json

from .cli import run_cli
from .compare import comparable
from .servers import OxigraphServer

CATALOGUE = load_catalogue(find_root(Path(__file__).parent) / QUERIES_DIR)
NAMES = sorted(CATALOGUE)


@pytest.fixture(scope="module")
def orgkg_rows(root, tmp_path_factory):
    """query name -> the rows `orgkg query run NAME --format json` prints (defaults)."""
    cache = tmp_path_factory.mktemp("cache")

    def rows(name: str):
        result = run_cli("query", "run", name, "--format", "json", root=root, cache=cache)
        assert result.exit_code == 0, result.output
        return comparable(from_sparql_json(json.loads(result.stdout)))

    return {name: rows(name) for name in NAMES}


@pytest.fixture(scope="module")
def exported(root, tmp_path_factory):
    """The export as the README tells a user to load it: union in the default graph, graphs named."""
    folder = tmp_path_factory.mktemp("export")
    store = ox.Store()
    for fmt, rdf_format in (("nt", ox.RdfFormat.N_TRIPLES), ("nq", ox.RdfFormat.N_QUADS)):
        result = run_cli("export", "--format", fmt, "-o", folder / f"orgkg.{fmt}", root=root)
        assert result.exit_code == 0, result.output
        store.bulk_load(path=str(folder / f"orgkg.{fmt}"), format=rdf_format)
    return store


def test_the_catalogue_has_parametrised_queries_all_with_defaults_in_the_text():
    parametrised = [query for query in CATALOGUE.values() if query.params]
    assert parametrised
    for query in parametrised:
        for param in query.params:
            assert f"VALUES ?{param.name} {{" in query.sparql, (query.name, param.name)


@pytest.mark.parametrize("name", NAMES)
def test_the_file_text_on_pyoxigraph_over_the_export_gives_orgkg_query_run_rows(name, exported, orgkg_rows):
    text = CATALOGUE[name].path.read_text(encoding="utf-8")
    assert comparable(from_oxigraph(exported.query(text))) == orgkg_rows[name]
    assert orgkg_rows[name], f"{name} returns no rows with its defaults: nothing would be compared"


@pytest.fixture(scope="module")
def oxigraph_server(root, tmp_path_factory):
    """An Oxigraph server without its own union option, loaded so its default graph is the union."""
    server = OxigraphServer(tmp_path_factory.mktemp("server") / "store", union_default_graph=False).start()
    try:
        loaded = run_cli("load", server.url, "--union-default-graph", root=root)
        assert loaded.exit_code == 0, loaded.output
        yield server
    finally:
        server.stop()


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_the_file_text_on_the_oxigraph_server_gives_orgkg_query_run_rows(name, oxigraph_server, orgkg_rows):
    text = CATALOGUE[name].path.read_text(encoding="utf-8")
    answer = requests.post(
        oxigraph_server.query_url,
        data=text.encode("utf-8"),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    assert comparable(from_sparql_json(answer.json())) == orgkg_rows[name]
