"""What several commands share: option sets, the output path, the engine, parameters, signals."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, NamedTuple

import click

from orgkg.choices import ENGINES, GRAPH_FORMATS, SELECT_FORMATS
from orgkg.errors import OrgkgError


class Seconds(click.FloatRange):
    """A duration in seconds: finite and at most a week (inf or nan overflowed the deadline)."""

    name = "seconds"

    def __init__(self, minimum: float):
        super().__init__(min=minimum, max=7 * 24 * 3600)

    def convert(self, value, param, ctx):
        seconds = super().convert(value, param, ctx)
        if seconds != seconds:  # nan passes every range comparison
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        return seconds


def chosen_files(root: Path, paths: tuple[Path, ...], default: Callable[[], list[Path]]) -> list[Path]:
    """The Turtle files `paths` name, else `default()`: the whole repository is walked only when
    no path is given (at 100,000 articles the walk was half of validating one article)."""
    from orgkg.repository import turtle_files

    files = turtle_files(root, list(paths)) if paths else default()
    if paths and not files:
        raise OrgkgError(f"no .ttl files in {', '.join(map(str, paths))}; name Turtle files or folders holding them")
    return files


def _require_stdout() -> None:
    """Started with standard output closed (`>&-`): say so, never drop the answer."""
    if sys.stdout is None:
        raise OrgkgError("standard output is closed; write to a file instead", option="output")


def write_output(data: str | bytes, output: Path | None) -> None:
    """Write to -o FILE atomically, else to standard output (text as UTF-8, ended by a newline on
    standard output)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if output is None and isinstance(data, str) and not data.endswith("\n"):
        payload += b"\n"
    write_stream(lambda handle: handle.write(payload), output)


def write_stream(write: Callable[[BinaryIO], object], output: Path | None) -> None:
    """Let `write` stream bytes to -o FILE (atomically: the file is replaced only when it is
    done), else to standard output."""
    from orgkg.atomic import atomic_file

    if output is None:
        _require_stdout()
        sys.stdout.flush()  # what was written as text goes first
        write(sys.stdout.buffer)
        sys.stdout.flush()
        return
    with atomic_file(output) as handle:
        write(handle)


def open_engine(
    root: Path, engine: str, endpoint: str | None = None, allow_service: bool = False, timeout: float | None = None
):
    from orgkg.engines import engine_for
    from orgkg.output import Progress

    return engine_for(
        root, engine, endpoint, progress=Progress("Updating the store"), allow_service=allow_service, timeout=timeout
    )


def parse_params(pairs: tuple[str, ...]) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise click.UsageError(f"--param takes name=value, got {pair!r}")
        values.setdefault(name.strip(), []).append(value)
    return values


ENDPOINT_OPTION = click.option(
    "--endpoint",
    metavar="URL",
    help="Run on a SPARQL 1.1 endpoint instead (credentials from "
    "ORGKG_STORE_USER/ORGKG_STORE_PASSWORD, ORGKG_STORE_TOKEN or ~/.netrc).",
)
TIMEOUT_OPTION = click.option(
    "--timeout",
    type=Seconds(0.001),
    metavar="SECONDS",
    help="Give up on a query that runs longer (exit 2); an endpoint's whole answer by default 60 s.",
)
ENGINE_OPTIONS = [
    click.option(
        "--engine",
        type=click.Choice(ENGINES),
        default="oxigraph",
        show_default=True,
        help="Embedded pyoxigraph store, or rdflib as the reference.",
    ),
    ENDPOINT_OPTION,
    click.option(
        "--format",
        "output_format",
        type=click.Choice(SELECT_FORMATS + GRAPH_FORMATS),
        help="Result format (default: table on a terminal, csv in a pipe; turtle for CONSTRUCT).",
    ),
    click.option(
        "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the result to FILE (atomically)."
    ),
    TIMEOUT_OPTION,
    click.option(
        "--allow-service",
        is_flag=True,
        help="Let SERVICE clauses run: the engine then fetches the URLs they name (off by default).",
    ),
]


class EngineRun(NamedTuple):
    """What the engine options chose: where a query runs and where its answer goes."""

    engine: str
    endpoint: str | None
    output_format: str | None
    output: Path | None
    timeout: float | None
    allow_service: bool

    def open(self, root: Path):
        return open_engine(root, self.engine, self.endpoint, self.allow_service, self.timeout)

    def emit(self, results) -> None:
        emit_results(results, self.output_format, self.output)


def warn(text: str) -> None:
    """A warning from the library (a known defect of an endpoint's engine), on standard error."""
    click.echo(f"orgkg: warning: {text}", err=True)


def engine_options(command):
    """The engine options on `command`, which gets what they chose as one `run: EngineRun`."""

    @functools.wraps(command)
    def with_run(*args, engine, endpoint, output_format, output, timeout, allow_service, **kwargs):
        return command(*args, run=EngineRun(engine, endpoint, output_format, output, timeout, allow_service), **kwargs)

    for option in reversed(ENGINE_OPTIONS):
        with_run = option(with_run)
    return with_run


def emit_results(results, output_format: str | None, output: Path | None) -> None:
    from orgkg.results import render as render_results

    if output_format is None:
        terminal = output is None and sys.stdout is not None and sys.stdout.isatty()
        output_format = "turtle" if results.triples is not None else ("table" if terminal else "csv")
    write_output(render_results(results, output_format), output)


@contextmanager
def stopped_like_ctrl_c():
    """SIGTERM (a service manager, kill) and SIGHUP (the terminal closing) raise KeyboardInterrupt
    inside the block, so they clean up as Ctrl-C does."""
    import signal

    numbers = (signal.SIGTERM, signal.SIGHUP)
    previous = {number: signal.signal(number, signal.default_int_handler) for number in numbers}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
