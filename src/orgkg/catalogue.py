"""The saved-query catalogue: one SPARQL file per query under queries/, each with a grlc-style
`#+` YAML header (summary, description, tags, params), and binding of parameters as RDF terms.

Parameters are never pasted into the query text as the user typed them: each value is parsed
into an RDF term of the declared type (rejecting what is not one) and bound through a VALUES
block, written in N-Triples syntax by pyoxigraph, at the head of the query's outer WHERE group.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from orgkg.errors import OrgkgError
from orgkg.namespaces import BASE, PREFIXES
from orgkg.sparql_text import QUERY_FORMS, SparqlTextError, insert_values, query_form

PARAM_TYPES = ("iri", "string", "langString", "date", "integer")
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*")
_XSD = PREFIXES["xsd"]
_LANG = re.compile(r"(?s)(.*)@([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)")


class QueryError(OrgkgError):
    """A catalogue problem the user can fix: unknown query, bad parameter, broken header."""


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str | list[str] | None = None
    description: str = ""
    list: bool = False
    expects: str = "node"  #: for iri parameters, the kind of node (orgkg.names.KINDS)

    def describe(self) -> str:
        kind = self.type if self.type != "iri" or self.expects == "node" else f"iri of {self.expects}"
        kind = f"list of {kind}" if self.list else kind
        default = ",".join(self.default) if isinstance(self.default, list) else self.default
        return f"{self.name} ({kind}" + (f", default {default}" if default is not None else "") + ")"

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "type": self.type,
            "list": self.list,
            "default": self.default,
            "description": self.description,
            "expects": self.expects if self.type == "iri" else None,
        }


@dataclass(frozen=True)
class SavedQuery:
    name: str
    path: Path
    summary: str
    description: str
    sparql: str
    tags: tuple[str, ...] = ()
    params: tuple[Parameter, ...] = field(default_factory=tuple)

    @property
    def kind(self) -> str:
        return query_kind(self.sparql)

    def bind(self, values: dict[str, list[str]], resolver=None) -> str:
        """The query text with every parameter bound (given values, else defaults).

        With a resolver (orgkg.names.Resolver), iri parameters also take labels and document
        codes, and every IRI is checked to name a node of the expected kind in the graph."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise QueryError(f"unknown parameter {', '.join(unknown)} for {self.name}; {self.parameter_help()}")
        rows: list[tuple[str, list]] = []
        for param in self.params:
            raw = values.get(param.name)
            if raw is None:
                if param.default is None:
                    raise QueryError(f"missing parameter {param.name} for {self.name}; {self.parameter_help()}")
                if param.default == []:
                    continue  # an empty default: the query's own `VALUES ?name { UNDEF }`, every value
                raw = param.default if isinstance(param.default, list) else [str(param.default)]
            if param.list:
                raw = [piece.strip() for value in raw for piece in value.split(",") if piece.strip()]
                if not raw:
                    raise QueryError(f"parameter {param.name} of {self.name} needs at least one value")
            elif len(raw) != 1:
                raise QueryError(f"parameter {param.name} of {self.name} takes one value, got {len(raw)}")
            terms = [to_term(param, text, resolver) for text in raw]
            rows.append((param.name, terms))
        try:
            return insert_values(*_fill_own_values(self.sparql, rows))
        except SparqlTextError as error:
            raise QueryError(f"{self.path}: {error}") from None

    def parameter_help(self) -> str:
        if not self.params:
            return "it takes no parameters"
        return "its parameters: " + "; ".join(p.describe() for p in self.params)


def _fill_own_values(sparql: str, rows: list[tuple[str, list]]) -> tuple[str, list[tuple[str, list]]]:
    """Bind the parameters whose `VALUES ?name { ... }` blocks the query places itself (inside the
    sub-selects that must see them), replacing each block's values; the rest go to the head."""
    rest = []
    for name, terms in rows:
        block = re.compile(rf"VALUES\s+\?{re.escape(name)}\s*\{{[^{{}}]*\}}")
        filled = f"VALUES ?{name} {{ {' '.join(str(term) for term in terms)} }}"
        if block.search(sparql):
            sparql = block.sub(filled.replace("\\", "\\\\"), sparql)  # the terms as written, no group references
        else:
            rest.append((name, terms))
    return sparql, rest


