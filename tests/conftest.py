"""Shared fixtures: the repository, its Turtle files, and the graph as rdflib sees it."""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

import pytest

from orgkg.loading import load_dataset, load_union
from orgkg.namespaces import find_root
from orgkg.repository import data_files

from .cli import run_cli

#: Real triplestores (one Virtuoso per session) and the query x engine report.
pytest_plugins = ("tests.servers", "tests.compare")

# A shell that starts the tests in the background (`make test &` in a script) leaves SIGINT
# ignored, and an ignored signal stays ignored in every program they start: the tests that stop a
# server or a load with Ctrl-C's signal would wait in vain. A handler, unlike SIG_IGN, is reset
# to the default when a program starts.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def root() -> Path:
    return find_root(ROOT)


def copy_repository(root: Path, target: Path) -> Path:
    """A copy of the repository's data and queries at `target`, for tests that edit or break it."""
    for folder in ("ontology", "graph", "queries"):
        shutil.copytree(root / folder, target / folder)
    return target


@pytest.fixture
def repo(root, tmp_path) -> Path:
    """A fresh copy of the repository under the test's temporary folder."""
    return copy_repository(root, tmp_path / "repo")


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    """A cache folder (the embedded store and its indexes) that one module's tests share."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def kg(root):
    """The union of the ontology and every graph/ file, as one rdflib Graph."""
    return load_union(data_files(root))


@pytest.fixture(scope="session")
def kg_dataset(root):
    """The same files as a Dataset, one named graph per file."""
    return load_dataset(data_files(root), root)


@pytest.fixture(scope="session")
def sources() -> Path:
    if not SOURCES.is_dir():
        pytest.skip(f"article texts not found at {SOURCES} (../shared/seeds beside the checkout)")
    return SOURCES


@pytest.fixture
def cli(root):
    """`orgkg ARGS` run in-process (tests/cli.py), on the checkout unless a test passes `root=`."""

    def invoke(
        *args, root: Path = root, cache: Path | None = None, env: dict | None = None, input: str | bytes | None = None
    ):
        return run_cli(*args, root=root, cache=cache, env=env, input=input)

    return invoke
