"""Where a repository and its cache folder are, with nothing imported but os and CPython's own hashes.

The relay's client (orgkg.relay) looks for the watcher's socket with these before click or
pathlib is imported (pathlib alone costs ~10 ms, most of a relayed query); the library's
`find_root` and `cache_dir` are these same functions with Paths.
"""

from __future__ import annotations

import os

# CPython's own hash modules, for the small digests every command takes: hashlib loads OpenSSL
# (~2-3 ms) at its import. (A data file's digest, over many bytes, is OpenSSL's: repository.py.)
try:
    from _blake2 import blake2b as blake2b  # "as": kept for the modules that import it from here
    from _sha256 import sha256  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - another Python
    from hashlib import blake2b as blake2b
    from hashlib import sha256


def is_repository(folder: str) -> bool:
    """Whether `folder` holds ontology/ and graph/."""
    return os.path.isdir(os.path.join(folder, "ontology")) and os.path.isdir(os.path.join(folder, "graph"))


def repository_above(start: str) -> str | None:
    """The nearest folder at or above `start` (its real path) holding ontology/ and graph/, or None."""
    here = os.path.realpath(start)
    while not is_repository(here):
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent
    return here


def root_folder(start: str | None = None) -> str | None:
    """The repository a command works on: $ORGKG_ROOT (its real path) if that is a repository, else
    the nearest one at or above `start` (default the current folder); None when there is none."""
    if env := os.environ.get("ORGKG_ROOT"):
        root = os.path.realpath(env)
        return root if is_repository(root) else None
    return repository_above(start or os.getcwd())


def cache_folder(root: str) -> str:
    """The repository's own cache folder: <hash of its real path> under $ORGKG_CACHE, else under
    ~/.cache/orgkg; two checkouts sharing $ORGKG_CACHE never share a store."""
    base = os.environ.get("ORGKG_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "orgkg"
    )
    return os.path.join(base, sha256(os.fsencode(os.path.realpath(root))).hexdigest()[:16])
