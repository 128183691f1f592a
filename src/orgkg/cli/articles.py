"""`orgkg article new`, `quote`, `names` and `coverage`: adding an article and writing its claims."""

from __future__ import annotations

from pathlib import Path

import click

from orgkg.namespaces import find_root

_SOURCES_OPTION = click.option(
    "--sources",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    envvar="ORGKG_SOURCES",
    help="A folder with article texts, searched before those pyproject.toml lists [env: ORGKG_SOURCES].",
)


@click.group("article")
def article_group() -> None:
    """Add an article to the graph."""


@article_group.command("new")
@click.argument("text", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--slug", required=True, help="Names the article: kg:article-SLUG, graph/articles/SLUG.ttl, SLUG.txt.")
@click.option("--url", help="The article's web address, if its text does not print it.")
@click.option(
    "--published", metavar="DATE", help="Publication date (YYYY-MM-DD, YYYY-MM or YYYY) not printed in the text."
)
@click.option(
    "--publisher", metavar="NAME", help="The publishing organization: a node of the graph, or named in the text."
)
@click.option(
    "--from", "origin", metavar="WHERE", help="Where --url/--published/--publisher were taken from (default: the URL)."
)
@click.option("--place", metavar="NAME", help="The province the article reports from, as the text names it.")
@click.option("--language", default="en", show_default=True, help="Language of the text (BCP 47).")
def article_new_command(
    text: Path,
    slug: str,
    url: str | None,
    published: str | None,
    publisher: str | None,
    origin: str | None,
    place: str | None,
    language: str,
) -> None:
    """Register TEXT as a new article and write what it needs to validate.

    Copies TEXT into the first sources folder of pyproject.toml ([tool.orgkg] sources) as
    SLUG.txt; writes graph/articles/SLUG.ttl with the article node (metadata not printed in
    the text marked okg:ExternalMetadata, with where it came from), a reference file for a
    place the graph does not know yet, and the article's section of graph/COVERAGE.md with
    its paragraph map. Then write the claims: `orgkg quote` prints each evidence block.

    \b
    Example:
      orgkg article new ~/lam-thuy.txt --slug lam-thuy-2025 --place "Lam Thuy" \\
          --url https://baolamthuy.example/a/123 --published 2025-07-15
    """
    from orgkg.articles import Metadata, new_article

    if (published or publisher) and not (url or origin):
        raise click.UsageError("--published and --publisher need --from WHERE (or --url): where they were taken from")
    root = find_root()
    result = new_article(root, text, slug, Metadata(url, published, publisher, origin or url), place, language)
    for path in result.written:
        click.echo(f"wrote {path.relative_to(root) if path.is_relative_to(root) else path}")
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f'next: orgkg quote {slug} "words"  ...  orgkg validate --strict', err=True)


@click.command("quote")
@click.argument("article")
@click.argument("words")
@_SOURCES_OPTION
def quote_command(article: str, words: str, sources: Path | None) -> None:
    """Print the evidence block quoting WORDS from ARTICLE's text, ready to paste.

    ARTICLE is a slug (cao-bang-2025), kg:article-SLUG, or its text file. Where the words occur
    more than once, each occurrence is printed with the text around it (oa:prefix, oa:suffix).
    Words not in the text: exit 1 with the closest passage and how it differs (whitespace,
    quote marks, dashes, diacritics, case).

    \b
    Example:
      orgkg quote nghe-an-2024 "5,097 party members were admitted"
    """
    from orgkg.quotes import evidence_block, find_article, find_quote
    from orgkg.store import EmbeddedStore

    root = find_root()
    iri, text = find_article(root, article, EmbeddedStore(root), sources)
    occurrences = find_quote(text, words)
    for number, occurrence in enumerate(occurrences, 1):
        if len(occurrences) > 1:
            click.echo(f"# occurrence {number} of {len(occurrences)}, ¶{text.paragraph_of(occurrence.start)}")
        click.echo(evidence_block(occurrence, iri))


@click.command("names")
@click.argument("label")
@click.option("--place", metavar="NAME", help="Only nodes naming this place; and the place in the new IRI.")
@click.option(
    "--kind", default="organization", show_default=True, help="Kind of node the new IRI is for (org-, place-, doc-...)."
)
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True)
def names_command(label: str, place: str | None, kind: str, output_format: str) -> None:
    """Nodes whose labels hold LABEL's words, and the IRI a new node would get.

    Before minting a node, see whether the graph has it already (case and diacritics ignored;
    every label, preferred or variant, of every file).

    \b
    Example:
      orgkg names "Provincial Party Committee" --place "Lam Thuy"
    """
    from orgkg.minting import matching_nodes, mint
    from orgkg.namespaces import short
    from orgkg.output import text_table
    from orgkg.store import EmbeddedStore

    root = find_root()
    matches = matching_nodes(EmbeddedStore(root), label, place)
    new = mint(label, kind, place)
    taken = any(match.iri == new for match in matches)
    if output_format == "json":
        import json

        listed = [match.to_dict() for match in matches]
        click.echo(
            json.dumps({"matches": listed, "new_iri": new, "new_iri_taken": taken}, indent=2, ensure_ascii=False)
        )
        return
    rows = [[short(m.iri), m.label, short(m.graph), " ".join(short(c) for c in m.classes)] for m in matches]
    if rows:
        click.echo(text_table(["node", "label", "graph", "type"], rows))
    else:
        click.echo(f"no node is labelled with the words {label!r}" + (f" in {place!r}" if place else ""))
    click.echo(f"new IRI: {short(new)}" + (" (taken: reuse that node, or tell the new one apart)" if taken else ""))


@click.command("coverage")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_SOURCES_OPTION
def coverage_command(output_format: str, sources: Path | None) -> None:
    """Per article, the paragraphs and sentences at least one quote of the graph covers.

    Computed from the data and the texts, never stored: graph/COVERAGE.md keeps only the
    encoder's notes. Lists each paragraph with a sentence no quote covers. Exit 1 when a text
    is missing.

    \b
    Example:
      orgkg coverage
      orgkg coverage --format json
    """
    from orgkg.coverage import coverage, render
    from orgkg.store import EmbeddedStore

    root = find_root()
    click.echo(render(coverage(root, EmbeddedStore(root), sources), output_format))
