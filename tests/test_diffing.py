"""`orgkg diff`: statements added and removed between revisions, blank nodes matched by
content, grouped by graph and subject, with labels and quotes; exit 0 same, 1 changed, 2 error."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from orgkg.diffing import diff, render

from .cli import run_cli

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
ARTICLE = "graph/articles/nghe-an-2024.ttl"


@pytest.fixture
def clone(root, tmp_path):
    """A git clone of the checkout's committed state, to change without touching it."""
    target = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(root), str(target)], check=True)
    return target


def test_no_change_exits_0(clone):
    result = run_cli("diff", root=clone)
    assert result.exit_code == 0 and result.output == "0 statements added, 0 removed\n"


def test_reformatting_and_renamed_blank_nodes_are_no_change(clone):
    """Blank nodes written [ ... ] or as _:labels with other names are the same statements."""
    path = clone / ARTICLE
    import pyoxigraph as ox

    triples = list(ox.parse(path.read_bytes(), format=ox.RdfFormat.TURTLE))
    path.write_bytes(ox.serialize(reversed(triples), format=ox.RdfFormat.N_TRIPLES))
    result = diff(clone)
    assert (result.added, result.removed) == (set(), set())


def test_an_added_statement_shows_with_label_and_quote(clone):
    path = clone / ARTICLE
    path.write_text(
        path.read_text(encoding="utf-8") + '\nkg:org-central-organizing-committee rdfs:comment "x"@en .\n',
        encoding="utf-8",
    )
    result = run_cli("diff", root=clone)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "1 statements added, 0 removed"
    assert "graph <https://w3id.org/orgkg/graph/articles/nghe-an-2024>" in lines
    assert "  kg:org-central-organizing-committee (Central Organizing Committee)" in lines
    assert '    + rdfs:comment "x"@en' in lines
    assert any(line.startswith('    quote: "') for line in lines)


def test_changed_quote_in_evidence_is_one_removed_and_one_added_node(clone):
    path = clone / ARTICLE
    text = path.read_text(encoding="utf-8")
    quote = "4,600 party members were admitted, reaching 76.7%"
    assert quote in text
    path.write_text(text.replace(quote, quote.replace("4,600", "4.600")), encoding="utf-8")
    result = diff(clone)
    exact = "http://www.w3.org/ns/oa#exact"
    assert [q.object.value for q in result.removed if q.predicate.value == exact][0].startswith(quote)
    assert [q.object.value for q in result.added if q.predicate.value == exact][0].startswith("4.600")
    patch = render(result, "patch").splitlines()
    assert patch[0] == "TX ." and patch[-1] == "TC ."
    assert all(row[:2] in ("A ", "D ") for row in patch[1:-1]) and any(row.startswith("D ") for row in patch)


def test_markdown_groups_by_graph_and_subject(clone):
    path = clone / ARTICLE
    path.write_text(path.read_text(encoding="utf-8") + '\nkg:org-politburo rdfs:comment "y"@en .\n', encoding="utf-8")
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "c"], cwd=clone, check=True)
    result = run_cli("diff", "HEAD~1", "HEAD", "--format", "markdown", root=clone)
    assert result.exit_code == 1
    assert "### https://w3id.org/orgkg/graph/articles/nghe-an-2024" in result.output
    assert '**kg:org-politburo (Politburo)**\n\n```diff\n+ rdfs:comment "y"@en\n```' in result.output


def test_unknown_revision_exits_2(clone):
    result = run_cli("diff", "no-such-revision", root=clone)
    assert result.exit_code == 2 and "no-such-revision" in result.output and "Traceback" not in result.output


def test_broken_turtle_is_an_error_not_a_change(clone):
    (clone / ARTICLE).write_text("kg:x kg:y", encoding="utf-8")
    result = run_cli("diff", root=clone)
    assert result.exit_code == 2 and "nghe-an-2024.ttl" in result.output and "(in the working tree)" in result.output


def test_text_is_coloured_only_when_asked(clone):
    path = clone / ARTICLE
    path.write_text(path.read_text(encoding="utf-8") + '\nkg:org-politburo rdfs:comment "y"@en .\n', encoding="utf-8")
    result = diff(clone)
    assert "\x1b[32m+ rdfs:comment" in render(result, "text", colour=True)
    assert "\x1b[" not in render(result, "text") and "\x1b[" not in render(result, "markdown", colour=True)
