"""Query results as one engine-neutral structure, and every output format written from it,
so the same rows come out whatever the engine or the format."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from orgkg.namespaces import bind_prefixes
from orgkg.output import text_table

SELECT_FORMATS = ("table", "csv", "tsv", "json", "xml", "md")
GRAPH_FORMATS = ("turtle", "nt", "jsonld")


@dataclass
class Results:
    """SELECT rows (rdflib terms, None where unbound), an ASK boolean, or a CONSTRUCT graph."""

    variables: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None

    def sorted_rows(self) -> list[tuple]:
        """Rows in a canonical order and numbers in canonical form, for comparing engines
        (rdflib writes the decimal 600 as "600.0", Oxigraph as "600")."""
        return sorted(tuple(_canonical(v) for v in row) for row in self.rows)


_NUMERIC = {XSD.decimal, XSD.integer, XSD.double, XSD.float}


def _canonical(term) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal) and term.datatype in _NUMERIC:
        try:
            number = Decimal(str(term))
        except ArithmeticError:
            return term.n3()
        return f'"{format(number.normalize(), "f")}"^^<{term.datatype}>'
    return term.n3()


def render(results: Results, fmt: str, width: int | None = None) -> str:
    if results.graph is not None:
        if fmt not in GRAPH_FORMATS:
            raise ValueError(f"a CONSTRUCT/DESCRIBE result is written as {', '.join(GRAPH_FORMATS)}, not {fmt}")
        rdflib_format = {"nt": "nt", "turtle": "turtle", "jsonld": "json-ld"}[fmt]
        return bind_prefixes(results.graph).serialize(format=rdflib_format)
    if fmt not in SELECT_FORMATS:
        raise ValueError(f"a SELECT/ASK result is written as {', '.join(SELECT_FORMATS)}, not {fmt}")
    if results.boolean is not None:
        return _boolean(results.boolean, fmt)
    return {"table": _table, "csv": _csv, "tsv": _tsv, "json": _json, "xml": _xml, "md": _markdown}[fmt](
        results, width)


def _plain(term) -> str:
    return "" if term is None else str(term)


def _table(results: Results, width: int | None) -> str:
    """For reading: IRIs shortened to the project's prefixes (kg:org-politburo)."""
    names = bind_prefixes(Graph()).namespace_manager

    def cell(term) -> str:
        return names.normalizeUri(term) if isinstance(term, URIRef) else _plain(term)

    rows = [[cell(v) for v in row] for row in results.rows]
    footer = f"({len(rows)} row{'s' if len(rows) != 1 else ''})"
    return text_table(results.variables, rows, width) + "\n" + footer


def _csv(results: Results, _width=None) -> str:
    """SPARQL 1.1 CSV: plain lexical values."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(results.variables)
    writer.writerows([_plain(v) for v in row] for row in results.rows)
    return buffer.getvalue()


def _tsv(results: Results, _width=None) -> str:
    """SPARQL 1.1 TSV: variables with '?', terms in Turtle syntax."""
    lines = ["\t".join(f"?{v}" for v in results.variables)]
    lines += ["\t".join("" if v is None else v.n3() for v in row) for row in results.rows]
    return "\n".join(lines) + "\n"


def _json_term(term) -> dict:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    value: dict = {"type": "literal", "value": str(term)}
    if term.language:
        value["xml:lang"] = term.language
    elif term.datatype:
        value["datatype"] = str(term.datatype)
    return value


def _json(results: Results, _width=None) -> str:
    bindings = [{var: _json_term(v) for var, v in zip(results.variables, row) if v is not None}
                for row in results.rows]
    return json.dumps({"head": {"vars": results.variables}, "results": {"bindings": bindings}},
                      ensure_ascii=False, indent=2) + "\n"


def _xml_term(term) -> str:
    if isinstance(term, URIRef):
        return f"<uri>{escape(str(term))}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{escape(str(term))}</bnode>"
    attributes = (f" xml:lang={quoteattr(term.language)}" if term.language
                  else f" datatype={quoteattr(str(term.datatype))}" if term.datatype else "")
    return f"<literal{attributes}>{escape(str(term))}</literal>"


def _xml(results: Results, _width=None) -> str:
    lines = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "  <head>"]
    lines += [f"    <variable name={quoteattr(v)}/>" for v in results.variables]
    lines += ["  </head>", "  <results>"]
    for row in results.rows:
        lines.append("    <result>")
        lines += [f"      <binding name={quoteattr(var)}>{_xml_term(v)}</binding>"
                  for var, v in zip(results.variables, row) if v is not None]
        lines.append("    </result>")
    lines += ["  </results>", "</sparql>"]
    return "\n".join(lines) + "\n"


def _markdown(results: Results, _width=None) -> str:
    def cell(term) -> str:
        return _plain(term).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(results.variables) + " |", "|" + "---|" * len(results.variables)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in results.rows]
    return "\n".join(lines) + "\n"


def _boolean(value: bool, fmt: str) -> str:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}) + "\n"
    if fmt == "xml":
        return ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
                f"  <head/>\n  <boolean>{str(value).lower()}</boolean>\n</sparql>\n")
    return ("true" if value else "false") + "\n"
