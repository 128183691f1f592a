"""`orgkg describe`: every statement about a node and pointing to it, with labels, sources and quotes."""

from __future__ import annotations

import csv
import io

from .cli import run_cli

KG = "https://w3id.org/orgkg/id/"
MINISTRY = "kg:org-ministry-of-organization-and-communications"


def describe(root, cache, *args):
    return run_cli("describe", *args, root=root, cache=cache)


def rows(result) -> list[dict]:
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.output)))


def test_statements_about_the_node_carry_article_and_quote(root, cache):
    found = rows(describe(root, cache, MINISTRY, "--format", "csv"))
    founding = [r for r in found if r["property"] == "http://schema.org/foundingDate"]
    assert founding == [
        {
            "direction": "about",
            "property": "http://schema.org/foundingDate",
            "value": "1930-10-14",
            "valueLabel": "",
            "sources": KG + "article-cao-bang-2025",
            "quotes": "the Ministry of Organization and Communications, the predecessor of today's "
            "Central Organizing Committee",
        }
    ]


def test_statements_pointing_to_the_node_name_both_articles_with_labels(root, cache):
    found = rows(describe(root, cache, MINISTRY, "--format", "csv"))
    successor = [r for r in found if r["property"] == "https://w3id.org/orgkg/ontology#predecessor"]
    assert [(r["direction"], r["value"], r["valueLabel"], r["sources"]) for r in successor] == [
        (
            "pointing to",
            KG + "org-central-organizing-committee",
            "Central Organizing Committee",
            f"{KG}article-cao-bang-2025 | {KG}article-nghe-an-2024",
        )
    ]
    labels = [r for r in found if r["property"].endswith("rdf-schema#label")]
    assert labels[0]["sources"] == "https://w3id.org/orgkg/graph/reference/central"


def test_a_label_describes_the_same_node(root, cache):
    by_label = describe(root, cache, "ministry of organization and communications", "--format", "csv")
    assert by_label.output == describe(root, cache, MINISTRY, "--format", "csv").output


def test_unknown_node_exits_2(root, cache):
    result = describe(root, cache, "kg:nothing-here")
    assert result.exit_code == 2 and "kg:nothing-here is not in the graph" in result.output


def test_each_statement_carries_its_own_quotes_not_every_quote_of_its_subject(root, cache):
    """Issue 19 item 4: the Central Organizing Committee's Certificate of Merit quote is not
    evidence that it succeeded the Ministry."""
    found = rows(describe(root, cache, MINISTRY, "--format", "csv"))
    (successor,) = [r for r in found if r["property"] == "https://w3id.org/orgkg/ontology#predecessor"]
    assert successor["quotes"].split(" | ") == [
        "the Ministry of Organization and Communications (the predecessor of today's Central Organization Committee)",
        "the Ministry of Organization and Communications, the predecessor of today's Central Organizing Committee",
    ]


def test_each_statement_is_one_row(root, cache):
    """Issue 19 item 8: a statement stated by two articles is one row naming both."""
    found = rows(describe(root, cache, "kg:org-central-organizing-committee", "--format", "csv"))
    keys = [(r["direction"], r["property"], r["value"]) for r in found]
    assert len(keys) == len(set(keys)) > 5
