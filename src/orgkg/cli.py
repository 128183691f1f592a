"""The `orgkg` command line: each command parses its options and calls the library."""

from __future__ import annotations

import sys

import click

from orgkg import __version__

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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
