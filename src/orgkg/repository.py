"""The repository's data: which files make up the graph, how their graphs are named, and which
of them changed.

This module is the only place that lists data files and decides what changed. A stat index in
the cache (like git's index, in orgkg.cache_db) maps each file's (size, mtime_ns, inode,
ctime_ns) to the sha256 of its bytes, so finding out what changed costs one `stat` per file: a
file is read and hashed only when its stat changed. ctime is kept because mtime can be set back
(`touch -d`) and ctime cannot. A scan's `state` digests every name and stat: a caller that
stamped the state it last saw knows nothing changed without reading the index. A file written in
place changes its own stat, never its folder's, so the folders' stats cannot stand for their
files': without `orgkg watch` (orgkg.watching), whose token stands for them all and whose journal
names the files changed since a token, the stat per file stays. The embedded store, export, load,
docs and incremental validation all ask it.
"""

from __future__ import annotations

import functools
import os
import re
import stat
import time
from array import array
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from orgkg import places
from orgkg.errors import OrgkgError
from orgkg.namespaces import DATA_DIRS, GRAPH_BASE, ONTOLOGY_FILE

if TYPE_CHECKING:
    from orgkg.cache_db import CacheIndex

_ONTOLOGY_NAME = ONTOLOGY_FILE.as_posix()
#: A file modified this recently may change again within the clock's granularity without its
#: stat changing (git's "racily clean" entries): its digest is not trusted from the index.
_RACY_NS = 2_000_000_000
#: What a data file's name may hold: its graph IRI is made from it, so no spaces, no characters
#: IRIs forbid, `%` only before two hex digits, and valid UTF-8 (no undecodable bytes).
_IRI_SAFE_NAME = re.compile(r"(?:[^\x00-\x20<>\"{}|^`\\%\ud800-\udfff\x7f]|%[0-9A-Fa-f]{2})+")
#: The ASCII bytes such a name may hold, but `%`: names of these alone need no regular expression.
_IRI_SAFE_ASCII = bytes(set(range(0x21, 0x7F)) - set(b'<>"{}|^`\\%'))


class DataFileError(OrgkgError):
    """A data file that cannot be read: missing, a folder, unreadable, a broken, looping or
    escaping symlink."""


def cache_dir(root: Path) -> Path:
    """The repository's own cache folder (orgkg.places.cache_folder)."""
    return Path(places.cache_folder(str(root)))


def graph_iri(path: Path, root: Path) -> str:
    """Named graph of a Turtle file: GRAPH_BASE + its path under the root, minus .ttl.

    Files under graph/ drop the leading "graph/" (graph/articles/x.ttl -> .../graph/articles/x).
    """
    return _graph_of(Path(os.path.relpath(path, root)).as_posix())


def _graph_of(name: str) -> str:
    """The graph IRI of a file named by its posix path under the root."""
    stem = name.removesuffix(".ttl")
    return GRAPH_BASE + (stem.removeprefix("graph/") if stem.startswith("graph/") else stem)


def turtle_files(root: Path, paths: list[Path] | None = None) -> list[Path]:
    """The .ttl files named by `paths` (files or folders), default the data folders under root.

    Raises FileNotFoundError for a path that does not exist.
    """
    targets = paths if paths else [root / folder for folder in DATA_DIRS]
    found: list[Path] = []
    for target in targets:
        if target.is_dir():
            walk = Walk.empty()
            _scan(str(target), root, walk)
            found.extend(map(Path, walk.paths))
        elif target.is_file():
            found.append(target)
        else:
            raise FileNotFoundError(f"no such file or folder: {target}")
    return sorted(dict.fromkeys(path.resolve() for path in found))


class Walk(NamedTuple):
    """Every data file at one moment, a column each: its name under the root, its path, and of its
    stat what says it may have changed (size, mtime, inode and ctime: mtime can be set back with
    `touch -d`, ctime cannot). Columns of numbers, not an os.stat_result a file: those were 60 of
    the 150 MB every command held at 100,000 files. `add` fills every column but the names, which
    only the repository's own walk (`Repository._stat_all`) gives, knowing the root."""

    names: list[str]
    paths: list[str]
    sizes: list[int]
    mtimes: list[int]
    inodes: list[int]
    ctimes: list[int]

    @classmethod
    def empty(cls) -> Walk:
        return cls([], [], [], [], [], [])

    def add(self, path: str, info: os.stat_result) -> None:
        self.paths.append(path)
        self.sizes.append(info.st_size)
        self.mtimes.append(info.st_mtime_ns)
        self.inodes.append(info.st_ino)
        self.ctimes.append(info.st_ctime_ns)


