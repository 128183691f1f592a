"""One resolver for the names users type: IRIs, prefixed names, document codes and labels,
checked against the graph and the kind of node a parameter expects."""

from __future__ import annotations

import csv
import io

import pytest

from orgkg.names import Resolver, UnresolvedName, expand, plain
from orgkg.store import EmbeddedStore

from .cli import run_cli

KG = "https://w3id.org/orgkg/id/"


@pytest.fixture(scope="module")
def resolver(root, cache):
    return Resolver(EmbeddedStore(root, cache=cache))


def run(root, cache, *args):
    return run_cli(*args, root=root, cache=cache)


def rows(result) -> list[dict]:
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.output)))


def query_rows(root, cache, name: str, param: str) -> list[dict]:
    return rows(run(root, cache, "query", "run", name, "--param", param, "--format", "csv"))


def test_expand_reads_iris_and_project_prefixes_only():
    assert expand("kg:org-politburo") == KG + "org-politburo"
    assert expand("<https://example.org/x>") == "https://example.org/x"
    assert expand("okg:Dissolution") == "https://w3id.org/orgkg/ontology#Dissolution"
    assert expand("foo:bar") is None and expand("Cao Bang newspaper") is None


def test_plain_ignores_case_diacritics_and_spacing():
    assert plain("  Ban Tổ  chức Trung ương ") == "ban to chuc trung uong"
    assert plain("Đảng") == "dang"


def test_prefixed_class_for_an_iri_parameter_returns_its_rows(root, cache):
    """Item 1: okg:Dissolution used to be bound as the IRI <okg:Dissolution> and match nothing."""
    found = query_rows(root, cache, "change-events-by-kind", "eventClass=okg:Dissolution")
    assert found and {row["kind"] for row in found} == {"dissolution"}
    by_label = query_rows(root, cache, "change-events-by-kind", "eventClass=dissolution")
    assert by_label == found


@pytest.mark.parametrize(
    "value, message",
    [
        ("kg:org-no-such-body", "parameter organization: kg:org-no-such-body is not in the graph"),
        ("kg:doc-18-nq-tw-n1", "parameter organization: kg:doc-18-nq-tw-n1 is not an organization"),
        ("foo:bar", "parameter organization: 'foo:bar' has an unknown prefix"),
        ("no such body", "parameter organization: no organization is labelled 'no such body'"),
    ],
)
def test_names_that_resolve_to_nothing_are_refused_naming_the_parameter(root, cache, value, message):
    result = run(root, cache, "query", "run", "predecessors", "--param", f"organization={value}")
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_ambiguous_label_lists_the_candidates(root, cache):
    result = run(root, cache, "query", "run", "predecessors", "--param", "organization=provincial party committee")
    assert result.exit_code == 2
    assert "matches several organizations" in result.output
    assert "kg:org-cao-bang-provincial-party-committee (Cao Bang Provincial Party Committee)" in result.output
    assert "kg:org-nghe-an-provincial-party-committee" in result.output


def test_document_code_is_accepted_where_a_document_is_expected(root, cache):
    """Item 11: --param document=18-NQ/TW used to be refused."""
    by_code = query_rows(root, cache, "change-events-by-legal-basis", "document=18-NQ/TW")
    by_iri = query_rows(root, cache, "change-events-by-legal-basis", f"document={KG}doc-18-nq-tw-n1")
    assert by_code and by_code == by_iri


def test_place_label_is_accepted_where_a_place_is_expected(root, cache):
    by_label = query_rows(root, cache, "figures-by-place", "place=nghe an")
    by_name = query_rows(root, cache, "figures-by-place", "place=kg:place-nghe-an")
    assert by_label and by_label == by_name


def test_resolver_reads_codes_as_printed_and_labels_without_diacritics(resolver):
    assert resolver.resolve("18-nq/tw", "document") == KG + "doc-18-nq-tw-n1"
    assert resolver.resolve("ban to chuc trung uong", "organization") == KG + "org-central-organizing-committee"
    with pytest.raises(UnresolvedName, match="is not a document"):
        resolver.resolve("kg:org-politburo", "document")
