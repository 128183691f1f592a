"""The one place RDF terms are converted: pyoxigraph terms (what queries return) to and from
rdflib terms (validation, docs), SPARQL 1.1 JSON results (remote endpoints) and plain Python
values (the Python API)."""

from __future__ import annotations

import functools

import pyoxigraph as ox

from orgkg.namespaces import PREFIXES

_XSD = PREFIXES["xsd"]
XSD_STRING = _XSD + "string"


def solutions(answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> ox.QuerySolutions:
    """A SELECT query's answer from pyoxigraph, typed as what it is."""
    assert isinstance(answer, ox.QuerySolutions), "a SELECT query"
    return answer


def to_rdflib(term):
    """A pyoxigraph term as rdflib's (None stays None); xsd:string literals become simple ones."""
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def from_rdflib(term):
    """An rdflib term as pyoxigraph's (None stays None); once for each of the terms data repeats."""
    if term is None:
        return None
    # The key is the term as written: rdflib finds some literals of different forms equal.
    return _from_rdflib(type(term), str(term), getattr(term, "datatype", None), getattr(term, "language", None))


@functools.lru_cache(maxsize=1 << 16)
def _from_rdflib(kind: type, text: str, datatype, language):
    from rdflib import BNode, URIRef

    if issubclass(kind, URIRef):
        return ox.NamedNode(text)
    if issubclass(kind, BNode):
        return ox.BlankNode(text)
    if language:
        return ox.Literal(text, language=language)
    return ox.Literal(text, datatype=ox.NamedNode(str(datatype)) if datatype else None)


def oxigraph_store(graph) -> ox.Store:
    """A new in-memory Oxigraph store holding the triples of an rdflib graph, blank nodes keeping
    their ids: SPARQL over rdflib data answered in Rust."""
    store = ox.Store()
    store.bulk_extend(oxigraph_quads(graph))
    return store


def oxigraph_quads(triples, graph_name: ox.NamedNode | None = None):
    """rdflib triples as pyoxigraph quads in `graph_name` (the default graph if None)."""
    return (ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o), graph_name) for s, p, o in triples)


def from_sparql_json(value: dict | None):
    """One binding of a SPARQL 1.1 JSON result as a pyoxigraph term; ValueError if malformed."""
    if value is None:
        return None
    try:
        kind, text = value["type"], value["value"]
        if kind == "uri":
            return ox.NamedNode(text)
        if kind == "bnode":
            return ox.BlankNode(text)
        if kind in ("literal", "typed-literal"):
            if "xml:lang" in value:
                return ox.Literal(text, language=value["xml:lang"])
            datatype = value.get("datatype")
            return ox.Literal(text, datatype=ox.NamedNode(datatype) if datatype else None)
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"not a SPARQL JSON term: {value!r} ({error})") from None
    raise ValueError(f"not a SPARQL JSON term: {value!r}")


def to_sparql_json(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    value: dict = {"type": "literal", "value": term.value}
    if term.language:
        value["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        value["datatype"] = term.datatype.value
    return value


class IRI(str):
    """An IRI as the Python API returns it: a plain str that says it is an IRI (isinstance)."""

    __slots__ = ()


_INTEGERS = {
    _XSD + name
    for name in (
        "integer int long short byte nonNegativeInteger positiveInteger negativeInteger nonPositiveInteger "
        "unsignedLong unsignedInt unsignedShort unsignedByte"
    ).split()
}


def to_python(term):
    """A pyoxigraph term as a plain Python value: an IRI as IRI (a str), a blank node as "_:id",
    integers as int, xsd:decimal as Decimal, xsd:double/float as float, xsd:boolean as bool,
    xsd:date as date, xsd:dateTime as datetime, any other literal as its text (None stays None)."""
    from datetime import date, datetime
    from decimal import Decimal, InvalidOperation

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return IRI(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    datatype, text = term.datatype.value, term.value
    try:
        if datatype in _INTEGERS:
            return int(text)
        if datatype == _XSD + "decimal":
            return Decimal(text)
        if datatype in (_XSD + "double", _XSD + "float"):
            return float(text)
        if datatype == _XSD + "boolean":
            return text in ("true", "1")
        if datatype == _XSD + "date":
            return date.fromisoformat(text)
        if datatype == _XSD + "dateTime":
            return datetime.fromisoformat(text)
    except (ValueError, InvalidOperation):  # an ill-typed literal, or a date with a time zone: its text
        pass
    return text
