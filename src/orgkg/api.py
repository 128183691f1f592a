"""The Python API: the graph and its saved queries from a notebook or a script, without the
command line. Rows come back as plain Python values; problems raise orgkg.errors.OrgkgError.

    >>> import orgkg
    >>> kg = orgkg.open(".")                        # a checkout (or $ORGKG_ROOT when no path)
    >>> rows = kg.query("lineage", organization="cao bang newspaper")
    >>> rows[0]["kind"], rows[0]["later"]
    ('merger', 'https://w3id.org/orgkg/id/org-cao-bang-newspaper')
    >>> rows.to_pandas()                            # needs pandas
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from orgkg.errors import OrgkgError


class Rows(list):
    """The rows of a SELECT: a list of dicts (column -> plain value, None where unbound), in the
    query's order, with the column names in `columns`."""

    def __init__(self, columns: list[str], rows: list[dict]):
        super().__init__(rows)
        self.columns = columns

    def to_pandas(self):
        """The rows as a pandas DataFrame (pandas is not a dependency of orgkg: install it)."""
        try:
            import pandas
        except ImportError:
            raise OrgkgError("to_pandas needs pandas: pip install pandas") from None
        return pandas.DataFrame(list(self), columns=self.columns)


@dataclass(frozen=True)
class QueryInfo:
    """A saved query as the catalogue lists it."""

    name: str
    summary: str
    parameters: tuple[dict, ...]


class Graph:
    """One orgkg repository and the engine its queries run on (see `open`)."""

    def __init__(self, root: Path, engine: str = "oxigraph", endpoint: str | None = None, timeout: float | None = None):
        from orgkg.engines import engine_for

        self.root = root
        self._engine = engine_for(root, engine, endpoint, timeout=timeout)

    def __repr__(self) -> str:
        return f"orgkg.Graph({str(self.root)!r})"

    def queries(self) -> list[QueryInfo]:
        """The saved queries: name, summary and parameters (name, type, default, description)."""
        from orgkg.catalogue import load_catalogue
        from orgkg.namespaces import QUERIES_DIR

        return [
            QueryInfo(q.name, q.summary, tuple(p.to_dict() for p in q.params))
            for q in load_catalogue(self.root / QUERIES_DIR).values()
        ]

    def query(self, name: str, /, **params) -> Rows:
        """Run a saved query. Each keyword is a parameter (`from_` for `from`): a string, number
        or date, or a list for list parameters; iri parameters also take prefixed names, labels
        and document codes. Parameters not given keep the defaults written in the query."""
        from orgkg.catalogue import run_saved_query

        values = {key.rstrip("_"): _texts(value) for key, value in params.items()}
        return _rows(run_saved_query(self.root, self._engine, name, values, self._warn))

    def sparql(self, text: str):
        """Run ad hoc, read-only SPARQL with the catalogue's prefixes predeclared: Rows for SELECT,
        a bool for ASK, a list of (subject, predicate, object) tuples for CONSTRUCT/DESCRIBE."""
        from orgkg.adhoc import run_adhoc
        from orgkg.terms import to_python

        results = run_adhoc(self._engine, text)
        if results.boolean is not None:
            return results.boolean
        if results.triples is not None:
            return [tuple(to_python(term) for term in triple) for triple in results.triples]
        return _rows(results)

    def describe(self, node: str) -> Rows:
        """Every statement about a node and pointing to it, with labels, sources and quotes. The
        node is an IRI, a prefixed name (kg:...) or a label."""
        from orgkg.catalogue import describe_node

        return _rows(describe_node(self.root, self._engine, node, self._warn))

    def lineage(self, organization: str) -> list:
        """The predecessor and successor links around an organization (orgkg.lineage.Edge)."""
        from orgkg.catalogue import check_engine
        from orgkg.lineage import lineage
        from orgkg.names import Resolver
        from orgkg.store import queried_together

        check_engine(self.root, self._engine, "lineage", self._warn)
        with queried_together(self._engine) as engine:
            return lineage(self.root, engine, Resolver(engine).resolve(organization, "organization"))

    def export(self, format: str = "turtle", graph: str | None = None, inferred: bool = False) -> bytes:
        """The graph (or one graph, by short name) in turtle, nt, nq, trig or jsonld, byte-identical
        from run to run; `inferred` adds the ontology's RDFS entailments."""
        from orgkg.exporting import export

        return export(self.root, format, graph, inferred)

    @staticmethod
    def _warn(warning: str) -> None:
        """A known defect of the endpoint's engine, as a Python warning at the line of the code
        that called the API (the first frame outside orgkg)."""
        import sys
        import warnings

        level, frame = 2, sys._getframe(1)
        while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith("orgkg."):
            level, frame = level + 1, frame.f_back
        warnings.warn(warning, stacklevel=level)


def open(
    path: str | Path | None = None,
    *,
    engine: str = "oxigraph",
    endpoint: str | None = None,
    timeout: float | None = None,
) -> Graph:
    """The orgkg repository at or above `path` (default: $ORGKG_ROOT, else the current folder).

    `engine` is "oxigraph" (the embedded store, built and refreshed from the files as needed) or
    "rdflib" (the reference); `endpoint` runs every query on a SPARQL 1.1 endpoint instead;
    `timeout` (seconds) bounds each query."""
    from orgkg.choices import ENGINES
    from orgkg.namespaces import RepositoryNotFound, find_root, repository_above

    if engine not in ENGINES:
        raise OrgkgError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}", option="engine")
    root = find_root() if path is None else repository_above(Path(path))
    if root is None:
        raise RepositoryNotFound(f"no orgkg repository (a folder with ontology/ and graph/) at or above {path}")
    return Graph(root, engine, endpoint, timeout)


def _texts(value) -> list[str]:
    """A keyword parameter's value(s) as the texts the catalogue parses."""
    values = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
    return [item.isoformat() if isinstance(item, date) else str(item) for item in values]


def _rows(results) -> Rows:
    from orgkg.terms import to_python

    columns = list(results.variables)
    return Rows(columns, [dict(zip(columns, map(to_python, row))) for row in results.rows])