def to_term(param: Parameter, text: str, resolver=None):
    """Parse one user-given value into an RDF term of the parameter's type."""

    def bad(expected: str) -> QueryError:
        return QueryError(f"parameter {param.name}: {text!r} is not {expected}")

    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise bad("text: it holds bytes that are not UTF-8") from None

    if param.type == "iri":
        from orgkg.names import UnresolvedName, expand

        if resolver is not None:
            try:
                return ox.NamedNode(resolver.resolve(text, param.expects))
            except UnresolvedName as error:
                raise QueryError(f"parameter {param.name}: {error}") from None
        iri = expand(text)
        if iri is None or not _IRI.fullmatch(iri):
            raise bad("an absolute IRI or prefixed name such as kg:org-politburo")
        return ox.NamedNode(iri)
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?\d{1,30}", text.strip()):
            raise bad("an integer (at most 30 digits)")
        return ox.Literal(str(int(text)), datatype=ox.NamedNode(_XSD + "integer"))
    if param.type == "date":
        try:
            return ox.Literal(date.fromisoformat(text.strip()).isoformat(), datatype=ox.NamedNode(_XSD + "date"))
        except ValueError:
            raise bad("a date YYYY-MM-DD") from None
    if param.type == "langString":
        match = _LANG.fullmatch(text)
        if not match:
            raise bad("a language-tagged string such as Cao Bằng@vi")
        return ox.Literal(match.group(1), language=match.group(2))
    return ox.Literal(text)


def query_kind(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE (SELECT for a text without a query form)."""
    kind = query_form(sparql)
    return kind if kind in QUERY_FORMS else "SELECT"


def parse_query_file(path: Path, cache: Path | None = None) -> SavedQuery:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise QueryError(f"{path} is not UTF-8 (byte {error.start}); save it as UTF-8") from None
    header = "\n".join(
        line[3:] if line.startswith("#+ ") else line[2:] for line in text.splitlines() if line.startswith("#+")
    )
    meta = _parse_header(path, header, cache)
    if not isinstance(meta, dict) or "summary" not in meta:
        raise QueryError(f"{path}: the #+ header needs at least a summary")
    specs = meta.get("params") or []
    if not isinstance(specs, list) or not all(
        isinstance(spec, dict) and isinstance(spec.get("name"), str) for spec in specs
    ):
        raise QueryError(f"{path}: params in the #+ header must be a list of parameters, each with a name")
    params = []
    for spec in specs:
        from orgkg.names import KINDS

        expects = spec.get("expects") or (spec["name"] if spec["name"] in KINDS else "node")
        if expects not in KINDS:
            raise QueryError(
                f"{path}: parameter {spec['name']} expects unknown kind {expects}; use one of " + ", ".join(KINDS)
            )
        param = Parameter(
            name=spec["name"],
            type=spec.get("type", "string"),
            default=spec.get("default"),
            description=spec.get("description", ""),
            list=bool(spec.get("list", False)),
            expects=expects,
        )
        if param.type not in PARAM_TYPES:
            raise QueryError(
                f"{path}: parameter {param.name} has unknown type {param.type}; use one of " + ", ".join(PARAM_TYPES)
            )
        params.append(param)
    return SavedQuery(
        name=path.stem,
        path=path,
        summary=str(meta["summary"]).strip(),
        description=str(meta.get("description", "")).strip(),
        sparql=text,
        tags=tuple(meta.get("tags") or ()),
        params=tuple(params),
    )


def _parse_header(path: Path, header: str, cache: Path | None) -> object:
    """The #+ header's YAML. With a cache folder, the parsed form is kept there as JSON under the
    header's digest, so a query run does not import PyYAML."""
    kept = cache / "headers" / f"{hashlib.sha256(header.encode()).hexdigest()}.json" if cache else None
    if kept is not None:
        try:
            return json.loads(kept.read_bytes())
        except (OSError, ValueError):
            pass
    import yaml

    try:
        meta = yaml.safe_load(header) or {}
    except yaml.YAMLError as error:
        raise QueryError(f"{path}: the #+ header is not valid YAML: {error}") from None
    if kept is not None:
        from orgkg.atomic import OutputError, write_atomic

        try:
            kept.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(kept, json.dumps(meta))
        except (TypeError, OSError, OutputError):  # a value JSON cannot hold, or no cache: parse again
            pass
    return meta


def load_catalogue(folder: Path) -> dict[str, SavedQuery]:
    if not folder.is_dir():
        raise QueryError(f"no saved queries: {folder} is not a folder")
    return {path.stem: parse_query_file(path) for path in sorted(folder.glob("*.rq"))}


def find_query(folder: Path, name: str, cache: Path | None = None) -> SavedQuery:
    """One saved query by name; only its own file is read (a run must not parse the catalogue)."""
    path = folder / f"{name}.rq"
    try:
        found = "/" not in name and path.is_file()
    except OSError:  # a name too long for the file system
        found = False
    if found:
        return parse_query_file(path, cache)
    if not folder.is_dir():
        raise QueryError(f"no saved queries: {folder} is not a folder")
    import difflib  # only for a name that is not found: its import compiles a regular expression

    names = sorted(p.stem for p in folder.glob("*.rq"))
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6) or [n for n in names if name.lower() in n]
    hint = f"; did you mean {', '.join(close)}?" if close else "; `orgkg query list` shows them"
    raise QueryError(f"no saved query named {name!r}{hint}")


