"""The library's errors: one base that carries its exit code, so the command line maps them once.

Messages say what went wrong and what to do in the library's terms (a file, a parameter name,
a setting); they never name a command-line flag. An error about a setting names it as `option`
(the Python parameter's name, such as "timeout"), which the CLI turns into its flag.
"""

from __future__ import annotations

#: Exit codes shared by every command.
EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


class OrgkgError(Exception):
    """A problem the user can fix that is not in the data itself: usage, environment, a server."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, option: str | None = None):
        super().__init__(message)
        self.option = option


class DataError(OrgkgError):
    """The data is malformed or does not conform."""

    exit_code = EXIT_DATA
