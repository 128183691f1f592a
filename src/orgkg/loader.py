"""`orgkg load`: the graph into a triplestore with the SPARQL 1.1 Graph Store HTTP Protocol.

Nothing is left half-loaded: every graph is first uploaded to a temporary graph, and only when
all uploads have succeeded are they moved over the real graphs with SPARQL Update `MOVE` (`ADD`
when appending), all in one request (one transaction on a store that runs a request as one,
such as Oxigraph). A failed upload drops the temporaries, so the store is as it was; a failed
swap says which graphs are new and which are old. Afterwards the triple count of every graph in
the store is compared with the local one.

Only what changed is sent again: the store keeps a record (`load_record`) of the file each graph
was loaded from, by digest, written in the request that swaps the graphs in and forgotten before
a graph is replaced any other way. A graph whose record names the local file and whose triple
count is the local one is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from orgkg import load_record
from orgkg.http_client import HttpError, Transient, check_url
from orgkg.load_lock import LOCK_GRAPH, TEMPORARY_BASE, Holder, claimed, completed, completion, locked
from orgkg.namespaces import GRAPH_BASE
from orgkg.triplestore import FAILURES, LoadError, RemoteStore
from orgkg.uploads import Upload, prepare

#: Graph names listed in a message before "and N more".
LISTED = 5


@dataclass
class LoadReport:
    """Per graph: the local triple count and the store's after loading."""

    counts: list[tuple[str, int, int]] = field(default_factory=list)
    append: bool = False
    pruned: list[str] = field(default_factory=list)
    #: With a dry run, what would be sent: (graph, triples, requests); nothing was.
    planned: list[tuple[str, int, int]] = field(default_factory=list)
    triples: int = 0
    #: The graphs not sent: the store's load record says it holds them as they are here.
    unchanged: list[str] = field(default_factory=list)

    @property
    def mismatches(self) -> list[str]:
        if self.append:  # the store may hold more than we sent
            return [iri for iri, local, remote in self.counts if remote < local]
        return [iri for iri, local, remote in self.counts if remote != local]


#: An atomic load of at most this many triples goes in one update request where one request is
#: one transaction: each triple written once (the swap writes it twice, in one transaction).
#: N-Triples take ~130 bytes a triple here; Oxigraph refuses a request over 128 MiB (the load
#: then swaps).
ONE_REQUEST_TRIPLES = 300_000
#: The largest such request: Oxigraph's limit (128 MiB), less a margin.
ONE_REQUEST_BYTES = 120 * 1024 * 1024


def load_repository(
    root: Path,
    url: str,
    dialect: str = "oxigraph",
    append: bool = False,
    timeout: float = 120.0,
    chunk_size: int = 50_000,
    prune: bool = False,
    union_default_graph: bool = False,
    dry_run: bool = False,
    notice: Callable[[str], None] = lambda message: None,
    progress: Callable[[int, int], None] = lambda done, total: None,
    atomic: bool = True,
    break_lock: bool = False,
    one_request: int = ONE_REQUEST_TRIPLES,
    everything: bool = False,
) -> LoadReport:
    """The repository's graphs into the store at `url`, read from the embedded store (held against
    builds meanwhile), one load into that store at a time (load_lock); `progress` gets the
    triples sent and their total. A dry run only plans."""
    from orgkg.store import EmbeddedStore

    check_url(url)
    local = EmbeddedStore(root)
    with local.reading() as embedded:
        uploads = prepare(embedded, local.graph_triples(), chunk_size, local.graph_digests())
        total = sum(upload.triples for upload in uploads)
        if dry_run:
            planned = [(u.iri, u.triples, sum(1 for _ in u.bodies())) for u in uploads]
            return LoadReport(append=append, planned=planned, triples=total)
        store = RemoteStore(url, dialect, timeout=timeout, notice=notice)
        sent = 0

        def step(triples: int) -> None:
            nonlocal sent
            sent += triples
            progress(sent, total)

        with locked(url), claimed(store, break_lock) if store.swaps else nullcontext() as holder:
            for upload in uploads:
                upload.aside = f"{TEMPORARY_BASE}{holder.token}/" if holder else TEMPORARY_BASE
            unchanged: dict[str, int] = {}
            if load_record.kept(store) and not (append or union_default_graph or everything):
                uploads, unchanged = _unchanged(uploads, store)
                total = sum(upload.triples for upload in uploads)
            report = load(
                uploads, store, append, step, prune, union_default_graph, atomic, one_request, holder, unchanged
            )
    report.triples = total
    return report


