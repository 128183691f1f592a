"""Query guards (guards.py) on every engine: updates refused by reading, never running, the text;
SERVICE refused unless --allow-service (proved by a loopback server that counts its visitors);
FROM limited to the repository's graphs; --timeout bounds a runaway query."""

from __future__ import annotations

import signal
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orgkg.guards import QueryRefused, QueryTimeout, Worker, check, run_with_deadline
from orgkg.sparql_text import query_form

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
    """The cartesian product alone runs for minutes: only the deadline ends it with this message."""
    result = sparql(root, tmp_path, "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", "--timeout", "0.5")
    assert result.exit_code == 2 and "did not finish within 0.5 s; raise the timeout" in result.output
    assert result.output.endswith("(see --timeout)\n")


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


def test_a_worker_that_pauses_the_collector_turns_it_back_on_when_done_or_interrupted():
    import gc

    worker = Worker(lambda: gc.isenabled(), pause_collector=True)
    assert worker.result() is False and gc.isenabled()
    previous = signal.signal(signal.SIGALRM, signal.default_int_handler)
    signal.setitimer(signal.ITIMER_REAL, 0.1)
    try:
        with pytest.raises(KeyboardInterrupt):
            Worker(lambda: time.sleep(0.6), pause_collector=True).result()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert gc.isenabled()


def test_a_query_with_a_deadline_never_frees_this_threads_query_solutions_in_its_own(monkeypatch):
    """The engine runs in a worker thread; a collection started there by its allocations would
    free this thread's cyclic garbage there, and pyoxigraph's query solutions may be dropped
    only in the thread that made them ("unsendable, but is being dropped on another thread",
    and they leak). So the collector is off while the worker runs."""
    import gc
    import sys

    import pyoxigraph as ox

    dropped = []
    monkeypatch.setattr(sys, "unraisablehook", lambda unraisable: dropped.append(unraisable.exc_value))
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal("c")))

    class Holder:
        pass

    cycle = Holder()
    cycle.itself, cycle.solutions = cycle, store.query("SELECT * WHERE { ?s ?p ?o }")
    del cycle  # garbage of this thread, freed only by a collection
    assert run_with_deadline(lambda: len([[number] for number in range(200_000)]), 10) == 200_000
    gc.collect()
    assert dropped == []


def test_check_reports_whether_the_query_names_its_dataset():
    assert check(f"SELECT * FROM <{ARTICLE}> {{ ?s ?p ?o }}", graphs={ARTICLE}) is True
    assert check("SELECT * { ?s ?p ?o }", graphs=set()) is False
    with pytest.raises(QueryRefused):
        check("SELECT * { service <http://x/> { ?s ?p ?o } }")
    assert check('SELECT * { ?s ?p "SERVICE <http://x/>" . ?service ?p ?o }') is False


#: Texts that hide SERVICE from a regex tokenizer but not from the engines: local-name escapes
#: (`ex:a\#`, `ex:a\'`), `<` as "less than" before a `#` comment or a quote, `\u` escapes that
#: rdflib expands before parsing.
HIDDEN_SERVICE = [
    "PREFIX ex: <http://e/> SELECT * {{ VALUES ?v {{ ex:a\\# }} SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "PREFIX ex: <http://e/> SELECT * {{ VALUES ?v {{ ex:a\\' }} SERVICE <{url}> {{ ?s ?p ?o }} }} # '",
    'SELECT * {{ BIND(1 AS ?a) FILTER(?a<1#>"""\n) SERVICE <{url}> {{ ?s ?p ?o }} }} #"""\n',
    "SELECT * {{ BIND(1 AS ?a) FILTER(?a<2&&'>' = \">\") SERVICE <{url}> {{ ?s ?p ?o }} FILTER('x' != \"'\") }}",
    "SELECT * {{ SERVIC\\u0045 <{url}> {{ ?s ?p ?o }} }}",
]


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("text", HIDDEN_SERVICE, ids=range(len(HIDDEN_SERVICE)))
def test_service_hidden_by_escapes_or_comparisons_fetches_nothing(root, tmp_path, visitors, engine, text):
    result = sparql(root, tmp_path, text.format(url=visitors.url + "/sparql"), "--engine", engine)
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1, result.output
    assert visitors.requests == []


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize(
    "text",
    [
        "PREFIX ex: <http://e/> SELECT * FROM <file:///etc/hostname> {{ VALUES ?v {{ ex:a\\# }} ?s ?p ?o }}",
        "SELECT * FROM <\\u0066ile:///etc/hostname> {{ ?s ?p ?o }}",
        "BASE <file:///etc/> SELECT * FROM <hostname> {{ ?s ?p ?o }}",
        "PREFIX f: <file:///etc/> SELECT * FROM NAMED f:hostname {{ ?s ?p ?o }}",
    ],
)
def test_from_outside_the_repository_is_refused_however_written(root, tmp_path, engine, text):
    result = sparql(root, tmp_path, text.format(), "--engine", engine)
    assert result.exit_code == 2 and "is not a graph of the repository" in result.output, result.output
    assert "file:///etc/hostname" in result.output