def _scan(folder: str, root: Path, walk: Walk, links: list[str] | None = None) -> None:
    """Every .ttl file below `folder` added to `walk`, in path order; real folders only, so a
    link loop cannot trap the walk, and a linked file must resolve inside the repository (and is
    added to `links`). Each folder is opened once and its names stat'ed relative to it, as
    strings: this walk is every command's fixed cost, and full paths (the kernel resolving each
    again) or pathlib's and scandir's objects made it 25-30% slower at 100,000 files."""
    try:
        names = sorted(os.listdir(folder))  # name by name: the order of paths
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as error:
        raise DataFileError(f"{folder}: cannot read it ({error.strerror})") from None
    try:
        for name in names:
            path = folder + "/" + name
            try:
                info = os.stat(name, dir_fd=handle, follow_symlinks=False)
            except FileNotFoundError:
                if not name.endswith(".ttl"):
                    continue  # not a data file, and gone since the listing (an editor's swap file)
                raise DataFileError(f"{path}: removed while being read; run the command again") from None
            except OSError as error:
                raise DataFileError(f"{path}: cannot read it ({error.strerror})") from None
            if stat.S_ISDIR(info.st_mode):
                _scan(path, root, walk, links)
            elif name.endswith(".ttl"):
                if stat.S_ISLNK(info.st_mode):
                    _check_link(Path(path), root)
                    if links is not None:
                        links.append(path)
                    try:
                        info = os.stat(name, dir_fd=handle)
                    except OSError as error:
                        raise DataFileError(f"{path}: cannot read it ({error.strerror})") from None
                if stat.S_ISREG(info.st_mode):
                    walk.add(path, info)
    finally:
        os.close(handle)


def _unsafe_name(names: list[str]) -> str | None:
    """The first name that cannot make a graph IRI, if any. Thousands of plain ASCII names are
    checked by one C call over them all, not a regular expression per name."""
    joined = "".join(names)
    if joined.isascii() and not joined.encode().translate(None, _IRI_SAFE_ASCII):
        return None
    return next((name for name in names if not _IRI_SAFE_NAME.fullmatch(name)), None)


def _check_link(path: Path, root: Path) -> None:
    try:
        target = path.resolve()
    except (OSError, RuntimeError):  # a loop of links
        raise DataFileError(f"{path}: a symbolic link that loops; fix or remove it") from None
    if not target.exists():
        raise DataFileError(f"{path}: a symbolic link to {target}, which does not exist; fix or remove it")
    if not target.is_relative_to(root.resolve()):
        raise DataFileError(f"{path}: a symbolic link out of the repository (to {target}); copy the file in instead")


class DataFile(NamedTuple):
    name: str  # posix path under the root, e.g. graph/articles/nghe-an-2024.ttl
    path: Path
    graph: str  # its named graph's IRI


