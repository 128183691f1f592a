"""`orgkg query`, `describe`, `sparql` and `lineage`: questions to the graph."""

from __future__ import annotations

from pathlib import Path

import click

from orgkg.choices import ENGINES, LINEAGE_FORMATS, LISTING_FORMATS, SERVE_QUERY_URL
from orgkg.cli import completion
from orgkg.cli.common import (
    ENDPOINT_OPTION,
    TIMEOUT_OPTION,
    EngineRun,
    engine_options,
    open_engine,
    parse_params,
    warn,
    write_output,
)
from orgkg.errors import OrgkgError
from orgkg.namespaces import QUERIES_DIR, find_root


@click.group("query")
def query_group() -> None:
    """List, read and run the saved queries in queries/.

    \b
    Example:
      orgkg query list
      orgkg query run lineage --param organization=https://w3id.org/orgkg/id/org-cao-bang-newspaper
    """


@query_group.command("list")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(LISTING_FORMATS),
    default="table",
    show_default=True,
    help="turtle: the catalogue as RDF (sh:SPARQLExecutable, as sparql-examples).",
)
@click.option(
    "--target",
    metavar="URL",
    default=SERVE_QUERY_URL,
    show_default=True,
    help="With turtle: the endpoint the queries are for (schema:target).",
)
def query_list(output_format: str, target: str) -> None:
    """Name, summary and parameters of every saved query.

    \b
    Example:
      orgkg query list --format json
      orgkg query list --format turtle > queries.ttl
    """
    from orgkg.catalogue import catalogue_listing, load_catalogue

    click.echo(catalogue_listing(load_catalogue(find_root() / QUERIES_DIR), output_format, target), nl=False)


@query_group.command("show")
@click.argument("name", shell_complete=completion.query_names)
@click.option("--text", "text_only", is_flag=True, help="Only the query file's text, to run on any SPARQL engine.")
def query_show(name: str, text_only: bool) -> None:
    """Description, parameters and SPARQL text of one saved query.

    The text runs as it is on any SPARQL 1.1 engine holding the graph, with the parameters'
    defaults (the VALUES blocks); edit those to ask about something else.

    \b
    Example:
      orgkg query show lineage
      orgkg query show lineage --text | curl -s --data-binary @- -H 'Content-Type: application/sparql-query' \\
        http://127.0.0.1:7878/query
    """
    from orgkg.catalogue import find_query

    query = find_query(find_root() / QUERIES_DIR, name)
    if not text_only:
        click.echo(f"{query.name}: {query.summary}\n")
        if query.description:
            click.echo(query.description + "\n")
        described = "; ".join(p.describe() for p in query.params)
        click.echo(f"Parameters: {described}" if query.params else "Parameters: none")
        click.echo(f"Tags: {', '.join(query.tags)}\n")
    click.echo(query.sparql, nl=not query.sparql.endswith("\n"))


@query_group.command("grlc")
@click.option(
    "-o",
    "--output",
    "folder",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="The folder to write.",
)
@click.option("--endpoint", metavar="URL", help="The SPARQL endpoint grlc should query (its #+ endpoint decorator).")
def query_grlc(folder: Path, endpoint: str | None) -> None:
    """Write the catalogue as a folder grlc serves as a web API, parameters and all.

    Each parameter becomes grlc's ?_name_type variable with its default and description;
    grlc substitutes values textually, so the files differ from queries/ (see README).

    \b
    Example:
      orgkg query grlc -o grlc-queries --endpoint http://127.0.0.1:7878/query
      cd grlc-queries && printf '[local]\\nlocal_sparql_dir = .\\n' > config.ini && grlc-server
    """
    from orgkg.catalogue import load_catalogue
    from orgkg.grlc_folder import write_grlc_folder

    written = write_grlc_folder(load_catalogue(find_root() / QUERIES_DIR), folder, endpoint)
    click.echo(f"{len(written) - 1} queries and local-api-config.ini written to {folder}", err=True)


