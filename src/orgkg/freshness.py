"""The stamp that lets a command trust the embedded store without reading the data files: the
state of the files the store last matched, the `orgkg watch` token then, and the store's
identity (its folder and the build that last wrote it). A small file beside the index, so a
query on an unchanged repository opens no database (importing sqlite3 and opening the index
were a tenth of its start-up)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from orgkg.atomic import write_best_effort

if TYPE_CHECKING:
    from orgkg.repository import Scan

#: The file in the cache folder naming the state of the files the store last matched.
STAMP_FILE = "fresh"


class Stamp(NamedTuple):
    state: str  # Scan.state of the files, or "-" when they were read through the watcher's journal
    token: str  # the watcher's token before they were read, or "-" (no watcher, or a linked file)
    identity: str  # the store that matched them

    @classmethod
    def read(cls, cache: Path) -> Stamp | None:
        try:
            fields = (cache / STAMP_FILE).read_text(encoding="utf-8").split(" ")
        except OSError:
            return None
        return cls(*fields) if len(fields) == 3 else None

    def write(self, cache: Path) -> None:
        write_best_effort(cache / STAMP_FILE, " ".join(self))

    @staticmethod
    def forget(cache: Path) -> None:
        (cache / STAMP_FILE).unlink(missing_ok=True)


def fresh(cache: Path, scan: Scan, identity: str | None, stamp: Stamp | None) -> bool:
    """Whether the store `identity` holds the files as `scan` found them, known from the stamp.
    The same token, or a watcher that names no data file changed since it, means no file
    changed, and the files are not walked at all; else the files' state is compared. A stamp
    that could say more (a watcher started since) is written again."""
    if stamp is None or stamp.identity != identity:
        return False
    if scan.token is not None and stamp.token == scan.token:
        return True
    if scan.changed is not None:  # the watcher named the data files changed since the token
        if not scan.changed and scan.token is not None:
            stamp._replace(token=scan.token).write(cache)
        return not scan.changed
    if scan.state is None or stamp.state != scan.state:
        return False
    if scan.token is not None:
        stamp_matching(cache, scan, identity)  # a watcher started since: the next command need not walk
    return True


def stamp_matching(cache: Path, scan: Scan, identity: str | None) -> None:
    """Write down that the store `identity` (the one the caller found matching, or wrote) matches
    `scan` (unless a file in it is racily clean), with the watcher's token unless a data file is
    a link (whose target it may not watch). Files read through the watcher's journal have no
    state: only their token stands for them. A builder that wrote since the caller looked has
    marked the store anew, and the stamp does not name it."""
    state = "-" if scan.named is not None and not scan.walked else scan.state
    if state is not None and identity is not None:
        Stamp(state, scan.token if scan.token is not None and not scan.linked else "-", identity).write(cache)
