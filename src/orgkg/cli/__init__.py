"""The `orgkg` command line: each command module parses its options and calls the library.

Only what option definitions need is imported at start-up: each command imports the rest of the
library it uses, so `orgkg --help` or a query never pays for rdflib or pySHACL.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys

import click

from orgkg import __version__
from orgkg.console import quiet_stdout
from orgkg.errors import EXIT_OK, EXIT_USAGE, OrgkgError

#: Each command: its module under orgkg.cli and the name of its click command there. A module is
#: imported when its command runs (or help lists them all), so start-up pays for one.
_COMMANDS = {
    "docid": ("docid", "docid_command"),
    "validate": ("checks", "validate_command"),
    "fmt": ("checks", "fmt_command"),
    "article": ("articles", "article_group"),
    "quote": ("articles", "quote_command"),
    "names": ("articles", "names_command"),
    "coverage": ("articles", "coverage_command"),
    "query": ("queries", "query_group"),
    "describe": ("queries", "describe_command"),
    "sparql": ("queries", "sparql_command"),
    "lineage": ("queries", "lineage_command"),
    "build": ("data", "build_command"),
    "export": ("data", "export_command"),
    "diff": ("data", "diff_command"),
    "docs": ("data", "docs_command"),
    "watch": ("data", "watch_command"),
    "load": ("stores", "load_command"),
    "serve": ("stores", "serve_command"),
    "dev": ("dev", "dev_group"),
}


class _Group(click.Group):
    """Turns the library's errors into one-line messages with their exit codes, never tracebacks;
    an error about a setting gets the flag that sets it. Commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _COMMANDS and cmd_name not in self.commands:
            module, attribute = _COMMANDS[cmd_name]
            self.add_command(getattr(importlib.import_module(f"orgkg.cli.{module}"), attribute))
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context):
        try:
            result = super().invoke(ctx)
            if sys.stdout is not None:
                sys.stdout.flush()  # a reader that left shows here, not at exit
            return result
        except BrokenPipeError:
            quiet_stdout()
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


def flag_for(command: click.Command, name: str) -> str | None:
    """The long flag of the option whose parameter is `name`, in `command` or its subcommands
    (options for the same setting are spelt the same in every command)."""
    for param in command.params:
        if isinstance(param, click.Option) and param.name == name:
            return max(param.opts, key=len)
    if isinstance(command, click.Group):
        with click.Context(command) as ctx:
            for subcommand in filter(
                None, map(functools.partial(command.get_command, ctx), command.list_commands(ctx))
            ):
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


__all__ = ["main"]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
