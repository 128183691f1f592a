"""The parser front door (loading.parse_strict): one decision on what is valid Turtle, shared by
validate, fmt and the store, and a located one-line error -- never a traceback -- for what is not."""

from __future__ import annotations

import os

import pytest

from orgkg.loading import TurtleSyntaxError, parse_strict, parse_turtle
from orgkg.repository import DataFileError, data_files

from .cli import run_cli

PREFIX = b"@prefix kg: <https://w3id.org/orgkg/id/> .\n"

#: Files pyoxigraph refuses and rdflib used to accept (or crash on), with where and why.
BROKEN = {
    "bom": (b"\xef\xbb\xbf" + PREFIX + b"kg:a kg:b kg:c .\n", 1, "byte-order mark"),
    "relative-iri": (PREFIX + b"kg:a kg:b <foo> .\n", 2, "relative IRIs are not allowed"),
    "space-in-iri": (PREFIX + b"kg:a kg:b <http://example.org/a b> .\n", 2, "%20"),
    "invalid-utf8": (PREFIX + b'kg:a kg:b "\xff\xfe" .\n', 2, "save the file as UTF-8"),
    "language-tag": (PREFIX + b'kg:a kg:b "x"@123456789 .\n', 2, "BCP 47"),
    "unterminated": (PREFIX + b'kg:a kg:b "open .\n', 2, "left open"),
}


def run(repo, tmp_path, *args):
    return run_cli(*args, root=repo, cache=tmp_path / "cache")


@pytest.mark.parametrize("name", BROKEN)
def test_strict_parse_locates_what_rdflib_let_through(tmp_path, name):
    text, line, hint = BROKEN[name]
    path = tmp_path / f"{name}.ttl"
    path.write_bytes(text)
    with pytest.raises(TurtleSyntaxError) as caught:
        parse_strict(path)
    assert caught.value.line == line and hint in caught.value.hint
    with pytest.raises(TurtleSyntaxError):
        parse_turtle(path)  # rdflib only sees what the front door lets in


def test_the_syntax_error_is_an_ordinary_exception(tmp_path):
    path = tmp_path / "x.ttl"
    path.write_bytes(BROKEN["bom"][0])
    try:
        parse_strict(path)
    except TurtleSyntaxError as error:
        error.__traceback__ = None  # a frozen dataclass refused this, turning the error into a traceback
        assert str(error).startswith(f"{path}:1:1: ")


@pytest.mark.parametrize("name", BROKEN)
@pytest.mark.parametrize(
    "command", [["validate"], ["build"], ["fmt", "--check"], ["export", "--format", "nt"], ["query", "run", "mergers"]]
)
def test_every_command_agrees_and_says_so_in_one_line(repo, tmp_path, name, command):
    article = repo / "graph" / "articles" / "cao-bang-2025.ttl"
    article.write_bytes(BROKEN[name][0])
    result = run(repo, tmp_path, *command)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    assert "cao-bang-2025.ttl:" in result.output


def test_deep_nesting_is_a_located_error_not_a_recursion_crash(tmp_path):
    path = tmp_path / "nested.ttl"
    path.write_bytes(PREFIX + b"kg:a kg:b " + b"(" * 2000 + b")" * 2000 + b" .\n")
    with pytest.raises(TurtleSyntaxError, match="MAX_BLANK_DEPTH"):
        parse_turtle(path)


def test_ill_typed_literals_parse_without_warnings(tmp_path, recwarn, capfd):
    path = tmp_path / "typed.ttl"
    path.write_bytes(PREFIX + b'@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\nkg:a kg:b "abc"^^xsd:integer .\n')
    assert len(parse_turtle(path)) == 1
    assert not recwarn.list and capfd.readouterr().err == ""


UNREADABLE = {
    "folder": (lambda p, root: p.mkdir(), "is a folder, not a Turtle file"),
    "dangling": (lambda p, root: p.symlink_to(p.parent / "nowhere.ttl"), "is a symlink to nothing"),
    "loop": (lambda p, root: p.symlink_to(p), "is a symlink loop"),
    "outside": (lambda p, root: p.symlink_to(root.parent / "outside.ttl"), "leads outside the repository"),
}


def break_repository(repo, tmp_path, kind):
    (tmp_path / "outside.ttl").write_bytes(PREFIX + b"kg:a kg:b kg:c .\n")
    path = repo / "graph" / "articles" / "extra.ttl"
    UNREADABLE[kind][0](path, repo)
    return path


@pytest.mark.parametrize("kind", UNREADABLE)
def test_unreadable_data_files_are_one_line_errors(repo, tmp_path, kind):
    path = break_repository(repo, tmp_path, kind)
    with pytest.raises(DataFileError, match=UNREADABLE[kind][1]):
        parse_strict(path, repo)


@pytest.mark.parametrize("kind", ["dangling", "loop", "outside"])
def test_build_reports_an_unreadable_data_file_in_one_line(repo, tmp_path, kind):
    break_repository(repo, tmp_path, kind)
    result = run(repo, tmp_path, "build")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_build_passes_over_a_folder_named_like_a_turtle_file(repo, tmp_path):
    files = len(data_files(repo))
    break_repository(repo, tmp_path, "folder")
    result = run(repo, tmp_path, "build")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{files} files loaded")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file_is_a_one_line_error(tmp_path):
    path = tmp_path / "secret.ttl"
    path.write_bytes(PREFIX)
    path.chmod(0)
    with pytest.raises(DataFileError, match="permission denied"):
        parse_strict(path)
