"""The `orgkg` program's entry point (orgkg.console): `orgkg --version` says what click's version
option says without importing click; every other command line goes to click unchanged."""

from __future__ import annotations

import importlib.metadata
import os
import re
import subprocess

import pytest

import orgkg
import orgkg.cli
from orgkg.console import main

from .cli import program, run_cli


def test_the_installed_program_is_the_console_entry_point():
    (script,) = [e for e in importlib.metadata.entry_points(group="console_scripts") if e.name == "orgkg"]
    assert script.value == "orgkg.console:main"


def test_version_prints_the_package_version_as_click_does(root):
    run = program("--version", capture_output=True, text=True)
    assert (run.returncode, run.stdout, run.stderr) == (0, f"orgkg, version {orgkg.__version__}\n", "")
    assert run_cli("--version", root=root).output == run.stdout  # click's version option, in-process


def test_version_imports_neither_click_nor_importlib_metadata():
    run = program("--version", importtime=True, capture_output=True, text=True)
    imported = set(re.findall(r"^import time:.*\|\s*([\w.]+)$", run.stderr, flags=re.MULTILINE))
    assert "orgkg.console" in imported  # the probe reads the imports
    assert not {m for m in imported if m.split(".")[0] == "click" or m.startswith("importlib.metadata")}


def test_version_beside_other_arguments_goes_to_click(root):
    run = program("--root", str(root), "--version", capture_output=True, text=True)
    assert (run.returncode, run.stdout) == (0, f"orgkg, version {orgkg.__version__}\n")
    run = program("--version", "query", capture_output=True, text=True)  # click answers the eager --version first
    assert (run.returncode, run.stdout) == (0, f"orgkg, version {orgkg.__version__}\n")


def test_version_to_a_reader_that_left_is_success_and_silent():
    reader, writer = os.pipe()
    os.close(reader)
    try:
        run = program("--version", stdout=writer, stderr=subprocess.PIPE)
    finally:
        os.close(writer)
    assert (run.returncode, run.stderr) == (0, b"")


def test_a_command_runs_through_the_entry_point(root, tmp_path):
    env = {**os.environ, "ORGKG_ROOT": str(root), "ORGKG_CACHE": str(tmp_path / "cache")}
    run = program("query", "show", "mergers", "--text", capture_output=True, text=True, env=env)
    assert run.returncode == 0
    assert run.stdout == (root / "queries" / "mergers.rq").read_text(encoding="utf-8")


def test_a_bug_exits_2_with_its_traceback_never_1_which_means_a_data_problem(monkeypatch, capsys):
    def broken() -> None:
        raise KeyError("a node just forgotten")

    monkeypatch.setattr(orgkg.cli, "main", broken)
    with pytest.raises(SystemExit) as exit:
        main()
    assert exit.value.code == 2
    err = capsys.readouterr().err
    assert "KeyError: 'a node just forgotten'" in err and "orgkg: an internal error" in err
