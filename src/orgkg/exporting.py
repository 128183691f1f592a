"""`orgkg export`: the graph as Turtle, N-Triples, N-Quads, TriG or JSON-LD, byte-identical from
run to run, optionally with the RDFS entailments of the ontology for standard-vocabulary clients."""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF, RDFS

from orgkg.formatting import TurtleWriter
from orgkg.loading import data_files, parse_turtle
from orgkg.namespaces import GRAPH_BASE, ONTOLOGY_FILE, bind_prefixes, graph_iri

EXPORT_FORMATS = ("turtle", "nt", "nq", "trig", "jsonld")
INFERRED_GRAPH = URIRef(GRAPH_BASE + "inferred")


class ExportError(Exception):
    pass


def named_graphs(root: Path, article: str | None = None) -> dict[URIRef, Graph]:
    """The repository's graphs by IRI; with `article`, only the graph whose name ends with it."""
    graphs = {graph_iri(path, root): parse_turtle(path) for path in data_files(root)}
    if article is None:
        return graphs
    chosen = {iri: g for iri, g in graphs.items()
              if str(iri) == article or str(iri).endswith("/articles/" + article)}
    if not chosen:
        names = ", ".join(sorted(str(i).rsplit("/", 1)[-1] for i in graphs if "/articles/" in str(i)))
        raise ExportError(f"no article graph {article!r}; articles: {names}")
    return chosen


def rdfs_entailments(data: Graph, ontology: Graph) -> Graph:
    """Triples RDFS adds through the ontology's subClassOf, subPropertyOf, domain and range
    (rules rdfs2, 3, 7, 9), minus those already stated."""
    def closure(relation) -> dict:
        parents: dict = {}
        for child, parent in ontology.subject_objects(relation):
            parents.setdefault(child, set()).add(parent)
        result = {}
        for start in parents:
            seen, todo = set(), list(parents[start])
            while todo:
                node = todo.pop()
                if node not in seen:
                    seen.add(node)
                    todo.extend(parents.get(node, ()))
            result[start] = seen
        return result

    superclasses, superproperties = closure(RDFS.subClassOf), closure(RDFS.subPropertyOf)
    entailed = Graph()
    for s, p, o in data:
        for prop in {p} | superproperties.get(p, set()):
            entailed.add((s, prop, o))
            for domain in ontology.objects(prop, RDFS.domain):
                entailed.add((s, RDF.type, domain))
            if not isinstance(o, Literal):
                for range_ in ontology.objects(prop, RDFS.range):
                    entailed.add((o, RDF.type, range_))
    for node, cls in list(entailed.subject_objects(RDF.type)):
        for parent in superclasses.get(cls, ()):
            entailed.add((node, RDF.type, parent))
    return entailed - data


def export(root: Path, fmt: str, article: str | None = None, inferred: bool = False) -> str:
    graphs = named_graphs(root, article)
    if inferred:
        ontology = parse_turtle(root / ONTOLOGY_FILE)
        union = Graph()
        for graph in graphs.values():
            union += graph
        graphs[INFERRED_GRAPH] = rdfs_entailments(union, ontology)
    if fmt in ("turtle", "nt"):
        union = Graph()
        for graph in graphs.values():
            union += graph
        return _turtle(union) if fmt == "turtle" else _ntriples(union)
    return {"nq": _nquads, "trig": _trig, "jsonld": _jsonld}[fmt](graphs)


def _turtle(graph: Graph) -> str:
    return TurtleWriter(bind_prefixes(graph)).document()


def _canonical(graph: Graph) -> Graph:
    """Blank nodes relabelled from the graph's content, so labels are the same every run."""
    return to_canonical_graph(graph) if any(isinstance(t, BNode) for triple in graph for t in triple) else graph


def _ntriples(graph: Graph) -> str:
    lines = {f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in _canonical(graph)}
    return "".join(line + "\n" for line in sorted(lines))


def _nquads(graphs: dict[URIRef, Graph]) -> str:
    lines = set()
    for name, graph in graphs.items():
        lines |= {f"{s.n3()} {p.n3()} {o.n3()} {name.n3()} ." for s, p, o in _canonical(graph)}
    return "".join(line + "\n" for line in sorted(lines))


def _trig(graphs: dict[URIRef, Graph]) -> str:
    writers = {name: TurtleWriter(bind_prefixes(graph)) for name, graph in sorted(graphs.items())}
    blocks = []
    for name, writer in writers.items():
        body = writer.body().replace("\n", "\n    ")
        blocks.append(f"<{name}> {{\n    {body}\n}}\n")
    used = set().union(*(w.used_namespaces for w in writers.values()))
    header = TurtleWriter(Graph())
    header.used_namespaces = used
    return header.prefixes() + "\n" + "\n".join(blocks)


def _jsonld_term(term) -> dict:
    if isinstance(term, URIRef):
        return {"@id": str(term)}
    if isinstance(term, BNode):
        return {"@id": f"_:{term}"}
    value: dict = {"@value": str(term)}
    if term.language:
        value["@language"] = term.language
    elif term.datatype:
        value["@type"] = str(term.datatype)
    return value


def _jsonld(graphs: dict[URIRef, Graph]) -> str:
    """Expanded JSON-LD (no context needed), one @graph per named graph, everything sorted."""
    document = []
    for name, graph in sorted(graphs.items()):
        graph = _canonical(graph)
        nodes = []
        for subject in sorted(set(graph.subjects()), key=lambda t: t.n3()):
            node: dict = {"@id": _jsonld_term(subject)["@id"]}
            types = sorted(str(t) for t in graph.objects(subject, RDF.type) if isinstance(t, URIRef))
            if types:
                node["@type"] = types
            for predicate in sorted(set(graph.predicates(subject)) - {RDF.type}, key=str):
                values = sorted(graph.objects(subject, predicate), key=lambda t: t.n3())
                node[str(predicate)] = [_jsonld_term(v) for v in values]
            nodes.append(node)
        document.append({"@id": str(name), "@graph": nodes})
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=False) + "\n"