class Repository:
    """The ontology and every Turtle file under graph/, with their graphs and digests."""

    def __init__(self, root: Path, cache: Path | None = None):
        self.root = root
        self.cache = cache or cache_dir(root)
        self._index: CacheIndex | None = None

    @property
    def index(self) -> CacheIndex:
        """The cache's index database (stat index, store manifest, stamps), opened on first use."""
        if self._index is None:
            from orgkg.cache_db import CacheIndex

            self._index = CacheIndex(self.cache / "index.sqlite")
        return self._index

    def files(self) -> list[DataFile]:
        walk = self._stat_all()
        return [DataFile(name, Path(path), _graph_of(name)) for name, path in zip(walk.names, walk.paths, strict=True)]

    def data_files(self) -> list[Path]:
        return [Path(path) for path in self._stat_all().paths]

    def graph_name(self, path: Path) -> str:
        return graph_iri(path, self.root)

    def _stat_all(self, links: list[str] | None = None) -> Walk:
        """The ontology and every file under graph/ (the symbolic links among them added to
        `links`); a name that cannot make a graph IRI, or two files naming one graph, is a
        DataFileError."""
        ontology = self.root / ONTOLOGY_FILE
        if ontology.is_symlink():
            _check_link(ontology, self.root)
            if links is not None:
                links.append(str(ontology))
        walk = Walk.empty()
        try:
            walk.add(str(ontology), ontology.stat())
            walk.names.append(_ONTOLOGY_NAME)
        except OSError as error:
            raise DataFileError(f"{ontology}: cannot read it ({error.strerror})") from None
        graph = self.root / "graph"
        if graph.is_dir():
            _scan(str(graph), self.root, walk, links)
            start = len(str(graph)) + 1  # the walk's paths are the folder's, then "/" and the name
            walk.names.extend(["graph/" + path[start:] for path in walk.paths[1:]])
        if name := _unsafe_name(walk.names):
            shown = name.encode("utf-8", "backslashreplace").decode()
            raise DataFileError(
                f"{shown}: a data file's name becomes its graph IRI; rename it without spaces, "
                '<>"{}|^`\\, stray % or bytes that are not UTF-8'
            )
        collision = _ONTOLOGY_NAME.removesuffix(".ttl")
        if "graph/" + collision + ".ttl" in walk.names:
            raise DataFileError(
                f"graph/{collision}.ttl and {collision}.ttl would both be the graph <{_graph_of(collision)}>; "
                f"rename or remove graph/{collision}.ttl"
            )
        return walk

    def scan(self, since: str | None = None, base: Callable[[], dict[str, str] | None] | None = None) -> Scan:
        """Every data file with its stat, walked when first asked for: the one walk of the
        repository. The watcher is asked first, so a change during the walk changes its token;
        given the token the files were `base()` (name -> digest) at, it also names the files
        changed since, and only those are read."""
        from orgkg.watching import ask_watcher

        answer = ask_watcher(self.root, self.cache, since)
        if answer is None:
            return Scan(self, None)
        return Scan(self, answer.token, answer.changed if since and base else None, base, since)

    def digests(self, scan: Scan | None = None) -> dict[str, str]:
        """File name under the root -> sha256 of its bytes as `scan` (default a new one) found
        them; only files whose stat changed since they were last hashed are read."""
        return (scan or self.scan()).digests

    def _hash_changed(self, scan: Scan) -> dict[str, str]:
        known = self.index.stats()
        seen: dict[str, tuple[str, str]] = {}
        walk = scan.walk
        forgotten = known.keys() - set(walk.names)  # removed files
        digests: dict[str, str] = {}
        racy_since = scan.racy_since
        for name, path, modified, changed, key in zip(
            walk.names, walk.paths, walk.mtimes, walk.ctimes, scan.keys, strict=True
        ):
            row = known.get(name)
            racy = modified >= racy_since or changed >= racy_since
            if row is not None and row[0] == key:
                digests[name] = row[1]
                if racy:
                    forgotten.add(name)  # racily clean: not trusted from the index next time
                continue
            try:
                digests[name] = digest = _file_digest(path)
            except OSError as error:
                raise DataFileError(f"{path}: cannot read it ({error.strerror})") from None
            if racy:
                if row is not None:
                    forgotten.add(name)
            else:
                seen[name] = (key, digest)
        if seen or forgotten:
            self.index.update_stats(seen, forgotten)
        return digests


