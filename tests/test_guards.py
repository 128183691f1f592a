"""Query guards (guards.py) on every engine: updates refused by reading, never running, the text;
SERVICE refused unless --allow-service (proved by a loopback server that counts its visitors);
FROM limited to the repository's graphs; --timeout bounds a runaway query."""

from __future__ import annotations

import signal
import time

import pytest

from orgkg.guards import QueryRefused, QueryTimeout, check, query_form, run_with_deadline

from .cli import run_cli
from .servers import FakeEndpoint

ARTICLE = "https://w3id.org/orgkg/graph/articles/nghe-an-2024"


@pytest.fixture
def visitors():
    """An endpoint that counts its visitors (and answers one empty solution)."""
    with FakeEndpoint(
        content_type="application/sparql-results+json", body=b'{"head":{"vars":[]},"results":{"bindings":[{}]}}'
    ) as server:
        yield server


def sparql(root, tmp_path, text: str, *options: str):
    return run_cli("sparql", "-", *options, root=root, cache=tmp_path / "cache", input=text)


@pytest.mark.parametrize(
    "text, form",
    [
        ("PREFIX a: <http://a/>\nBASE <http://b/>\n# c\nselect * { ?s ?p ?o }", "SELECT"),
        ("ASK {}", "ASK"),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "INSERT"),
        ("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
        ('# "SELECT" in a comment\nDROP ALL', "DROP"),
        ("# nothing\n   \n", None),
        ("", None),
    ],
)
def test_the_form_is_read_from_the_text(text, form):
    assert query_form(text) == form


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "DROP ALL",
        "CLEAR DEFAULT",
        "LOAD <http://127.0.0.1:9/x>",
        "MOVE DEFAULT TO <urn:g>",
    ],
)
def test_updates_are_refused_on_every_engine(root, tmp_path, engine, update):
    result = sparql(root, tmp_path, update, "--engine", engine)
    assert result.exit_code == 2 and "SPARQL Update; local queries are read-only" in result.output


def test_an_empty_query_is_called_empty_not_an_update(root, tmp_path):
    result = sparql(root, tmp_path, "# just a comment\n")
    assert result.exit_code == 2 and "the query is empty" in result.output


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_service_fetches_nothing_unless_allowed(root, tmp_path, visitors, engine):
    text = f"SELECT * WHERE {{ SERVICE <{visitors.url}/sparql> {{ ?s ?p ?o }} }}"
    refused = sparql(root, tmp_path, text, "--engine", engine)
    assert refused.exit_code == 2 and refused.output.endswith("unless you allow them (see --allow-service)\n")
    assert visitors.requests == []
    allowed = sparql(root, tmp_path, text, "--engine", engine, "--allow-service", "--format", "csv")
    assert allowed.exit_code == 0, allowed.output
    assert len(visitors.requests) == 1  # once: the update check no longer runs the query


def test_service_is_refused_before_reaching_an_endpoint(root, tmp_path, visitors):
    result = sparql(
        root,
        tmp_path,
        "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "--endpoint",
        visitors.url + "/sparql",
    )
    assert result.exit_code == 2 and visitors.requests == []


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize(
    "graph",
    ["file:///etc/hostname", "http://127.0.0.1:9/data.ttl", "https://w3id.org/orgkg/graph/articles/no-such-article"],
)
def test_from_names_only_repository_graphs(root, tmp_path, engine, graph):
    for clause in ("FROM", "FROM NAMED"):
        result = sparql(root, tmp_path, f"SELECT * {clause} <{graph}> WHERE {{ ?s ?p ?o }}", "--engine", engine)
        assert result.exit_code == 2 and f"FROM <{graph}> is not a graph of the repository" in result.output


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_from_a_repository_graph_queries_that_graph_only(root, tmp_path, engine, kg_dataset):
    expected = len(kg_dataset.graph(ARTICLE))
    result = sparql(
        root,
        tmp_path,
        "PREFIX a: <https://w3id.org/orgkg/graph/articles/>\n"
        "SELECT (COUNT(*) AS ?n) FROM a:nghe-an-2024 WHERE { ?s ?p ?o }",
        "--engine",
        engine,
        "--format",
        "csv",
    )
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["n", str(expected)]


def test_a_runaway_query_stops_at_its_timeout(root, tmp_path):
    started = time.monotonic()
    result = sparql(root, tmp_path, "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", "--timeout", "0.5")
    assert result.exit_code == 2 and "did not finish within 0.5 s; raise the timeout" in result.output
    assert result.output.endswith("(see --timeout)\n")
    assert time.monotonic() - started < 30  # the cartesian product alone runs for minutes


def test_run_with_deadline_hands_back_value_and_error():
    assert run_with_deadline(lambda: 42, 5) == 42
    with pytest.raises(ZeroDivisionError):
        run_with_deadline(lambda: 1 / 0, 5)
    with pytest.raises(QueryTimeout):
        run_with_deadline(lambda: time.sleep(5), 0.05)


@pytest.mark.parametrize("settle, finished", [(True, True), (False, False)])
def test_ctrl_c_lets_a_settling_action_finish_first(settle, finished):
    """A request already sent must land before the loader drops what it made (on Python 3.11 a
    second Thread.join after Ctrl-C returned at once, and a graph landed after its clean-up)."""
    done = []
    previous = signal.signal(signal.SIGALRM, signal.default_int_handler)
    signal.setitimer(signal.ITIMER_REAL, 0.1)
    try:
        with pytest.raises(KeyboardInterrupt):
            run_with_deadline(lambda: (time.sleep(0.6), done.append(True)), 5, settle=settle)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert bool(done) is finished


def test_check_reports_whether_the_query_names_its_dataset():
    assert check(f"SELECT * FROM <{ARTICLE}> {{ ?s ?p ?o }}", graphs={ARTICLE}) is True
    assert check("SELECT * { ?s ?p ?o }", graphs=set()) is False
    with pytest.raises(QueryRefused):
        check("SELECT * { service <http://x/> { ?s ?p ?o } }")
    assert check('SELECT * { ?s ?p "SERVICE <http://x/>" . ?service ?p ?o }') is False
