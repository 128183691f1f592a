"""The `orgkg` program's entry point: the click command line of orgkg.cli, except that
`orgkg --version` alone is answered before click is imported, which would be most of its time."""

import os
import sys


def main() -> None:
    if sys.argv[1:] == ["--version"] and sys.stdout is not None:
        from orgkg import __version__

        try:
            sys.stdout.write(f"orgkg, version {__version__}\n")  # what click's version option writes
            sys.stdout.flush()
        except BrokenPipeError:
            quiet_stdout()
        raise SystemExit(0)
    from orgkg.cli import main as command_line

    command_line()


def quiet_stdout() -> None:
    """The reader of standard output has gone (`orgkg ... | head`): that is success, as for any
    Unix filter, so standard output goes to /dev/null and nothing more is said. (Standard output
    closed before the start, `>&-`, is another case: an error, as nothing could be written.)"""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (an in-process runner)
        pass
