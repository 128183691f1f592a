"""`orgkg load` and `orgkg serve`: the graph in a triplestore."""

from __future__ import annotations

import click

from orgkg.choices import DIALECT_NAMES
from orgkg.cli.common import Seconds, stopped_like_ctrl_c
from orgkg.errors import EXIT_DATA, OrgkgError
from orgkg.namespaces import find_root


@click.command("load")
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
@click.option(
    "--dry-run",
    is_flag=True,
    help="List every graph and its triple count; send nothing (nor ask the store which graphs it holds already).",
)
@click.option(
    "--timeout",
    type=Seconds(0.1),
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
    "union_default_graph",
    is_flag=True,
    help="Make the store's default graph the union of the loaded graphs in the request that swaps them in, "
    "for a store that holds only orgkg's graphs: its readers never see a load half done.",
)
@click.option(
    "--atomic/--per-graph",
    default=True,
    show_default=True,
    help="--atomic: readers see the old graphs or the new, never a mix (a first load, into a store without "
    "orgkg graphs, sends them straight to their place). --per-graph: each graph replaced in its own request, "
    "faster on a store that has them; readers may see old and new graphs side by side meanwhile.",
)
@click.option(
    "--one-request-limit",
    "one_request",
    type=click.IntRange(min=0),
    default=300_000,
    show_default=True,
    metavar="TRIPLES",
    help="An atomic re-load of at most this many triples into Oxigraph goes in one SPARQL Update request "
    "(one transaction, each triple written once); a larger one is uploaded aside and swapped in. "
    "0: always swap.",
)
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Send every graph, also those the store's load record says it holds as they are here "
    "(by default only changed graphs are sent).",
)
@click.option(
    "--break-lock",
    is_flag=True,
    help="Remove the store's lock marker of another load first: only when that load is known to be dead.",
)
def load_command(
    url: str,
    dialect: str,
    append: bool,
    dry_run: bool,
    timeout: float,
    chunk_size: int,
    prune: bool,
    union_default_graph: bool,
    atomic: bool,
    one_request: int,
    everything: bool,
    break_lock: bool,
) -> None:
    """Load the ontology, reference graphs and one named graph per article into a triplestore.

    All or nothing (--atomic): into a store without orgkg graphs each graph is PUT to its place
    (Graph Store Protocol); over existing graphs a load that fits goes in one SPARQL Update
    request, a larger one is PUT aside and swapped in with one MOVE request. A failed or
    interrupted load leaves the store's graphs as they were; one load at a time per store (a
    lock marker on the store). Only graphs whose files changed since the last load into that
    store are sent (its load record, the graph .../graph/_loaded; --all sends every one). Then
    every graph's triple count in the store is checked: a mismatch exits 1. Credentials: ORGKG_STORE_USER/ORGKG_STORE_PASSWORD,
    ORGKG_STORE_TOKEN or ~/.netrc (Virtuoso: Digest), never in the URL.

    \b
    Example:
      orgkg load http://localhost:7878 --dry-run
      ORGKG_STORE_USER=dba ORGKG_STORE_PASSWORD=... orgkg load http://localhost:8890 --dialect virtuoso
    """
    from orgkg.http_client import HttpError, check_url, redact
    from orgkg.loader import load_repository
    from orgkg.output import Progress, text_table

    try:
        check_url(url)
    except HttpError as error:
        raise click.UsageError(str(error)) from None
    shown = redact(url)
    # SIGTERM or SIGHUP fails the load as cleanly as Ctrl-C: temporary graphs dropped.
    with stopped_like_ctrl_c():
        report = load_repository(
            find_root(),
            url,
            dialect,
            append,
            timeout,
            chunk_size,
            prune,
            union_default_graph,
            dry_run,
            notice=lambda text: click.echo(f"orgkg load: {text}", err=True),
            progress=Progress("Uploading triples"),
            atomic=atomic,
            break_lock=break_lock,
            one_request=one_request,
            everything=everything,
        )
    verb = "added to" if append else "loaded into"
    if dry_run:
        click.echo(text_table(["graph", "triples", "requests"], [list(map(str, row)) for row in report.planned]))
        click.echo(
            f"{len(report.planned)} graphs, {report.triples} triples would be {verb} {shown} ({dialect}); "
            "nothing was sent",
            err=True,
        )
        return
    unchanged = set(report.unchanged)  # counted in the summary: a re-load lists what it sent
    mismatches = set(report.mismatches)  # worked out once: per row, 100,000 graphs took 6 minutes
    rows = [
        [iri, str(local), str(remote), "ok" if iri not in mismatches else "MISMATCH"]
        for iri, local, remote in report.counts
        if iri not in unchanged
    ]
    if rows:
        click.echo(text_table(["graph", "local", "store", "check"], rows))
    for graph in report.pruned:
        click.echo(f"orgkg load: dropped <{graph}> (no longer in the repository)", err=True)
    if mismatches:
        click.echo(
            f"orgkg load: the store's triple count differs from the local one for "
            f"{', '.join(f'<{iri}>' for iri in sorted(mismatches))}",
            err=True,
        )
        raise SystemExit(EXIT_DATA)
    kept = f", {len(unchanged)} unchanged (not sent)" if unchanged else ""
    click.echo(f"{len(rows)} graphs, {report.triples} triples {verb} {shown}{kept}", err=True)


@click.command("serve")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True, help="0: any free port.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but loopback offers the graph to the network.",
)
@click.option(
    "--timeout",
    type=Seconds(1),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="The server abandons a query that runs longer, even after its client has left.",
)
@click.option("--timeout-s", "timeout_s", type=Seconds(1), hidden=True)  # the old spelling, kept working
@click.option(
    "--allow-service",
    is_flag=True,
    help="Let queries use SERVICE: the server then fetches the URLs they name (off by default).",
)
@click.option(
    "--cors",
    "origins",
    multiple=True,
    metavar="ORIGIN|*",
    help="Let web pages from ORIGIN (scheme://host[:port]; repeat for more) or from anywhere (*) query it.",
)
def serve_command(
    port: int, host: str, timeout: float, timeout_s: float | None, allow_service: bool, origins: tuple[str, ...]
) -> None:
    """Serve the graph as a read-only SPARQL endpoint (the Oxigraph server) until Ctrl-C.

    Serves a snapshot of the embedded store, with the union of all graphs as the default
    graph (as local queries see it); restart it to pick up edits. Queries follow the local
    rules: no SERVICE unless --allow-service, FROM only the repository's graphs. Its query
    page (YASGUI, served offline) is at the root URL.

    \b
    Example:
      orgkg serve --port 7878
      orgkg query run change-events --endpoint http://127.0.0.1:7878/query
      orgkg serve --cors http://localhost:8080     # a query page on another origin may use it
    """
    from orgkg.serving import Server

    server = Server(find_root(), host, port, timeout=timeout_s or timeout, allow_service=allow_service, cors=origins)
    # A service manager's SIGTERM, or the terminal closing (SIGHUP), stops as cleanly as Ctrl-C.
    try:
        with stopped_like_ctrl_c():
            url = server.start()
            click.echo(f"SPARQL endpoint (read-only): {url}")
            click.echo(f"  orgkg query run change-events --endpoint {url}")
            click.echo(f"Query page: {url.removesuffix('query')}", err=True)
            click.echo("Press Ctrl-C to stop.", err=True)
            code = server.wait()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
        return
    finally:
        server.stop()
    raise OrgkgError(f"the Oxigraph server stopped unexpectedly (exit code {code})")
