"""Filesystem atomicity (orgkg.atomic): regular files are replaced whole with the umask's mode,
anything else at the path (FIFO, symlink) is written through, never replaced; staged folders
replace theirs whole; leftovers of killed runs are removed; file locks. Special files are made
in a temporary folder, never under /dev."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading

import pytest

from orgkg.atomic import OutputError, current_umask, file_lock, staged_folder, write_atomic, write_best_effort
from orgkg.errors import OrgkgError


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


def test_a_cache_file_is_written_with_its_folder_or_skipped_without_an_error(tmp_path):
    assert write_best_effort(tmp_path / "cache" / "headers" / "a.json", "{}")
    assert (tmp_path / "cache" / "headers" / "a.json").read_text() == "{}"
    (tmp_path / "file").write_text("not a folder")
    assert not write_best_effort(tmp_path / "file" / "a.json", "{}")
    (tmp_path / "folder.json").mkdir()
    assert not write_best_effort(tmp_path / "folder.json", "{}")


def test_a_staged_folder_replaces_the_old_one_only_when_complete(tmp_path):
    output = tmp_path / "site"
    with staged_folder(output) as staging:
        (staging / "a.txt").write_text("first")
    with pytest.raises(RuntimeError), staged_folder(output) as staging:
        (staging / "a.txt").write_text("half")
        raise RuntimeError("the build failed")
    assert (output / "a.txt").read_text() == "first"
    with staged_folder(output) as staging:
        (staging / "b.txt").write_text("second")
    assert [p.name for p in output.iterdir()] == ["b.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_a_staged_folder_removes_what_killed_runs_left(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    for suffix in (".tmp", ".old"):
        (tmp_path / f".site.{dead.stdout.strip()}.abc{suffix}").mkdir()
    live = tmp_path / f".site.{os.getpid()}.def.tmp"
    live.mkdir()
    with staged_folder(tmp_path / "site"):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == [live.name, "site"]


def test_a_held_lock_raises_the_busy_error_after_its_wait(tmp_path):
    lock = tmp_path / "lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import fcntl, sys; f = open({str(lock)!r}, 'a'); fcntl.flock(f, fcntl.LOCK_EX); "
            "print('held', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "held\n"
        with pytest.raises(OrgkgError, match="busy"), file_lock(lock, OrgkgError("busy"), shared=True):
            pass
    finally:
        holder.communicate("")
    with file_lock(lock, OrgkgError("busy")), file_lock(tmp_path / "other", OrgkgError("busy")):
        pass  # free again once its holder is gone


def test_a_staged_folder_behind_a_symlink_keeps_the_link_and_the_mode(tmp_path):
    """Issue 22 item 16: `docs -o LINK` replaced the link with a folder and left `.old` behind;
    a rebuild reset the site folder's mode."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "old.html").write_text("old")
    site.chmod(0o750)
    link = tmp_path / "link"
    link.symlink_to(site)
    with staged_folder(link) as staging:
        (staging / "new.html").write_text("new")
    assert link.is_symlink() and link.resolve() == site
    assert sorted(p.name for p in site.iterdir()) == ["new.html"]
    assert stat.S_IMODE(site.stat().st_mode) == 0o750
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "site"]
