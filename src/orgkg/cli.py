"""The `orgkg` command line: each command parses its options and calls the library."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from orgkg import __version__
from orgkg.formatting import format_turtle
from orgkg.loading import TurtleSyntaxError, data_files, turtle_files
from orgkg.namespaces import find_root
from orgkg.output import write_atomic
from orgkg.validation import REPORT_FORMATS, render, validate

#: Exit codes shared by every command.
EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


class OrgkgError(click.ClickException):
    """A user-facing runtime error: printed without a traceback, exit code 2."""

    exit_code = EXIT_USAGE


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="orgkg")
def main() -> None:
    """orgkg: validate, query and export the knowledge graph of Vietnam's Party organizations.

    \b
    Example:
      orgkg validate --sources ../shared/seeds
    """


@main.command("docid")
@click.argument("codes", metavar="CODE...", nargs=-1, required=True)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Aligned text columns, or a JSON list of objects.",
)
def docid_command(codes: tuple[str, ...], output_format: str) -> None:
    """Explain Party document codes such as 18-NQ/TW: document type and issuer level.

    Reads codes as printed (stray spaces, lowercase, QD for QĐ, DU for ĐU) and loose
    mentions such as "Resolution No. 21 of the Central Committee", whose code is marked
    inferred. Exits 1 if any CODE cannot be parsed (the others are still printed).

    \b
    Example:
      orgkg docid 18-NQ/TW 29-CT/TU 2993-QD/TU 48-KL/TW
      orgkg docid "Directive No. 35 of the Politburo" --format json
    """
    import json

    from orgkg.docid import DocumentCodeError, format_table, parse_code

    parsed, failed = [], False
    for text in codes:
        try:
            parsed.append(parse_code(text))
        except DocumentCodeError as error:
            click.echo(f"orgkg docid: cannot parse {text!r}: {error}", err=True)
            failed = True
    if output_format == "json":
        click.echo(json.dumps([code.to_dict() for code in parsed], ensure_ascii=False, indent=2))
    else:
        for line in format_table(parsed):
            click.echo(line)
    if failed:
        raise SystemExit(EXIT_DATA)


def _root() -> Path:
    try:
        return find_root()
    except FileNotFoundError as error:
        raise OrgkgError(str(error)) from None


def _files(root: Path, paths: tuple[Path, ...], default: list[Path]) -> list[Path]:
    try:
        return turtle_files(root, list(paths)) if paths else default
    except FileNotFoundError as error:
        raise OrgkgError(str(error)) from None


@main.command("validate")
@click.argument("paths", metavar="[PATH]...", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(REPORT_FORMATS), default="human",
              show_default=True, help="Report layout.")
@click.option("--sources", type=click.Path(path_type=Path, file_okay=False), envvar="ORGKG_SOURCES",
              help="Folder with the article texts, to check every quote verbatim [env: ORGKG_SOURCES].")
@click.option("--strict", is_flag=True, help="Treat warnings as failures.")
def validate_command(paths: tuple[Path, ...], output_format: str, sources: Path | None, strict: bool) -> None:
    """Check Turtle syntax, SHACL shapes (with RDFS inference), lint rules and quotes.

    PATH is a Turtle file or folder (default: the ontology and graph/ of the repository);
    the repository's ontology and shapes are always used. Exit 0 conforms, 1 does not
    conform or a file is malformed, 2 usage or runtime error.

    \b
    Example:
      orgkg validate --sources ../shared/seeds --strict
      orgkg validate graph/articles/cao-bang-2025.ttl --format table
    """
    root = _root()
    files = _files(root, paths, data_files(root))
    try:
        report = validate(root, files, sources)
    except FileNotFoundError as error:
        raise OrgkgError(str(error)) from None
    click.echo(render(report, output_format, strict))
    if not report.conforms(strict):
        raise SystemExit(EXIT_DATA)


@main.command("fmt")
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
    root = _root()
    files = _files(root, paths, turtle_files(root))
    changed, broken = [], False
    for path in files:
        try:
            canonical = format_turtle(path)
        except TurtleSyntaxError as error:
            click.echo(f"orgkg fmt: {error}", err=True)
            broken = True
            continue
        if canonical != path.read_text(encoding="utf-8"):
            changed.append(path)
            if not check:
                write_atomic(path, canonical)
    verb = "would reformat" if check else "reformatted"
    for path in changed:
        click.echo(f"{verb} {path.relative_to(root) if path.is_relative_to(root) else path}")
    click.echo(f"{len(changed)} of {len(files)} files {verb}", err=True)
    if broken or (check and changed):
        raise SystemExit(EXIT_DATA)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
