"""Adding an article: `orgkg article new`, `quote`, `names`, `coverage`, and the duplicate-label
warning that catches a second node for one thing. The fictional article's text and claims are
in tests/fixtures/articles/lam-thuy-2025/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from orgkg.namespaces import PREFIXES
from orgkg.quotes import ArticleText, not_found_message

from .fiction import FICTION, repository_with_sources

KG = PREFIXES["kg"]
URL = "https://baolamthuy.example/news/123"


@pytest.fixture
def fresh(root, tmp_path, sources) -> Path:
    return repository_with_sources(root, sources, tmp_path / "repo")


def add_fiction(cli, repo: Path, *extra):
    return cli(
        "article", "new", FICTION / "text.txt", "--slug", "lam-thuy-2025", "--place", "Lam Thuy", *extra, root=repo,
        cache=repo.parent / "cache",
    )  # fmt: skip


def test_article_new_writes_what_the_article_needs_and_it_validates_strict_as_it_is(cli, fresh):
    result = add_fiction(cli, fresh, "--url", URL, "--published", "2025-06-21")
    assert result.exit_code == 0, result.output
    text = fresh / "sources" / "lam-thuy-2025.txt"
    assert text.read_bytes() == (FICTION / "text.txt").read_bytes()
    article = Graph().parse(fresh / "graph" / "articles" / "lam-thuy-2025.ttl")
    node = URIRef(KG + "article-lam-thuy-2025")
    assert article.value(node, URIRef(PREFIXES["okg"] + "sourceText")) == Literal("lam-thuy-2025.txt")
    headline = article.value(node, URIRef(PREFIXES["schema"] + "headline"))
    assert str(headline) == (FICTION / "text.txt").read_text(encoding="utf-8").splitlines()[0]
    # Metadata not printed in the text: stated, and each statement marked with where it came from.
    marked = {
        str(article.value(m, URIRef(PREFIXES["rdf"] + "predicate"))): article.value(
            m, URIRef(PREFIXES["dct"] + "source")
        )
        for m in article.subjects(URIRef(PREFIXES["rdf"] + "type"), URIRef(PREFIXES["okg"] + "ExternalMetadata"))
    }
    assert marked == {PREFIXES["schema"] + "url": URIRef(URL), PREFIXES["schema"] + "datePublished": URIRef(URL)}
    # The place is new: a reference file, typed a province because the text calls it one, quoted.
    reference = Graph().parse(fresh / "graph" / "reference" / "lam-thuy.ttl")
    place = URIRef(KG + "place-lam-thuy")
    assert (place, URIRef(PREFIXES["rdf"] + "type"), URIRef(PREFIXES["okg"] + "Province")) in reference
    assert "Lam Thuy province" in article.serialize(format="nt")
    # Its coverage section: one row per paragraph.
    coverage = (fresh / "graph" / "COVERAGE.md").read_text(encoding="utf-8")
    section = coverage[coverage.index("## Lam Thuy (lam-thuy-2025.txt)") :]
    assert [line.split(" | ")[0] for line in section.splitlines() if line[:3] in {f"| {n}" for n in range(10)}] == [
        f"| {n}" for n in range(1, 7)
    ]
    assert cli("fmt", "--check", root=fresh).exit_code == 0
    result = cli("validate", "--strict", root=fresh, cache=fresh.parent / "cache")
    assert result.exit_code == 0, result.output
    assert "0 violations, 0 warnings" in result.output and "quote check skipped" not in result.output


def test_article_new_refuses_a_slug_in_use_and_writes_nothing(cli, fresh):
    before = (fresh / "graph" / "COVERAGE.md").read_text(encoding="utf-8")
    result = cli("article", "new", FICTION / "text.txt", "--slug", "nghe-an-2024", root=fresh)
    assert result.exit_code == 2 and "already exists" in result.output
    assert not (fresh / "sources").exists()
    assert (fresh / "graph" / "COVERAGE.md").read_text(encoding="utf-8") == before


def test_article_new_refuses_a_place_the_text_does_not_name_and_writes_nothing(cli, fresh):
    result = cli("article", "new", FICTION / "text.txt", "--slug", "x-2025", "--place", "Song Ha", root=fresh)
    assert result.exit_code == 1 and "'Song Ha' does not occur in the text" in result.output
    assert not (fresh / "sources").exists() and not (fresh / "graph" / "articles" / "x-2025.ttl").exists()


def test_article_new_asks_where_metadata_came_from(cli, fresh):
    result = cli("article", "new", FICTION / "text.txt", "--slug", "x-2025", "--published", "2025-06-21", root=fresh)
    assert result.exit_code == 2 and "--from" in result.output


def test_a_known_place_is_reused_not_minted_again(cli, fresh, tmp_path):
    text = tmp_path / "nghe-an.txt"
    text.write_text("A short report from Nghe An province\n\nNothing else.\n", encoding="utf-8")
    result = cli("article", "new", text, "--slug", "nghe-an-short", "--place", "Nghe An", root=fresh)
    assert result.exit_code == 0, result.output
    assert "kg:place-nghe-an" in (fresh / "graph" / "articles" / "nghe-an-short.ttl").read_text(encoding="utf-8")
    assert not (fresh / "graph" / "reference" / "nghe-an-province.ttl").exists()


def test_quote_prints_an_evidence_block_ready_to_paste(cli, root, sources):
    result = cli("quote", "nghe-an-2024", "5,097  party members were admitted", "--sources", sources)
    assert result.exit_code == 0, result.output
    assert result.output == (
        "    okg:evidence [\n"
        "        a oa:SpecificResource ;\n"
        "        oa:hasSelector\n"
        '            [ a oa:TextQuoteSelector ; oa:exact "5,097 party members were admitted" ] ;\n'
        "        oa:hasSource kg:article-nghe-an-2024\n"
        "    ] ;\n"
    )


def test_quote_of_words_printed_twice_tells_each_occurrence_apart(cli, sources):
    result = cli("quote", "cao-bang-2025", "Cao Bang Newspaper", "--sources", sources)
    assert result.exit_code == 0
    assert result.output.count("okg:evidence [") == 2 and "# occurrence 2 of 2, ¶10" in result.output
    text = ArticleText.read(sources / "000_8420fa3d6bd522e5.txt")
    folded = " ".join(text.text.split())
    for occurrence in text.occurrences("Cao Bang Newspaper"):
        context = occurrence.prefix + occurrence.exact + occurrence.suffix
        assert folded.count(context) == 1


@pytest.mark.parametrize(
    ("printed", "typed", "kind"),
    [
        ("the “Golden Hammer” award", 'the "Golden Hammer" award', "quote marks"),
        ("in 2020–2025 the", "in 2020-2025 the", "dashes"),
        ("Cao Bằng province", "Cao Bang province", "diacritics"),
        ("the Provincial Party Committee", "the provincial party committee", "case"),
    ],
)
def test_words_not_found_name_the_closest_passage_and_how_it_differs(printed, typed, kind):
    text = ArticleText(f"Headline\n\nBefore {printed} after.\n", "t.txt")
    assert text.occurrences(typed) == []
    assert not_found_message(text, typed) == f"not found in t.txt; closest passage (¶2, differs in {kind}): {printed!r}"


def test_quote_of_words_not_in_the_text_exits_1_with_the_closest_passage(cli, sources):
    result = cli("quote", "nghe-an-2024", "5,097 Party members were admitted", "--sources", sources)
    assert result.exit_code == 1
    assert "closest passage (¶10, differs in case): '5,097 party members were admitted'" in result.output
    result = cli("quote", "nghe-an-2024", "5.097 members were admitted to the party", "--sources", sources)
    assert result.exit_code == 1 and "other words): '5,097 party members were admitted" in result.output


def test_names_lists_nodes_with_the_words_and_the_iri_a_new_one_gets(cli):
    result = cli("names", "Provincial Party Committee", "--place", "Nghe An", "--format", "json")
    listed = json.loads(result.output)
    assert listed["matches"][0]["iri"] == KG + "org-nghe-an-provincial-party-committee"
    assert all("nghe-an" in m["iri"] or "nghe an" in m["label"].casefold() for m in listed["matches"])
    assert listed["new_iri"] == KG + "org-nghe-an-provincial-party-committee" and listed["new_iri_taken"]
    result = cli("names", "Provincial Party Committee", "--place", "Lâm Thủy")
    assert "no node is labelled" in result.output
    assert "new IRI: kg:org-lam-thuy-provincial-party-committee" in result.output


def test_a_label_two_files_give_two_nodes_is_a_warning_naming_the_other_file(cli, repo):
    extra = repo / "graph" / "reference" / "extra.ttl"
    extra.write_text(
        "@prefix kg: <https://w3id.org/orgkg/id/> .\n@prefix okg: <https://w3id.org/orgkg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'kg:org-cao-bang-paper a okg:Newspaper ; rdfs:label "Cao Bằng newspaper"@en .\n',
        encoding="utf-8",
    )
    result = cli("validate", "--format", "json", root=repo)
    warnings = [f for f in json.loads(result.output)["findings"] if f["rule"] == "duplicate-label"]
    mine = [f for f in warnings if f["focus"] == "kg:org-cao-bang-paper"]
    assert len(mine) == 1 and "kg:org-cao-bang-newspaper (graph/articles/cao-bang-2025.ttl)" in mine[0]["message"]


def test_coverage_is_computed_from_the_quotes_of_the_graph(cli, fresh):
    assert add_fiction(cli, fresh).exit_code == 0
    cache = fresh.parent / "cache"
    result = cli("coverage", "--format", "json", root=fresh, cache=cache)
    (fiction,) = [a for a in json.loads(result.output) if a["article"].endswith("lam-thuy-2025")]
    # Only the headline (¶1) and the place's quote (¶6) are quoted before the claims are written.
    assert (fiction["paragraphs"], fiction["paragraphs_quoted"]) == (6, 2)
    assert [gap["paragraph"] for gap in fiction["unquoted"]] == [2, 3, 4, 5]
    article = fresh / "graph" / "articles" / "lam-thuy-2025.ttl"
    article.write_text(
        article.read_text(encoding="utf-8") + (FICTION / "claims.ttl").read_text(encoding="utf-8"), encoding="utf-8"
    )
    result = cli("coverage", "--format", "json", root=fresh, cache=cache)
    (fiction,) = [a for a in json.loads(result.output) if a["article"].endswith("lam-thuy-2025")]
    assert (fiction["paragraphs_quoted"], fiction["sentences_quoted"], fiction["unquoted"]) == (6, 8, [])


def test_coverage_of_an_article_whose_text_is_missing_exits_1(cli, repo, sources):
    shutil.copytree(sources, repo / "texts")
    (repo / "texts" / "002_cd67c542fbcd9703.txt").unlink()
    (repo / "pyproject.toml").write_text('[tool.orgkg]\nsources = "texts"\n', encoding="utf-8")
    result = cli("coverage", root=repo, cache=repo.parent / "cache")
    assert result.exit_code == 1 and "002_cd67c542fbcd9703.txt" in result.output


@pytest.mark.parametrize(
    ("label", "kind", "place", "local"),
    [
        ("Provincial Party Committee", "organization", "Lâm Thủy", "org-lam-thuy-provincial-party-committee"),
        ("Lam Thuy Provincial Party Committee", "organization", "Lam Thuy", "org-lam-thuy-provincial-party-committee"),
        ("Lam Thuy", "place", None, "place-lam-thuy"),
        ("Regulation No. 2993-QĐ/TU", "document", None, "doc-2993-qd-tu-n1"),
    ],
)
def test_the_minting_rule(label, kind, place, local):
    from orgkg.minting import mint

    assert mint(label, kind, place) == KG + local


def test_a_publisher_named_in_the_text_becomes_a_quoted_node_marked_as_from_outside(cli, fresh, tmp_path):
    text = tmp_path / "report.txt"
    text.write_text(
        (FICTION / "text.txt").read_text(encoding="utf-8") + "\nSource: Lam Thuy Online\n", encoding="utf-8"
    )
    result = cli(
        "article", "new", text, "--slug", "lam-thuy-online-2025", "--place", "Lam Thuy",
        "--publisher", "Lam Thuy Online", "--from", "the print edition of 21 June 2025", root=fresh,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    article = Graph().parse(fresh / "graph" / "articles" / "lam-thuy-online-2025.ttl")
    publisher = URIRef(KG + "org-lam-thuy-online")
    assert article.value(URIRef(KG + "article-lam-thuy-online-2025"), URIRef(PREFIXES["schema"] + "publisher")) == (
        publisher
    )
    (marked,) = article.subjects(URIRef(PREFIXES["rdf"] + "object"), publisher)
    assert article.value(marked, URIRef(PREFIXES["dct"] + "source")) == Literal("the print edition of 21 June 2025")
    assert "Lam Thuy Online" in {str(o) for o in article.objects(None, URIRef(PREFIXES["oa"] + "exact"))}
    assert cli("validate", "--strict", root=fresh).exit_code == 0


def test_quote_takes_the_text_file_too(cli, sources):
    result = cli("quote", sources / "002_cd67c542fbcd9703.txt", "5,097 party members were admitted")
    assert result.exit_code == 0 and "oa:hasSource kg:article-nghe-an-2024" in result.output
