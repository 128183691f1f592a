"""The one place for namespaces, prefixes and repository paths.

Prefixes are plain strings, so commands that never touch rdflib do not pay its import;
the rdflib `Namespace` objects (OKG, KG, ...) are made on first use.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from orgkg import places
from orgkg.errors import OrgkgError

BASE = "https://w3id.org/orgkg/"
GRAPH_BASE = BASE + "graph/"

#: Every prefix the project writes, in the order Turtle files declare them.
PREFIXES: dict[str, str] = {
    "okg": BASE + "ontology#",
    "okgsh": BASE + "shapes#",
    "kg": BASE + "id/",
    "cv": "http://data.europa.eu/m8g/",
    "dct": "http://purl.org/dc/terms/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "oa": "http://www.w3.org/ns/oa#",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "qb": "http://purl.org/linked-data/cube#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "http://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "time": "http://www.w3.org/2006/time#",
    "wd": "http://www.wikidata.org/entity/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

#: The rdflib Namespace objects other modules import by name, made lazily by __getattr__.
_RDFLIB_NAMESPACES = {"OKG": "okg", "KG": "kg", "CV": "cv", "ELI": "eli", "OA": "oa", "SCHEMA": "schema", "WD": "wd"}
_LOCAL_NAME = re.compile(r"[A-Za-z_][\w\-]*|")


def __getattr__(name: str):
    if name in _RDFLIB_NAMESPACES:
        from rdflib import Namespace

        namespace = globals()[name] = Namespace(PREFIXES[_RDFLIB_NAMESPACES[name]])
        return namespace
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def prefixed(iri: str) -> str | None:
    """`iri` as prefix:local with the project's prefixes, or None when none fits."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and _LOCAL_NAME.fullmatch(iri[len(namespace) :]):
            return f"{prefix}:{iri[len(namespace) :]}"
    return None


@lru_cache(maxsize=1 << 16)  # writing Turtle asks for the same predicates and classes again and again
def short(iri: str) -> str:
    """`iri` as prefix:local where a project prefix fits, else `<iri>`: the one short name of an
    IRI in tables, reports, diffs, Turtle and the site."""
    return prefixed(iri) or f"<{iri}>"


def prefixes_used(iris: Iterable[str]) -> dict[str, str]:
    """The project prefixes (prefix -> namespace) that some of `iris` start with, in declaration order."""
    iris = set(iris)
    return {p: ns for p, ns in PREFIXES.items() if any(iri.startswith(ns) for iri in iris)}


def sparql_prefixes() -> str:
    """PREFIX declarations for every project prefix, to put before a query."""
    return "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in PREFIXES.items())


def bind_prefixes(graph):
    """Bind the project's prefixes on an rdflib graph (each overriding whatever that prefix or
    namespace was bound to)."""
    from rdflib import Namespace

    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, Namespace(namespace), override=True, replace=True)
    return graph


class RepositoryNotFound(OrgkgError):
    """No orgkg repository where one was looked for."""


def find_root(start: Path | None = None) -> Path:
    """The repository root: $ORGKG_ROOT, else the nearest folder at or above `start` (default the
    current one) holding ontology/ and graph/. Never the checkout orgkg was installed from: a
    command run elsewhere must not answer from another repository's data."""
    if found := places.root_folder(None if start is None else str(start)):
        return Path(found)
    if env := os.environ.get("ORGKG_ROOT"):
        raise RepositoryNotFound(
            f"ORGKG_ROOT={env} is not an orgkg repository (a folder with ontology/ and graph/); point it at one",
            option="root",
        )
    here = (start or Path.cwd()).resolve()
    raise RepositoryNotFound(
        f"no orgkg repository (a folder with ontology/ and graph/) at or above {here}; "
        "run orgkg inside one, or name it with ORGKG_ROOT",
        option="root",
    )


def repository_above(start: Path) -> Path | None:
    """The nearest folder at or above `start` holding ontology/ and graph/, or None."""
    found = places.repository_above(str(start))
    return None if found is None else Path(found)


#: Folders of Turtle data under the root, in load order.
DATA_DIRS = ("ontology", "graph")
ONTOLOGY_FILE = Path("ontology/orgkg.ttl")
SHAPES_FILE = Path("ontology/shapes.ttl")
QUERIES_DIR = Path("queries")
