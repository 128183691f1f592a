"""What a query may reach, decided before any engine sees it, the same for every engine.

- Read-only: the text is read by the SPARQL tokenizer (orgkg.sparql_text), never executed, so an update is
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

import gc
import threading
from collections.abc import Callable, Collection
from typing import Generic, TypeVar

from orgkg import sparql_text
from orgkg.errors import OrgkgError
from orgkg.sparql_text import UPDATE_FORMS, Token

T = TypeVar("T")

#: Brackets a query may nest: Oxigraph's recursive parser overflows its stack (a crash, not an
#: error) at a few thousand; the saved queries nest under ten.
MAX_QUERY_DEPTH = 100
#: Characters a query may have (10 MB of text would be parsed before any deadline applies).
MAX_QUERY_CHARS = 1_000_000


class QueryRefused(OrgkgError):
    """The query asks for something local queries may not do (update, federation, outside graphs)."""


class QueryTimeout(OrgkgError):
    """The query did not finish within its deadline; `finished` is set once the abandoned
    action ends, for a caller that must know when it can no longer have an effect."""

    def __init__(self, message: str, option: str | None = None, finished: threading.Event | None = None):
        super().__init__(message, option)
        self.finished = finished if finished is not None else threading.Event()


def check(
    sparql: str, allow_service: bool = False, graphs: Collection[str] | Callable[[], Collection[str]] | None = None
) -> bool:
    """Raise QueryRefused for an empty or oversized text, an update, SERVICE (unless allowed) or
    a FROM graph outside `graphs` (None: any graph may be named; a function: asked only if there
    is a FROM), and SparqlTextError for text the grammar cannot tokenize. Each reading of the
    text (as Oxigraph and as rdflib read it) is checked. True if the query names its dataset
    (FROM, FROM NAMED), which then replaces the union default graph."""
    if len(sparql) > MAX_QUERY_CHARS:
        raise QueryRefused(
            f"the query has {len(sparql):,} characters; the limit is {MAX_QUERY_CHARS:,} (MAX_QUERY_CHARS)"
        )
    try:
        sparql.encode("utf-8")
    except UnicodeEncodeError:
        raise QueryRefused("the query holds bytes that are not UTF-8; write it as UTF-8 text") from None
    names_dataset, unreadable = False, None
    for reading in sparql_text.readings(sparql):
        try:
            tokens = sparql_text.tokenize(reading)
        except sparql_text.SparqlTextError as error:
            unreadable = unreadable or error
            continue
        names_dataset |= _check_tokens(tokens, allow_service, graphs)
    if unreadable is not None:
        raise unreadable
    return names_dataset


def _check_tokens(tokens: list[Token], allow_service: bool, graphs) -> bool:
    start = sparql_text.prologue_end(tokens)
    form = sparql_text.form(tokens, start)
    if form is None:
        raise QueryRefused("the query is empty (only comments or blanks); write a SELECT, ASK, CONSTRUCT or DESCRIBE")
    if form in UPDATE_FORMS:
        raise QueryRefused("this is a SPARQL Update; local queries are read-only")
    depth = sparql_text.deepest(tokens)
    if depth > MAX_QUERY_DEPTH:
        raise QueryRefused(f"the query nests brackets {depth} deep; the limit is {MAX_QUERY_DEPTH} (MAX_QUERY_DEPTH)")
    if not allow_service and any(token.word == "SERVICE" for token in tokens):
        raise QueryRefused(
            "SERVICE makes the engine fetch a URL; federated queries are off unless you allow them",
            option="allow_service",
        )
    declared = None  # the prologue, read if a FROM needs it
    names_dataset = False
    for at, token in enumerate(tokens):
        if token.word != "FROM":
            continue
        names_dataset = True
        following = tokens[at + 1 : at + 3]
        if following and following[0].word == "NAMED":
            following = following[1:]
        if graphs is None or not following or following[0].kind not in ("iri", "pname"):
            continue  # not a graph name: the engine's parser reports it
        graphs = graphs() if callable(graphs) else graphs
        declared = declared or sparql_text.prologue(tokens)
        iri = sparql_text.expand_name(following[0], declared)
        if iri is not None and iri not in graphs:
            raise QueryRefused(
                f"FROM <{iri}> is not a graph of the repository; FROM and FROM NAMED may name only "
                "the repository's graphs (https://w3id.org/orgkg/graph/...)"
            )
    return names_dataset


def run_with_deadline(action: Callable[[], T], timeout: float | None, settle: bool = False) -> T:
    """`action()` in a worker thread; QueryTimeout if it has not finished after `timeout` seconds
    (the thread is abandoned: a daemon, it does not keep the process alive). Without a timeout
    the thread still serves: waiting for it, unlike waiting inside the engine, Ctrl-C interrupts.
    With `settle`, Ctrl-C first lets the action finish (within the timeout): a request already
    sent must land before the caller cleans up after it, or it would land after the clean-up.
    The collector is paused meanwhile (`Worker`): the caller's garbage may hold query solutions."""
    return Worker(action, pause_collector=True).result(timeout, settle)


class Worker(Generic[T]):
    """`action()` started at once in a daemon thread of its own; `result()` waits for its value
    (or raises its error). For work that releases the interpreter's lock, such as the engine's,
    while the caller's thread goes on.

    With `pause_collector`, the garbage collector is off until the thread has ended: a collection
    run by the worker frees the caller's cyclic garbage in the worker's thread, and pyoxigraph's
    query solutions may be dropped only in the thread that made them (otherwise "unsendable, but
    is being dropped on another thread", and the object leaks)."""

    def __init__(self, action: Callable[[], T], name: str = "orgkg-query", pause_collector: bool = False):
        self._values: list[T] = []
        self._errors: list[BaseException] = []
        # An Event, not Thread.join: on Python 3.11 a join that Ctrl-C interrupts marks the thread
        # stopped, so a second join returned at once while the request was still under way.
        self._finished = threading.Event()

        def work() -> None:
            try:
                self._values.append(action())
            except BaseException as error:  # handed to the caller's thread
                self._errors.append(error)
            finally:
                self._finished.set()

        self._paused = pause_collector and gc.isenabled()
        if self._paused:
            gc.disable()
        self._thread = threading.Thread(target=work, name=name, daemon=True)
        self._thread.start()

    def result(self, timeout: float | None = None, settle: bool = False) -> T:
        """The action's value once it has finished; QueryTimeout after `timeout` seconds."""
        try:
            self._finished.wait(timeout)
        except KeyboardInterrupt:
            if settle:
                self._finished.wait(timeout)
            raise
        finally:
            if self._paused:
                if self._finished.is_set():
                    self._thread.join()  # past its last line of Python: no collection can run there now
                gc.enable()  # interrupted too: a collector left off would keep every cycle from now on
                self._paused = False
        if not self._finished.is_set():
            raise QueryTimeout(
                f"the query did not finish within {timeout:g} s; raise the timeout, or narrow the query",
                "timeout",
                self._finished,
            )
        if self._errors:
            raise self._errors[0]
        return self._values.pop()
