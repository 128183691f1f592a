"""The `orgkg` command line: each command module parses its options and calls the library.

Only what option definitions need is imported at start-up: each command imports the rest of the
library it uses, so `orgkg --help` or a query never pays for rdflib or pySHACL.
"""

from __future__ import annotations

import os
import sys

import click

from orgkg import __version__
from orgkg.cli import articles, checks, data, dev, docid, queries, stores
from orgkg.errors import EXIT_OK, EXIT_USAGE, OrgkgError


class _Group(click.Group):
    """Turns the library's errors into one-line messages with their exit codes, never tracebacks;
    an error about a setting gets the flag that sets it."""

    def invoke(self, ctx: click.Context):
        try:
            result = super().invoke(ctx)
            if sys.stdout is not None:
                sys.stdout.flush()  # a reader that left shows here, not at exit
            return result
        except BrokenPipeError:
            _quiet_stdout()
            raise SystemExit(EXIT_OK) from None
        except OrgkgError as error:
            flag = flag_for(self, error.option) if error.option else None
            click.echo(f"orgkg: {error}" + (f" (see {flag})" if flag else ""), err=True)
            raise SystemExit(error.exit_code) from None
        except OSError as error:  # the environment: a full disk, a read-only folder, a closed stream
            where = f": {error.filename}" if error.filename else ""
            click.echo(f"orgkg: {error.strerror or error}{where}", err=True)
            raise SystemExit(EXIT_USAGE) from None


def _use_root(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        os.environ["ORGKG_ROOT"] = value  # what the library's find_root reads


def _quiet_stdout() -> None:
    """The reader of standard output has gone (`orgkg ... | head`): that is success, as for any
    Unix filter, so standard output goes to /dev/null and nothing more is said. (Standard output
    closed before the start, `>&-`, is another case: an error, as nothing could be written.)"""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (an in-process runner)
        pass


def flag_for(command: click.Command, name: str) -> str | None:
    """The long flag of the option whose parameter is `name`, in `command` or its subcommands
    (options for the same setting are spelt the same in every command)."""
    for param in command.params:
        if isinstance(param, click.Option) and param.name == name:
            return max(param.opts, key=len)
    for subcommand in getattr(command, "commands", {}).values():
        if found := flag_for(subcommand, name):
            return found
    return None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="orgkg")
@click.option(
    "--root",
    metavar="DIR",
    expose_value=False,
    is_eager=True,
    callback=_use_root,
    help="The repository to work on (default: the current folder or the nearest above it holding "
    "ontology/ and graph/; or $ORGKG_ROOT).",
)
def main() -> None:
    """orgkg: validate, query and export the knowledge graph of Vietnam's Party organizations.

    \b
    Example:
      orgkg validate --sources ../shared/seeds
    """


for command in (
    docid.docid_command,
    checks.validate_command,
    checks.fmt_command,
    articles.article_group,
    articles.quote_command,
    articles.names_command,
    articles.coverage_command,
    queries.query_group,
    queries.describe_command,
    queries.sparql_command,
    queries.lineage_command,
    data.build_command,
    data.export_command,
    data.diff_command,
    data.docs_command,
    stores.load_command,
    stores.serve_command,
    dev.dev_group,
):
    main.add_command(command)

__all__ = ["main"]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