def _unchanged(uploads: list[Upload], store: RemoteStore) -> tuple[list[Upload], dict[str, int]]:
    """The uploads to send, and the graphs (with their triple counts) the store holds as they are
    here: its load record names the file's digest and it holds as many triples as the file has.
    A graph changed by another writer since is sent again if its count differs; `--all` resends
    every graph whatever the record says."""
    recorded = load_record.read(store)
    candidates = [u for u in uploads if u.digest and recorded.get(u.iri) == u.digest]
    if not candidates:
        return uploads, {}
    held = store.counts(GRAPH_BASE, timeout=swap_deadline(store, uploads))
    unchanged = {u.iri: u.triples for u in candidates if held.get(u.iri) == u.triples}
    return [u for u in uploads if u.iri not in unchanged], unchanged


def load(
    uploads: list[Upload],
    store: RemoteStore,
    append: bool = False,
    progress: Callable[[int], None] = lambda triples: None,
    prune: bool = False,
    union_default_graph: bool = False,
    atomic: bool = True,
    one_request: int = ONE_REQUEST_TRIPLES,
    holder: Holder | None = None,
    unchanged: dict[str, int] | None = None,
) -> LoadReport:
    """Send every graph, swap them in, then count what the store holds. How, when `atomic`: into
    a store without orgkg graphs straight to their place (the lock marker says a load is under
    way); else a load of at most `one_request` triples in one update request (a store that runs
    one as one transaction, and claimed by `holder`); else aside and swapped in. Not `atomic`:
    each graph replaced in its own request, readers seeing old and new graphs meanwhile. With
    `prune`, the store's graphs under the project's graph base that the repository no longer has are dropped.
    With `union_default_graph`, the store's default graph is made the union of the loaded graphs
    in the swap request itself (for a store that holds only orgkg's graphs). `unchanged`: the
    repository's graphs not sent, which the store holds as they are here (their triple counts).
    The store's load record forgets the graphs sent before they are replaced (in the same
    request, where there is one) and learns their files after."""
    unchanged = unchanged or {}
    if union_default_graph and not store.swaps:
        raise LoadError(
            "a union default graph needs a store that takes SPARQL Update, not a plain Graph Store",
            option="union_default_graph",
        )
    if union_default_graph and not atomic:
        raise LoadError(
            "a union default graph is made in the request that swaps every graph in at once, "
            "which a load graph by graph does not send",
            option="union_default_graph",
        )
    fresh = store.swaps and _drop_leftovers(store)
    whole = store.dialect.one_transaction and not union_default_graph
    record = load_record.kept(store)
    forget = load_record.forgetting([u.iri for u in uploads], every=not unchanged) if record and uploads else ""
    remember = load_record.remembering({u.iri: u.digest for u in uploads}) if record and not append else ""
    in_place = not store.swaps or not atomic
    if forget and (in_place or fresh and not union_default_graph):  # no request to do it in
        store.update(forget, "forgetting the graphs to replace in the store's load record", retry=True)
    if not uploads:
        pass
    elif in_place:
        _upload_in_place(uploads, store, append, progress)
        load_record.write(store, remember)
    elif fresh and not union_default_graph:
        _upload(uploads, store, progress, aside=False)
        load_record.write(store, remember)
    elif (
        whole
        and holder is not None
        and sum(u.triples for u in uploads) <= one_request
        and _load_in_one_request(uploads, store, append, progress, holder, (forget, remember))
    ):
        pass
    else:
        _upload(uploads, store, progress, aside=True)
        _swap(uploads, store, append, union_default_graph, (forget, remember))
    report = LoadReport(append=append, unchanged=list(unchanged))
    if prune:
        ours = {upload.iri for upload in uploads} | set(unchanged)
        report.pruned = [
            g
            for g in store.graphs(GRAPH_BASE)
            if g not in ours and g != load_record.RECORD_GRAPH and not g.startswith(TEMPORARY_BASE)
        ]
        left = _drop(report.pruned, store)
        if left:
            raise LoadError(
                f"loaded, but the graphs {_names(left)} the repository no longer has could not be "
                "dropped; re-run the load with pruning",
                option="prune",
            )
        if report.pruned and record:
            load_record.write(store, load_record.forgetting(report.pruned, every=False))
    if not uploads:
        held = {}
    elif store.dialect.query is None:  # a plain Graph Store: each graph fetched and counted
        held = {upload.iri: store.count(upload.iri) for upload in uploads}
    else:
        sent = [upload.iri for upload in uploads] if unchanged else None
        held = store.counts(GRAPH_BASE, timeout=swap_deadline(store, uploads), graphs=sent)
    counts = [(upload.iri, upload.triples, held.get(upload.iri, 0)) for upload in uploads]
    report.counts = sorted(counts + [(iri, triples, triples) for iri, triples in unchanged.items()])
    return report


