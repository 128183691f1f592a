"""The Python API, used as a notebook would: `import orgkg` and nothing else."""

from __future__ import annotations

import json
import sys
from datetime import date
from decimal import Decimal

import pytest

import orgkg


@pytest.fixture(scope="module")
def kg(root, tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ORGKG_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield orgkg.open(root / "queries")  # any folder inside the repository


def test_a_saved_query_gives_the_rows_the_command_line_prints_as_plain_values(kg, cli):
    rows = kg.query("mergers")
    printed = json.loads(cli("query", "run", "mergers", "--format", "json").output)
    assert rows.columns == printed["head"]["vars"]
    assert [{k: (None if v is None else str(v)) for k, v in row.items()} for row in rows] == [
        {var: binding.get(var, {}).get("value") for var in printed["head"]["vars"]}
        for binding in printed["results"]["bindings"]
    ]
    assert isinstance(rows[0]["merger"], orgkg.IRI) and isinstance(rows[0]["merger"], str)
    assert type(rows[0]["result"]) is str


def test_values_are_python_types_by_datatype(kg):
    figures = kg.query("figures")
    assert figures and all(isinstance(row["value"], Decimal) for row in figures)
    founding = [
        row
        for row in kg.describe("Ministry of Organization and Communications")
        if row["property"].endswith("foundingDate")
    ]
    assert founding[0]["value"] == date(1930, 10, 14)
    assert kg.sparql("SELECT (COUNT(*) AS ?n) WHERE { kg:org-politburo ?p ?o }")[0]["n"] > 0
    assert isinstance(kg.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"], int)


def test_parameters_are_keywords_taking_strings_dates_lists_and_labels(kg):
    window = kg.query("events-in-window", from_=date(1930, 1, 1), to="1930-12-31")
    assert window == kg.query("events-in-window", **{"from": "1930-01-01", "to": date(1930, 12, 31)})
    assert window and all(str(row["start"]).startswith("1930") for row in window)
    by_label = kg.query("predecessors", organization="central organizing committee")
    by_iri = kg.query("predecessors", organization="kg:org-central-organizing-committee")
    assert by_label == by_iri and "Ministry of Organization and Communications" in {r["label"] for r in by_label}
    kinds = kg.query("change-events-by-kind", eventClass=["okg:Merger", "okg:Establishment"])
    assert {"merger", "establishment"} <= {row["kind"] for row in kinds}


def test_problems_are_the_library_exceptions_with_one_line_messages(kg, tmp_path):
    with pytest.raises(orgkg.errors.OrgkgError, match="unknown parameter org for lineage"):
        kg.query("lineage", org="x")
    with pytest.raises(orgkg.errors.OrgkgError, match="did you mean lineage"):
        kg.query("lineag")
    with pytest.raises(orgkg.errors.OrgkgError, match="line 1"):
        kg.sparql("SELECT * WHERE { ?s ?p }")
    with pytest.raises(orgkg.errors.OrgkgError, match="(?i)update"):
        kg.sparql("DELETE WHERE { ?s ?p ?o }")
    with pytest.raises(orgkg.errors.OrgkgError, match="no orgkg repository"):
        orgkg.open(tmp_path)
    with pytest.raises(orgkg.errors.OrgkgError, match="unknown export format"):
        kg.export("csv")


def test_open_without_a_path_uses_orgkg_root(root, monkeypatch, tmp_path):
    monkeypatch.setenv("ORGKG_ROOT", str(root))
    monkeypatch.chdir(tmp_path)
    assert orgkg.open().root == root


def test_ask_and_construct_and_export(kg, cli):
    assert kg.sparql("ASK { kg:org-politburo rdfs:label ?l }") is True
    assert kg.sparql('ASK { kg:org-politburo rdfs:label "no such label" }') is False
    triples = kg.sparql("CONSTRUCT { kg:org-politburo rdfs:label ?l } WHERE { kg:org-politburo rdfs:label ?l }")
    assert triples and all(s == "https://w3id.org/orgkg/id/org-politburo" for s, _, _ in triples)
    assert kg.export("nq") == cli("export", "--format", "nq").stdout_bytes


def test_lineage_gives_the_edges_the_command_draws(kg):
    edges = kg.lineage("cao bang newspaper")
    assert {edge.earlier_label for edge in edges} >= {"Cao Bang Radio and Television Station"}


def test_to_pandas_gives_a_data_frame_with_the_columns(kg):
    pandas = pytest.importorskip("pandas", reason="pandas not installed (pip install pandas)")
    rows = kg.query("figures")
    frame = rows.to_pandas()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == rows.columns and len(frame) == len(rows)


def test_to_pandas_without_pandas_says_what_to_install(kg, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # as if not installed
    with pytest.raises(orgkg.errors.OrgkgError, match="pip install pandas"):
        kg.query("mergers").to_pandas()
