"""The saved-query catalogue: one SPARQL file per query under queries/, each with a grlc-style
`#+` YAML header (summary, description, tags, params), and binding of parameters as RDF terms.

Each parameter's default is in the query text itself, as a `VALUES ?name { ... }` block, so the
file runs unchanged on any SPARQL 1.1 engine and gives the rows `orgkg query run NAME` gives.
A value given for the parameter replaces the inside of that block; it is never pasted into the
text as the user typed it: each value is parsed into an RDF term of the declared type
(rejecting what is not one) and written in N-Triples syntax by pyoxigraph.
"""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox

from orgkg.choices import SERVE_QUERY_URL
from orgkg.errors import OrgkgError
from orgkg.namespaces import BASE, PREFIXES, QUERIES_DIR
from orgkg.places import sha256
from orgkg.sparql_text import (
    SparqlTextError,
    prologue_end,
    query_kind,
    replace_values,
    tokenize,
    values_blocks,
)

PARAM_TYPES = ("iri", "string", "langString", "date", "integer")
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*")
_XSD = PREFIXES["xsd"]
_LANG = re.compile(r"(?s)(.*)@([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)")


#: The line above a query's parameter VALUES blocks, for readers of the file.
DEFAULTS_COMMENT = "# Parameters, with their defaults: orgkg replaces these values with the ones given."


class QueryError(OrgkgError):
    """A catalogue problem the user can fix: unknown query, bad parameter, broken header."""


class Parameter(NamedTuple):
    name: str
    type: str
    default: str | list[str] | None = None
    description: str = ""
    list: bool = False
    expects: str = "node"  #: for iri parameters, the kind of node (orgkg.names.KINDS)

    def describe(self) -> str:
        kind = self.type if self.type != "iri" or self.expects == "node" else f"iri of {self.expects}"
        kind = f"list of {kind}" if self.list else kind
        default = (",".join(self.default) or "every value") if isinstance(self.default, list) else self.default
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


class SavedQuery(NamedTuple):
    name: str
    path: Path
    summary: str
    description: str
    sparql: str
    #: Where each parameter's VALUES blocks hold its default (sparql_text.values_blocks).
    spans: dict[str, list[tuple[int, int]]]
    tags: tuple[str, ...] = ()
    params: tuple[Parameter, ...] = ()

    @property
    def kind(self) -> str:
        return query_kind(self.sparql)

    def bind(self, values: dict[str, list[str]], resolver=None) -> str:
        """The query text with the given values in place of their parameters' defaults.

        With a resolver (orgkg.names.Resolver), iri parameters also take labels and document
        codes, and every IRI is checked to name a node of the expected kind in the graph."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise QueryError(f"unknown parameter {', '.join(unknown)} for {self.name}; {self.parameter_help()}")
        given: dict[str, list] = {}
        for name, raw in values.items():
            param = known[name]
            if param.list:
                raw = [piece.strip() for value in raw for piece in value.split(",") if piece.strip()]
                if not raw:
                    raise QueryError(f"parameter {param.name} of {self.name} needs at least one value")
            elif len(raw) != 1:
                raise QueryError(f"parameter {param.name} of {self.name} takes one value, got {len(raw)}")
            given[name] = [to_term(param, text, resolver) for text in raw]
        return replace_values(self.sparql, given, self.spans)

    def parameter_help(self) -> str:
        if not self.params:
            return "it takes no parameters"
        return "its parameters: " + "; ".join(p.describe() for p in self.params)


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


def default_terms(prologue: str, inside: str) -> list:
    """The RDF terms written inside a VALUES block, read by pyoxigraph with the query's prologue."""
    probe = f"{prologue}\nSELECT * WHERE {{ VALUES ?value {{ {inside} }} }}"
    from orgkg.terms import solutions

    return [solution["value"] for solution in solutions(ox.Store().query(probe))]  # None for UNDEF


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
    blocks: dict[str, list[tuple[int, int]]] = {}
    prologue = ""
    if specs:
        try:
            tokens = tokenize(text)  # once: the grammar tokenizer is most of a parse's cost
        except SparqlTextError as error:
            raise QueryError(f"{path}: {error}") from None
        blocks = values_blocks(text, tokens)
        end = prologue_end(tokens)
        prologue = text[: tokens[end].start] if end < len(tokens) else text
    for spec in specs:
        from orgkg.names import KINDS

        expects = spec.get("expects") or (spec["name"] if spec["name"] in KINDS else "node")
        if expects not in KINDS:
            raise QueryError(
                f"{path}: parameter {spec['name']} expects unknown kind {expects}; use one of " + ", ".join(KINDS)
            )
        if "default" in spec:
            raise QueryError(
                f"{path}: parameter {spec['name']} has its default in the #+ header; write it in the query "
                f"text instead, as VALUES ?{spec['name']} {{ ... }}, so the file runs as it is on any engine"
            )
        param = Parameter(
            name=spec["name"],
            type=spec.get("type", "string"),
            default=_default(path, text, spec, blocks, prologue),
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
        spans={param.name: blocks[param.name] for param in params},
    )


