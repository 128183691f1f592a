"""`orgkg docid`: explain Party document codes."""

from __future__ import annotations

import click

from orgkg.errors import EXIT_DATA


@click.command("docid")
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

    from orgkg.docid import DocumentCodeError, parse_code
    from orgkg.output import text_table

    parsed, failed = [], False
    for text in codes:
        try:
            parsed.append(parse_code(text))
        except DocumentCodeError as error:
            click.echo(f"orgkg: cannot parse {text!r}: {error}", err=True)
            failed = True
    if output_format == "json":
        click.echo(json.dumps([code.to_dict() for code in parsed], ensure_ascii=False, indent=2))
    else:
        rows = [
            [
                code.canonical,
                code.type_label,
                code.issuer_label,
                "inferred" if code.inferred else "",
                f"tenure {code.tenure}" if code.tenure is not None else "",
            ]
            for code in parsed
        ]
        if rows:
            click.echo(text_table(None, rows))
    if failed:
        raise SystemExit(EXIT_DATA)
