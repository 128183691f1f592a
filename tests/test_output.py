"""Atomic writes (output.write_atomic): regular files are replaced whole with the umask's mode,
anything else at the path (FIFO, symlink) is written through, never replaced, and leftovers of
killed runs are removed. Special files are made in a temporary folder, never under /dev."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading

import pytest

from orgkg.output import OutputError, current_umask, write_atomic


def test_a_new_file_gets_the_umask_mode_not_0600(tmp_path):
    target = tmp_path / "out.txt"
    write_atomic(target, "hello\n")
    assert target.read_text() == "hello\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~current_umask()


def test_a_replaced_file_keeps_its_mode(tmp_path):
    target = tmp_path / "graph.ttl"
    target.write_text("old")
    target.chmod(0o664)
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o664


def test_a_fifo_is_written_through_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_atomic(fifo, "through the pipe\n")
    reader.join(10)
    assert received == [b"through the pipe\n"]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]


def test_a_symlink_is_followed_and_kept(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_leftovers_of_killed_runs_are_removed_and_live_ones_kept(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".out.txt.{dead.stdout.strip()}.abc123.tmp"
    live = tmp_path / f".out.txt.{os.getpid()}.def456.tmp"
    stale.write_text("half")
    live.write_text("being written")
    write_atomic(tmp_path / "out.txt", "whole")
    assert not stale.exists() and live.exists()


@pytest.mark.parametrize(
    "name, message",
    [
        ("", "the output file name is empty"),
        ("missing/x.txt", "does not exist; create it first"),
        ("file/x.txt", "is a file, not a folder"),
        (".", "is a folder"),
    ],
)
def test_unwritable_paths_are_one_line_errors(tmp_path, name, message):
    (tmp_path / "file").write_text("a file")
    with pytest.raises(OutputError, match=message):
        write_atomic(tmp_path / name if name else "", "x")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_refused(tmp_path):
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="permission denied"):
            write_atomic(tmp_path / "x.txt", "x")
    finally:
        tmp_path.chmod(0o755)


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
