"""`orgkg sparql`: predeclared prefixes, -e, one-line syntax errors, and a default graph that
holds each triple once on every local engine."""

from __future__ import annotations

import csv
import io

import pytest

from orgkg.adhoc import explain
from orgkg.namespaces import PREFIXES
from orgkg.sparql_text import with_prefixes

from .cli import run_cli

EVENT = "kg:event-1930-10-14-establishment-ministry-of-organization-and-communications"


def sparql(root, cache, *args, stdin=None):
    return run_cli("sparql", *args, root=root, cache=cache, input=stdin)


def rows(result) -> list[dict]:
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.output)))


def test_catalogue_prefixes_are_predeclared_for_inline_and_piped_queries(root, cache):
    query = "SELECT ?label WHERE { kg:org-politburo rdfs:label ?label FILTER(LANG(?label) = 'en') }"
    assert rows(sparql(root, cache, "-e", query, "--format", "csv")) == [{"label": "Politburo"}]
    assert rows(sparql(root, cache, "-", "--format", "csv", stdin=query)) == [{"label": "Politburo"}]


def test_a_query_s_own_prefix_wins(root, cache):
    query = "PREFIX kg: <http://example.org/> ASK { kg:org-politburo ?p ?o }"
    assert sparql(root, cache, "-e", query, "--format", "csv").output.strip() == "false"
    assert "PREFIX kg:" not in with_prefixes(query, PREFIXES).splitlines()[0]


def test_unknown_prefix_is_one_line_with_position_and_hint(root, cache):
    result = sparql(root, cache, "-e", "SELECT * WHERE {\n  ?s a okgx:Merger }")
    assert result.exit_code == 2
    message = result.output.strip().splitlines()
    assert message == [message[0]] and message[0].startswith(
        "orgkg: SPARQL syntax error at line 2, column 8: unknown prefix 'okgx:'; declare it with PREFIX okgx:"
    )


def test_unclosed_group_is_one_line_with_a_hint(root, cache):
    result = sparql(root, cache, "-e", "SELECT ?s WHERE { ?s ?p ?o ")
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert "line 1, column 28 at the end of the query" in result.output and "a { is not closed" in result.output


def test_explain_keeps_unrecognised_messages_on_one_line():
    assert explain("something\nbroke", "SELECT") == "SPARQL syntax error: something broke"


def test_file_and_expression_are_exclusive(root, cache, tmp_path):
    assert sparql(root, cache).exit_code == 2
    query = tmp_path / "q.rq"
    query.write_text("ASK {}")
    assert sparql(root, cache, str(query), "-e", "ASK {}").exit_code == 2


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_default_graph_holds_a_triple_once_and_graph_shows_each_article(root, cache, engine):
    """Item 4: the 1930 establishment's date is stated in both article graphs."""
    once = rows(
        sparql(
            root, cache, "-e", f"SELECT ?date WHERE {{ {EVENT} dct:date ?date }}", "--engine", engine, "--format", "csv"
        )
    )
    assert once == [{"date": "1930-10-14"}]
    graphs = rows(
        sparql(
            root,
            cache,
            "-e",
            f"SELECT ?g WHERE {{ GRAPH ?g {{ {EVENT} dct:date ?date }} }} ORDER BY ?g",
            "--engine",
            engine,
            "--format",
            "csv",
        )
    )
    assert [row["g"] for row in graphs] == [
        "https://w3id.org/orgkg/graph/articles/cao-bang-2025",
        "https://w3id.org/orgkg/graph/articles/nghe-an-2024",
    ]


def test_a_query_rdflib_cannot_evaluate_is_one_line_not_a_traceback(root, cache):
    """A valid query on which rdflib's evaluator raises (comparing unbound sort keys)."""
    result = sparql(root, cache, "-e", 'SELECT * { ?s ?p ?o } ORDER BY (?s + "a")', "--engine", "rdflib")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output.strip().splitlines() == [
        "orgkg: rdflib could not run the query (TypeError: '<' not supported between instances of 'NoneType' "
        "and 'NoneType'); the default engine, Oxigraph, may run it"
    ]
    assert sparql(root, cache, "-e", 'SELECT * { ?s ?p ?o } ORDER BY (?s + "a")').exit_code == 0


def test_incomplete_triple_pattern_gets_a_hint(root, cache):
    result = sparql(root, cache, "-e", "SELECT * WHERE { ?s ?p }")
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert "a triple pattern needs subject, predicate and object" in result.output
