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
from orgkg.results import from_sparql_json
from orgkg.store import from_oxigraph

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
def test_the_file_text_on_pyoxigraph_over_the_export_gives_orgkg_query_run_rows(name, exported, orgkg_rows, root):
    text = CATALOGUE[name].path.read_text(encoding="utf-8")
    assert run_cli("query", "show", name, "--text", root=root).stdout == text  # what `query show` offers to copy
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


GRLC_PROBE = """
import json
from grlc import gquery, swagger
items, warnings = swagger.build_spec(None, None)
out = {}
for item in items:
    meta = gquery.get_metadata(item["original_query"], "")
    defaults = {p["name"]: p["default"] for p in item["params"] if "default" in p}
    rewritten = gquery.rewrite_query(item["original_query"], meta["parameters"], defaults)
    out[item["call_name"].lstrip("/")] = {"params": item["params"], "description": item["description"], "rewritten": rewritten}
print(json.dumps({"items": out, "warnings": warnings}))
"""


@pytest.fixture(scope="module")
def grlc_spec(root, tmp_path_factory):
    """grlc's own API spec of the folder `orgkg query grlc` writes (grlc run as grlc-server runs it,
    from a config.ini naming the local folder), and the query text grlc sends for the defaults."""
    import importlib.util
    import subprocess
    import sys

    if importlib.util.find_spec("grlc") is None:
        pytest.skip("grlc not installed (pip install grlc==1.3.11, in the test extra)")
    work = tmp_path_factory.mktemp("grlc")
    written = run_cli("query", "grlc", "-o", work / "queries", "--endpoint", "http://127.0.0.1:9/query", root=root)
    assert written.exit_code == 0, written.output
    (work / "config.ini").write_text(f"[local]\nlocal_sparql_dir = {work / 'queries'}\n")
    run = subprocess.run([sys.executable, "-c", GRLC_PROBE], cwd=work, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_grlc_builds_an_operation_for_every_saved_query_without_warnings(grlc_spec):
    assert sorted(grlc_spec["items"]) == NAMES
    assert grlc_spec["warnings"] == []


@pytest.mark.slow
@pytest.mark.parametrize("name", [name for name in NAMES if CATALOGUE[name].params])
def test_grlc_offers_each_parameter_with_its_type_default_and_description(name, grlc_spec, exported, orgkg_rows):
    from orgkg.grlc_folder import grlc_variable

    item = grlc_spec["items"][name]
    offered = {param["name"]: param for param in item["params"]}
    for param in CATALOGUE[name].params:
        given = offered[param.name]
        if param.default == []:  # UNDEF, every value: grlc's optional parameter, unbound when not given
            assert given["required"] is False and "default" not in given
        else:  # never left unbound, which would match everything
            assert given["required"] is True
            assert given["default"] == (param.default[0] if param.list else param.default)
        assert (given.get("format") == "iri") == (param.type == "iri")
        assert grlc_variable(param) in given["description"]  # grlc's own text names the variable (and type)
        assert f"- {param.name}: {param.description}" in item["description"]
    rewritten = comparable(from_oxigraph(exported.query(item["rewritten"])))
    assert rewritten == orgkg_rows[name], "grlc's text with the defaults gives other rows than orgkg query run"
