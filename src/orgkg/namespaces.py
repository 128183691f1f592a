"""The one place for namespaces, prefixes, repository paths and graph IRIs."""

from __future__ import annotations

import os
from pathlib import Path

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, QB, RDF, RDFS, SH, SKOS, TIME, XSD

BASE = "https://w3id.org/orgkg/"
OKG = Namespace(BASE + "ontology#")
KG = Namespace(BASE + "id/")
GRAPH_BASE = BASE + "graph/"
ELI = Namespace("http://data.europa.eu/eli/ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")
CV = Namespace("http://data.europa.eu/m8g/")
SCHEMA = Namespace("http://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")

#: Every prefix the project writes, in the order Turtle files declare them.
PREFIXES: dict[str, Namespace] = {
    "okg": OKG,
    "okgsh": Namespace(BASE + "shapes#"),
    "kg": KG,
    "cv": CV,
    "dct": Namespace(str(DCTERMS)),
    "eli": ELI,
    "oa": OA,
    "org": Namespace(str(ORG)),
    "owl": Namespace(str(OWL)),
    "prov": Namespace(str(PROV)),
    "qb": Namespace(str(QB)),
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "schema": SCHEMA,
    "sh": Namespace(str(SH)),
    "skos": Namespace(str(SKOS)),
    "time": Namespace(str(TIME)),
    "wd": WD,
    "xsd": Namespace(str(XSD)),
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes (each overriding whatever that prefix or namespace was bound to)."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def find_root(start: Path | None = None) -> Path:
    """The repository root: $ORGKG_ROOT, else the nearest parent holding ontology/ and graph/."""
    if env := os.environ.get("ORGKG_ROOT"):
        if not (Path(env) / "ontology").is_dir():
            raise FileNotFoundError(f"ORGKG_ROOT={env} is not an orgkg repository (no ontology/ folder there); "
                                    "fix or unset ORGKG_ROOT")
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "ontology").is_dir() and (candidate / "graph").is_dir():
            return candidate
    source_tree = Path(__file__).resolve().parents[2]
    if (source_tree / "ontology").is_dir():
        return source_tree
    raise FileNotFoundError(
        f"no orgkg repository (a folder with ontology/ and graph/) at or above {here}; "
        "run from the checkout or set ORGKG_ROOT"
    )


#: Folders of Turtle data under the root, in load order.
DATA_DIRS = ("ontology", "graph")
ONTOLOGY_FILE = Path("ontology/orgkg.ttl")
SHAPES_FILE = Path("ontology/shapes.ttl")
QUERIES_DIR = Path("queries")


def graph_iri(path: Path, root: Path) -> URIRef:
    """Named graph of a Turtle file: GRAPH_BASE + its path under the root, minus .ttl.

    Files under graph/ drop the leading "graph/" (graph/articles/x.ttl -> .../graph/articles/x).
    """
    relative = path.resolve().relative_to(root.resolve()).with_suffix("")
    parts = relative.parts[1:] if relative.parts[0] == "graph" else relative.parts
    return URIRef(GRAPH_BASE + "/".join(parts))
