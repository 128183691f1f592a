"""Generated bad input against every command (hypothesis): malformed Turtle, parameter values,
query texts, output paths and endpoint answers. Whatever comes in, a command exits 0, 1 or 2,
says what went wrong in one line without a traceback, and on failure leaves the repository, the
store and any earlier output as they were."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .cli import run_cli
from .conftest import copy_repository
from .servers import FakeEndpoint

#: Real servers, a browser, Jena, many processes or a site build: `make check` leaves these out.
pytestmark = pytest.mark.slow

ARTICLE = Path("graph/articles/nghe-an-2024.ttl")
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def repository(root, tmp_path_factory):
    return copy_repository(root, tmp_path_factory.mktemp("fuzz") / "repo")


def invoke(repository: Path, *args: str, stdin: str | bytes | None = None):
    return run_cli(*args, root=repository, cache=repository.parent / "cache", input=stdin)


def assert_clean(result, allowed=(0, 1, 2)) -> None:
    """An expected exit code, no traceback; an error says what went wrong in one line."""
    assert result.exit_code in allowed, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 2:  # one line, after Click's usage banner for a usage error
        errors = [
            line for line in result.stderr.splitlines() if line.strip() and not line.startswith(("Usage:", "Try "))
        ]
        assert len(errors) == 1, result.stderr


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


#: Valid Turtle broken in the ways people break it: bytes inserted, text cut short, lines swapped.
TURTLE = (
    "@prefix kg: <https://w3id.org/orgkg/id/> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    'kg:x rdfs:label "X"@en ; rdfs:seeAlso <https://example.org/a> , ( kg:a [ rdfs:label "b" ] ) .\n'
)
broken_turtle = st.one_of(
    st.tuples(st.integers(0, len(TURTLE)), st.binary(min_size=1, max_size=8)).map(
        lambda cut: TURTLE.encode()[: cut[0]] + cut[1] + TURTLE.encode()[cut[0] :]
    ),
    st.integers(0, len(TURTLE) - 1).map(lambda cut: TURTLE.encode()[:cut]),
    st.sampled_from(
        [
            b"\xef\xbb\xbf" + TURTLE.encode(),
            TURTLE.replace("<https://example.org/a>", "<a b>").encode(),
            TURTLE.replace('"X"@en', '"X"@123456789').encode(),
            b"(" * 3000,
            b"\xff\xfe\x00",
        ]
    ),
)


@FUZZ
@given(text=broken_turtle)
def test_malformed_turtle_through_every_command(repository, text):
    article = repository / ARTICLE
    original = article.read_bytes()
    article.write_bytes(text)
    try:
        for command in (
            ["validate"],
            ["fmt", "--check"],
            ["build"],
            ["query", "run", "mergers", "--format", "csv"],
            ["export", "--format", "nt", "-o", str(repository.parent / "out.nt")],
        ):
            before = snapshot(repository)
            result = invoke(repository, *command)
            assert_clean(result)
            assert snapshot(repository) == before  # fmt --check and the rest never write the data
    finally:
        article.write_bytes(original)


@FUZZ
@given(value=st.text(max_size=40))
def test_any_parameter_value_is_data_or_a_one_line_refusal(repository, value):
    for name, query in (
        ("text", "search-label"),
        ("organization", "lineage"),
        ("from", "events-in-window"),
        ("documentType", "documents-by-type"),
    ):
        result = invoke(repository, "query", "run", query, "--param", f"{name}={value}", "--format", "csv")
        assert_clean(result, allowed=(0, 2))


@FUZZ
@given(
    text=st.one_of(
        st.text(max_size=80),
        st.binary(max_size=40),
        st.sampled_from(
            [
                "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
                "SELECT * FROM <file:///etc/hostname> { ?s ?p ?o }",
                "DROP ALL",
                "",
                "\ufeffASK {}",
                "# comment only",
            ]
        ),
    )
)
def test_any_query_text_is_run_or_refused_in_one_line(repository, text):
    result = invoke(repository, "sparql", "-", "--format", "csv", "--timeout", "10", stdin=text)
    assert_clean(result)


@FUZZ
@given(
    name=st.one_of(
        st.sampled_from(["", ".", "..", "missing/x.txt", "file/x.txt", "folder", "a" * 300]),
        st.text(
            alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00/"), min_size=1, max_size=20
        ),
    )
)
def test_any_output_path_is_written_or_refused_and_earlier_output_kept(repository, name):
    scratch = repository.parent / "outputs"
    shutil.rmtree(scratch, ignore_errors=True)
    (scratch / "folder").mkdir(parents=True)
    (scratch / "file").write_text("a file")
    target = scratch / name if name else Path("")
    result = invoke(repository, "query", "run", "articles", "--format", "csv", "-o", str(target))
    assert_clean(result, allowed=(0, 2))
    if result.exit_code == 2:
        assert (scratch / "file").read_text() == "a file"
        assert sorted(p.name for p in scratch.iterdir()) == ["file", "folder"]  # no half-written file


@pytest.fixture(scope="module")
def endpoint():
    with FakeEndpoint() as server:
        yield server


@FUZZ
@given(
    status=st.sampled_from([200, 200, 204, 301, 400, 401, 403, 404, 500, 503]),
    content_type=st.sampled_from(["application/sparql-results+json", "text/html", "application/json", "text/plain"]),
    body=st.one_of(
        st.binary(max_size=60),
        st.sampled_from(
            [
                b"{}",
                b"[]",
                b"null",
                b'{"head": {}}',
                b'{"head": {"vars": ["x"]}}',
                b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {}}]}}',
                b'{"boolean": true}',
                b"<html>It works</html>",
            ]
        ),
    ),
)
def test_any_endpoint_answer_is_read_or_reported_in_one_line(repository, endpoint, status, content_type, body):
    endpoint.reply = (status, content_type, body)
    result = invoke(repository, "query", "run", "mergers", "--endpoint", endpoint.url + "/sparql", "--format", "csv")
    assert_clean(result, allowed=(0, 2))


DEEP = {
    "list of 1,000 identical literals": ("<urn:s> <urn:p> (" + ' "x"' * 1000 + " ) .\n", "MAX_BLANK_DEPTH"),
    "blank nodes 2,000 deep": (
        "<urn:s> <urn:p> " + "[ <urn:q> " * 2000 + '"x"' + " ]" * 2000 + " .\n",
        "MAX_BLANK_DEPTH",
    ),
    "blank nodes 100,000 deep": (
        "<urn:s> <urn:p> " + "[ <urn:q> " * 100_000 + '"x"' + " ]" * 100_000 + " .\n",
        "MAX_BLANK_DEPTH",
    ),
    "a 17 MiB literal": ('<urn:s> <urn:p> "' + "a" * (17 * 1024 * 1024) + '" .\n', "MAX_TOKEN_BYTES"),
}


@pytest.mark.parametrize("name", list(DEEP))
def test_deep_or_huge_data_is_refused_in_one_line_naming_the_limit(repository, name):
    """Issue 22 item 15: these ran export past minutes, crashed it, hit RecursionError in diff
    and rdflib, or gave pyoxigraph's traceback in every command."""
    text, limit = DEEP[name]
    extra = repository / "graph" / "articles" / "deep.ttl"
    extra.write_text(text, encoding="utf-8")
    try:
        for command in (
            ["build"],
            ["query", "run", "mergers", "--format", "csv"],
            ["export", "--format", "nq", "-o", str(repository.parent / "out.nq")],
            ["validate"],
            ["fmt", "--check"],
        ):
            result = invoke(repository, *command)
            assert_clean(result, allowed=(1,))
            assert limit in result.output and "deep.ttl" in result.output, (command, result.output[-500:])
    finally:
        extra.unlink()


