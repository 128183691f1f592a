"""SPARQL helpers the graph tests share: rows, ASK, and "is this node quoted with these words"."""

from __future__ import annotations

from rdflib import Literal, Namespace, URIRef

from orgkg.namespaces import PREFIXES

#: The project's prefixes as rdflib namespaces, for building terms in tests: NS["okg"]["Merger"].
NS = {prefix: Namespace(iri) for prefix, iri in PREFIXES.items()}


def rows(kg, query: str, **bindings):
    return list(kg.query(query, initNs=PREFIXES, initBindings=bindings))


def ask(kg, query: str, **bindings) -> bool:
    return bool(kg.query(query, initNs=PREFIXES, initBindings=bindings).askAnswer)


def quoted_in(kg, node: URIRef, words: str, article: URIRef) -> bool:
    """The node carries evidence from `article` whose quote contains `words`."""
    return ask(
        kg,
        """
        ASK { ?node prov:wasDerivedFrom ?article ;
                    okg:evidence [ oa:hasSource ?article ; oa:hasSelector/oa:exact ?exact ] .
              FILTER(CONTAINS(?exact, ?words)) }""",
        node=node,
        article=article,
        words=Literal(words),
    )
