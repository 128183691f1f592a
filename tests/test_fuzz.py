"""Generated bad input against every command (hypothesis): malformed Turtle, parameter values,
query texts, output paths and endpoint answers. Whatever comes in, a command exits 0, 1 or 2,
says what went wrong in one line without a traceback, and on failure leaves the repository, the
store and any earlier output as they were."""

from __future__ import annotations

import shutil
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