HEADERS = {
    "params not a list": b"#+ summary: x\n#+ params: 5\nSELECT * WHERE { ?s ?p ?o } LIMIT 1\n",
    "a parameter without a name": b"#+ summary: x\n#+ params:\n#+   - type: string\nSELECT * WHERE { ?s ?p ?o }\n",
    "latin-1 text": b"#+ summary: caf\xe9\nSELECT * WHERE { ?s ?p ?o } LIMIT 1\n",
}


@pytest.mark.parametrize("name", list(HEADERS))
def test_a_broken_saved_query_is_one_line_in_every_command_that_reads_it(repository, name):
    """Issue 22 item 16: tracebacks in query run/show/list."""
    broken = repository / "queries" / "zz-broken.rq"
    broken.write_bytes(HEADERS[name])
    try:
        for command in (["query", "run", "zz-broken"], ["query", "show", "zz-broken"], ["query", "list"]):
            result = invoke(repository, *command)
            assert_clean(result, allowed=(2,))
            assert "zz-broken.rq" in result.output, result.output
    finally:
        broken.unlink()


@pytest.mark.parametrize(
    "args, message",
    [
        (["query", "run", "a" * 300], "no saved query named"),
        (["query", "run", "search-label", "--param", "text=\udcff"], "bytes that are not UTF-8"),
        (["sparql", "-e", 'SELECT * { ?s ?p "\udcff" }'], "bytes that are not UTF-8"),
        (["sparql", "-e", "ASK {}", "--timeout", "inf"], "--timeout"),
        (["sparql", "-e", "ASK {}", "--timeout", "nan"], "--timeout"),
        (["load", "http://127.0.0.1:9/", "--timeout", "inf"], "--timeout"),
    ],
    ids=["300-character name", "parameter not UTF-8", "query not UTF-8", "timeout inf", "timeout nan", "load inf"],
)
def test_odd_arguments_are_one_line_refusals(repository, args, message):
    result = invoke(repository, *args)
    assert_clean(result, allowed=(2,))
    assert message in result.output, result.output