def _load_in_one_request(
    uploads: list[Upload],
    store: RemoteStore,
    append: bool,
    progress: Callable[[int], None],
    holder: Holder,
    record: tuple[str, str] = ("", ""),
) -> bool:
    """Every graph replaced (with `append`, added to) by one SPARQL Update request: one
    transaction, so readers see every old graph or every new one. The same request marks the load
    done in its lock marker, so that after a failure the load can tell whether it went in. False
    when the request would be, or the store refused it as, too large: nothing changed, the caller
    swaps."""

    forget, remember = record

    def text() -> Iterator[bytes]:
        if forget:
            yield f"{forget} ;\n".encode()
        for upload in uploads:
            replace = "" if append else f"DROP SILENT GRAPH {ox.NamedNode(upload.iri)} ;\n"
            yield f"{replace}INSERT DATA {{ GRAPH {ox.NamedNode(upload.iri)} {{\n".encode()
            for body in upload.bodies():
                progress(body.count(b"\n"))
                yield body
            yield b"} } ;\n"
        if remember:
            yield f"{remember} ;\n".encode()
        yield completion(holder).encode()

    parts, size = [], 0  # sent whole, with its length, as every server takes a request
    for part in text():
        parts.append(part)
        size += len(part)
        if size > ONE_REQUEST_BYTES:  # long literals: too large for one request after all
            return False
    body = b"".join(parts)
    del parts
    deadline = swap_deadline(store, uploads)
    try:  # replacing is idempotent, so retried; appending twice would add blank nodes twice
        store.update_body(body, "loading every graph in one request", retry=not append, timeout=deadline)
    except (*FAILURES, KeyboardInterrupt) as error:
        reason = "interrupted" if isinstance(error, KeyboardInterrupt) else str(error)
        settled = store.client.settled(deadline)  # a request abandoned at its deadline may still go in
        try:
            went_in = completed(store, holder)
        except FAILURES:
            raise LoadError(
                f"{reason}. The store stopped answering; it holds every old graph or every new one (one "
                "transaction). Re-run the load",
                _option(error),
            ) from None
        if went_in and isinstance(error, KeyboardInterrupt):
            raise LoadError(
                "interrupted after the store had taken every new graph; their counts are unchecked"
            ) from None
        if went_in:
            store.client.notice("the store answered late, but it has taken every new graph")
            return True
        if not settled:
            raise LoadError(
                f"{reason}. The store's graphs are unchanged, but the request that timed out was still unanswered "
                f"{2 * deadline:g} s after it was sent: the store may still apply it (every graph at once); look "
                "before re-running",
                _option(error),
            ) from None
        if isinstance(error, HttpError) and not isinstance(error, Transient) and _too_large(error):
            store.client.notice("the store refused one request this large; loading aside and swapping instead")
            return False
        raise LoadError(f"{reason}. Nothing was changed in the store", _option(error)) from None
    return True


def _too_large(error: HttpError) -> bool:
    """The store refused a request for its size (Oxigraph: HTTP 400 "SPARQL body payloads are limited")."""
    return "HTTP 413" in str(error) or "payloads are limited" in str(error)


def _drop_leftovers(store: RemoteStore) -> bool:
    """Drop the temporary graphs of an earlier load that was killed before it could; whether the
    store holds no orgkg graph at all (a first load)."""
    ours = store.graphs(GRAPH_BASE)
    leftovers = [graph for graph in ours if graph.startswith(TEMPORARY_BASE) and graph != LOCK_GRAPH]
    if leftovers:
        store.client.notice(f"dropping {len(leftovers)} temporary graphs left by an earlier load")
        left = _drop(leftovers, store)
        if left:
            raise LoadError(
                f"the temporary graphs {_names(left)} of an earlier load could not be dropped; nothing was changed"
            )
    return not any(not graph.startswith(TEMPORARY_BASE) and graph != load_record.RECORD_GRAPH for graph in ours)


