"""What orgkg does to a terminal and a pipe: colour only where it shows, and a reader that
leaves early is no failure."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def test_colour_only_on_a_terminal_that_shows_it(tmp_path, monkeypatch):
    """A real terminal (a pseudo-terminal) gets colour, unless TERM is dumb or NO_COLOR is set."""
    import pty

    from orgkg.output import colour_wanted

    leader, follower = pty.openpty()
    with os.fdopen(follower, "w") as terminal:
        monkeypatch.delenv("NO_COLOR", raising=False)
        monkeypatch.setenv("TERM", "xterm-256color")
        assert colour_wanted(terminal)
        monkeypatch.setenv("TERM", "dumb")
        assert not colour_wanted(terminal)
        monkeypatch.setenv("TERM", "xterm-256color")
        monkeypatch.setenv("NO_COLOR", "1")
        assert not colour_wanted(terminal)
    os.close(leader)
    with (tmp_path / "file").open("w") as plain_file:
        monkeypatch.delenv("NO_COLOR")
        assert not colour_wanted(plain_file)


@pytest.mark.parametrize("args", [["export", "--format", "nt"], ["query", "run", "search-label", "--format", "csv"]])
def test_a_reader_that_closes_the_pipe_early_ends_the_command_quietly_with_status_0(root, tmp_path, args):
    """`orgkg ... | head -1`: the reader leaving is success, as for any Unix filter."""
    env = {**os.environ, "ORGKG_ROOT": str(root), "ORGKG_CACHE": str(tmp_path / "cache")}
    subprocess.run([sys.executable, "-m", "orgkg.cli", "build"], env=env, capture_output=True, check=True)
    reader, writer = os.pipe()
    os.close(reader)  # the reader has gone before the first byte
    run = subprocess.run([sys.executable, "-m", "orgkg.cli", *args], env=env, stdout=writer, stderr=subprocess.PIPE)
    os.close(writer)
    assert (run.returncode, run.stderr) == (0, b"")
