"""`orgkg validate` and `orgkg fmt`: is the data well formed, and in its canonical layout."""

from __future__ import annotations

from pathlib import Path

import click

from orgkg.choices import REPORT_FORMATS
from orgkg.cli.common import chosen_files
from orgkg.errors import EXIT_DATA
from orgkg.namespaces import find_root


@click.command("validate")
@click.argument("paths", metavar="[PATH]...", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(REPORT_FORMATS),
    default="human",
    show_default=True,
    help="Report layout.",
)
@click.option(
    "--sources",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    envvar="ORGKG_SOURCES",
    help="A folder with article texts, searched before those pyproject.toml lists ([tool.orgkg] sources); "
    "every quote is checked against its article's text [env: ORGKG_SOURCES].",
)
@click.option("--strict", is_flag=True, help="Treat warnings as failures.")
@click.option(
    "--incremental",
    is_flag=True,
    help="Re-run only what changed since the last run (the whole graph; same report as a full run).",
)
def validate_command(
    paths: tuple[Path, ...], output_format: str, sources: Path | None, strict: bool, incremental: bool
) -> None:
    """Check Turtle syntax, SHACL shapes (with RDFS inference), lint rules and quotes.

    PATH is a Turtle file or folder (default: the ontology and graph/ of the repository);
    the repository's ontology and shapes are always used. A whole graph of over 30 MB of
    Turtle (some 2,000 articles) is validated unit by unit, as --incremental does: the same
    report in bounded memory. Exit 0 conforms, 1 does not conform or a file is malformed,
    2 usage or runtime error.

    \b
    Example:
      orgkg validate --sources ../shared/seeds --strict
      orgkg validate graph/articles/cao-bang-2025.ttl --format table
      orgkg validate --incremental --sources ../shared/seeds
    """
    from orgkg.output import Progress, colour_wanted
    from orgkg.reporting import render
    from orgkg.repository import data_files
    from orgkg.validation import too_large_at_once, validate

    root = find_root()
    if incremental and paths:
        raise click.UsageError("--incremental validates the whole graph; leave out PATH")
    files = [] if incremental else chosen_files(root, paths, lambda: data_files(root))
    if incremental or (not paths and too_large_at_once(files)):
        from orgkg.console import imports_done
        from orgkg.incremental import validate_incremental

        imports_done()
        report = validate_incremental(root, sources, progress=Progress("Validating changed files"))
    else:
        report = validate(root, files, sources, complete=not paths, progress=Progress("Validating: files, then checks"))
    click.echo(render(report, output_format, strict, colour=colour_wanted()))
    if not report.conforms(strict):
        raise SystemExit(EXIT_DATA)


@click.command("fmt")
@click.argument("paths", metavar="[PATH]...", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Change nothing; exit 1 naming the files that would change.")
def fmt_command(paths: tuple[Path, ...], check: bool) -> None:
    """Rewrite Turtle files in one stable, sorted, prefix-aware layout.

    PATH is a file or folder (default: ontology/ and graph/). Only the leading comment
    block of a file is kept; other comments are dropped.

    \b
    Example:
      orgkg fmt --check
      orgkg fmt graph/articles/nghe-an-2024.ttl
    """
    from orgkg.formatting import format_files
    from orgkg.repository import turtle_files

    root = find_root()
    report = format_files(chosen_files(root, paths, lambda: turtle_files(root)), check)
    for error in report.broken:
        click.echo(f"orgkg: {error}", err=True)
    verb = "would reformat" if check else "reformatted"
    for path in report.changed:
        click.echo(f"{verb} {path.relative_to(root) if path.is_relative_to(root) else path}")
    click.echo(f"{len(report.changed)} of {report.files} files {verb}", err=True)
    if report.broken or (check and report.changed):
        raise SystemExit(EXIT_DATA)
