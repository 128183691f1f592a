"""`orgkg dev`: developer tools."""

from __future__ import annotations

from pathlib import Path

import click

from orgkg.namespaces import find_root


@click.group("dev")
def dev_group() -> None:
    """Developer tools: synthetic corpora for scale tests and benchmarks (see bench/)."""


def _error_counts(pairs: tuple[str, ...]) -> dict[str, int]:
    from orgkg.synth import ERROR_KINDS

    counts: dict[str, int] = {}
    for pair in pairs:
        kind, sep, count = pair.partition("=")
        if kind not in ERROR_KINDS or not (sep and count.isdigit()):
            raise click.BadParameter(
                f"{pair!r}: give KIND=COUNT, KIND one of {', '.join(ERROR_KINDS)}", param_hint="--errors"
            )
        counts[kind] = counts.get(kind, 0) + int(count)
    return counts


@dev_group.command("synth")
@click.argument("count", metavar="N", type=click.IntRange(1, 999_999))
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, file_okay=False), help="New folder to write (default: synth-N)."
)
@click.option(
    "--errors",
    "errors",
    multiple=True,
    metavar="KIND=COUNT",
    help="Seed COUNT errors of KIND (repeat the option); synth.json lists them.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="The same seed writes the same files.")
def synth_command(count: int, output: Path | None, errors: tuple[str, ...], seed: int) -> None:
    """Write a synthetic corpus of N articles in the repository's layout.

    Reference entities, change events, documents, figures and quotes in the project's style,
    the article texts under sources/, and copies of the ontology, shapes and saved queries,
    so that every command runs on it (set ORGKG_ROOT or cd into it). Error kinds:
    merger-one-original, missing-evidence, bad-document-code, observation-without-unit,
    predecessor-cycle, duplicate-document, duplicate-label, dangling-reference, bad-quote,
    missing-label, untyped-date, unquoted-reference.

    \b
    Example:
      orgkg dev synth 1000 -o /tmp/synth-1000
      orgkg dev synth 100 --errors merger-one-original=2 --errors predecessor-cycle=1
      ORGKG_ROOT=/tmp/synth-1000 orgkg validate --incremental --sources /tmp/synth-1000/sources
    """
    from orgkg.output import Progress
    from orgkg.synth import synthesize

    output = output or Path(f"synth-{count}")
    counts = _error_counts(errors)
    report = synthesize(count, output, find_root(), seed, counts, progress=Progress("Writing articles"))
    click.echo(
        f"{report.articles} articles, {report.triples} triples, {len(report.errors)} seeded errors "
        f"written to {report.path}"
    )
