"""The fictional third article the tests grow the graph with (tests/fixtures/articles/lam-thuy-2025:
a text written for the tests, its reference entities and a handful of claims), added the way
docs/adding-an-article.md says: `orgkg article new`, then the claims pasted in, then `orgkg fmt`."""

from __future__ import annotations

from pathlib import Path

from .conftest import copy_repository

FICTION = Path(__file__).parent / "fixtures" / "articles" / "lam-thuy-2025"
SLUG = "lam-thuy-2025"


def repository_with_sources(root: Path, sources: Path, target: Path) -> Path:
    """A copy of the repository whose pyproject lists a sources folder inside it, then the seeds."""
    repo = copy_repository(root, target)
    (repo / "pyproject.toml").write_text(f'[tool.orgkg]\nsources = ["sources", "{sources}"]\n', encoding="utf-8")
    return repo


def register(cli):
    """`orgkg article new` for the fictional text (`cli` runs orgkg on the repository)."""
    return cli(
        "article", "new", FICTION / "text.txt", "--slug", SLUG, "--place", "Lam Thuy",
        "--url", "https://baolamthuy.example/news/123", "--published", "2025-06-21",
    )  # fmt: skip


def write_claims(repo: Path, cli):
    """The reference entities and claims appended to the files `article new` wrote, then fmt."""
    for source, target in (
        ("claims.ttl", f"graph/articles/{SLUG}.ttl"),
        ("reference.ttl", "graph/reference/lam-thuy.ttl"),
    ):
        path = repo / target
        path.write_text(path.read_text(encoding="utf-8") + (FICTION / source).read_text(encoding="utf-8"), "utf-8")
    return cli("fmt")
