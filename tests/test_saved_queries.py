"""Saved queries answer what newcomers asked (issue 12): each test pins a question of theirs to
the rows a saved query gives on the embedded store."""

from __future__ import annotations

import csv
import io

import pytest

from .cli import run_cli

KG = "https://w3id.org/orgkg/id/"


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def query(root, cache):
    def run(name: str, **params: str) -> list[dict]:
        args = ["query", "run", name, "--format", "csv"]
        for key, value in params.items():
            args += ["--param", f"{key}={value}"]
        result = run_cli(*args, root=root, cache=cache)
        assert result.exit_code == 0, result.output
        return list(csv.DictReader(io.StringIO(result.output)))
    return run


def things(rows: list[dict], column: str = "thing") -> set[str]:
    return {row[column].removeprefix(KG) for row in rows}


def test_events_in_window_finds_events_dated_with_dct_date(query):
    """Item 5: the 1930 conference and establishments are dated with dct:date only."""
    found = things(query("events-in-window", **{"from": "1930-01-01", "to": "1930-12-31"}))
    assert {"event-1930-first-conference-provisional-central-executive-committee",
            "event-1930-10-14-establishment-ministry-of-organization-and-communications",
            "event-1930-02-03-establishment-communist-party-of-vietnam"} <= found


def test_events_dated_only_by_their_term_answer_a_window(query):
    """Item 5: the competition has no date of its own, only the 2020-2025 term."""
    rows = query("events-in-window", **{"from": "2022-03-01", "to": "2022-03-31"})
    competition = [r for r in rows if r["thing"] == KG + "event-cao-bang-competition-excellent-party-cell-secretaries"]
    assert [(r["kind"], r["start"], r["end"], r["datedBy"]) for r in competition] == [
        ("competition", "2020", "2025", "https://w3id.org/orgkg/ontology#duringTerm")]


def test_a_year_overlaps_a_window_inside_it(query):
    """A gYear covers all its days: the 2024 review is in a window of one day of 2024."""
    found = things(query("events-in-window", **{"from": "2024-06-01", "to": "2024-06-01"}))
    assert "event-nghe-an-review-2993-qd-tu-5-years" in found
    assert "event-94th-anniversary-party-organization-sector" not in found


def test_change_events_in_period_and_dated_in_window_share_the_date_model(query):
    """Item 12: foundings, documents and articles are dated too, whatever property says so."""
    changes = things(query("change-events-in-period", **{"from": "1930-01-01", "to": "1930-12-31"}))
    assert "event-1930-first-conference-provisional-central-executive-committee" not in changes
    assert "event-1930-04-01-establishment-first-party-cell-cao-bang" in changes
    dated = {r["thing"].removeprefix(KG): r["datedBy"].rsplit("/", 1)[-1]
             for r in query("dated-in-window", **{"from": "1930-01-01", "to": "1930-12-31"})}
    assert dated["org-ministry-of-organization-and-communications"] == "foundingDate"
    assert dated["event-1930-first-conference-provisional-central-executive-committee"] == "date"
    in_2024 = {r["thing"].removeprefix(KG): r["datedBy"].rsplit("/", 1)[-1]
               for r in query("dated-in-window", **{"from": "2024-06-06", "to": "2024-06-06"})}
    assert in_2024["doc-29-ct-tu-2024-06-06"] == "ontology#date_document"


@pytest.fixture(scope="module")
def engines(root, cache):
    from orgkg.store import EmbeddedStore, RdflibEngine

    return EmbeddedStore(root, cache=cache), RdflibEngine(root)


def saved_query_names() -> list[str]:
    from pathlib import Path

    return sorted(path.stem for path in (Path(__file__).resolve().parents[1] / "queries").glob("*.rq"))


@pytest.mark.parametrize("name", saved_query_names())
def test_csv_is_byte_identical_on_oxigraph_and_rdflib(root, engines, name):
    """Item 10: list cells sorted, numbers canonical, rows in a total order, on both engines."""
    from orgkg.catalogue import find_query
    from orgkg.namespaces import QUERIES_DIR
    from orgkg.results import render

    sparql = find_query(root / QUERIES_DIR, name).bind({})
    oxigraph, rdflib = (render(engine.query(sparql), "csv") for engine in engines)
    assert oxigraph == rdflib
    assert oxigraph.count("\n") > 1, f"{name} returns no rows with its defaults"