def test_a_comparison_is_not_read_as_an_iri(root, tmp_path):
    """`?a<2&&?b>1` is two comparisons: the guard reads it as the engine does, and lets it run."""
    text = "SELECT ?a WHERE { VALUES (?a ?b) { (1 2) } FILTER(?a<2&&?b>1) }"
    result = sparql(root, tmp_path, text, "--format", "csv")
    assert result.exit_code == 0 and result.output.split() == ["a", "1"], result.output


@pytest.mark.parametrize(
    "text, limit",
    [
        ("SELECT * " + "{ " * 3000 + "}" * 3000, "MAX_QUERY_DEPTH"),
        ("SELECT * { FILTER(" + "(" * 10000 + "1" + ")" * 10000 + ") }", "MAX_QUERY_DEPTH"),
        ("SELECT * { ?s ?p ?o } " + "#" * 1_000_001, "MAX_QUERY_CHARS"),
    ],
    ids=["groups", "parentheses", "size"],
)
def test_deep_or_huge_queries_are_refused_before_the_engine_naming_the_limit(root, tmp_path, text, limit):
    result = sparql(root, tmp_path, text)
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1, result.output[:300]
    assert limit in result.output
    with pytest.raises(QueryRefused, match=limit):
        check(text)


def test_text_the_grammar_cannot_tokenize_is_refused_with_its_position(root, tmp_path):
    result = sparql(root, tmp_path, "SELECT * {\n  ?s ?p ?o \\ }")
    assert result.exit_code == 2
    assert result.output.strip() == "orgkg: SPARQL syntax error at line 2, column 12: unexpected '\\\\'"


ASCII_TEXT = st.lists(
    st.sampled_from([*" \t\n?$_:.-%\\'\"<>{}()[]#@^!=&|*+/,;0123456789aeAEzZ", "SELECT", "kg:", "_:b", "\\u00e9"]),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(ASCII_TEXT)
def test_ascii_text_is_tokenized_by_the_ascii_grammar_as_by_the_unicode_one(text):
    """The tokenizer reads ASCII queries with ASCII character classes (they compile at once): on
    ASCII text they must match exactly what SPARQL's Unicode classes match."""
    from orgkg.sparql_text import token_grammar

    def tokens(grammar) -> list:
        return [(match.lastgroup, match.span()) for match in grammar.finditer(text)]

    assert tokens(token_grammar(ascii_only=True)) == tokens(token_grammar(ascii_only=False))


def test_every_saved_query_is_tokenized_alike_by_both_grammars(root):
    from orgkg.catalogue import load_catalogue
    from orgkg.namespaces import QUERIES_DIR
    from orgkg.sparql_text import token_grammar

    texts = [query.bind({}) for query in load_catalogue(root / QUERIES_DIR).values()]
    ascii_texts = [text for text in texts if text.isascii()]
    assert len(ascii_texts) > len(texts) / 2  # most saved queries take the fast path
    for text in ascii_texts:
        ascii_tokens = [m.group() for m in token_grammar(ascii_only=True).finditer(text)]
        assert ascii_tokens == [m.group() for m in token_grammar(ascii_only=False).finditer(text)]
