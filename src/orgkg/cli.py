"""The `orgkg` command line: each command parses its options and calls the library."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import click

from orgkg import __version__
from orgkg.choices import (
    DIALECT_NAMES,
    ENGINES,
    EXPORT_FORMATS,
    GRAPH_FORMATS,
    LINEAGE_FORMATS,
    REPORT_FORMATS,
    SELECT_FORMATS,
)
from orgkg.namespaces import QUERIES_DIR, find_root

# Only what option definitions need is imported above: each command imports the rest of the
# library it uses, so `orgkg --help` or a query never pays for rdflib or pySHACL.

#: Exit codes shared by every command.
EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


class OrgkgError(click.ClickException):
    """A user-facing runtime error: printed without a traceback, exit code 2."""

    exit_code = EXIT_USAGE


#: The library's errors users can fix, by module: an error class whose module was never imported
#: cannot have been raised, so none of these is imported just to be caught.
_DATA_ERRORS = (("orgkg.loading", "TurtleSyntaxError"),)
_RUNTIME_ERRORS = (
    ("orgkg.catalogue", "QueryError"),
    ("orgkg.store", "StoreError"),
    ("orgkg.exporting", "ExportError"),
    ("orgkg.lineage", "LineageError"),
    ("orgkg.output", "OutputError"),
    ("orgkg.repository", "DataFileError"),
    ("orgkg.guards", "QueryRefused"),
    ("orgkg.guards", "QueryTimeout"),
    ("orgkg.http_client", "HttpError"),
    ("orgkg.names", "UnresolvedName"),
    ("orgkg.diffing", "DiffError"),
)


def _loaded(errors: tuple[tuple[str, str], ...]) -> tuple[type, ...]:
    return tuple(getattr(sys.modules[module], name) for module, name in errors if module in sys.modules)


class _Group(click.Group):
    """Turns the library's errors into one-line messages and exit codes, never tracebacks."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except Exception as error:
            if isinstance(error, _loaded(_DATA_ERRORS)):
                click.echo(f"orgkg: {error}", err=True)
                raise SystemExit(EXIT_DATA) from None
            if isinstance(error, (FileNotFoundError, *_loaded(_RUNTIME_ERRORS))):
                raise OrgkgError(str(error)) from None
            raise


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
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

    from orgkg.docid import DocumentCodeError, parse_code
    from orgkg.output import text_table

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


def _files(root: Path, paths: tuple[Path, ...], default: list[Path]) -> list[Path]:
    from orgkg.repository import turtle_files

    files = turtle_files(root, list(paths)) if paths else default
    if paths and not files:
        raise OrgkgError(f"no .ttl files in {', '.join(map(str, paths))}; name Turtle files or folders holding them")
    return files