#: Where the catalogue's queries are named when described as RDF.
QUERY_BASE = BASE + "queries/"
_EXECUTABLE = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "construct", "DESCRIBE": "describe"}


def catalogue_turtle(catalogue: dict[str, SavedQuery]) -> str:
    """The catalogue in the vocabulary SIB's sparql-examples uses (sh:SPARQLExecutable with
    sh:select/ask/construct/describe, rdfs:comment, schema:keywords), so SPARQL editors and
    example browsers can load it. Each query's text has its parameters bound to their
    defaults, so it runs as given."""
    from orgkg.formats import write

    sh, rdf, rdfs, schema, dct = (PREFIXES[p] for p in ("sh", "rdf", "rdfs", "schema", "dct"))
    triples = []
    for query in catalogue.values():
        node = ox.NamedNode(QUERY_BASE + query.name)
        kind = query.kind
        statements: list[tuple[str, ox.NamedNode | ox.Literal]] = [
            (rdf + "type", ox.NamedNode(sh + "SPARQLExecutable")),
            (rdf + "type", ox.NamedNode(f"{sh}SPARQL{kind.capitalize()}Executable")),
            (rdfs + "label", ox.Literal(query.name)),
            (rdfs + "comment", ox.Literal(query.summary, language="en")),
            (sh + _EXECUTABLE[kind], ox.Literal(_without_header(query.bind({})))),
            *((schema + "keywords", ox.Literal(tag)) for tag in query.tags),
        ]
        if query.description:
            statements.append((dct + "description", ox.Literal(query.description, language="en")))
        triples += [ox.Triple(node, ox.NamedNode(p), o) for p, o in statements]
    used = {p: PREFIXES[p] for p in ("sh", "rdf", "rdfs", "schema", "dct")} | {"query": QUERY_BASE}
    return write(sorted(triples, key=str), "turtle", used).decode("utf-8")


def catalogue_listing(catalogue: dict[str, SavedQuery], fmt: str) -> str:
    """Name, summary and parameters of every saved query: a table to read, SPARQL 1.1 CSV (the
    results writer's), JSON with each parameter's declaration, or the catalogue as RDF."""
    if fmt == "turtle":
        return catalogue_turtle(catalogue)
    if fmt == "json":
        listing = [
            {"name": q.name, "summary": q.summary, "tags": list(q.tags), "params": [p.to_dict() for p in q.params]}
            for q in catalogue.values()
        ]
        return json.dumps(listing, ensure_ascii=False, indent=2) + "\n"
    headers = ["name", "summary", "parameters"]
    rows = [[q.name, q.summary, "; ".join(p.describe() for p in q.params)] for q in catalogue.values()]
    if fmt == "csv":
        from orgkg.results import Results, render

        return render(Results(headers, [[ox.Literal(cell) for cell in row] for row in rows]), "csv")
    from orgkg.output import text_table

    return text_table(headers, rows) + "\n"


def _without_header(sparql: str) -> str:
    """The query text without its `#+` header (said in the RDF already)."""
    return "\n".join(line for line in sparql.splitlines() if not line.startswith("#+")).strip() + "\n"
