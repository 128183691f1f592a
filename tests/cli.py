"""The one way tests run the command line: in-process, as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result

from orgkg.cli import main

#: `orgkg ARGS` as the installed console script runs it, in a fresh interpreter.
PROGRAM = "import sys; sys.argv[0] = 'orgkg'; from orgkg.console import main; main()"


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


def program(*args: str, importtime: bool = False, **options) -> subprocess.CompletedProcess:
    """`orgkg ARGS` as a process of its own, through the console entry point (relayed to a running
    `orgkg watch` as the installed program would be); `importtime` lists its imports on stderr."""
    flags = ["-X", "importtime"] if importtime else []
    return subprocess.run([sys.executable, *flags, "-c", PROGRAM, *args], **{"timeout": 60, **options})
