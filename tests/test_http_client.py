"""The one HTTP client (http_client.py) as `orgkg load` and `--endpoint` use it, against fake
loopback servers that answer 401/403, trickle one byte a second, or answer HTML: whole-answer
deadlines, credentials never in URLs or messages, and one-line messages that say what happened."""

from __future__ import annotations

import time

import pytest

from orgkg.http_client import redact

from .cli import run_cli
from .servers import FakeEndpoint

#: Real servers, a browser, Jena, many processes or a site build: `make check` leaves these out.
pytestmark = pytest.mark.slow


def invoke(root, tmp_path, *args, env=None):
    return run_cli(*args, root=root, cache=tmp_path / "cache", env=env)


@pytest.mark.parametrize("command", [["load"], ["query", "run", "mergers", "--endpoint"]])
def test_credentials_in_the_url_are_refused_and_never_printed(root, tmp_path, command):
    with FakeEndpoint() as fake:
        url = fake.url.replace("http://", "http://admin:S3cret@")
        result = invoke(root, tmp_path, *command, url)
    assert result.exit_code == 2
    assert "S3cret" not in result.output and "admin" not in result.output
    assert "credentials do not go in the URL; set ORGKG_STORE_USER" in result.output
    assert fake.requests == []


def test_redaction_masks_userinfo_and_secret_query_values():
    assert (
        redact("https://u:p@example.org:8443/sparql?token=abc&graph=g")
        == "https://example.org:8443/sparql?token=%2A%2A%2A&graph=g"
    )


def test_a_trickling_store_cannot_stretch_the_load_timeout(root, tmp_path):
    with FakeEndpoint(
        body=b'{"head":{"vars":["g"]},"results":{"bindings":[]}}', content_type="application/json", pace=1
    ) as fake:
        started = time.monotonic()
        result = invoke(root, tmp_path, "load", fake.url, "--timeout", "2")
        took = time.monotonic() - started
    assert result.exit_code == 2
    assert "did not answer within 2 s" in result.output
    assert took < 15  # per-read timeouts let a 1 byte/s answer run for a minute


def test_a_trickling_endpoint_cannot_stretch_the_query_timeout(root, tmp_path):
    with FakeEndpoint(body=b'{"head":{"vars":[]},"results":{"bindings":[]}}' * 3, pace=1) as fake:
        started = time.monotonic()
        result = run_cli("sparql", "-", "--endpoint", fake.url, "--timeout", "1.5", root=root, input="ASK {}")
    assert result.exit_code == 2 and "did not answer within 1.5 s" in result.output
    assert time.monotonic() - started < 15


@pytest.mark.parametrize(
    "status, message",
    [
        (401, "refused the credentials (HTTP 401)"),
        (403, "forbids this (HTTP 403): the account may not write there, or the service is read-only"),
    ],
)
def test_a_refused_first_upload_changes_nothing_and_drops_nothing(root, tmp_path, status, message):
    with FakeEndpoint(status=status) as fake:
        result = invoke(root, tmp_path, "load", fake.url)
    assert result.exit_code == 2
    assert message in result.output and "could not be dropped" not in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"<html><body>Welcome</body></html>", "text/html"),
        (b'{"head": {"vars": ["x"]}}', "application/sparql-results+json"),
        (b"[1, 2]", "application/json"),
    ],
)
def test_an_endpoint_answering_something_else_is_one_line(root, tmp_path, body, content_type):
    with FakeEndpoint(body=body, content_type=content_type) as fake:
        result = invoke(root, tmp_path, "query", "run", "mergers", "--endpoint", fake.url)
    assert result.exit_code == 2
    assert "did not answer with SPARQL results JSON" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
