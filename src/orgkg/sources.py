"""Where the article texts live, and what they are called.

An article's text is a UTF-8 file named by the article's `okg:sourceText`. The folders searched
for it are, in order: a folder given for one run (`--sources`, `$ORGKG_SOURCES`), then the
folders listed in `pyproject.toml` under `[tool.orgkg] sources` (relative to the repository;
default `sources`). `orgkg article new` copies a new text into the first listed folder as
`<slug>.txt`, the slug being the one the article's graph file and node are named by
(`graph/articles/<slug>.ttl`, `kg:article-<slug>`); older texts keep the names they came with
(the seeds' `NNN_<16 hex>.txt`).
"""

from __future__ import annotations

import functools
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from orgkg.errors import OrgkgError

#: The folders searched when pyproject.toml lists none.
DEFAULT_FOLDERS = ("sources",)
TEXT_SUFFIX = ".txt"


class SettingsError(OrgkgError):
    """pyproject.toml's [tool.orgkg] table cannot be read."""


def settings(root: Path) -> dict:
    """The `[tool.orgkg]` table of the repository's pyproject.toml ({} without one)."""
    path = root / "pyproject.toml"
    if not path.is_file():
        return {}
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {}).get("orgkg", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SettingsError(f"{path}: {error}; fix the TOML") from None
    if not isinstance(table, dict):
        raise SettingsError(f"{path}: [tool.orgkg] must be a table")
    return table


def configured_folders(root: Path) -> list[Path]:
    """The folders `[tool.orgkg] sources` lists (a string or a list of strings), under `root`."""
    listed = settings(root).get("sources", list(DEFAULT_FOLDERS))
    if isinstance(listed, str):
        listed = [listed]
    if not isinstance(listed, list) or not listed or not all(isinstance(item, str) for item in listed):
        raise SettingsError(f"{root / 'pyproject.toml'}: [tool.orgkg] sources must be a folder or a list of folders")
    return [(root / folder).resolve() for folder in listed]


def text_name(slug: str) -> str:
    """The file name a new article's text gets: the naming rule."""
    return slug + TEXT_SUFFIX


@dataclass(frozen=True)
class Sources:
    """The folders article texts are looked up in, first match wins."""

    folders: tuple[Path, ...]

    @classmethod
    def for_root(cls, root: Path, given: Path | None = None) -> Sources | None:
        """The given folder (which must exist) then the configured ones that exist; None when
        there is no folder at all, so that quote checks are skipped rather than failed."""
        if given is not None and not given.is_dir():
            raise FileNotFoundError(f"sources folder not found: {given}")
        folders = [given.resolve()] if given is not None else []
        folders += [folder for folder in configured_folders(root) if folder.is_dir() and folder not in folders]
        return cls(tuple(folders)) if folders else None

    @functools.cached_property
    def prefixes(self) -> tuple[str, ...]:
        """Each folder as a string ending in a separator: a name appended to it is a path without
        pathlib, whose objects (and `os.path.join` of them) took a third of the time of a stat
        of every article's text."""
        return tuple(os.path.join(folder, "") for folder in self.folders)

    def inside(self, name: str) -> bool:
        """Whether `name` stays inside the folders: an absolute path, `..` or a link out of them
        would let a quote check probe any file."""
        return (
            bool(name)
            and not Path(name).is_absolute()
            and all(
                (folder / name).resolve().is_relative_to(folder) and (folder / name).resolve() != folder
                for folder in self.folders
            )
        )

    def find(self, name: str) -> Path | None:
        """The text called `name` in the first folder that has it, or None (also for a name
        that leaves the folders)."""
        if not self.inside(name):
            return None
        return next((folder / name for folder in self.folders if (folder / name).is_file()), None)

    def read(self, name: str) -> tuple[str | None, str]:
        """The text called `name`, or None and why not (outside the folders, missing, unreadable,
        not UTF-8)."""
        if not self.inside(name):
            return None, f"must be a file inside the sources folder {self.describe()}"
        path = self.find(name)
        if path is None:
            return None, f"not found in {self.describe()}"
        try:
            return path.read_text(encoding="utf-8"), ""
        except UnicodeDecodeError as error:
            return None, f"is not UTF-8 (byte {error.start}); save it as UTF-8"
        except OSError as error:
            return None, f"cannot be read ({error.strerror})"

    def describe(self) -> str:
        return ", ".join(str(folder) for folder in self.folders)
