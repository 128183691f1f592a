"""Filesystem atomicity, once: whole files replaced at once, folders built aside and swapped in,
the leftovers of killed runs, and file locks that die with their process.

Every temporary thing is named `.NAME.PID.RANDOM.SUFFIX` beside what it replaces, so the next
run can tell a killed writer's leftovers (its process is gone) from a live writer's.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from orgkg.errors import OrgkgError

# shutil, tempfile, glob and fcntl are imported where used: every command writes its output
# through this module, and they cost milliseconds of start-up.


class OutputError(OrgkgError):
    """An output path that cannot be written (missing folder, a folder, no permission)."""


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write `data` to `path` so that readers never see half a file (see `atomic_file`)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_file(path) as handle:
        handle.write(payload)


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A binary handle whose content replaces `path` only when the `with` block completes.

    A regular file (or a new one) is written to a temporary file beside it and renamed over it,
    keeping its mode (a new file gets the umask's mode); an error in the block leaves `path` as
    it was. Anything else at the path -- a FIFO, a device such as /dev/stdout, a socket -- is
    written directly: renaming over it would replace the device. A symlink is followed, so the
    file it points to is replaced and the link kept. Temporary files left by killed runs are
    removed first.
    """
    import tempfile

    if str(path) == "":
        raise OutputError("the output file name is empty; give a file name", option="output")
    path = target = Path(path)
    try:
        if path.is_symlink():
            target = Path(os.path.realpath(path))
        status = target.stat()
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise _output_error(target, error) from None
    if status is not None and stat.S_ISDIR(status.st_mode):
        raise OutputError(f"{path} is a folder; give a file name", option="output")
    if status is not None and not stat.S_ISREG(status.st_mode):
        # A FIFO or device: opened for writing as it is, never created, truncated or replaced.
        try:
            handle = open(path, "ab")
        except OSError as error:
            raise _output_error(path, error) from None
        with handle:
            yield handle
        return
    folder = target.parent
    remove_leftovers(folder, target.name)
    mode = stat.S_IMODE(status.st_mode) if status else 0o666 & ~current_umask()
    try:
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp")
    except OSError as error:
        raise _output_error(target, error) from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            yield handle
            os.fchmod(handle.fileno(), mode)
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise _output_error(target, error) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_best_effort(path: Path, data: str | bytes) -> bool:
    """Write a cache file atomically, creating its folder; False, and nothing raised, when it cannot
    be written (no cache folder, a read-only disk): a cache is an optimisation, never a failure."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)
    except (OSError, OutputError):
        return False
    return True


def _output_error(path: Path, error: OSError) -> OutputError:
    folder = path.parent
    if isinstance(error, FileNotFoundError):
        return OutputError(f"cannot write {path}: the folder {folder} does not exist; create it first")
    if isinstance(error, NotADirectoryError):
        return OutputError(f"cannot write {path}: a part of {folder} is a file, not a folder")
    if isinstance(error, PermissionError):
        return OutputError(f"cannot write {path}: permission denied; choose a folder you can write to")
    return OutputError(f"cannot write {path}: {error.strerror or error}")


def temporary_folder(folder: Path, name: str, suffix: str = ".tmp") -> Path:
    """A new private folder `.NAME.PID.RANDOM.SUFFIX` in `folder`, after removing those that
    killed runs left there."""
    import tempfile

    remove_leftovers(folder, name, (".tmp", ".old"))
    return Path(tempfile.mkdtemp(prefix=f".{name}.{os.getpid()}.", suffix=suffix, dir=folder))


@contextmanager
def staged_folder(output: Path, mode: int = 0o755) -> Iterator[Path]:
    """A folder to build into beside `output`: when the block ends normally it replaces `output`
    whole (readers see the old folder or the new one, never a mix); when it fails it is removed
    and `output` is as it was. A symlinked `output` stays a link to the new folder; an existing
    folder's mode is kept."""
    import shutil

    if output.is_symlink():  # the folder it names is replaced; the link stays a link
        output = output.resolve()
    if output.is_dir():  # a rebuilt folder keeps the mode its owner gave it
        mode = stat.S_IMODE(output.stat().st_mode)
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = temporary_folder(output.parent, output.name)
    try:
        yield staging
        staging.chmod(mode)  # mkdtemp makes it private
        swap_folder(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def swap_folder(staging: Path, output: Path) -> None:
    """Put `staging` in place of `output`; an old `output` is moved aside first and removed last."""
    import shutil

    if not output.exists():
        os.replace(staging, output)
        return
    old = temporary_folder(output.parent, output.name, ".old")
    old.rmdir()
    os.replace(output, old)
    try:
        os.replace(staging, output)
    except BaseException:
        os.replace(old, output)
        raise
    shutil.rmtree(old, ignore_errors=True)


def remove_leftovers(folder: Path, name: str, suffixes: tuple[str, ...] = (".tmp",)) -> None:
    """Temporary files or folders `.NAME.PID.*SUFFIX` whose writer process is gone (a killed
    run) are removed; those of a live writer are left alone."""
    import glob
    import shutil

    try:
        leftovers = [p for suffix in suffixes for p in folder.glob(f".{glob.escape(name)}.*{suffix}")]
    except OSError:
        return
    for leftover in leftovers:
        owner = leftover.name[len(name) + 2 :].split(".", 1)[0]
        if owner.isdigit() and not process_alive(int(owner)):
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def current_umask() -> int:
    """The process's umask (read by setting and restoring it: there is no getter)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def file_lock(path: Path, busy: OrgkgError, shared: bool = False, wait: float = 0.0) -> Iterator[None]:
    """Hold an flock on `path` (created if missing) for the block: shared among readers or
    exclusive. The lock dies with its process, kill -9 included. Raises `busy` when another
    process still holds it after `wait` seconds; OSError when the file cannot be opened."""
    import fcntl

    with open(path, "a+b") as handle:
        deadline = time.monotonic() + wait
        mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        while True:
            try:
                fcntl.flock(handle, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise busy from None
                time.sleep(0.05)
        yield
