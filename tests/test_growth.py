"""The graph grows: a third, fictional article (tests/fixtures/articles/lam-thuy-2025: a text
written for this test, its reference entities and a handful of claims) goes in by
`orgkg article new`, its claims are pasted in, and then everything that works on two articles
works on three: validation, every saved query, describe, lineage, diff, coverage, the docs site
and the article-generic checks. No file outside graph/ and the sources folder changes."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from orgkg.catalogue import load_catalogue
from orgkg.loading import load_union
from orgkg.namespaces import QUERIES_DIR
from orgkg.repository import data_files

from .cli import run_cli
from .fiction import SLUG, register, repository_with_sources, write_claims
from .test_coverage import article_text, codes_not_encoded, figures_not_encoded

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed (orgkg diff needs it)")


def git(repo: Path, *args: str) -> None:
    environment = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t"}
    subprocess.run(
        ["git", "-c", "user.email=t@t", "-c", "user.name=t", *args], cwd=repo, check=True, capture_output=True,
        env={**environment, "PATH": "/usr/bin:/bin"},
    )  # fmt: skip


@pytest.fixture(scope="module")
def grown(root, sources, tmp_path_factory) -> dict:
    """The repository with the fictional article added the documented way; what each step changed."""
    base = tmp_path_factory.mktemp("grown")
    repo = repository_with_sources(root, sources, base / "repo")
    cache = base / "cache"

    def cli(*args):
        return run_cli(*args, root=repo, cache=cache)

    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "two articles")
    before = {path.relative_to(repo) for path in repo.rglob("*") if path.is_file() and ".git" not in path.parts}
    added = register(cli)
    assert added.exit_code == 0, added.output
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "article new")
    formatted = write_claims(repo, cli)
    assert formatted.exit_code == 0, formatted.output
    after = {path.relative_to(repo) for path in repo.rglob("*") if path.is_file() and ".git" not in path.parts}
    changed = subprocess.run(
        ["git", "diff", "--name-only", "HEAD~1"], cwd=repo, check=True, capture_output=True, text=True
    ).stdout.split()
    return {"repo": repo, "cli": cli, "new_files": after - before, "changed": changed}


def test_only_files_under_graph_and_the_sources_folder_are_added_or_changed(grown):
    touched = {str(path) for path in grown["new_files"]} | set(grown["changed"])
    assert touched == {
        "sources/lam-thuy-2025.txt",
        "graph/articles/lam-thuy-2025.ttl",
        "graph/reference/lam-thuy.ttl",
        "graph/COVERAGE.md",
    }


def test_the_grown_graph_validates_strict_with_every_quote_checked(grown):
    result = grown["cli"]("validate", "--strict")
    assert result.exit_code == 0, result.output
    assert "0 violations, 0 warnings" in result.output and "skipped" not in result.output


@pytest.mark.slow
def test_incremental_validation_agrees_on_the_grown_graph(grown):
    """Slow: validate --incremental from an empty cache validates every unit."""
    result = grown["cli"]("validate", "--strict", "--incremental")
    assert result.exit_code == 0, result.output
    assert "0 violations, 0 warnings" in result.output and "skipped" not in result.output


def test_every_saved_query_runs_and_returns_rows_on_the_grown_graph(grown):
    empty = []
    for name in sorted(load_catalogue(grown["repo"] / QUERIES_DIR)):
        result = grown["cli"]("query", "run", name, "--format", "csv")
        assert result.exit_code == 0, (name, result.output)
        if result.output.count("\n") < 2:
            empty.append(name)
    assert empty == []


def rows(result) -> list[dict]:
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.output)))


def test_documents_cited_by_every_article_takes_a_list_and_defaults_to_all(grown):
    everyone = rows(grown["cli"]("query", "run", "documents-cited-by-every-article", "--format", "csv"))
    assert [(r["code"], r["articles"]) for r in everyone] == [("18-NQ/TW", "3")]
    two = rows(
        grown["cli"](
            "query", "run", "documents-cited-by-every-article", "--format", "csv",
            "--param", "article=kg:article-cao-bang-2025,kg:article-nghe-an-2024",
        )
    )  # fmt: skip
    assert [(r["code"], r["articles"]) for r in two] == [("18-NQ/TW", "2"), ("19-NQ/TW", "2"), ("21-NQ/TW", "2")]


def test_the_new_change_events_say_their_status_dates_and_where_counted_bodies_sit(grown):
    graph = load_union(data_files(grown["repo"]))
    answer = {
        (str(row.event).rsplit("/", 1)[-1], str(row.status).rsplit("#", 1)[-1], str(row.effective or ""))
        for row in graph.query(
            """SELECT ?event ?status ?effective WHERE { ?event okg:changeStatus ?status ;
                   prov:wasDerivedFrom kg:article-lam-thuy-2025 OPTIONAL { ?event okg:effectiveDate ?effective } }""",
            initNs={"okg": "https://w3id.org/orgkg/ontology#", "prov": "http://www.w3.org/ns/prov#",
                    "kg": "https://w3id.org/orgkg/id/"},
        )
    }  # fmt: skip
    assert ("event-lam-thuy-proposed-merger-propaganda-and-mass-mobilization-committees", "Proposed", "") in answer
    assert ("event-lam-thuy-establishment-48-commune-party-committees", "Decided", "2025-07-01") in answer
    described = rows(
        grown["cli"]("describe", "kg:event-lam-thuy-establishment-48-commune-party-committees", "--format", "csv")
    )
    assert any(r.get("value", "").endswith("org-lam-thuy-provincial-party-committee") for r in described) or any(
        "org-lam-thuy-provincial-party-committee" in " ".join(r.values()) for r in described
    )


def test_describe_and_lineage_reach_the_new_nodes(grown):
    described = grown["cli"]("describe", "Lam Thuy Party Building Magazine", "--format", "csv")
    assert described.exit_code == 0 and "renaming" in described.output.casefold()
    lineage = grown["cli"]("lineage", "Lam Thuy Newspaper and Radio")
    assert lineage.exit_code == 0, lineage.output
    assert "Lam Thuy Radio and Television Station  ->  Lam Thuy Newspaper and Radio" in lineage.output


def test_diff_shows_the_claims_with_their_quotes(grown):
    result = grown["cli"]("diff")
    assert result.exit_code == 1, result.output
    assert "graph <https://w3id.org/orgkg/graph/articles/lam-thuy-2025>" in result.output
    assert (
        'quote: "to rename the Lam Thuy Party Building Magazine; the new name will be announced later"' in result.output
    )


def test_coverage_of_the_new_article_is_whole(grown):
    result = grown["cli"]("coverage")
    assert result.exit_code == 0, result.output
    assert "kg:article-lam-thuy-2025 (lam-thuy-2025.txt): 6 of 6 paragraphs, 8 of 8 sentences quoted" in result.output


def test_the_article_generic_checks_pass_on_the_new_article(grown, sources):
    graph = load_union(data_files(grown["repo"]))
    text = article_text(graph, grown["repo"], sources, SLUG)
    printed, missing = codes_not_encoded(graph, SLUG, text)
    assert printed == {"18-NQ/TW"} and missing == []
    assert figures_not_encoded(graph, SLUG, text) == []


@pytest.mark.slow
def test_the_docs_site_has_a_page_for_the_new_article(grown, tmp_path):
    result = grown["cli"]("docs", "-o", tmp_path / "site")
    assert result.exit_code == 0, result.output
    pages = "".join(path.read_text(encoding="utf-8") for path in (tmp_path / "site").rglob("*.html"))
    assert "Lam Thuy Provincial Party Committee gives feedback on reorganizing the apparatus" in pages
