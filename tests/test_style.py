"""The Python code is clean under ruff (lint and format) and the library under mypy, as configured
in pyproject.toml. `make check` and `make test` run each once, here."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def tool(name: str) -> str:
    """A console script of the test extra, from this Python's environment or PATH."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.skip(f"{name} not installed (pip install -e '.[test]')")
    return found


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_ruff_is_clean(root, command):
    result = subprocess.run([tool("ruff"), *command, "src", "tests", "bench"], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean_on_the_library(root):
    result = subprocess.run([tool("mypy")], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


#: The library's floors, bottom first, as README's Layout lists them: a module imports only from
#: its own floor and those below (imports made only for type checking aside).
FLOORS = (
    "errors namespaces places choices atomic output docid sources cache_db",
    "terms formats repository watching freshness loading rdfs canonical",
    "sparql_text guards results http_client store engines endpoints names adhoc",
    "findings shacl_core shapes validation reporting incremental",
    "quotes minting formatting coverage articles diffing",
    "catalogue grlc_folder lineage exporting",
    "docs triplestore load_lock load_record uploads loader serving synth",
    "api cli console relay",
)


def _orgkg_imports(tree: ast.AST) -> list[tuple[str, int]]:
    """(top-level orgkg module, line) of every import, except those under `if TYPE_CHECKING:`."""
    found = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "orgkg":
            parts = node.module.split(".")
            names = [parts[1]] if len(parts) > 1 else [alias.name for alias in node.names]
            found += [(name, node.lineno) for name in names]
        elif isinstance(node, ast.Import):
            found += [(a.name.split(".")[1], node.lineno) for a in node.names if a.name.startswith("orgkg.")]
        else:
            found += _orgkg_imports(node)
    return found


def test_no_module_imports_from_a_floor_above_its_own(root):
    floor = {name: level for level, names in enumerate(FLOORS) for name in names.split()}
    library = root / "src" / "orgkg"
    modules = {path.relative_to(library).parts[0].removesuffix(".py") for path in library.glob("*")}
    assert modules - {"__init__", "__pycache__", "templates"} == set(floor), (
        "README's Layout and FLOORS list every module"
    )
    upward = []
    for path in sorted(library.rglob("*.py")):
        module = path.relative_to(library).parts[0].removesuffix(".py")
        if module == "__init__":
            continue
        for imported, line in _orgkg_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if imported in floor and floor[imported] > floor[module]:
                upward.append(f"{path.relative_to(root)}:{line} imports orgkg.{imported}")
    assert not upward, "\n".join(upward)
