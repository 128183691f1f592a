"""Lean start-up: commands on the default engine import neither rdflib nor pySHACL (the slowest
imports), which are loaded only where they are used (validation, fmt, --engine rdflib)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: Many fresh interpreters: `make check` leaves these out.
pytestmark = pytest.mark.slow

PROBE = """
import sys
from orgkg.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
modules = sorted(sys.modules)
import json  # after the command: whether it imported json is part of what is probed
print(json.dumps(modules), file=sys.stderr)
"""


def imported(root, tmp_path, *args: str, stdin: str = "") -> list[str]:
    """The modules a command imports, run in a fresh interpreter."""
    env = {"ORGKG_ROOT": str(root), "ORGKG_CACHE": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    run = subprocess.run(
        [sys.executable, "-c", PROBE, *args], input=stdin, capture_output=True, text=True, env=env, timeout=120
    )
    return json.loads(run.stderr.strip().splitlines()[-1])


def heavy_imports(root, tmp_path, *args: str, stdin: str = "") -> list[str]:
    return [m for m in imported(root, tmp_path, *args, stdin=stdin) if m.split(".")[0] in ("rdflib", "pyshacl")]


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--version"],
        ["query", "list"],
        ["query", "show", "mergers"],
        ["query", "run", "mergers", "--format", "csv"],
        ["export", "--format", "nq"],
        ["export", "--format", "turtle"],
        ["lineage", "kg:org-cao-bang-newspaper"],
        ["build"],
        ["load", "http://127.0.0.1:9", "--dry-run"],
        ["quote", "nghe-an-2024", "5,097 party members were admitted"],
        ["names", "Provincial Party Committee", "--place", "Nghe An"],
        ["coverage"],
    ],
    ids=" ".join,
)
def test_commands_on_the_default_engine_import_neither_rdflib_nor_pyshacl(root, tmp_path, args):
    assert heavy_imports(root, tmp_path, *args) == []


def test_sparql_from_standard_input_is_lean_too(root, tmp_path):
    assert heavy_imports(root, tmp_path, "sparql", "-", stdin="SELECT * WHERE { ?s ?p ?o } LIMIT 1") == []


def test_the_probe_sees_rdflib_where_it_is_used(root, tmp_path):
    """The same probe run on `--engine rdflib`: proof that it would catch the import."""
    assert "rdflib" in heavy_imports(root, tmp_path, "query", "run", "mergers", "--engine", "rdflib")


def test_a_query_run_reads_its_header_from_the_cache_without_pyyaml(root, tmp_path):
    """The first run parses the #+ header with PyYAML and keeps it; the next ones skip the import."""
    run = ["query", "run", "mergers", "--format", "csv"]
    assert "yaml" in imported(root, tmp_path, *run)
    assert "yaml" not in imported(root, tmp_path, *run)
    assert "yaml" in imported(root, tmp_path, "query", "run", "successors", "--format", "csv")


def test_a_query_run_with_its_defaults_imports_only_what_it_uses(root, tmp_path):
    """Issue 21: a saved query run with its defaults (its header kept in the cache) on an unchanged
    repository builds no dataclass, reads no JSON, opens no database and resolves no name; a name
    given for a parameter loads the resolver, and no file hashed loads no OpenSSL (hashlib)."""
    run = ["query", "run", "mergers", "--format", "csv"]
    imported(root, tmp_path, *run)  # the header parsed and kept
    modules = set(imported(root, tmp_path, *run))
    assert {"orgkg.catalogue", "orgkg.store", "pyoxigraph", "csv"} <= modules  # the probe saw the run
    unused = {"dataclasses", "json", "yaml", "orgkg.names", "unicodedata", "decimal", "sqlite3", "hashlib"}
    assert modules.isdisjoint(unused)
    named = ["query", "run", "lineage", "--param", "organization=cao bang newspaper", "--format", "csv"]
    assert "orgkg.names" in imported(root, tmp_path, *named)


def test_import_orgkg_loads_nothing_but_the_package():
    """The Python API is imported on first use (orgkg.open), so `import orgkg` costs nothing."""
    probe = "import json, sys; before = set(sys.modules); import orgkg; print(json.dumps(sorted(set(sys.modules) - before)))"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(run.stdout) == ["orgkg"]


COMMAND_MODULES = ("articles", "checks", "data", "dev", "docid", "queries", "stores")


def test_version_imports_no_command_module_and_a_command_only_its_own(root, tmp_path):
    """Commands are imported when they run: start-up pays for one module, `--version` for none."""
    modules = {m.removeprefix("orgkg.cli.") for m in imported(root, tmp_path, "--version")}
    assert modules.isdisjoint(COMMAND_MODULES)
    modules = {m.removeprefix("orgkg.cli.") for m in imported(root, tmp_path, "docid", "18-NQ/TW")}
    assert modules & set(COMMAND_MODULES) == {"docid"}


def test_every_command_of_the_command_modules_is_listed_under_its_own_name():
    import importlib

    import click

    from orgkg.cli import main

    defined = {
        value.name
        for module in COMMAND_MODULES
        for value in vars(importlib.import_module(f"orgkg.cli.{module}")).values()
        if isinstance(value, click.Command)
    }
    with click.Context(main) as ctx:
        listed = {name: main.get_command(ctx, name) for name in main.list_commands(ctx)}
    assert all(command is not None and command.name == name for name, command in listed.items())
    subcommands = {sub for group in listed.values() if isinstance(group, click.Group) for sub in group.commands}
    assert defined - subcommands == set(listed)