def _default(path: Path, text: str, spec: dict, blocks: dict, prologue: str) -> str | list[str]:
    """A parameter's default as the user would type it, read from its VALUES blocks in the text
    (several blocks, in sub-selects that must each see the value, hold the same default). A list
    parameter may default to `UNDEF`, every value: its default is then the empty list."""
    name = spec["name"]
    if name not in blocks:
        raise QueryError(
            f"{path}: parameter {name} needs a VALUES ?{name} {{ ... }} block in the query text, "
            "holding its default (orgkg replaces its values with the ones given)"
        )
    insides = {" ".join(text[start:end].split()) for start, end in blocks[name]}
    if len(insides) > 1:
        raise QueryError(f"{path}: the VALUES ?{name} blocks hold different defaults; give them the same values")
    try:
        terms = default_terms(prologue, insides.pop())
    except SyntaxError as error:
        raise QueryError(f"{path}: the default of parameter {name} is not a list of RDF terms: {error}") from None
    values = [term.value for term in terms if term is not None]
    if spec.get("list") and not terms:
        raise QueryError(f"{path}: parameter {name} needs a default (UNDEF for every value)")
    if not spec.get("list") and len(values) != 1:
        raise QueryError(f"{path}: parameter {name} needs one default value")
    return values if spec.get("list") else values[0]


def _parse_header(path: Path, header: str, cache: Path | None) -> object:
    """The #+ header's YAML. With a cache folder, the parsed form is kept there under the
    header's digest, so a query run does not import PyYAML. It is kept as a Python literal, read
    back by `ast.literal_eval` (which runs nothing): click's import has loaded `ast` already,
    where json would be one more import on every run."""
    kept = cache / "headers" / f"{sha256(header.encode()).hexdigest()}.literal" if cache else None
    if kept is not None:
        try:
            return ast.literal_eval(kept.read_text(encoding="utf-8"))
        except (OSError, ValueError, SyntaxError, MemoryError, RecursionError):  # absent or damaged
            pass
    import yaml

    try:
        meta = yaml.safe_load(header) or {}
    except yaml.YAMLError as error:
        raise QueryError(f"{path}: the #+ header is not valid YAML: {error}") from None
    if kept is not None and _literal(meta) == meta:  # a date, nan...: parsed again next time
        from orgkg.atomic import write_best_effort

        write_best_effort(kept, repr(meta))
    return meta


def _literal(value: object) -> object:
    """`value` written as a Python literal and read back (None where it cannot be)."""
    try:
        return ast.literal_eval(repr(value))
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None


def load_catalogue(folder: Path) -> dict[str, SavedQuery]:
    if not folder.is_dir():
        raise QueryError(f"no saved queries: {folder} is not a folder")
    return {path.stem: parse_query_file(path) for path in sorted(folder.glob("*.rq"))}


