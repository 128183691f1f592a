"""Saved queries on remote endpoints: a store whose default graph is not the union is named with
what to do (never 0 rows and exit 0), the probe runs once per endpoint, an engine's known defects
are warned of, and `lineage` runs remotely like the rest."""

from __future__ import annotations

import pytest

from .servers import VIRTUOSO_USER, FaultProxy, OxigraphServer

#: Real servers: `make check` leaves these out.
pytestmark = pytest.mark.slow


def _server(tmp_path, union: bool) -> OxigraphServer:
    return OxigraphServer(tmp_path / "store", union_default_graph=union).start()


@pytest.fixture
def loaded(cli, tmp_path):
    """An Oxigraph server with the union default graph, after `orgkg load`."""
    server = _server(tmp_path, union=True)
    try:
        assert cli("load", server.url).exit_code == 0
        yield server
    finally:
        server.stop()


def test_a_store_whose_default_graph_is_not_the_union_is_refused_saying_what_to_do(cli, tmp_path):
    server = _server(tmp_path, union=False)
    try:
        assert cli("load", server.url).exit_code == 0
        result = cli("query", "run", "mergers", "--endpoint", server.query_url, cache=tmp_path / "cache")
        assert result.exit_code == 2
        assert "default graph of this store is not the union of its graphs" in result.output
        assert "--union-default-graph" in result.output and result.stdout == ""
        fixed = cli(
            "query",
            "run",
            "mergers",
            "--endpoint",
            server.query_url + "?union-default-graph",
            "--format",
            "csv",
            cache=tmp_path / "cache",
        )
        assert fixed.exit_code == 0 and fixed.stdout == cli("query", "run", "mergers", "--format", "csv").stdout
    finally:
        server.stop()


def test_an_empty_store_is_told_to_load_the_graphs_first(cli, tmp_path):
    server = _server(tmp_path, union=True)
    try:
        result = cli("describe", "kg:org-politburo", "--endpoint", server.query_url, cache=tmp_path / "cache")
        assert result.exit_code == 2 and "holds none of orgkg's graphs: load them first" in result.output
    finally:
        server.stop()


def test_the_probe_runs_once_per_endpoint_and_lineage_runs_remotely(cli, tmp_path, loaded):
    with FaultProxy(loaded.url) as proxy:
        endpoint, cache = proxy.url + "/query", tmp_path / "cache"
        first = cli("lineage", "cao bang newspaper", "--endpoint", endpoint, "--timeout", "30", cache=cache)
        second = cli("lineage", "cao bang newspaper", "--endpoint", endpoint, "--timeout", "30", cache=cache)
        probes = [r for r in proxy.requests if "COUNT(?inDefault)" in r.text]
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert first.stdout == second.stdout == cli("lineage", "cao bang newspaper").stdout
    assert len(probes) == 1


def test_lineage_timeout_bounds_the_endpoint_answer(cli, tmp_path, loaded):
    with FaultProxy(loaded.url, fault=lambda request: 3) as proxy:
        endpoint = proxy.url + "/query"
        result = cli(
            "lineage", "kg:org-cao-bang-newspaper", "--endpoint", endpoint, "--timeout", "0.5", cache=tmp_path / "c"
        )
    assert result.exit_code == 2 and "did not answer within 0.5 s" in result.output


def test_a_saved_query_with_a_known_engine_defect_warns_naming_it(cli, virtuoso, tmp_path):
    assert cli("load", virtuoso.url, "--dialect", "virtuoso", env=VIRTUOSO_USER).exit_code == 0
    cache = tmp_path / "cache"
    warned = cli("query", "run", "lineage", "--endpoint", virtuoso.query_url, cache=cache)
    assert warned.exit_code == 0, warned.output
    assert "warning: lineage may be answered wrongly on virtuoso" in warned.stderr
    assert "transitive property path" in warned.stderr
    clean = cli("query", "run", "mergers", "--endpoint", virtuoso.query_url, cache=cache)
    assert clean.exit_code == 0 and "warning" not in clean.stderr
