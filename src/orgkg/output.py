"""Output helpers shared by commands: aligned text tables and atomic file writes."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from orgkg.errors import OrgkgError

# shutil, tempfile, textwrap and glob are imported where used: every command imports this
# module for its progress line, and they cost 5 ms of a 40 ms start-up.


def terminal_width(default: int = 100) -> int:
    import shutil

    return shutil.get_terminal_size((default, 24)).columns


def text_table(headers: list[str] | None, rows: list[list[str]], width: int | None = None) -> str:
    """Rows aligned in columns, under `headers` and a rule (none when `headers` is None); the
    widest columns wrap so the table fits `width`. The one table printer of every command."""
    width = width or terminal_width()
    cells = [[str(value) for value in row] for row in rows]
    columns = len(headers) if headers is not None else max((len(row) for row in cells), default=0)
    natural = [max([len(headers[i]) if headers else 0, *(len(row[i]) for row in cells)]) for i in range(columns)]
    sizes = list(natural)
    gap = 2
    while sum(sizes) + gap * (len(sizes) - 1) > width and max(sizes) > 12:
        widest = sizes.index(max(sizes))
        sizes[widest] -= 1
    lines = [_row_lines(headers, sizes, gap), ["  ".join("-" * s for s in sizes)]] if headers is not None else []
    lines += [_row_lines(row, sizes, gap) for row in cells]
    return "\n".join(line for block in lines for line in block)


def _row_lines(row: list[str], sizes: list[int], gap: int) -> list[str]:
    import textwrap

    wrapped = [textwrap.wrap(value, max(size, 1)) or [""] for value, size in zip(row, sizes)]
    height = max(len(column) for column in wrapped)
    return [
        (" " * gap)
        .join((column[i] if i < len(column) else "").ljust(size) for column, size in zip(wrapped, sizes))
        .rstrip()
        for i in range(height)
    ]


class OutputError(OrgkgError):
    """An output path that cannot be written (missing folder, a folder, no permission)."""


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write `data` to `path` so that readers never see half a file.

    A regular file (or a new one) is written to a temporary file beside it and renamed over it,
    keeping its mode (a new file gets the umask's mode). Anything else at the path -- a FIFO, a
    device such as /dev/stdout, a socket -- is written directly: renaming over it would replace
    the device. A symlink is followed, so the file it points to is replaced and the link kept.
    Temporary files left by killed runs are removed first.
    """
    import tempfile

    payload = data.encode("utf-8") if isinstance(data, str) else data
    if str(path) == "":
        raise OutputError("the output file name is empty; give -o a file name")
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
        raise OutputError(f"{path} is a folder; give -o a file name")
    if status is not None and not stat.S_ISREG(status.st_mode):
        _write_directly(path, payload)
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
            handle.write(payload)
            os.fchmod(handle.fileno(), mode)
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise _output_error(target, error) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _write_directly(path: Path, payload: bytes) -> None:
    """A FIFO or device: opened for writing as it is, never created, truncated or replaced."""
    try:
        with open(path, "ab") as handle:
            handle.write(payload)
    except OSError as error:
        raise _output_error(path, error) from None


def _output_error(path: Path, error: OSError) -> OutputError:
    folder = path.parent
    if isinstance(error, FileNotFoundError):
        return OutputError(f"cannot write {path}: the folder {folder} does not exist; create it first")
    if isinstance(error, NotADirectoryError):
        return OutputError(f"cannot write {path}: a part of {folder} is a file, not a folder")
    if isinstance(error, PermissionError):
        return OutputError(f"cannot write {path}: permission denied; choose a folder you can write to")
    return OutputError(f"cannot write {path}: {error.strerror or error}")


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


_COLOURS = {"red": 31, "yellow": 33, "green": 32, "dim": 2}


def colour_wanted(stream=None) -> bool:
    """Colours only on a terminal that shows them: never when NO_COLOR is set (https://no-color.org)
    or TERM is dumb (Emacs shells, some CI logs)."""
    stream = stream or sys.stdout
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def paint(text: str, colour: str, enabled: bool) -> str:
    return f"\033[{_COLOURS[colour]}m{text}\033[0m" if enabled else text


class Progress:
    """A one-line `label done/total` counter on a terminal's stderr; silent in a pipe. The one
    progress display of every command: call it with (done, total), or `advance` it by steps
    towards the `total` given at the start."""

    def __init__(self, label: str, stream=None, total: int = 0):
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.done, self.total = 0, total

    def advance(self, steps: int) -> None:
        self.done += steps
        self(self.done, self.total)

    def __call__(self, done: int, total: int) -> None:
        if self.enabled:
            self.stream.write(f"\r{self.label} {done}/{total}" + ("\n" if done == total else ""))
            self.stream.flush()