class Scan:
    """The data files and their stats at one moment (`taken`, ns since the epoch), walked on first
    use; `token` is the watcher's from just before (None when no `orgkg watch` runs), which a
    caller that stamped it may trust instead of the walk, unless a data file is a link. With the
    names the watcher saw change since the files were as `base()` says, the digests are those
    with the named files read again, and nothing is walked."""

    def __init__(
        self,
        repository: Repository,
        token: str | None,
        changed: list[str] | None = None,
        base: Callable[[], dict[str, str] | None] | None = None,
        since: str | None = None,
    ):
        self._repository = repository
        self.token = token
        self._base = base
        #: The data files among the names the watcher saw change since the token `since` (None:
        #: it cannot name them).
        self.changed = None if changed is None else [name for name in changed if _is_data_name(name)]
        self.since = since if changed is not None else None

    @functools.cached_property
    def _walk(self) -> tuple[Walk, int, bool]:
        links: list[str] = []
        walk = self._repository._stat_all(links)
        return walk, time.time_ns(), bool(links)

    @property
    def walk(self) -> Walk:
        return self._walk[0]

    @property
    def taken(self) -> int:
        return self._walk[1]

    @property
    def racy_since(self) -> int:
        """A file modified (or its inode changed) since this moment is racily clean: it may
        change again within the clock's granularity without its stat changing."""
        return self.taken - _RACY_NS

    @property
    def linked(self) -> bool:
        """Whether a data file is a symbolic link, whose target the watcher may not watch (none
        when the journal stood for the walk: it is used only where the last walk found none, and
        falls back to the walk for a named file that became a link)."""
        return False if self.named is not None and not self.walked else self._walk[2]

    @property
    def walked(self) -> bool:
        """Whether the files were walked (else only the ones the watcher named were read)."""
        return "_walk" in self.__dict__

    @functools.cached_property
    def named(self) -> dict[str, str | None] | None:
        """The data files the watcher named as changed, each with the sha256 of its bytes now
        (None: gone); None when they cannot stand for the walk (no journal, or a named file now a
        folder, a link, unreadable or a name the walk refuses): the walk then decides."""
        if self.changed is None:
            return None
        named: dict[str, str | None] = {}
        prefix = str(self._repository.root) + "/"
        for name in self.changed:
            path = prefix + name
            try:
                if not stat.S_ISREG(os.lstat(path).st_mode):
                    return None
                named[name] = _file_digest(path)
            except (FileNotFoundError, NotADirectoryError):
                named[name] = None
            except OSError:
                return None
        present = [name for name, digest in named.items() if digest is not None]
        if present and (_unsafe_name(present) or "graph/" + _ONTOLOGY_NAME in present):
            return None
        return named

    @functools.cached_property
    def _journal(self) -> dict[str, str] | None:
        """File name -> digest: `base()` with the named files as they are now, in the walk's
        order; None when the journal or the base cannot stand for the walk."""
        if self.named is None or self._base is None or (base := self._base()) is None:
            return None
        current = dict(base)
        for name, digest in self.named.items():
            if digest is None:
                current.pop(name, None)
            else:
                current[name] = digest
        return {name: current[name] for name in _walk_order(current)}

    @functools.cached_property
    def keys(self) -> list[str]:
        """Each file's stat in the stat index's form (size:mtime:inode:ctime), made once per scan."""
        walk = self.walk
        return [
            f"{size}:{modified}:{inode}:{changed}"
            for size, modified, inode, changed in zip(walk.sizes, walk.mtimes, walk.inodes, walk.ctimes, strict=True)
        ]

    @functools.cached_property
    def digests(self) -> dict[str, str]:
        """File name -> sha256 of its bytes, in the walk's order, worked out once per scan (the
        store's build and the incremental validation both ask: at 10,000 files a second pass
        cost 25 ms): from the journal when it can say, else walked."""
        journal = self._journal
        return journal if journal is not None else self._repository._hash_changed(self)

    @functools.cached_property
    def state(self) -> str | None:
        """A digest of every file's name and stat: equal states mean no file was added, removed
        or written between them. None while a file is racily clean (changed within the last two
        seconds), whose next write may leave its stat as it is, or has a time past 2262 (no
        64-bit number holds it: such a repository is compared file by file every time). The
        stats go in as arrays of numbers: at 10,000 files a string per file took twice as long."""
        walk = self.walk
        try:
            fields = [
                array("Q", walk.sizes),
                array("Q", walk.inodes),
                modified := array("q", walk.mtimes),
                changed := array("q", walk.ctimes),
            ]
        except OverflowError:
            return None
        if max(modified, default=0) >= self.racy_since or max(changed, default=0) >= self.racy_since:
            return None
        names = "\n".join(walk.names)
        state = places.blake2b(names.encode("utf-8", "surrogateescape"), digest_size=16)
        for field in fields:
            state.update(field)
        return state.hexdigest()


def _file_digest(path: str) -> str:
    """The sha256 of a file's bytes, in hex: a data file's digest wherever one is taken (OpenSSL's,
    imported only here: a query on an unchanged repository hashes no file)."""
    import hashlib

    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _is_data_name(name: str) -> bool:
    return name.startswith("graph/") and name.endswith(".ttl") or name == _ONTOLOGY_NAME


def _walk_order(names: Iterable[str]) -> list[str]:
    """`names` where the walk puts them: the ontology first, then each folder's names sorted, a
    folder's files where its name sorts ("/" made the lowest character, which no name holds)."""
    ordered = sorted(names, key=lambda name: name.replace("/", "\0"))
    if _ONTOLOGY_NAME in ordered:
        ordered.remove(_ONTOLOGY_NAME)
        ordered.insert(0, _ONTOLOGY_NAME)
    return ordered


def data_files(root: Path) -> list[Path]:
    """The files that make up the graph itself: the ontology, then everything under graph/."""
    return Repository(root).data_files()
