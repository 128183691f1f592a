"""What a query may reach, decided before any engine sees it, the same for every engine.

- Read-only: the text is read by a small SPARQL tokenizer, never executed, so an update is
  refused without running anything (running a query on an empty store to test it would still
  fetch its SERVICE URLs).
- No federation unless asked: `SERVICE` makes an engine fetch a URL (rdflib, pyoxigraph and the
  Oxigraph server all do), so it is refused without `--allow-service`.
- `FROM` / `FROM NAMED` name only graphs of the repository: rdflib would otherwise download
  `FROM <http://...>` or read `FROM <file:///etc/...>`.
- A deadline for the whole query: pyoxigraph has no query timeout, so the query runs in a worker
  thread (pyoxigraph and rdflib let other threads run) that is abandoned when time is up; the
  process then exits without waiting for it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Collection
from typing import TypeVar

from orgkg.errors import OrgkgError

T = TypeVar("T")

UPDATE_FORMS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}

_TOKEN = re.compile(
    r'''
    (?P<skip>\s+|\#[^\n]*|"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<var>[?$]\w+)
  | (?P<name>[A-Za-z_][\w.\-]*:[\w.\-%:]*|:[\w.\-%:]*|[A-Za-z_][\w\-]*:?)
  | (?P<other>[\s\S])
''',
    re.VERBOSE,
)


class QueryRefused(OrgkgError):
    """The query asks for something local queries may not do (update, federation, outside graphs)."""


class QueryTimeout(OrgkgError):
    """The query did not finish within its deadline."""


def _tokens(sparql: str) -> list[tuple[str, str]]:
    return [(m.lastgroup, m.group()) for m in _TOKEN.finditer(sparql) if m.lastgroup != "skip"]


def query_form(sparql: str) -> str | None:
    """SELECT, ASK, CONSTRUCT, DESCRIBE, an update keyword (INSERT, DROP...), or None when the
    text holds no statement at all; read from the first keyword after the prologue."""
    tokens = _tokens(sparql.lstrip("\ufeff"))
    position = 0
    while position < len(tokens) and tokens[position][1].upper() in ("PREFIX", "BASE"):
        position += 3 if tokens[position][1].upper() == "PREFIX" else 2
    return tokens[position][1].upper() if position < len(tokens) else None


def check(
    sparql: str, allow_service: bool = False, graphs: Collection[str] | Callable[[], Collection[str]] | None = None
) -> bool:
    """Raise QueryRefused for an empty text, an update, SERVICE (unless allowed) or a FROM graph
    outside `graphs` (None: any graph may be named; a function: asked only if there is a FROM).
    Syntax errors are left to the engine. True if the query names its dataset (FROM, FROM NAMED),
    which then replaces the union default graph."""
    form = query_form(sparql)
    if form is None:
        raise QueryRefused("the query is empty (only comments or blanks); write a SELECT, ASK, CONSTRUCT or DESCRIBE")
    if form in UPDATE_FORMS:
        raise QueryRefused("this is a SPARQL Update; local queries are read-only")
    tokens = _tokens(sparql.lstrip("\ufeff"))
    prefixes, names_dataset = {}, False
    for position, (kind, text) in enumerate(tokens):
        keyword = text.upper() if kind == "name" else ""
        if keyword == "PREFIX" and position + 2 < len(tokens) and tokens[position + 2][0] == "iri":
            prefixes[tokens[position + 1][1]] = tokens[position + 2][1][1:-1]
        elif keyword == "SERVICE" and not allow_service:
            raise QueryRefused(
                "SERVICE makes the engine fetch a URL; federated queries are off unless you allow them",
                option="allow_service",
            )
        elif keyword == "FROM":
            names_dataset = True
            if graphs is None:
                continue
            following = tokens[position + 1 : position + 3]
            if following and following[0][1].upper() == "NAMED":
                following = following[1:]
            if following:
                graphs = graphs() if callable(graphs) else graphs
                _check_graph(following[0], prefixes, graphs)
    return names_dataset


def _check_graph(token: tuple[str, str], prefixes: dict[str, str], graphs: Collection[str]) -> None:
    kind, text = token
    if kind == "iri":
        iri = text[1:-1]
    else:
        prefix, _, local = text.partition(":")
        if prefix + ":" not in prefixes:
            return  # not a graph name the engine will accept: its parser reports it
        iri = prefixes[prefix + ":"] + local
    if iri not in graphs:
        raise QueryRefused(
            f"FROM <{iri}> is not a graph of the repository; FROM and FROM NAMED may name only "
            "the repository's graphs (https://w3id.org/orgkg/graph/...)"
        )


def run_with_deadline(action: Callable[[], T], timeout: float | None, settle: bool = False) -> T:
    """`action()` in a worker thread; QueryTimeout if it has not finished after `timeout` seconds
    (the thread is abandoned: a daemon, it does not keep the process alive). Without a timeout
    the thread still serves: waiting for it, unlike waiting inside the engine, Ctrl-C interrupts.
    With `settle`, Ctrl-C first lets the action finish (within the timeout): a request already
    sent must land before the caller cleans up after it, or it would land after the clean-up."""
    outcome: dict[str, object] = {}
    # An Event, not Thread.join: on Python 3.11 a join that Ctrl-C interrupts marks the thread
    # stopped, so a second join returned at once while the request was still under way.
    finished = threading.Event()

    def work() -> None:
        try:
            outcome["value"] = action()
        except BaseException as error:  # handed to the caller's thread
            outcome["error"] = error
        finally:
            finished.set()

    threading.Thread(target=work, name="orgkg-query", daemon=True).start()
    try:
        finished.wait(timeout)
    except KeyboardInterrupt:
        if settle:
            finished.wait(timeout)
        raise
    if not finished.is_set():
        raise QueryTimeout(
            f"the query did not finish within {timeout:g} s; raise the timeout, or narrow the query", option="timeout"
        )
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