def query_names(folder: Path) -> list[str]:
    """The saved queries' names, without reading them."""
    return sorted(path.stem for path in folder.glob("*.rq"))


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

    names = query_names(folder)
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6) or [n for n in names if name.lower() in n]
    hint = f"; did you mean {', '.join(close)}?" if close else "; `orgkg query list` shows them"
    raise QueryError(f"no saved query named {name!r}{hint}")


def run_saved_query(root: Path, engine, name: str, values: dict[str, list[str]], warn=None):
    """The answer of saved query `name` on `engine`, with `values` (parameter -> the texts given;
    iri parameters also take labels and codes) in place of its defaults: what `orgkg query run`
    and the Python API's `query` both do. An endpoint is checked first (`check_engine`)."""
    from orgkg.repository import cache_dir
    from orgkg.store import queried_together

    query = find_query(root / QUERIES_DIR, name, cache=cache_dir(root))
    check_engine(root, engine, name, warn)
    if not values:  # the defaults: nothing to resolve
        return engine.query(query.bind({}))
    from orgkg.names import Resolver

    with queried_together(engine) as engine:  # names resolved and the query run on one opening
        return engine.query(query.bind(values, Resolver(engine)))


def describe_node(root: Path, engine, node: str, warn=None):
    """The answer of saved query `describe` about `node` (an IRI, a prefixed name or a label),
    resolved once: what `orgkg describe` and the Python API's `describe` both do."""
    from orgkg.names import Resolver
    from orgkg.repository import cache_dir
    from orgkg.store import queried_together

    query = find_query(root / QUERIES_DIR, "describe", cache=cache_dir(root))
    check_engine(root, engine, "describe", warn)
    with queried_together(engine) as engine:
        return engine.query(query.bind({"node": [Resolver(engine).resolve(node)]}))


def check_engine(root: Path, engine, name: str, warn=None) -> None:
    """Before saved query `name` runs on a remote endpoint: EndpointNotUnion unless its default
    graph is the union, and `warn(text)` told when its engine is known to answer the query
    wrongly (orgkg.endpoints); nothing for a local engine."""
    from orgkg.endpoints import before_saved_query
    from orgkg.repository import cache_dir

    warning = before_saved_query(engine, name, cache_dir(root))
    if warning and warn is not None:
        warn(warning)


#: Where the catalogue's queries are named when described as RDF.
QUERY_BASE = BASE + "queries/"
#: The node declaring the queries' prefixes (sh:prefixes), and the namespace of parameter paths.
PREFIXES_NODE = QUERY_BASE + "prefixes"
PARAMETER_BASE = QUERY_BASE + "parameter#"
_EXECUTABLE = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "construct", "DESCRIBE": "describe"}
_DATATYPES = {"string": "string", "date": "date", "integer": "integer"}


