"""Shell completion (Click's): saved query names, their parameter names and values, graph names
and node names, each read from the repository or the store when the shell asks. A completion
never fails: where it cannot look (no repository, a broken file), it offers nothing."""

from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem


def _quietly(complete):
    @wraps(complete)
    def offer(ctx, param, incomplete: str) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem  # only when the shell asks

        try:
            return [
                item if isinstance(item, CompletionItem) else CompletionItem(item) for item in complete(ctx, incomplete)
            ]
        except Exception:  # a completion must never print a traceback into the user's shell
            return []

    return offer


def _root():
    from orgkg.namespaces import find_root

    return find_root()


def _engine():
    from orgkg.store import EmbeddedStore

    return EmbeddedStore(_root())


@_quietly
def query_names(ctx, incomplete: str) -> list[str]:
    from orgkg.catalogue import query_names as names
    from orgkg.namespaces import QUERIES_DIR

    return [name for name in names(_root() / QUERIES_DIR) if name.startswith(incomplete)]


@_quietly
def query_parameters(ctx, incomplete: str) -> list[str]:
    """NAME= for the query being run; after NAME=, values: the nodes of a class or concept
    parameter (a fixed set), else the default."""
    from orgkg.catalogue import find_query
    from orgkg.names import Resolver
    from orgkg.namespaces import QUERIES_DIR

    # While an option still waits for its value, Click leaves the query name among ctx.args.
    query = find_query(_root() / QUERIES_DIR, ctx.params.get("name") or ctx.args[0])
    name, sep, value = incomplete.partition("=")
    if not sep:
        return [f"{p.name}=" for p in query.params if p.name.startswith(name)]
    param = next(p for p in query.params if p.name == name)
    if param.type == "iri" and param.expects in ("class", "concept"):
        return [f"{name}={node}" for node in Resolver(_engine()).candidates(value or "okg:", param.expects)]
    defaults = param.default if isinstance(param.default, list) else [str(param.default)]
    return [f"{name}={default}" for default in defaults if default.startswith(value)]


@_quietly
def graph_names(ctx, incomplete: str) -> list[str]:
    from orgkg.exporting import graph_names as names
    from orgkg.repository import Repository

    repository = Repository(_root())
    named = names([repository.graph_name(path) for path in repository.data_files()])
    return sorted(name for name in named if name.startswith(incomplete) and "://" not in name)


def node_names(kind: str):
    """Labels (or prefixed names, once a prefix is typed) of nodes of `kind`."""

    @_quietly
    def complete(ctx, incomplete: str) -> list[str]:
        from orgkg.names import Resolver

        return Resolver(_engine()).candidates(incomplete, kind)

    return complete
