"""The Python code is clean under ruff (lint and format) and the library under mypy, as configured
in pyproject.toml. `make check` and `make test` run each once, here."""

from __future__ import annotations

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