def catalogue_turtle(catalogue: dict[str, SavedQuery], target: str = SERVE_QUERY_URL) -> str:
    """The catalogue in the vocabulary of SIB's sparql-examples (sh:SPARQLExecutable with
    sh:select/ask/construct/describe, rdfs:comment, schema:keywords, schema:target, sh:prefixes
    declaring every prefix with sh:declare), so SPARQL editors and example browsers can load it.
    Each query's text is the file's, defaults included, so it runs as given; its parameters are
    SHACL parameters (sh:parameter: sh:name, sh:description, sh:datatype or sh:nodeKind
    sh:IRI, sh:defaultValue, sh:maxCount 1 unless a list, sh:order)."""
    from orgkg.formats import write

    sh, rdf, rdfs, schema, dct, xsd, owl = (PREFIXES[p] for p in ("sh", "rdf", "rdfs", "schema", "dct", "xsd", "owl"))
    prefixes = ox.NamedNode(PREFIXES_NODE)
    triples = [ox.Triple(prefixes, ox.NamedNode(rdf + "type"), ox.NamedNode(owl + "Ontology"))]
    for prefix, namespace in PREFIXES.items():
        declaration = ox.BlankNode(f"prefix_{prefix}")
        triples += [
            ox.Triple(prefixes, ox.NamedNode(sh + "declare"), declaration),
            ox.Triple(declaration, ox.NamedNode(sh + "prefix"), ox.Literal(prefix)),
            ox.Triple(
                declaration,
                ox.NamedNode(sh + "namespace"),
                ox.Literal(namespace, datatype=ox.NamedNode(xsd + "anyURI")),
            ),
        ]
    for query in catalogue.values():
        node = ox.NamedNode(QUERY_BASE + query.name)
        kind = query.kind
        statements: list[tuple[str, ox.NamedNode | ox.Literal]] = [
            (rdf + "type", ox.NamedNode(sh + "SPARQLExecutable")),
            (rdf + "type", ox.NamedNode(f"{sh}SPARQL{kind.capitalize()}Executable")),
            (rdfs + "label", ox.Literal(query.name)),
            (rdfs + "comment", ox.Literal(query.summary, language="en")),
            (sh + _EXECUTABLE[kind], ox.Literal(_without_header(query.sparql))),
            (sh + "prefixes", prefixes),
            (schema + "target", ox.NamedNode(target)),
            *((schema + "keywords", ox.Literal(tag)) for tag in query.tags),
        ]
        if query.description:
            statements.append((dct + "description", ox.Literal(query.description, language="en")))
        triples += [ox.Triple(node, ox.NamedNode(p), o) for p, o in statements]
        for order, param in enumerate(query.params):
            triples += _parameter_triples(node, param, order, query)
    used = {p: PREFIXES[p] for p in ("sh", "rdf", "rdfs", "schema", "dct", "xsd", "owl")}
    used |= {"query": QUERY_BASE, "param": PARAMETER_BASE}
    return write(sorted(triples, key=str), "turtle", used).decode("utf-8")


def _parameter_triples(query_node, param: Parameter, order: int, query: SavedQuery) -> list:
    """One sh:parameter of a query, in SHACL's parameter vocabulary."""
    sh, xsd = PREFIXES["sh"], PREFIXES["xsd"]
    node = ox.BlankNode(f"{query.name.replace('-', '_')}_{param.name}")
    defaults = param.default if isinstance(param.default, list) else [str(param.default)]
    terms = [to_term(param, value) for value in defaults]
    statements = [
        (sh + "path", ox.NamedNode(PARAMETER_BASE + param.name)),
        (sh + "name", ox.Literal(param.name)),
        (sh + "description", ox.Literal(param.description, language="en")),
        (sh + "order", ox.Literal(str(order), datatype=ox.NamedNode(xsd + "integer"))),
        *((sh + "defaultValue", term) for term in terms),
    ]
    if param.type == "iri":
        statements.append((sh + "nodeKind", ox.NamedNode(sh + "IRI")))
    elif param.type == "langString":
        statements.append((sh + "datatype", ox.NamedNode(PREFIXES["rdf"] + "langString")))
    else:
        statements.append((sh + "datatype", ox.NamedNode(xsd + _DATATYPES[param.type])))
    if not param.list:
        statements.append((sh + "maxCount", ox.Literal("1", datatype=ox.NamedNode(xsd + "integer"))))
    return [ox.Triple(query_node, ox.NamedNode(sh + "parameter"), node)] + [
        ox.Triple(node, ox.NamedNode(p), o) for p, o in statements
    ]


def catalogue_listing(catalogue: dict[str, SavedQuery], fmt: str, target: str = SERVE_QUERY_URL) -> str:
    """Name, summary and parameters of every saved query: a table to read, SPARQL 1.1 CSV (the
    results writer's), JSON with each parameter's declaration, or the catalogue as RDF."""
    if fmt == "turtle":
        return catalogue_turtle(catalogue, target)
    if fmt == "json":
        import json

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
