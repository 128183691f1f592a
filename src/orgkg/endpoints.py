"""What orgkg checks about a remote SPARQL endpoint before a saved query runs there.

Saved queries read the default graph, which must be the union of the loaded graphs (as in the
local engines). A store that keeps its default graph apart (Oxigraph's default) answers them with
0 rows and no error, so one probe asks where the ontology's own declaration is: in a named graph
only, the default graph is not the union. A good answer is remembered per endpoint for an hour in
the cache. The probe's answer also tells which engine serves the endpoint (its Server header), so
the saved queries that engine is known to answer wrongly come with a warning naming the defect
(tests/test_conformance.py measures the same table).
"""

from __future__ import annotations

import time
from pathlib import Path

from orgkg.errors import OrgkgError
from orgkg.namespaces import BASE, PREFIXES

#: How long a good probe answer is trusted: a store can be reloaded differently later.
REMEMBER_SECONDS = 3600

_DECLARATION = f"<{BASE}ontology> <{PREFIXES['rdf']}type> <{PREFIXES['owl']}Ontology>"
#: Counts in both places with UNION and COUNT only, which every engine runs (no EXISTS in BIND).
UNION_PROBE = (
    "SELECT (COUNT(?inDefault) AS ?default) (COUNT(?inNamed) AS ?named) WHERE { "
    f"{{ {_DECLARATION} BIND(1 AS ?inDefault) }} UNION {{ GRAPH ?g {{ {_DECLARATION} }} BIND(1 AS ?inNamed) }} }}"
)

_VIRTUOSO_PATHS = (
    "Virtuoso 7.2.5 evaluates a transitive property path (+, *) whose start is joined to other patterns "
    "wrongly, losing or adding rows (openlink/virtuoso-opensource#704)"
)
_VIRTUOSO_BOOLEANS = "Virtuoso has no boolean type for computed values: BIND(true ...) comes back as 1"
#: engine -> saved query -> the defect that makes the engine's answer differ (README, "Cross-engine
#: conformance").
KNOWN_DEFECTS: dict[str, dict[str, str]] = {
    "virtuoso": {
        **dict.fromkeys(
            (
                "change-events-by-kind",
                "change-events-by-legal-basis",
                "change-events-by-place",
                "change-events-in-period",
                "events-in-window",
                "lineage",
                "lineage-links",
                "predecessors",
            ),
            _VIRTUOSO_PATHS,
        ),
        **dict.fromkeys(
            ("derived-previous-period", "derived-days-between", "derived-implied-total"), _VIRTUOSO_BOOLEANS
        ),
        "search-label": (
            "Virtuoso's REPLACE does not match the non-ASCII letters of stored strings against a character "
            "class, so Vietnamese diacritics are not folded"
        ),
    }
}


class EndpointNotUnion(OrgkgError):
    """The endpoint's default graph does not hold the loaded graphs: saved queries would find nothing."""


def engine_of(server_header: str) -> str:
    """The engine named by an HTTP Server header, as KNOWN_DEFECTS names it ("" when unknown)."""
    lowered = server_header.lower()
    return next((engine for engine in KNOWN_DEFECTS if engine in lowered), "")


def check_endpoint(endpoint, cache: Path | None) -> str:
    """Raise EndpointNotUnion unless the endpoint's default graph is the union of orgkg's graphs;
    return its engine's name. One probe per endpoint, remembered in `cache` for an hour."""
    from orgkg.http_client import redact

    url = redact(endpoint.url)
    remembered = _read(cache)
    entry = remembered.get(url)
    if entry and time.time() - entry.get("checked", 0) < REMEMBER_SECONDS:
        return entry.get("engine", "")
    results = endpoint.query(UNION_PROBE)
    if len(results.rows) != 1 or len(results.rows[0]) != 2:
        raise OrgkgError(
            f"{url} answered a two-count SELECT with {len(results.rows)} rows of "
            f"{len(results.rows[0]) if results.rows else 0} values: is it a SPARQL 1.1 query endpoint?",
            option="endpoint",
        )
    try:
        in_default, in_named = (int(term.value) if term is not None else 0 for term in results.rows[0])
    except ValueError:
        raise OrgkgError(f"{url} answered a count with something else: is it a SPARQL 1.1 query endpoint?") from None
    if not in_default:
        if in_named:
            raise EndpointNotUnion(
                f"{url}: the default graph of this store is not the union of its graphs (orgkg's graphs are "
                "only in named graphs), so saved queries would return nothing. Serve it with a union default "
                "graph (Oxigraph: `oxigraph serve --union-default-graph`, or add ?union-default-graph to the "
                "endpoint URL; Fuseki: tdb2:unionDefaultGraph true), or load with the union copied into the "
                "default graph; see README, Loading into your triplestore"
            )
        raise EndpointNotUnion(
            f"{url} holds none of orgkg's graphs: load them first (README, Loading into your triplestore)"
        )
    engine = engine_of(endpoint.server)
    remembered[url] = {"checked": time.time(), "engine": engine}
    _write(cache, remembered)
    return engine


def known_defect(engine: str, query_name: str) -> str | None:
    """Why `engine` answers the saved query wrongly, if it is known to."""
    return KNOWN_DEFECTS.get(engine, {}).get(query_name)


def before_saved_query(engine, query_name: str, cache: Path | None) -> str | None:
    """On a remote endpoint, check it (EndpointNotUnion) and return the warning to show when its
    engine is known to answer this saved query wrongly; on a local engine, nothing."""
    from orgkg.engines import Endpoint

    if not isinstance(engine, Endpoint):
        return None
    name = check_endpoint(engine, cache)
    why = known_defect(name, query_name)
    return f"{query_name} may be answered wrongly on {name}: {why}" if why else None


def _read(cache: Path | None) -> dict:
    import json  # only for an endpoint: every local query imports this module

    try:
        found = json.loads((cache / "endpoints.json").read_bytes()) if cache else {}
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _write(cache: Path | None, remembered: dict) -> None:
    import json

    from orgkg.atomic import write_best_effort

    if cache is not None:  # not written: probe again next time
        write_best_effort(cache / "endpoints.json", json.dumps(remembered, indent=1, sort_keys=True))
