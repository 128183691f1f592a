"""Output helpers shared by commands: aligned text tables and atomic file writes."""

from __future__ import annotations

import os
import shutil
import tempfile
import textwrap
from pathlib import Path


def terminal_width(default: int = 100) -> int:
    return shutil.get_terminal_size((default, 24)).columns


def text_table(headers: list[str], rows: list[list[str]], width: int | None = None) -> str:
    """Rows aligned in columns; the widest columns wrap so the table fits `width`."""
    width = width or terminal_width()
    cells = [[str(value) for value in row] for row in rows]
    natural = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(headers)]
    sizes = list(natural)
    gap = 2
    while sum(sizes) + gap * (len(sizes) - 1) > width and max(sizes) > 12:
        widest = sizes.index(max(sizes))
        sizes[widest] -= 1
    lines = [_row_lines(headers, sizes, gap), ["  ".join("-" * s for s in sizes)]]
    lines += [_row_lines(row, sizes, gap) for row in cells]
    return "\n".join(line for block in lines for line in block)


def _row_lines(row: list[str], sizes: list[int], gap: int) -> list[str]:
    wrapped = [textwrap.wrap(value, size) or [""] for value, size in zip(row, sizes)]
    height = max(len(column) for column in wrapped)
    return [
        (" " * gap).join(
            (column[i] if i < len(column) else "").ljust(size) for column, size in zip(wrapped, sizes)
        ).rstrip()
        for i in range(height)
    ]


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    descriptor, temporary = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(payload)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
