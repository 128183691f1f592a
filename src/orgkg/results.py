"""Query results as one engine-neutral structure of pyoxigraph terms, and every output format
written from it, so the same rows come out whatever the engine or the format.

Each format's writer imports what it alone needs (csv, json, the graph serializer), which would
otherwise be part of every query's start-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox

from orgkg.choices import GRAPH_FORMATS, SELECT_FORMATS
from orgkg.errors import OrgkgError
from orgkg.namespaces import PREFIXES, prefixed
from orgkg.output import text_table
from orgkg.terms import XSD_STRING, to_sparql_json
from orgkg.terms import from_sparql_json as sparql_json_term

_XSD = PREFIXES["xsd"]
#: Numbers every engine must write alike: rdflib writes the decimal 600 as "600.0", Oxigraph
#: as "600" (XSD 1.1's canonical form, which is what we print).
_EXACT_NUMBERS = {_XSD + "decimal", _XSD + "integer"}
#: Booleans likewise: Virtuoso writes true as "1", a valid but not the canonical form.
_BOOLEANS = {"1": "true", "0": "false"}


@dataclass
class Results:
    """SELECT rows (pyoxigraph terms, None where unbound), an ASK boolean, or CONSTRUCT triples."""

    variables: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] | None = None

    def __post_init__(self) -> None:
        self.rows = [[canonical(term) for term in row] for row in self.rows]


#: How saved queries join several values in one cell (GROUP_CONCAT's separator).
LIST_SEPARATOR = " | "


def canonical(term):
    """Integers, decimals and booleans in their canonical lexical form; list cells (plain strings joined
    by LIST_SEPARATOR) with their values sorted, since GROUP_CONCAT's order differs between
    engines; any other term as it is."""
    if isinstance(term, ox.Literal) and term.datatype.value == XSD_STRING and LIST_SEPARATOR in term.value:
        values = sorted(term.value.split(LIST_SEPARATOR))
        return ox.Literal(LIST_SEPARATOR.join(values)) if values != term.value.split(LIST_SEPARATOR) else term
    if isinstance(term, ox.Literal) and term.datatype.value == _XSD + "boolean" and term.value in _BOOLEANS:
        return ox.Literal(_BOOLEANS[term.value], datatype=term.datatype)
    if not isinstance(term, ox.Literal) or term.datatype.value not in _EXACT_NUMBERS:
        return term
    from decimal import Decimal, InvalidOperation  # numbers only: its import is a query's cost

    try:
        number = Decimal(term.value.strip())
    except InvalidOperation:
        return term
    if not number.is_finite():
        return term
    text = format(number.normalize(), "f") if number != 0 else "0"
    if text == term.value:
        return term
    return ox.Literal(text, datatype=term.datatype)


def from_sparql_json(document: dict) -> Results:
    """A SPARQL 1.1 JSON results document; ValueError if it is not one."""
    if not isinstance(document, dict):
        raise ValueError("not a SPARQL results document")
    try:
        if "boolean" in document:
            return Results(boolean=bool(document["boolean"]))
        variables = document["head"]["vars"]
        bindings = document["results"]["bindings"]
        return Results(
            variables=variables, rows=[[sparql_json_term(binding.get(v)) for v in variables] for binding in bindings]
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"no {error} in the results document") from None


def render(results: Results, fmt: str, width: int | None = None) -> str:
    if results.triples is not None:
        if fmt not in GRAPH_FORMATS:
            raise OrgkgError(
                f"a CONSTRUCT/DESCRIBE result is written as {', '.join(GRAPH_FORMATS)}, not {fmt}",
                option="output_format",
            )
        from orgkg.formats import write

        return write(sorted(results.triples, key=str), fmt).decode("utf-8")
    if fmt not in SELECT_FORMATS:
        raise OrgkgError(
            f"a SELECT/ASK result is written as {', '.join(SELECT_FORMATS)}, not {fmt}", option="output_format"
        )
    if results.boolean is not None:
        return _boolean(results.boolean, fmt)
    writers: dict[str, Callable[[Results, int | None], str]] = {
        "table": _table,
        "csv": _csv,
        "tsv": _tsv,
        "json": _json,
        "xml": _xml,
        "md": _markdown,
    }
    return writers[fmt](results, width)


def _plain(term) -> str:
    """The lexical value; blank nodes keep their `_:` so they cannot pass for names."""
    if term is None:
        return ""
    return str(term) if isinstance(term, ox.BlankNode) else term.value


def _table(results: Results, width: int | None) -> str:
    """For reading: IRIs shortened to the project's prefixes (kg:org-politburo); one record per
    row when the columns do not fit the width readably."""

    def cell(term) -> str:
        return (prefixed(term.value) or term.value) if isinstance(term, ox.NamedNode) else _plain(term)

    rows = [[cell(v) for v in row] for row in results.rows]
    footer = f"({len(rows)} row{'s' if len(rows) != 1 else ''})"
    return text_table(results.variables, rows, width, records_if_cramped=True) + "\n" + footer


def _csv(results: Results, _width=None) -> str:
    """SPARQL 1.1 CSV: plain lexical values."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(results.variables)
    writer.writerows([_plain(v) for v in row] for row in results.rows)
    return buffer.getvalue()


def _tsv(results: Results, _width=None) -> str:
    """SPARQL 1.1 TSV: variables with '?', terms in N-Triples (so Turtle) syntax."""
    lines = ["\t".join(f"?{v}" for v in results.variables)]
    lines += ["\t".join("" if v is None else _ntriples(v) for v in row) for row in results.rows]
    return "\n".join(lines) + "\n"


def _ntriples(term) -> str:
    """N-Triples form, with xsd:string literals written simple as SPARQL TSV shows them."""
    if isinstance(term, ox.Literal) and term.datatype.value == XSD_STRING:
        return str(ox.Literal(term.value))
    return str(term)


def _json(results: Results, _width=None) -> str:
    import json

    bindings = [
        {var: to_sparql_json(v) for var, v in zip(results.variables, row) if v is not None} for row in results.rows
    ]
    return (
        json.dumps(
            {"head": {"vars": results.variables}, "results": {"bindings": bindings}}, ensure_ascii=False, indent=2
        )
        + "\n"
    )


def _xml_term(term) -> str:
    from xml.sax.saxutils import escape, quoteattr  # it imports urllib: only for XML output

    value = to_sparql_json(term)
    if value["type"] != "literal":
        return f"<{value['type']}>{escape(value['value'])}</{value['type']}>"
    attributes = (
        f" xml:lang={quoteattr(value['xml:lang'])}"
        if "xml:lang" in value
        else f" datatype={quoteattr(value['datatype'])}"
        if "datatype" in value
        else ""
    )
    return f"<literal{attributes}>{escape(value['value'])}</literal>"


def _xml(results: Results, _width=None) -> str:
    from xml.sax.saxutils import quoteattr

    lines = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "  <head>"]
    lines += [f"    <variable name={quoteattr(v)}/>" for v in results.variables]
    lines += ["  </head>", "  <results>"]
    for row in results.rows:
        lines.append("    <result>")
        lines += [
            f"      <binding name={quoteattr(var)}>{_xml_term(v)}</binding>"
            for var, v in zip(results.variables, row)
            if v is not None
        ]
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
        import json

        return json.dumps({"head": {}, "boolean": value}) + "\n"
    if fmt == "xml":
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
            f"  <head/>\n  <boolean>{str(value).lower()}</boolean>\n</sparql>\n"
        )
    return ("true" if value else "false") + "\n"