@query_group.command("run")
@click.argument("name", shell_complete=completion.query_names)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A parameter value; repeat it (or give a comma list) for list parameters.",
    shell_complete=completion.query_parameters,
)
@engine_options
def query_run(
    name: str,
    params: tuple[str, ...],
    run: EngineRun,
) -> None:
    """Run a saved query, binding its parameters as RDF terms.

    An iri parameter takes a full IRI, a prefixed name (kg:, okg:, dct:, ...), or a label or
    document code of the kind of node it names; a name that matches no node, or several,
    is refused (exit 2) with the candidates.

    \b
    Example:
      orgkg query run lineage --param organization="cao bang newspaper"
      orgkg query run change-events-by-legal-basis --param document=18-NQ/TW --format json
      orgkg query run change-events-by-kind --param eventClass=okg:Dissolution
    """
    from orgkg.catalogue import run_saved_query

    root = find_root()
    run.emit(run_saved_query(root, run.open(root), name, parse_params(params), warn))


@click.command("describe")
@click.argument("node", metavar="NODE", shell_complete=completion.node_names("node"))
@engine_options
def describe_command(
    node: str,
    run: EngineRun,
) -> None:
    """Everything about one node: each statement about it and pointing to it, labels beside
    IRIs, with the articles (or reference graphs) that state it and the quotes behind it.

    NODE is an IRI, a prefixed name (kg:NAME) or a label (case and diacritics ignored), as
    `lineage` takes them. The saved query `describe` does the work.

    \b
    Example:
      orgkg describe "Ministry of Organization and Communications"
      orgkg describe kg:doc-18-nq-tw-n1 --format md
    """
    from orgkg.catalogue import describe_node

    root = find_root()
    run.emit(describe_node(root, run.open(root), node, warn))


@click.command("sparql")
@click.argument("file", type=click.File("rb"), required=False)
@click.option("-e", "--expression", "expression", metavar="QUERY", help="The query itself, instead of FILE.")
@engine_options
def sparql_command(
    file,
    expression: str | None,
    run: EngineRun,
) -> None:
    """Run an ad-hoc SPARQL query from FILE (or - for standard input) or -e QUERY.

    The catalogue's prefixes (kg:, okg:, org:, dct:, schema:, ... see `orgkg query list`)
    are predeclared; a PREFIX in the query wins. The default graph holds each triple once,
    however many article graphs state it; GRAPH ?g shows which articles do. Updates are
    refused; a syntax error is told in one line with its line and column.

    \b
    Example:
      orgkg sparql -e 'SELECT ?p ?o WHERE { kg:org-politburo ?p ?o }'
      echo 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }' | orgkg sparql -
    """
    from orgkg.adhoc import run_adhoc

    if (file is None) == (expression is None):
        raise click.UsageError("give a query: FILE, - for standard input, or -e QUERY (one of them)")
    if expression is not None:
        sparql = expression
    else:
        try:
            sparql = file.read().decode("utf-8-sig")  # a byte-order mark is not part of the query
        except UnicodeDecodeError as error:
            raise OrgkgError(
                f"{getattr(file, 'name', '<stdin>')} is not UTF-8 (byte {error.start}); save it as UTF-8"
            ) from None
    run.emit(run_adhoc(run.open(find_root()), sparql))


@click.command("lineage")
@click.argument("organization", metavar="NAME-OR-IRI", shell_complete=completion.node_names("organization"))
@click.option("--format", "output_format", type=click.Choice(LINEAGE_FORMATS), default="text", show_default=True)
@click.option("--engine", type=click.Choice(ENGINES), default="oxigraph", show_default=True)
@ENDPOINT_OPTION
@TIMEOUT_OPTION
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE atomically.")
def lineage_command(
    organization: str,
    output_format: str,
    engine: str,
    endpoint: str | None,
    timeout: float | None,
    output: Path | None,
) -> None:
    """Predecessors and successors of an organization at any depth, with events, dates and
    legal bases on the edges.

    NAME-OR-IRI is an IRI, kg:NAME, or a label ("cao bang newspaper": case and diacritics
    are ignored). svg needs Graphviz's dot.

    \b
    Example:
      orgkg lineage "Central Organizing Committee"
      orgkg lineage kg:org-cao-bang-newspaper --format svg -o lineage.svg
      orgkg lineage "cao bang newspaper" --endpoint http://127.0.0.1:7878/query --timeout 10
    """
    from orgkg.catalogue import check_engine
    from orgkg.lineage import lineage, render
    from orgkg.names import Resolver
    from orgkg.store import queried_together

    root = find_root()
    store = open_engine(root, engine, endpoint, timeout=timeout)
    check_engine(root, store, "lineage", warn)
    with queried_together(store) as store:
        focus = Resolver(store).resolve(organization, "organization")
        written = render(store, focus, lineage(root, store, focus), output_format)
    write_output(written, output)
