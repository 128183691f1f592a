"""`orgkg build`, `watch`, `export`, `diff` and `docs`: the store, its freshness, the export, changes and the site."""

from __future__ import annotations

from pathlib import Path

import click

from orgkg.choices import DIFF_FORMATS, EXPORT_FORMATS
from orgkg.cli import completion
from orgkg.cli.common import write_output, write_stream
from orgkg.errors import EXIT_DATA
from orgkg.namespaces import find_root


@click.command("build")
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


@click.command("watch")
@click.option(
    "--relay/--no-relay",
    default=True,
    show_default=True,
    help="Run `query`, `describe` and `lineage` commands in processes forked from this watcher.",
)
def watch_command(relay: bool) -> None:
    """Watch the data files and article texts, so that commands skip their check of every file.

    Until stopped (Ctrl-C), a query, export or build learns from this watcher that no file
    changed, or which did, instead of reading the stat of every data file (~40 ms at 10,000
    files); `validate --incremental` learns which articles and texts changed since its last
    run. Linux only (inotify). Changes it cannot see: writes through a memory map and, on a
    network file system, writes from another machine. The text folders watched are the ones
    `[tool.orgkg] sources` names when it starts.

    With --relay, `orgkg query`, `describe` and `lineage` run in a process forked from the
    watcher, with click, pyoxigraph and the library already imported (~50 ms less a command);
    their output, exit code and Ctrl-C are as without it. Only your own commands are relayed, and
    only while orgkg's code is the one the watcher started with.

    \b
    Example:
      orgkg watch &
    """
    from orgkg.relay import Relay
    from orgkg.repository import cache_dir
    from orgkg.sources import configured_folders
    from orgkg.watching import Watcher, serve

    def ready(socket: Path, relay_socket: Path | None) -> None:
        relaying = f", relaying queries on {relay_socket}" if relay_socket else ""
        click.echo(f"watching {root} (answering on {socket}{relaying}); Ctrl-C stops", err=True)

    root = find_root()
    cache = cache_dir(root)
    texts = [folder for folder in configured_folders(root) if folder.is_dir()]
    serve(Watcher(root, cache, texts), relay=(lambda: Relay(cache)) if relay else None, ready=ready)


@click.command("export")
@click.option("--format", "output_format", type=click.Choice(EXPORT_FORMATS), default="turtle", show_default=True)
@click.option(
    "--graph",
    metavar="GRAPH",
    shell_complete=completion.graph_names,
    help="Only one graph, by its IRI or short name: cao-bang-2025, articles/cao-bang-2025, central, ontology/orgkg.",
)
@click.option(
    "--inferred",
    is_flag=True,
    help="Add the RDFS entailments of the ontology (org:ChangeEvent, prov:wasDerivedFrom, ...).",
)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE atomically.")
def export_command(output_format: str, graph: str | None, inferred: bool, output: Path | None) -> None:
    """Export the graph; the output is byte-identical from run to run.

    turtle and nt merge the graphs; nq, trig and jsonld keep one named graph per file
    (entailments go to the graph .../graph/inferred).

    \b
    Example:
      orgkg export --format nq -o orgkg.nq
      orgkg export --graph nghe-an-2024 --inferred
      orgkg export --graph reference/central --format nt
    """
    from orgkg.exporting import write_export

    write_stream(lambda out: write_export(find_root(), output_format, out, graph, inferred), output)


@click.command("diff")
@click.argument("before", metavar="[REV_A]", default="HEAD")
@click.argument("after", metavar="[REV_B]", required=False)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(DIFF_FORMATS),
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
    write_output(render(result, output_format, colour=colour), output)
    if result.changed:
        raise SystemExit(EXIT_DATA)


@click.command("docs")
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
    help="A folder with article texts, searched before those pyproject.toml lists [env: ORGKG_SOURCES].",
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
    from orgkg.docs import build_site
    from orgkg.output import Progress

    report = build_site(find_root(), output, sources=sources, progress=Progress("Writing pages"))
    click.echo(f"{report.pages} pages written to {report.output}; validation: {report.validation}")
    if report.pictures_skipped:
        click.echo(
            f"lineage pictures skipped for {report.lineage_pages} organizations: Graphviz's dot is not "
            "installed (apt-get install graphviz)",
            err=True,
        )