def _upload(uploads: list[Upload], store: RemoteStore, progress, aside: bool) -> None:
    """Every graph PUT to its temporary graph (`aside`), or else, into a store holding no orgkg
    graph yet, straight to its place: nothing to swap in afterwards (the swap writes every triple
    a second time, in one transaction), but readers see the graphs arrive one by one. A failure
    -- an error, or Ctrl-C/SIGTERM -- drops what was sent, leaving the store as it was."""
    for position, upload in enumerate(uploads):
        if not (upload.triples or aside):  # a PUT of nothing would make an empty graph
            continue
        try:
            store.send(upload, upload.temporary if aside else upload.iri, append=False, progress=progress)
        except (*FAILURES, KeyboardInterrupt) as error:
            sent = [u.temporary if aside else u.iri for u in uploads[: position + 1]]
            raise _failed_upload(error, store, sent, aside) from None


def _failed_upload(error: BaseException, store: RemoteStore, sent: list[str], aside: bool) -> LoadError:
    """What a failed upload leaves: the graphs it sent (`aside`: temporary graphs; else a first
    load's real ones) dropped again, the last too (it may exist in part: a later chunk failed).
    An upload abandoned at its timeout may still be under way in the store, so its answer is
    awaited (one more timeout) before the drop, which would otherwise come first; only an
    answered upload lets the load say that nothing changed."""
    reason = "interrupted" if isinstance(error, KeyboardInterrupt) else str(error)
    if not store.answered:
        return LoadError(f"{reason}. The store never answered; nothing was changed", _option(error))
    settled = store.client.settled(store.client.timeout)
    left = _drop(sent, store)
    kind, rerun = ("temporary graph", "drops") if aside else ("graph", "replaces")
    if left:
        return LoadError(
            f"{reason}. The store's graphs are unchanged, but the {kind}s {_names(left)} could not be dropped: "
            f"re-run the load (it {rerun} them first) or DROP them",
            _option(error),
        )
    if not settled:
        return LoadError(
            f"{reason}. The store's graphs are unchanged, but the upload that timed out was still unanswered "
            f"{2 * store.client.timeout:g} s after it was sent and may still land later as the {kind} <{sent[-1]}>"
            f"{', which nothing reads' if aside else ''}: the next load {rerun} it",
            _option(error),
        )
    return LoadError(f"{reason}. Nothing was changed in the store", _option(error))


def _swap(
    uploads: list[Upload],
    store: RemoteStore,
    append: bool,
    union_default_graph: bool = False,
    record: tuple[str, str] = ("", ""),
) -> None:
    """All graphs moved in by one SPARQL Update request: a store that runs a request as one
    transaction (Oxigraph) swaps them all or none; on others each MOVE is its own step, after
    the load record forgets them and before it learns them again. The default graph, made the
    union in the same request, never shows the temporary graphs nor a half-swapped state to its
    readers."""
    forget, remember = record
    operations = [forget] if forget else []
    operations += [_moving(ox.NamedNode(u.temporary), ox.NamedNode(u.iri), append) for u in uploads]
    operations += [remember] if remember else []
    if union_default_graph:
        operations += ([] if append else ["DROP SILENT DEFAULT"]) + [
            f"ADD GRAPH {ox.NamedNode(u.iri)} TO DEFAULT" for u in uploads
        ]
    try:
        store.update(" ;\n".join(operations), "swapping in the new graphs", timeout=swap_deadline(store, uploads))
    except (*FAILURES, KeyboardInterrupt) as error:
        reason = "interrupted while swapping in the new graphs" if isinstance(error, KeyboardInterrupt) else str(error)
        # A swap abandoned at its deadline may still be running: its answer is awaited (as long
        # again) before the graphs are looked at, or they would be read half-way.
        if not store.client.settled(swap_deadline(store, uploads)):
            reason += " (the store may still be swapping: look again before re-running)"
        status = _swap_status(uploads, store)
        if append:
            status = {iri: None if moved is False else moved for iri, moved in status.items()}
        new = [iri for iri, moved in status.items() if moved is True]
        old = [iri for iri, moved in status.items() if moved is False]
        unknown = [iri for iri, moved in status.items() if moved is None]
        answering = None not in status.values()
        left = [u.temporary for u in uploads if status[u.iri] is not True]
        left = _drop(left, store) if answering else left
        message = f"{reason}. New: {_names(new) or 'none'}; old: {_names(old) or 'none'}"
        if unknown:
            message += f"; unknown: {_names(unknown)}"
        if left:
            message += f"; temporary graphs left: {_names(left)}"
        raise LoadError(message + ". Re-run the load to finish", _option(error)) from None


