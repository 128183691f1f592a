"""`orgkg validate` and `orgkg fmt` as users run them: exit codes and messages."""

from __future__ import annotations

import json
import shutil

import pytest

from orgkg.sources import Sources

FIXTURES = "tests/fixtures/shapes"


def test_repository_conforms_strictly_with_every_quote_found(cli, root, sources):
    result = cli("validate", "--strict", "--sources", str(sources), root=root)
    assert result.exit_code == 0, result.output[-4000:]
    assert "0 violations, 0 warnings — conforms (strict)" in result.output


def test_syntax_error_names_file_line_and_column(cli, root, tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text('@prefix kg: <https://w3id.org/orgkg/id/> .\n\nkg:a kg:b "open .\n')
    result = cli("validate", str(broken), root=root)
    assert result.exit_code == 1
    assert f"{broken}:3:11: Violation [syntax turtle-syntax]: Unexpected end of file" in result.output
    assert "hint:" in result.output


def test_missing_path_is_a_usage_error(cli, root):
    result = cli("validate", "no/such/file.ttl", root=root)
    assert result.exit_code == 2
    assert "no such file or folder: no/such/file.ttl" in result.output
    assert "Traceback" not in result.output


def test_validating_named_files_does_not_walk_the_rest_of_the_repository(cli, repo):
    """A file elsewhere that no graph can be named after stops a command over the whole graph,
    not one over the files named (nor does any other file's stat: the walk is never made)."""
    (repo / "graph" / "articles" / "draft copy.ttl").write_text("")
    article = repo / "graph" / "articles" / "nghe-an-2024.ttl"
    assert cli("validate", root=repo).exit_code == 2
    named = cli("validate", "--format", "json", str(article), root=repo)
    assert named.exit_code in (0, 1) and "draft copy" not in named.output, named.output
    assert json.loads(named.output)["files"] == [str(article)]


def test_quote_check_is_skipped_with_a_notice_without_any_sources_folder(cli, repo):
    result = cli("validate", "--format", "json", root=repo)
    report = json.loads(result.output)
    assert report["notices"] == [
        "quote check skipped: no folder of article texts exists (give one, or list it in pyproject.toml under [tool.orgkg] sources)"
    ]


def test_the_folders_pyproject_lists_are_searched_for_the_texts(cli, root, repo, sources):
    """[tool.orgkg] sources: a list of folders under the repository, searched in order."""
    (repo / "pyproject.toml").write_text('[tool.orgkg]\nsources = ["texts", "seeds"]\n', encoding="utf-8")
    (repo / "seeds").mkdir()
    for folder in Sources.for_root(root, sources).folders:  # every article's text, however many
        for text in folder.glob("*.txt"):
            shutil.copy(text, repo / "seeds" / text.name)
    result = cli("validate", "--format", "json", root=repo)
    report = json.loads(result.output)
    assert result.exit_code == 0, result.output
    assert report["notices"] == [] and report["violations"] == 0


def test_an_article_whose_text_cannot_be_found_is_an_error_not_a_warning(cli, repo, sources):
    """A misspelt okg:sourceText used to be a warning, so validation passed with no quote checked."""
    article = repo / "graph" / "articles" / "nghe-an-2024.ttl"
    article.write_text(
        article.read_text(encoding="utf-8").replace("002_cd67c542fbcd9703.txt", "002_cd67c542fbcd9704.txt"),
        encoding="utf-8",
    )
    result = cli("validate", "--sources", sources, "--format", "json", root=repo)
    assert result.exit_code == 1
    findings = json.loads(result.output)["findings"]
    (finding,) = [f for f in findings if f["rule"] == "source-text" and f["focus"] == "kg:article-nghe-an-2024"]
    assert finding["severity"] == "Violation"
    assert "'002_cd67c542fbcd9704.txt'" in finding["message"] and str(sources.resolve()) in finding["message"]


def test_a_quote_not_in_the_article_is_a_violation(cli, root, sources, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(root / "ontology", repo / "ontology")
    shutil.copytree(root / "graph", repo / "graph")
    article = repo / "graph" / "articles" / "nghe-an-2024.ttl"
    text = article.read_text(encoding="utf-8")
    assert "5,097 party members were admitted" in text
    article.write_text(
        text.replace("5,097 party members were admitted", "5,098 party members were admitted"), encoding="utf-8"
    )
    result = cli("validate", "--sources", str(sources), "--format", "json", root=repo)
    assert result.exit_code == 1
    quotes = [f for f in json.loads(result.output)["findings"] if f["rule"] == "quote-verbatim"]
    assert len(quotes) == 1 and "5,098" in quotes[0]["value"]
    assert quotes[0]["file"] == "graph/articles/nghe-an-2024.ttl"


@pytest.mark.parametrize("fmt", ["human", "table", "turtle", "json"])
def test_every_report_format_says_whether_it_conforms(cli, root, fmt):
    fixture = sorted((root / FIXTURES).glob("*.fail.ttl"))[0]
    result = cli("validate", str(fixture), "--format", fmt, root=root)
    assert result.exit_code == 1
    expected = {
        "human": "does not conform",
        "table": "does not conform",
        "turtle": "sh:conforms false",
        "json": '"conforms": false',
    }[fmt]
    assert expected in result.output


@pytest.mark.slow
def test_fail_fixtures_name_node_and_rule_on_the_command_line(cli, root, repo):
    """Run in a copy without article texts: the fixtures' articles have none."""
    for fixture in sorted((root / FIXTURES).glob("*.fail.ttl")):
        shape = fixture.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect:").strip()
        result = cli("validate", str(fixture), "--strict", "--format", "json", root=repo)
        assert result.exit_code == 1, fixture.name
        findings = json.loads(result.output)["findings"]
        assert any(f["rule"] == shape and f["focus"] for f in findings), (fixture.name, findings)


@pytest.mark.slow
def test_pass_fixtures_conform_on_the_command_line(cli, root, repo):
    for fixture in sorted((root / FIXTURES).glob("*.pass.ttl")):
        result = cli("validate", str(fixture), "--strict", root=repo)
        assert result.exit_code == 0, (fixture.name, result.output[-2000:])


def test_fmt_check_passes_on_the_repository(cli, root):
    result = cli("fmt", "--check", root=root)
    assert result.exit_code == 0, result.output


def test_fmt_check_names_a_file_that_would_change_and_fmt_fixes_it(cli, root, tmp_path):
    (tmp_path / "ontology").mkdir()
    (tmp_path / "graph").mkdir()
    messy = tmp_path / "graph" / "messy.ttl"
    messy.write_text("# header kept\n@prefix kg: <https://w3id.org/orgkg/id/> .\nkg:b kg:p kg:c. kg:a kg:p 1 .\n")
    result = cli("fmt", "--check", root=tmp_path)
    assert result.exit_code == 1
    assert "would reformat graph/messy.ttl" in result.output
    assert cli("fmt", root=tmp_path).exit_code == 0
    assert messy.read_text() == (
        "# header kept\n\n@prefix kg: <https://w3id.org/orgkg/id/> .\n\nkg:a\n    kg:p 1 .\n\nkg:b\n    kg:p kg:c .\n"
    )
    assert cli("fmt", "--check", root=tmp_path).exit_code == 0


def test_missing_sources_folder_is_refused_before_any_work(cli, root, tmp_path):
    result = cli("validate", "--sources", tmp_path / "nonexistent", root=root)
    assert result.exit_code == 2 and "does not exist" in result.output


def test_an_empty_folder_is_not_reported_as_conforming(cli, root, tmp_path):
    result = cli("validate", tmp_path, root=root)
    assert result.exit_code == 2 and "no .ttl files in" in result.output


@pytest.mark.parametrize(
    "incremental",
    [False, pytest.param(True, marks=pytest.mark.slow)],  # three incremental runs from a cold cache
    ids=["full", "incremental"],
)
def test_source_text_outside_the_sources_folder_is_not_read(cli, root, sources, tmp_path, incremental):
    """okg:sourceText "../x" or "/usr/bin/ls" must not let the quote check probe other files (the
    probe read a file beside the folder; a binary gave a traceback); a UTF-16 text is a warning."""
    repo = tmp_path / "repo"
    shutil.copytree(root / "ontology", repo / "ontology")
    shutil.copytree(root / "graph", repo / "graph")
    folder = tmp_path / "texts"
    shutil.copytree(sources, folder)
    article = repo / "graph" / "articles" / "nghe-an-2024.ttl"
    original = article.read_text(encoding="utf-8")
    text = (folder / "002_cd67c542fbcd9703.txt").read_text(encoding="utf-8")
    (tmp_path / "outside.txt").write_text(text, encoding="utf-8")
    (folder / "utf16.txt").write_text(text, encoding="utf-16")
    for name, why in (
        ("../outside.txt", "must be a file inside the sources folder"),
        ("/usr/bin/ls", "must be a file inside the sources folder"),
        ("utf16.txt", "is not UTF-8"),
    ):
        article.write_text(original.replace('"002_cd67c542fbcd9703.txt"', f'"{name}"'), encoding="utf-8")
        options = ["--incremental"] if incremental else []
        result = cli("validate", *options, "--sources", str(folder), "--format", "json", root=repo)
        assert "Traceback" not in result.output and result.exit_code in (0, 1), result.output[-2000:]
        findings = [f for f in json.loads(result.output)["findings"] if f["rule"] == "source-text"]
        assert len(findings) == 1 and why in findings[0]["message"], findings


@pytest.mark.slow  # an incremental run from a cold cache
def test_a_whole_graph_too_large_at_once_is_validated_unit_by_unit(cli, repo, sources, tmp_path, monkeypatch):
    """Past AT_ONCE_LIMIT the whole graph goes through the incremental engine (its cache is
    written), with the same report as a run at once; a chosen PATH is always validated at once."""
    from orgkg import validation
    from orgkg.incremental import CACHE_FILE

    cache = tmp_path / "cache"

    def validated_by_unit() -> bool:
        return any(cache.glob(f"*/{CACHE_FILE}"))  # the cache folder holds one folder per repository

    at_once = cli("validate", "--format", "json", "--sources", str(sources), root=repo, cache=cache)
    assert not validated_by_unit()
    monkeypatch.setattr(validation, "AT_ONCE_LIMIT", 1000)
    by_unit = cli("validate", "--format", "json", "--sources", str(sources), root=repo, cache=cache)
    assert validated_by_unit()
    assert (by_unit.exit_code, json.loads(by_unit.output)) == (at_once.exit_code, json.loads(at_once.output))
    shutil.rmtree(cache)
    chosen = cli("validate", "--format", "json", str(repo / "graph"), root=repo, cache=cache)
    assert chosen.exit_code == 0, chosen.output
    assert not validated_by_unit()