def test_a_queries_path_that_is_a_file_is_refused_not_an_empty_list(repository, tmp_path):
    other = copy_repository(repository, tmp_path / "repo")
    shutil.rmtree(other / "queries")
    (other / "queries").write_text("")
    result = run_cli("query", "list", root=other, cache=tmp_path / "cache")
    assert_clean(result, allowed=(2,))
    assert "is not a folder" in result.output


def test_an_ill_typed_literal_is_reported_without_rdflib_s_traceback(repository):
    extra = repository / "graph" / "articles" / "ill-typed.ttl"
    extra.write_text('<urn:a> <urn:b> "abc"^^<http://www.w3.org/2001/XMLSchema#integer> .\n')
    try:
        result = invoke(repository, "validate")
        assert result.exit_code in (0, 1) and "Traceback" not in result.stderr, result.stderr
    finally:
        extra.unlink()


@pytest.mark.parametrize("entry", ["index.sqlite", "validation.sqlite", "store"])
def test_cache_entries_made_folders_are_made_again(repository, tmp_path, monkeypatch, entry):
    """Issue 22 item 16: a folder where the cache keeps a file gave a traceback."""
    from orgkg.repository import cache_dir

    monkeypatch.setenv("ORGKG_CACHE", str(tmp_path / "cache"))
    assert invoke_in(repository, tmp_path, "build").exit_code == 0
    target = cache_dir(repository) / entry
    shutil.rmtree(target) if target.is_dir() else target.unlink(missing_ok=True)
    (target / "inside").mkdir(parents=True)
    for command in (["query", "run", "mergers", "--format", "csv"], ["validate", "--incremental"]):
        result = invoke_in(repository, tmp_path, *command)
        assert_clean(result, allowed=(0,))


def invoke_in(repository: Path, tmp_path: Path, *args: str):
    return run_cli(*args, root=repository, cache=tmp_path / "cache")


@pytest.mark.parametrize("command", [["export"], ["query", "run", "mergers"]])
def test_a_closed_standard_output_is_an_error_not_silence(repository, tmp_path, command):
    """`export >&-` gave a traceback, `query run >&-` exited 0 having written nothing."""
    env = {**os.environ, "ORGKG_ROOT": str(repository), "ORGKG_CACHE": str(tmp_path / "cache")}
    process = subprocess.run(
        [sys.executable, "-m", "orgkg.cli", *command],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: os.close(1),
        timeout=120,
    )
    assert process.returncode == 2 and "Traceback" not in process.stderr
    assert process.stderr.strip().splitlines() == [
        "orgkg: standard output is closed; write to a file instead (see --output)"
    ]


def test_concurrent_incremental_validations_take_turns(repository, tmp_path):
    """Two `validate --incremental` at once: "database is locked", exit 1 (read as "does not conform")."""
    env = {**os.environ, "ORGKG_ROOT": str(repository), "ORGKG_CACHE": str(tmp_path / "cache"), "ORGKG_SOURCES": ""}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "orgkg.cli", "validate", "--incremental"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for process in runs:
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0 and "locked" not in err, err


#: Pieces that read differently to a careless tokenizer: escapes, comments, quotes, `<` as an
#: operator or an IRI, codepoint escapes.
TRICKS = [
    "ex:a\\# ",
    "ex:a\\' ",
    "ex:a\\. ",
    "# ' \" \n",
    '"\\"" ',
    "'\\'' ",
    "'''x''' ",
    '"""x""" ',
    "<urn:x#> ",
    "FILTER(?a<1#>\n) ",
    "FILTER(?a<2&&'>'='>') ",
    "SERVIC\\u0045 ",
    "\\u0022 ",
    "?a ",
    "( ",
    ") ",
    "{ ",
    "} ",
    "VALUES ?v { ",
    "BIND(1 AS ?a) ",
]


@pytest.fixture(scope="module")
def visitors():
    with FakeEndpoint(
        content_type="application/sparql-results+json", body=b'{"head":{"vars":[]},"results":{"bindings":[]}}'
    ) as server:
        yield server


@FUZZ
@given(pieces=st.lists(st.sampled_from(TRICKS), max_size=8), tail=st.lists(st.sampled_from(TRICKS), max_size=4))
def test_no_arrangement_of_escapes_and_comments_lets_service_through(repository, visitors, pieces, tail):
    """Whatever surrounds it, a SERVICE never reaches its endpoint without --allow-service."""
    text = (
        "PREFIX ex: <http://e/> SELECT * { "
        + "".join(pieces)
        + f" SERVICE <{visitors.url}/sparql> {{ ?s ?p ?o }} "
        + "".join(tail)
        + " }"
    )
    for engine in ("oxigraph", "rdflib"):
        result = invoke(repository, "sparql", "-", "--engine", engine, "--format", "csv", "--timeout", "10", stdin=text)
        assert_clean(result)
    assert visitors.requests == []
