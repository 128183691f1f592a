"""What the file system refuses: unreadable files and folders, read-only output folders, a write
that fails half-way (a full disk). Each is one line naming the path, exit 2, nothing lost.

The suite often runs as root, for whom file modes stop nothing. The command then runs in a child
process without the two capabilities that let root pass over modes (CAP_DAC_OVERRIDE and
CAP_DAC_READ_SEARCH, dropped from its bounding set before exec), so it meets the modes as any
user would. A failed write is made by a file-size limit (RLIMIT_FSIZE): the write fails part way
with EFBIG exactly where a full disk fails it with ENOSPC, with no small disk to mount.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


def _as_a_user() -> None:
    """In the child, before exec: keep root from reading or writing past file modes."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _with_file_size_limit(limit: int):
    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG), no signal
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limited


def orgkg(repo: Path, cache: Path, *args: str, preexec=_as_a_user) -> subprocess.CompletedProcess:
    env = {**os.environ, "ORGKG_ROOT": str(repo), "ORGKG_CACHE": str(cache), "ORGKG_SOURCES": "", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "orgkg.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        preexec_fn=preexec,
        timeout=300,
    )


def one_line_error(run: subprocess.CompletedProcess, *words: str) -> None:
    assert run.returncode == 2, (run.returncode, run.stderr[-2000:])
    assert "Traceback" not in run.stderr, run.stderr[-2000:]
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("orgkg: "), run.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])


@pytest.fixture
def cache(tmp_path) -> Path:
    return tmp_path / "cache"


def test_the_child_really_meets_file_modes(tmp_path):
    """The premise of this module: without the test's help, root would read a mode-0 file."""
    secret = tmp_path / "secret.txt"
    secret.write_text("x")
    secret.chmod(0)
    read = [sys.executable, "-c", f"open({str(secret)!r}).read()"]
    assert subprocess.run(read, preexec_fn=_as_a_user, capture_output=True).returncode == 1


@pytest.mark.parametrize("command", [("build",), ("validate",), ("query", "run", "mergers"), ("export",)])
def test_an_unreadable_data_file_is_one_line_naming_it(repo, cache, command):
    article = sorted((repo / "graph" / "articles").glob("*.ttl"))[0]
    article.chmod(0)
    run = orgkg(repo, cache, *command)
    assert run.stdout == ""
    one_line_error(run, article.name)


def test_an_unreadable_data_folder_is_one_line_naming_it(repo, cache):
    folder = repo / "graph" / "reference"
    folder.chmod(0)
    try:
        one_line_error(orgkg(repo, cache, "build"), "reference")
    finally:
        folder.chmod(0o755)  # so pytest can remove it


def test_export_into_a_read_only_folder_is_refused_and_writes_nothing(repo, cache, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        one_line_error(orgkg(repo, cache, "export", "-o", str(out / "kg.ttl")), "out")
        assert list(out.iterdir()) == []
    finally:
        out.chmod(0o755)


def test_a_write_that_fails_half_way_keeps_the_previous_export_and_leaves_nothing_behind(repo, cache, tmp_path):
    target = tmp_path / "out" / "kg.nq"
    target.parent.mkdir()
    assert orgkg(repo, cache, "export", "--format", "nq", "-o", str(target)).returncode == 0
    before = target.read_bytes()
    assert len(before) > 4096
    run = orgkg(repo, cache, "export", "--format", "nq", "-o", str(target), preexec=_with_file_size_limit(4096))
    one_line_error(run)
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir()) == ["kg.nq"]


def test_docs_into_a_folder_it_cannot_finish_keeps_the_previous_site(repo, cache, tmp_path):
    site = tmp_path / "site"
    assert orgkg(repo, cache, "docs", "-o", str(site)).returncode == 0
    before = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    run = orgkg(repo, cache, "docs", "-o", str(site), preexec=_with_file_size_limit(8192))
    one_line_error(run)
    assert {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "repo", "site"]
