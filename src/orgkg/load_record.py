"""The store's load record: which file each graph orgkg loaded came from, so that a re-load sends
only what changed (at 100,000 articles a re-load of every graph would not fit the machine).

It is the graph `RECORD_GRAPH`, one triple a graph: `<graph> load:digest "digest of its file"`.
The loader forgets graphs before it replaces them (in the same request, where there is one) and
remembers them once they are in place, so the record never names a file a graph does not hold.
"""

from __future__ import annotations

import pyoxigraph as ox

from orgkg.load_lock import LOAD_TERMS
from orgkg.namespaces import GRAPH_BASE
from orgkg.triplestore import FAILURES, RemoteStore

RECORD_GRAPH = GRAPH_BASE + "_loaded"
_DIGEST = LOAD_TERMS + "digest"


def kept(store: RemoteStore) -> bool:
    """Whether the store can keep a load record: it takes SPARQL queries and updates."""
    return store.swaps and store.dialect.query is not None


def read(store: RemoteStore) -> dict[str, str]:
    """Graph -> the digest of the file it was loaded from, as the store's record says."""
    rows = store.select(
        f"SELECT ?g ?digest WHERE {{ GRAPH <{RECORD_GRAPH}> {{ ?g <{_DIGEST}> ?digest }} }}",
        "reading the store's load record",
    )
    return {graph.value: digest.value for graph, digest in rows if graph is not None and digest is not None}


def forgetting(graphs: list[str], every: bool) -> str:
    """The update that removes these graphs from the record (`every`: all of them, the whole
    record dropped), so that no graph replaced, or only half, is taken as unchanged."""
    if every:
        return f"DROP SILENT GRAPH <{RECORD_GRAPH}>"
    return " ;\n".join(
        f"DELETE WHERE {{ GRAPH <{RECORD_GRAPH}> {{ {ox.NamedNode(g)} <{_DIGEST}> ?digest }} }}" for g in graphs
    )


def remembering(digests: dict[str, str]) -> str:
    """The update that records the file (graph -> digest) each graph sent was loaded from."""
    entries = "".join(
        f'{ox.NamedNode(graph)} <{_DIGEST}> "{digest}" .\n' for graph, digest in digests.items() if digest
    )
    return f"INSERT DATA {{ GRAPH <{RECORD_GRAPH}> {{\n{entries}}} }}" if entries else ""


def write(store: RemoteStore, update: str) -> None:
    """Change the record after the graphs are in place; if the store refuses, the graphs stand
    and the next load sends them again, which is said."""
    if not update:
        return
    try:
        store.update(update, "writing the store's load record", retry=True)
    except FAILURES as error:
        store.client.notice(f"{error}; the graphs are loaded, but the next load sends them again")