#: The swap writes every triple again inside one transaction, and the check after a load counts
#: every triple, so they get the timeout for each this many triples (a large corpus's move
#: outlasted a timeout meant for one request; at 100,000 articles the count took over 120 s).
SWAP_TRIPLES_PER_TIMEOUT = 100_000


def swap_deadline(store: RemoteStore, uploads: list[Upload]) -> float:
    """How long a request over every loaded triple (the swap, a load in one request, the count
    after it) may take: the timeout, once per SWAP_TRIPLES_PER_TIMEOUT triples."""
    triples = sum(upload.triples for upload in uploads)
    return store.client.timeout * max(1, -(-triples // SWAP_TRIPLES_PER_TIMEOUT))


def _swap_status(uploads: list[Upload], store: RemoteStore) -> dict[str, bool | None]:
    """After a failed swap, per graph: True if its temporary graph is gone (moved), False if it
    is still there, None if the store cannot tell us. A store that stops answering is asked
    nothing more (a server killed mid-swap made every graph retry in turn for minutes)."""
    status: dict[str, bool | None] = {}
    for upload in uploads:
        try:
            status[upload.iri] = store.count(upload.temporary) == 0
        except FAILURES:
            return status | {u.iri: None for u in uploads if u.iri not in status}
    return status


def _moving(temporary: ox.NamedNode, real: ox.NamedNode, append: bool) -> str:
    """The update that puts a temporary graph's triples in place of (or, appending, beside) the real one's."""
    return (
        f"ADD GRAPH {temporary} TO GRAPH {real} ; DROP GRAPH {temporary}"
        if append
        else f"MOVE GRAPH {temporary} TO GRAPH {real}"
    )


def _drop(graphs: list[str], store: RemoteStore) -> list[str]:
    """Drop graphs (DROP SILENT is safe to repeat); those left when the store stops answering."""
    for position, graph in enumerate(graphs):
        try:
            _drop_graph(graph, store)
        except FAILURES:
            return graphs[position:]
    return []


def _drop_graph(graph: str, store: RemoteStore) -> None:
    store.update(f"DROP SILENT GRAPH {ox.NamedNode(graph)}", f"dropping {graph}", retry=True)


def _upload_in_place(uploads: list[Upload], store: RemoteStore, append: bool, progress) -> None:
    """Each graph sent whole in one request, replacing the old one (no SPARQL Update, or a load
    graph by graph): one small transaction per graph on a store that runs a request as one. A
    graph whose file holds no triples is dropped where the store takes SPARQL Update (a PUT of
    nothing would leave it there, empty)."""
    for position, upload in enumerate(uploads):
        try:
            if upload.triples or append or not store.swaps:
                store.send(upload, upload.iri, append=append, progress=progress, whole=True)
            else:
                _drop_graph(upload.iri, store)
        except (*FAILURES, KeyboardInterrupt) as error:
            reason = "interrupted" if isinstance(error, KeyboardInterrupt) else str(error)
            new, old = [u.iri for u in uploads[:position]], [u.iri for u in uploads[position:]]
            how = (
                "Graphs were replaced one at a time"
                if store.swaps
                else ("This store takes no SPARQL Update, so graphs are replaced one at a time")
            )
            raise LoadError(
                f"{reason}. {how}. New: {_names(new) or 'none'}; old: {_names(old)}",
                _option(error),
            ) from None


def _option(error: BaseException) -> str | None:
    """The setting a wrapped error names, kept when the load adds what it did."""
    return getattr(error, "option", None)


def _names(graphs: list[str]) -> str:
    """Graph names for a message: the first few, then how many more."""
    shown = ", ".join(f"<{graph}>" for graph in graphs[:LISTED])
    return shown + (f" and {len(graphs) - LISTED} more" if len(graphs) > LISTED else "")
