"""The library's errors: one base that carries its exit code, so the command line maps them once.

Messages say what went wrong and what to do in the library's terms (a file, a parameter name,
a setting); they never name a command-line flag, which the CLI adds where it knows one.
"""

from __future__ import annotations

#: Exit codes shared by every command.
EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


class OrgkgError(Exception):
    """A problem the user can fix that is not in the data itself: usage, environment, a server."""

    exit_code = EXIT_USAGE


class DataError(OrgkgError):
    """The data is malformed or does not conform."""

    exit_code = EXIT_DATA
