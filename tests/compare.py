"""Comparing query results across engines, and the query x engine matrix printed at the end of
the test session (registered as a pytest plugin in conftest.py)."""

from __future__ import annotations

import pyoxigraph as ox

from orgkg.results import Results

#: query name -> engine -> cell, filled by test_conformance.py.
MATRIX: dict[str, dict[str, str]] = {}
ENGINES: list[str] = []


def comparable(results: Results) -> list[tuple]:
    """Canonical rows; GROUP_CONCAT lists (" | ") compared as sets, their order being
    unspecified in SPARQL 1.1."""

    def as_set(term):
        if isinstance(term, ox.Literal) and " | " in term.value:
            return ox.Literal(
                " | ".join(sorted(term.value.split(" | "))),
                language=term.language,
                datatype=None if term.language else term.datatype,
            )
        return term

    rows = Results(variables=results.variables, rows=[[as_set(v) for v in row] for row in results.rows]).rows
    return sorted(tuple("" if term is None else str(term) for term in row) for row in rows)


def record(query: str, engine: str, cell: str) -> None:
    if engine not in ENGINES:
        ENGINES.append(engine)
    MATRIX.setdefault(query, {})[engine] = cell


def pytest_terminal_summary(terminalreporter) -> None:
    if not MATRIX:
        return
    from orgkg.output import text_table

    rows = [[name, *(MATRIX[name].get(engine, "-") for engine in ENGINES)] for name in sorted(MATRIX)]
    terminalreporter.section("saved queries x engines (rows; = same as rdflib, ≠ differs)")
    terminalreporter.write_line(text_table(["query", *ENGINES], rows, width=200))
