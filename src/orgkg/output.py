"""What commands print: aligned text tables, colours and the progress line."""

from __future__ import annotations

import os
import sys

# shutil and textwrap are imported where used: every command imports this module for its
# progress line.


def terminal_width(default: int = 100) -> int:
    import shutil

    return shutil.get_terminal_size((default, 24)).columns


def text_table(
    headers: list[str] | None, rows: list[list[str]], width: int | None = None, records_if_cramped: bool = False
) -> str:
    """Rows aligned in columns, under `headers` and a rule (none when `headers` is None); the
    widest columns wrap so the table fits `width`. The one table printer of every command.

    With `records_if_cramped`, a table that fits only by squeezing two or more columns below a
    readable width (or not at all) is printed one record per row instead, like psql's expanded
    display: many columns in a narrow terminal stay readable."""
    width = width or terminal_width()
    cells = [[str(value) for value in row] for row in rows]
    columns = len(headers) if headers is not None else max((len(row) for row in cells), default=0)
    natural = [max([len(headers[i]) if headers else 0, *(len(row[i]) for row in cells)]) for i in range(columns)]
    sizes = list(natural)
    gap = 2
    while sum(sizes) + gap * (len(sizes) - 1) > width and max(sizes) > 12:
        widest = sizes.index(max(sizes))
        sizes[widest] -= 1
    if records_if_cramped and headers is not None and _cramped(natural, sizes, width, gap):
        return _records(headers, cells, width)
    lines = [_row_lines(headers, sizes, gap), ["  ".join("-" * s for s in sizes)]] if headers is not None else []
    lines += [_row_lines(row, sizes, gap) for row in cells]
    return "\n".join(line for block in lines for line in block)


#: Narrower than this, a wrapped column is hard to read (unless its values are all shorter).
_READABLE = 24


def _cramped(natural: list[int], sizes: list[int], width: int, gap: int) -> bool:
    squeezed = sum(size < min(wanted, _READABLE) for wanted, size in zip(natural, sizes))
    return squeezed >= 2 or sum(sizes) + gap * (len(sizes) - 1) > width


def _records(headers: list[str], rows: list[list[str]], width: int) -> str:
    """One block per row: a rule naming the row, then `name  value` lines, values wrapped."""
    import textwrap

    label = max(len(name) for name in headers)
    value_width = max(width - label - 2, 20)
    lines: list[str] = []
    for number, row in enumerate(rows, 1):
        title = f"-[ row {number} ]"
        lines.append(title + "-" * max(width - len(title), 0))
        for name, value in zip(headers, row):
            wrapped = textwrap.wrap(value, value_width) or [""]
            lines.append(f"{name.ljust(label)}  {wrapped[0]}".rstrip())
            lines.extend(" " * (label + 2) + more for more in wrapped[1:])
    return "\n".join(lines)


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
    progress display of every command: the library calls it with (done, total)."""

    def __init__(self, label: str, stream=None):
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        if self.enabled:
            self.stream.write(f"\r{self.label} {done}/{total}" + ("\n" if done == total else ""))
            self.stream.flush()