@main.command("validate")
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
    help="Folder with the article texts, to check every quote verbatim [env: ORGKG_SOURCES].",
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
    the repository's ontology and shapes are always used. Exit 0 conforms, 1 does not
    conform or a file is malformed, 2 usage or runtime error.

    \b
    Example:
      orgkg validate --sources ../shared/seeds --strict
      orgkg validate graph/articles/cao-bang-2025.ttl --format table
      orgkg validate --incremental --sources ../shared/seeds
    """
    from orgkg.output import Progress, colour_wanted
    from orgkg.repository import data_files
    from orgkg.validation import render, validate

    root = find_root()
    if incremental:
        if paths:
            raise click.UsageError("--incremental validates the whole graph; leave out PATH")
        from orgkg.incremental import validate_incremental

        report = validate_incremental(root, sources, progress=Progress("Validating changed files"))
    else:
        report = validate(root, _files(root, paths, data_files(root)), sources, complete=not paths)
    click.echo(render(report, output_format, strict, colour=colour_wanted()))
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
    from orgkg.formatting import format_turtle
    from orgkg.loading import TurtleSyntaxError
    from orgkg.output import write_atomic
    from orgkg.repository import turtle_files

    root = find_root()
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


def _output(data: str | bytes, output: Path | None) -> None:
    """Write to -o FILE atomically, else to standard output."""
    from orgkg.output import write_atomic

    if output is not None:
        write_atomic(output, data)
    elif isinstance(data, bytes):
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        click.echo(data, nl=not data.endswith("\n"))


def _engine(
    root: Path, engine: str, endpoint: str | None = None, allow_service: bool = False, timeout: float | None = None
):
    from orgkg.output import Progress
    from orgkg.store import engine_for

    return engine_for(
        root, engine, endpoint, progress=Progress("Updating the store"), allow_service=allow_service, timeout=timeout
    )


def _parse_params(pairs: tuple[str, ...]) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise click.UsageError(f"--param takes name=value, got {pair!r}")
        values.setdefault(name.strip(), []).append(value)
    return values


_engine_options = [
    click.option(
        "--engine",
        type=click.Choice(ENGINES),
        default="oxigraph",
        show_default=True,
        help="Embedded pyoxigraph store, or rdflib as the reference.",
    ),
    click.option(
        "--endpoint",
        metavar="URL",
        help="Run on a SPARQL 1.1 endpoint instead (credentials from "
        "ORGKG_STORE_USER/ORGKG_STORE_PASSWORD, ORGKG_STORE_TOKEN or ~/.netrc).",
    ),
    click.option(
        "--format",
        "output_format",
        type=click.Choice(SELECT_FORMATS + GRAPH_FORMATS),
        help="Result format (default: table on a terminal, csv in a pipe; turtle for CONSTRUCT).",
    ),
    click.option(
        "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the result to FILE (atomically)."
    ),
    click.option(
        "--timeout",
        type=click.FloatRange(min=0.001),
        metavar="SECONDS",
        help="Give up on a query that runs longer (exit 2); an endpoint's whole answer by default 60 s.",
    ),
    click.option(
        "--allow-service",
        is_flag=True,
        help="Let SERVICE clauses run: the engine then fetches the URLs they name (off by default).",
    ),
]


def engine_options(command):
    for option in reversed(_engine_options):
        command = option(command)
    return command


def _emit(results, output_format: str | None, output: Path | None) -> None:
    from orgkg.results import render as render_results

    if output_format is None:
        terminal = output is None and sys.stdout.isatty()
        output_format = "turtle" if results.triples is not None else ("table" if terminal else "csv")
    try:
        _output(render_results(results, output_format), output)
    except ValueError as error:
        raise click.UsageError(str(error)) from None


@main.group("query")
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
    type=click.Choice(["table", "csv", "json", "turtle"]),
    default="table",
    show_default=True,
    help="turtle: the catalogue as RDF (sh:SPARQLExecutable, as sparql-examples).",
)
def query_list(output_format: str) -> None:
    """Name, summary and parameters of every saved query.

    \b
    Example:
      orgkg query list --format json
      orgkg query list --format turtle > queries.ttl
    """
    import json

    from orgkg.catalogue import load_catalogue
    from orgkg.output import text_table

    catalogue = load_catalogue(find_root() / QUERIES_DIR)
    if output_format == "turtle":
        from orgkg.catalogue import catalogue_turtle

        click.echo(catalogue_turtle(catalogue), nl=False)
        return
    if output_format == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "name": q.name,
                        "summary": q.summary,
                        "tags": list(q.tags),
                        "params": [p.to_dict() for p in q.params],
                    }
                    for q in catalogue.values()
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    rows = [[q.name, q.summary, "; ".join(p.describe() for p in q.params)] for q in catalogue.values()]
    if output_format == "csv":
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerows([["name", "summary", "parameters"], *rows])
    else:
        click.echo(text_table(["name", "summary", "parameters"], rows))


@query_group.command("show")
@click.argument("name")
def query_show(name: str) -> None:
    """Description, parameters and SPARQL text of one saved query.

    \b
    Example:
      orgkg query show lineage
    """
    from orgkg.catalogue import find_query

    query = find_query(find_root() / QUERIES_DIR, name)
    click.echo(f"{query.name}: {query.summary}\n")
    if query.description:
        click.echo(query.description + "\n")
    click.echo(("Parameters: " + "; ".join(p.describe() for p in query.params)) if query.params else "Parameters: none")
    click.echo(f"Tags: {', '.join(query.tags)}\n")
    click.echo(query.sparql)


@query_group.command("run")
@click.argument("name")
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A parameter value; repeat it (or give a comma list) for list parameters.",
)
@engine_options
def query_run(
    name: str,
    params: tuple[str, ...],
    engine: str,
    endpoint: str | None,
    output_format: str | None,
    output: Path | None,
    timeout: float | None,
    allow_service: bool,
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
    from orgkg.catalogue import find_query
    from orgkg.names import Resolver
    from orgkg.repository import cache_dir

    root = find_root()
    store = _engine(root, engine, endpoint, allow_service, timeout)
    query = find_query(root / QUERIES_DIR, name, cache=cache_dir(root))
    sparql = query.bind(_parse_params(params), Resolver(store))
    _emit(store.query(sparql), output_format, output)


@main.command("describe")
@click.argument("node", metavar="NODE")
@engine_options
def describe_command(
    node: str,
    engine: str,
    endpoint: str | None,
    output_format: str | None,
    output: Path | None,
    timeout: float | None,
    allow_service: bool,
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
    from orgkg.catalogue import find_query
    from orgkg.names import Resolver

    root = find_root()
    store = _engine(root, engine, endpoint, allow_service, timeout)
    focus = Resolver(store).resolve(node)
    _emit(store.query(find_query(root / QUERIES_DIR, "describe").bind({"node": [focus]})), output_format, output)


@main.command("sparql")
@click.argument("file", type=click.File("rb"), required=False)
@click.option("-e", "--expression", "expression", metavar="QUERY", help="The query itself, instead of FILE.")
@engine_options
def sparql_command(
    file,
    expression: str | None,
    engine: str,
    endpoint: str | None,
    output_format: str | None,
    output: Path | None,
    timeout: float | None,
    allow_service: bool,
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
    from orgkg.adhoc import explain, with_prefixes
    from orgkg.store import QuerySyntaxError

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
    try:
        results = _engine(find_root(), engine, endpoint, allow_service, timeout).query(with_prefixes(sparql))
    except QuerySyntaxError as error:
        raise OrgkgError(explain(str(error), sparql)) from None
    _emit(results, output_format, output)


@main.command("build")
@click.option("--force", is_flag=True, help="Rebuild from scratch instead of reloading changed files only.")
def build_command(force: bool) -> None:
    """Build (or bring up to date) the embedded store from the Turtle files.

    Queries do this automatically; only files whose content changed are reloaded.

    \b
    Example:
      orgkg build --force
    """
    from orgkg.output import Progress
    from orgkg.store import EmbeddedStore

    report = EmbeddedStore(find_root(), progress=Progress("Loading changed files")).build(force=force)
    click.echo(
        f"{len(report.loaded)} files loaded, {report.unchanged} unchanged, {len(report.removed)} "
        f"removed; {report.triples} quads in the store"
    )


@main.command("export")
@click.option("--format", "output_format", type=click.Choice(EXPORT_FORMATS), default="turtle", show_default=True)
@click.option("--graph", "article", metavar="ARTICLE", help="Only one article's graph (e.g. cao-bang-2025).")
@click.option(
    "--inferred",
    is_flag=True,
    help="Add the RDFS entailments of the ontology (org:ChangeEvent, prov:wasDerivedFrom, ...).",
)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE atomically.")
def export_command(output_format: str, article: str | None, inferred: bool, output: Path | None) -> None:
    """Export the graph; the output is byte-identical from run to run.

    turtle and nt merge the graphs; nq, trig and jsonld keep one named graph per file
    (entailments go to the graph .../graph/inferred).

    \b
    Example:
      orgkg export --format nq -o orgkg.nq
      orgkg export --graph nghe-an-2024 --inferred
    """
    from orgkg.exporting import export

    _output(export(find_root(), output_format, article, inferred), output)


@main.command("lineage")
@click.argument("organization", metavar="NAME-OR-IRI")
@click.option("--format", "output_format", type=click.Choice(LINEAGE_FORMATS), default="text", show_default=True)
@click.option("--engine", type=click.Choice(ENGINES), default="oxigraph", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE atomically.")
def lineage_command(organization: str, output_format: str, engine: str, output: Path | None) -> None:
    """Predecessors and successors of an organization at any depth, with events, dates and
    legal bases on the edges.

    NAME-OR-IRI is an IRI, kg:NAME, or a label ("cao bang newspaper": case and diacritics
    are ignored). svg needs Graphviz's dot.

    \b
    Example:
      orgkg lineage "Central Organizing Committee"
      orgkg lineage kg:org-cao-bang-newspaper --format svg -o lineage.svg
    """
    from orgkg.lineage import label_of, lineage, render_dot, render_mermaid, render_svg, render_text
    from orgkg.names import Resolver
    from orgkg.store import engine_for

    root = find_root()
    store = engine_for(root, engine)
    focus = Resolver(store).resolve(organization, "organization")
    edges = lineage(root, store, focus)
    if output_format == "text":
        text = render_text(label_of(store, focus), edges)
    else:
        text = {"mermaid": render_mermaid, "dot": render_dot, "svg": render_svg}[output_format](focus, edges)
    _output(text, output)


@main.command("diff")
@click.argument("before", metavar="[REV_A]", default="HEAD")
@click.argument("after", metavar="[REV_B]", required=False)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "patch"]),
    default="text",
    show_default=True,
    help="text (coloured on a terminal), markdown (for a pull request) or an RDF Patch.",
)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE atomically.")
def diff_command(before: str, after: str | None, output_format: str, output: Path | None) -> None:
    """What a change to the encoding says differently: statements added and removed between
    two git revisions (default: HEAD against the working tree), by article graph and subject,
    with labels and the quotes behind what was added.

    Formatting, order and blank-node names are not changes. Exit 0 no change, 1 changes,
    2 error (e.g. an unknown revision).

    \b
    Example:
      orgkg diff
      orgkg diff HEAD~3 HEAD --format markdown > review.md
      orgkg diff main --format patch -o change.rdfp
    """
    from orgkg.diffing import diff, render
    from orgkg.output import colour_wanted

    result = diff(find_root(), before, after)
    colour = output is None and output_format == "text" and colour_wanted()
    _output(render(result, output_format, colour=colour), output)
    if result.changed:
        raise SystemExit(EXIT_DATA)


@main.command("docs")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("site"),
    show_default=True,
    help="Folder for the site; an earlier site there is replaced whole.",
)
@click.option(
    "--sources",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="ORGKG_SOURCES",
    help="Folder with the article texts, so the validation page checks quotes [env: ORGKG_SOURCES].",
)
def docs_command(output: Path, sources: Path | None) -> None:
    """Build a static HTML site: ontology reference, query catalogue with results, one page
    per article, lineage diagrams and the validation report.

    Open DIR/index.html in a browser: no server needed, nothing fetched from the network.
    The site is built in a temporary folder and swapped in only when complete. Lineage
    pictures need Graphviz's dot; without it they are skipped and the tables remain.

    \b
    Example:
      orgkg docs -o site && xdg-open site/index.html
      orgkg docs -o /tmp/orgkg-site --sources ../shared/seeds
    """
    from orgkg.docs import DocsError, build_site
    from orgkg.output import Progress

    try:
        report = build_site(find_root(), output, sources=sources, progress=Progress("Writing pages"))
    except DocsError as error:
        raise OrgkgError(str(error)) from None
    click.echo(f"{report.pages} pages written to {report.output}; validation: {report.validation}")
    if report.pictures_skipped:
        click.echo(
            f"lineage pictures skipped for {report.lineage_pages} organizations: Graphviz's dot is not "
            "installed (apt-get install graphviz)",
            err=True,
        )


@main.command("load")
@click.argument("url")
@click.option(
    "--dialect",
    type=click.Choice(DIALECT_NAMES),
    default="oxigraph",
    show_default=True,
    help="The store's paths: URL is its base (fuseki: the dataset, graphdb: the repository; "
    "gsp: a Graph Store endpoint in full).",
)
@click.option("--append", is_flag=True, help="Add to the store's graphs (POST) instead of replacing them (PUT).")
@click.option("--dry-run", is_flag=True, help="List the graphs and triple counts that would be sent; send nothing.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=120.0,
    show_default=True,
    help="Seconds to wait for each whole answer of the store.",
)
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1),
    default=50_000,
    show_default=True,
    help="Triples per request; larger graphs are sent in several requests.",
)
@click.option(
    "--prune",
    is_flag=True,
    help="Also drop the store's graphs under https://w3id.org/orgkg/graph/ that the repository no longer has.",
)
@click.option(
    "--union-default-graph",
    "union_default",
    is_flag=True,
    help="Make the store's default graph the union of the loaded graphs in the request that swaps them in, "
    "for a store that holds only orgkg's graphs: its readers never see a load half done.",
)
def load_command(
    url: str,
    dialect: str,
    append: bool,
    dry_run: bool,
    timeout: float,
    chunk_size: int,
    prune: bool,
    union_default: bool,
) -> None:
    """Load the ontology, reference graphs and one named graph per article into a triplestore.

    Uses the SPARQL 1.1 Graph Store Protocol. Graphs go to temporary graphs first and are
    swapped in with SPARQL Update MOVE only when all arrived, so a failed or interrupted load
    leaves the store's graphs as they were. Then every graph's triple count in the store is
    checked: a mismatch exits 1. Credentials: ORGKG_STORE_USER/ORGKG_STORE_PASSWORD,
    ORGKG_STORE_TOKEN or ~/.netrc (Virtuoso: Digest), never in the URL.

    \b
    Example:
      orgkg load http://localhost:7878 --dry-run
      ORGKG_STORE_USER=dba ORGKG_STORE_PASSWORD=... orgkg load http://localhost:8890 --dialect virtuoso
    """
    from orgkg.http_client import HttpError, check_url, redact
    from orgkg.loader import RemoteStore, load, locked, prepare
    from orgkg.output import Progress, text_table
    from orgkg.repository import cache_dir
    from orgkg.store import EmbeddedStore

    try:
        check_url(url)
    except HttpError as error:
        raise click.UsageError(str(error)) from None
    shown = redact(url)
    root = find_root()
    local = EmbeddedStore(root)
    with local.reading() as embedded:  # no build changes it while it is sent
        uploads = prepare(embedded, local.graph_triples(), chunk_size)
        if dry_run:
            rows = [[u.iri, str(u.triples), str(sum(1 for _ in u.bodies()))] for u in uploads]
            click.echo(text_table(["graph", "triples", "requests"], rows))
            click.echo(
                f"{len(uploads)} graphs, {sum(u.triples for u in uploads)} triples would be "
                f"{'added to' if append else 'loaded into'} {shown} ({dialect}); nothing was sent",
                err=True,
            )
            return
        store = RemoteStore(
            url, dialect, timeout=timeout, notice=lambda text: click.echo(f"orgkg load: {text}", err=True)
        )
        total = sum(u.triples for u in uploads)
        uploading = Progress("Uploading triples", total=total)
        # SIGTERM or SIGHUP fails the load as cleanly as Ctrl-C: temporary graphs dropped.
        with _stopped_like_ctrl_c(), locked(url, cache_dir(root)):
            report = load(
                uploads, store, append, progress=uploading.advance, prune=prune, union_default_graph=union_default
            )
    rows = [
        [iri, str(local), str(remote), "ok" if iri not in report.mismatches else "MISMATCH"]
        for iri, local, remote in report.counts
    ]
    click.echo(text_table(["graph", "local", "store", "check"], rows))
    for graph in report.pruned:
        click.echo(f"orgkg load: dropped <{graph}> (no longer in the repository)", err=True)
    if report.mismatches:
        click.echo(
            f"orgkg load: the store's triple count differs from the local one for "
            f"{', '.join(f'<{iri}>' for iri in report.mismatches)}",
            err=True,
        )
        raise SystemExit(EXIT_DATA)
    click.echo(f"{len(uploads)} graphs, {total} triples {'added to' if append else 'loaded into'} {shown}", err=True)


@contextmanager
def _stopped_like_ctrl_c():
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


@main.command("serve")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True, help="0: any free port.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but loopback offers the graph to the network.",
)
@click.option(
    "--timeout-s",
    type=click.IntRange(min=1),
    default=60,
    show_default=True,
    help="The server abandons a query that runs longer, even after its client has left.",
)
@click.option(
    "--allow-service",
    is_flag=True,
    help="Let queries use SERVICE: the server then fetches the URLs they name (off by default).",
)
def serve_command(port: int, host: str, timeout_s: int, allow_service: bool) -> None:
    """Serve the graph as a read-only SPARQL endpoint (the Oxigraph server) until Ctrl-C.

    Serves a snapshot of the embedded store, with the union of all graphs as the default
    graph (as local queries see it); restart it to pick up edits. Queries follow the local
    rules: no SERVICE unless --allow-service, FROM only the repository's graphs.

    \b
    Example:
      orgkg serve --port 7878
      orgkg query run change-events --endpoint http://127.0.0.1:7878/query
    """
    from orgkg.serving import Server

    server = Server(find_root(), host, port, timeout_s=timeout_s, allow_service=allow_service)
    # A service manager's SIGTERM, or the terminal closing (SIGHUP), stops as cleanly as Ctrl-C.
    try:
        with _stopped_like_ctrl_c():
            url = server.start()
            click.echo(f"SPARQL endpoint (read-only): {url}")
            click.echo(f"  orgkg query run change-events --endpoint {url}")
            click.echo("Press Ctrl-C to stop.", err=True)
            code = server.wait()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
        return
    finally:
        server.stop()
    raise OrgkgError(f"the Oxigraph server stopped unexpectedly (exit code {code})")


@main.group("dev")
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
@click.argument("count", metavar="N", type=click.IntRange(1, 99999))
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
    try:
        report = synthesize(count, output, find_root(), seed, counts, progress=Progress("Writing articles"))
    except (FileExistsError, ValueError) as error:
        raise OrgkgError(str(error)) from None
    click.echo(
        f"{report.articles} articles, {report.triples} triples, {len(report.errors)} seeded errors "
        f"written to {report.path}"
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
