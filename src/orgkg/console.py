"""The `orgkg` program's entry point: the click command line of orgkg.cli, except that
`orgkg --version` alone is answered before click is imported, which would be most of its time;
that a query is relayed to `orgkg watch` when one runs (orgkg.relay), for the same reason; and
that a bug (an exception no command turned into a message) exits 2, a runtime error, not 1,
which says the data has a problem.

The garbage collector is paced for a short-lived process: start-up (click, pyoxigraph, the
library) allocates tens of thousands of objects that live until the exit, which collections every
700 allocations (the default) would traverse again and again, and Python's last collection at the
exit would traverse once more; together a sixth of a small query's time. Cycles are still
collected, every 100,000 allocations."""

import gc
import os
import sys

from orgkg.relay import forward


def main() -> None:
    gc.set_threshold(100_000)
    if (code := forward(sys.argv)) is not None:  # run by orgkg watch's fork, imports done
        raise SystemExit(code)
    run()


def run() -> None:
    """Run the command line in sys.argv in this process."""
    try:
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
    except Exception:  # a bug, not bad input: its traceback to report, and a runtime error's code
        import traceback

        traceback.print_exc()
        sys.stderr.write("orgkg: an internal error (above); please report it with the command that caused it\n")
        raise SystemExit(2) from None
    finally:
        gc.freeze()  # what is alive at the exit is left to the exit


def imports_done() -> None:
    """A command's modules, imported, live until the exit: frozen, the collections its work
    triggers do not traverse them (at 10,000 articles the one collection of a re-validation went
    through 90,000 objects, half of them the modules', ~25 ms)."""
    gc.freeze()


def quiet_stdout() -> None:
    """The reader of standard output has gone (`orgkg ... | head`): that is success, as for any
    Unix filter, so standard output goes to /dev/null and nothing more is said. (Standard output
    closed before the start, `>&-`, is another case: an error, as nothing could be written.)"""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (an in-process runner)
        pass
