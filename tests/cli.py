"""The one way tests run the command line: in-process, as a user runs it."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from orgkg.cli import main


def run_cli(
    *args, root: Path, cache: Path | None = None, env: dict | None = None, input: str | bytes | None = None
) -> Result:
    """`orgkg ARGS` on the repository `root`, without article texts unless the arguments give
    --sources, in the cache folder `cache` when given, reading `input` as its stdin. Exceptions
    propagate, so a crash never passes for an exit code."""
    environment = {"ORGKG_ROOT": str(root), "ORGKG_SOURCES": ""}
    if cache is not None:
        environment["ORGKG_CACHE"] = str(cache)
    environment.update(env or {})
    return CliRunner().invoke(main, [str(arg) for arg in args], env=environment, input=input, catch_exceptions=False)
