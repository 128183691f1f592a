"""The one reader of SPARQL text: tokens as the SPARQL 1.1 grammar defines them, and what is read
from them (the query form, the prologue's prefixes, nesting depth, where a VALUES block goes).

A regex over keywords is not enough for a guard: `ex:a\\#` is one prefixed name (the grammar's
local-name escapes), `#` starts a comment only outside IRIs, strings and names, and `<` starts an
IRI except after an operand inside an expression, where it is "less than" (`FILTER(?a<1#>...`
is a comparison followed by a comment). The tokenizer follows those rules, tracking whether each
bracket opens an expression, a collection or a group; text it cannot tokenize is an error, never
skipped. rdflib also expands `\\u` escapes anywhere before parsing, Oxigraph only in strings and
IRIs: `readings` gives both so a guard can check each.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple
from urllib.parse import urljoin

from orgkg.errors import OrgkgError

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_FORMS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")

_BASE_CHARS = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d\u2070-\u218f"
    "\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
#: What PN_CHARS adds to PN_CHARS_U beyond "-" and digits.
_COMBINING = "\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_ESCAPE = r"\\(?:[tbnrf\\\"']|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})"
_EXPONENT = r"[eE][+-]?[0-9]+"


def _grammar(base: str, combining: str) -> re.Pattern:
    """The token grammar with PN_CHARS_BASE `base` and the combining characters `combining`."""
    u = base + "_"
    chars = u + r"\-0-9" + combining
    prefix = rf"[{base}](?:[{chars}.]*[{chars}])?"
    local = rf"(?:[{u}:0-9]|{_PLX})(?:(?:[{chars}.:]|{_PLX})*(?:[{chars}:]|{_PLX}))?"
    return re.compile(
        rf"""
    (?P<space>[ \t\r\n]+|\#[^\r\n]*)
  | (?P<string>\"\"\"(?:(?:\"|\"\")?(?:[^\"\\]|{_ESCAPE}))*\"\"\"
      |'''(?:(?:'|'')?(?:[^'\\]|{_ESCAPE}))*'''
      |\"(?:[^\"\\\r\n]|{_ESCAPE})*\"
      |'(?:[^'\\\r\n]|{_ESCAPE})*')
  | (?P<var>[?$][{u}0-9][{u}0-9{combining}]*)
  | (?P<blank>_:[{u}0-9](?:[{chars}.]*[{chars}])?)
  | (?P<pname>(?:{prefix})?:(?:{local})?)
  | (?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)
  | (?P<number>[0-9]+\.[0-9]*{_EXPONENT}|\.[0-9]+{_EXPONENT}|[0-9]+{_EXPONENT}|[0-9]*\.[0-9]+|[0-9]+)
  | (?P<keyword>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<iri><(?:[^<>\"{{}}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{{4}}|\\U[0-9A-Fa-f]{{8}})*>)
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|[{{}}()\[\].,;=<>!+\-*/|^?])
  | (?P<error>[\s\S])
""",
        re.VERBOSE,
    )


@functools.cache
def token_grammar(ascii_only: bool) -> re.Pattern:
    """The tokens' grammar. For text that is all ASCII (nearly every query) its ASCII classes
    match exactly what SPARQL's full ones do, and compile at once, where the full Unicode classes
    take Python's regex compiler tens of milliseconds (a bitmap filled code point by code point)."""
    return _grammar("A-Za-z", "") if ascii_only else _grammar(_BASE_CHARS, _COMBINING)


_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_OPERAND_END = {"var", "iri", "pname", "string", "langtag", "number", "blank"}
_LITERAL_WORDS = {"A", "TRUE", "FALSE"}
#: Keywords after which, outside any bracket, brackets hold expressions (projection, modifiers).
_EXPRESSION_ZONE = {"SELECT", "GROUP", "ORDER", "HAVING"}
_ZONE_ENDS = {"WHERE", "FROM", "LIMIT", "OFFSET", "VALUES"}


class SparqlTextError(OrgkgError):
    """Text that is not SPARQL as the grammar tokenizes it, or that cannot take a VALUES block."""

    def __init__(self, message: str, line: int = 0, column: int = 0, detail: str = ""):
        super().__init__(message)
        self.line, self.column, self.detail = line, column, detail

    def parser_message(self) -> str:
        """The message in the engines' form ("error at LINE:COLUMN: ..."), for orgkg.adhoc.explain."""
        return f"error at {self.line}:{self.column}: {self.detail}"


class Token(NamedTuple):
    kind: str  # iri, pname, var, blank, string, langtag, number, keyword, punct
    text: str
    start: int
    depth: int  # brackets open around it (for an opening bracket: before it)

    @property
    def word(self) -> str:
        """A keyword in upper case ('' for any other token)."""
        return self.text.upper() if self.kind == "keyword" else ""


def position(text: str, offset: int) -> tuple[int, int]:
    """Line and column (from 1) of an offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def tokenize(text: str) -> list[Token]:
    """The tokens of `text`; SparqlTextError at the first character no token can start with."""
    found: list[Token] = []
    frames: list[str] = []  # "{" group, "(" expression, "L" list, "[" blank node, "D" VALUES data
    zone = values_pending = False
    start: int | None = 1 if text.startswith("\ufeff") else 0
    grammar = token_grammar(text.isascii())
    while start is not None:
        matches, start = grammar.finditer(text, start), None
        for match in matches:
            kind = match.lastgroup or ""  # every alternative is a named group
            if kind == "space":
                continue
            token, at = match.group(), match.start()
            if kind == "iri" and frames and frames[-1] == "(" and found and _operand_ended(found[-1]):
                # "less than" inside an expression, not an IRI: read on from just after it
                token = "<=" if text.startswith("<=", at) else "<"
                found.append(Token("punct", token, at, len(frames)))
                start = at + len(token)
                break
            if kind == "error":
                line, column = position(text, at)
                detail = f"unexpected {token!r}"
                raise SparqlTextError(
                    f"SPARQL syntax error at line {line}, column {column}: {detail}", line, column, detail
                )
            depth = len(frames)
            if kind == "keyword":
                word = token.upper()
                if word in _EXPRESSION_ZONE:
                    zone = True
                elif word in _ZONE_ENDS:
                    zone = False
                if word == "VALUES":
                    values_pending = True
            elif kind == "punct":
                if token == "(":
                    frames.append(_paren_kind(frames, found, zone, values_pending))
                elif token == "{":
                    frames.append("D" if values_pending else "{")
                    zone = values_pending = False
                elif token == "[":
                    frames.append("[")
                elif token in ")}]":
                    if frames:
                        frames.pop()
                    depth = len(frames)
                    if token == "}":
                        zone = False
            found.append(Token(kind, token, at, depth))
    return found


def _operand_ended(token: Token | None) -> bool:
    """Whether a `<` after this token is "less than" (inside an expression)."""
    if token is None:
        return False
    return token.kind in _OPERAND_END or token.text in (")", "]") or token.word in ("TRUE", "FALSE")


def _paren_kind(frames: list[str], found: list[Token], zone: bool, values_pending: bool) -> str:
    """What a `(` opens: "(" an expression, "L" a collection, property path or VALUES list."""
    inner = frames[-1] if frames else ""
    if values_pending or inner in ("D", "L"):
        return "L"
    if inner in ("", "("):
        return "("
    previous = found[-1] if found else None
    if zone or (previous and previous.kind == "keyword" and previous.word not in _LITERAL_WORDS):
        return "("  # FILTER(, BIND(, REGEX(, a subquery's projection and modifiers
    before = found[-2] if len(found) > 1 else None
    if previous and previous.kind in ("iri", "pname") and before and before.word == "FILTER":
        return "("  # FILTER <function>(...)
    return "L"


def expand_codepoints(text: str) -> str:
    """`\\uXXXX` and `\\UXXXXXXXX` replaced by their characters everywhere, as rdflib reads a query."""
    return _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def readings(text: str) -> list[str]:
    """The text as Oxigraph reads it and, if different, as rdflib reads it (escapes expanded)."""
    expanded = expand_codepoints(text)
    return [text] if expanded == text else [text, expanded]


def iri_value(token: Token) -> str:
    """An IRI token's IRI, its `\\u` escapes decoded."""
    return expand_codepoints(token.text[1:-1])


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT, DESCRIBE, an update keyword (INSERT, DROP...), or None when the
    text holds no statement at all: the first keyword after the prologue."""
    tokens = tokenize(text)
    return form(tokens, prologue_end(tokens))


def query_kind(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: what kind of answer to expect (SELECT for anything
    else, an update or no statement at all, which the guard or the engine refuses)."""
    kind = query_form(text)
    return kind if kind in QUERY_FORMS else "SELECT"


def form(tokens: list[Token], start: int) -> str | None:
    """The keyword at `start` (the end of the prologue) in upper case, None past the end."""
    return tokens[start].text.upper() if start < len(tokens) else None


def prologue_end(tokens: list[Token]) -> int:
    at = 0
    steps = {"PREFIX": 3, "BASE": 2, "VERSION": 2}
    while at < len(tokens) and tokens[at].word in steps:
        at += steps[tokens[at].word]
    return at


class Prologue(NamedTuple):
    base: str
    prefixes: dict[str, str]  #: "ex:" -> namespace IRI


def prologue(tokens: list[Token]) -> Prologue:
    """BASE and PREFIX declarations, IRIs resolved against the BASE in force when declared."""
    base, prefixes, at = "", {}, 0
    while at < prologue_end(tokens):
        word = tokens[at].word
        if word == "BASE" and tokens[at + 1].kind == "iri":
            base = resolve(iri_value(tokens[at + 1]), base)
        elif word == "PREFIX" and at + 2 < len(tokens) and tokens[at + 2].kind == "iri":
            prefixes[tokens[at + 1].text] = resolve(iri_value(tokens[at + 2]), base)
        at += 3 if word == "PREFIX" else 2
    return Prologue(base, prefixes)


def resolve(iri: str, base: str) -> str:
    return urljoin(base, iri) if base else iri


def expand_name(token: Token, declared: Prologue) -> str | None:
    """The IRI an iri or prefixed-name token names, or None (an undeclared prefix)."""
    if token.kind == "iri":
        return resolve(iri_value(token), declared.base)
    prefix, _, local = token.text.partition(":")
    namespace = declared.prefixes.get(prefix + ":")
    if namespace is None:
        return None
    return namespace + re.sub(r"\\(.)", r"\1", local)


def declared_prefixes(text: str) -> set[str]:
    """The prefix names ("ex", "" for ":") the query declares."""
    return {name.removesuffix(":") for name in prologue(tokenize(text)).prefixes}


def deepest(tokens: list[Token]) -> int:
    """How many brackets are open at the deepest point."""
    return max((token.depth + 1 for token in tokens if token.text in "{([" and token.kind == "punct"), default=0)


def unclosed(text: str) -> str:
    """The bracket left open at the end of the query ('{' or '('), if any; '' if none or if the
    text does not tokenize."""
    try:
        tokens = tokenize(text)
    except SparqlTextError:
        return ""
    for opening, closing in (("{", "}"), ("(", ")")):
        punct = [token.text for token in tokens if token.kind == "punct"]
        if punct.count(opening) > punct.count(closing):
            return opening
    return ""


def with_prefixes(text: str, prefixes: dict[str, str]) -> str:
    """The query after one line declaring each of `prefixes` (name -> IRI) it does not declare
    itself; one line, so a position in the query is one line further down."""
    try:
        declared = declared_prefixes(text)
    except SparqlTextError:  # refused by the guard before any engine reads it
        declared = set()
    return " ".join(f"PREFIX {p}: <{iri}>" for p, iri in prefixes.items() if p not in declared) + "\n" + text


def insert_values(text: str, rows: list[tuple[str, list]]) -> str:
    """`VALUES ?p { ... }` blocks at the head of the outermost WHERE group (terms as pyoxigraph
    writes them, N-Triples syntax)."""
    if not rows:
        return text
    tokens = tokenize(text)
    start = prologue_end(tokens)
    kind = form(tokens, start)
    where = None
    for at, token in enumerate(tokens[start:], start):
        if token.depth or token.text != "{":
            continue
        if at > 0 and tokens[at - 1].word == "WHERE" or kind != "CONSTRUCT":
            where = token
            break
    if where is None:
        raise SparqlTextError("a parameterised query needs a WHERE { ... } group")
    at = where.start + 1
    block = "".join(f"\n  VALUES ?{name} {{ {' '.join(str(term) for term in terms)} }}" for name, terms in rows)
    return text[:at] + block + text[at:]


def values_blocks(text: str, tokens: list[Token] | None = None) -> dict[str, list[tuple[int, int]]]:
    """Variable -> the spans of the insides of its one-variable `VALUES ?var { ... }` blocks (where a
    saved query keeps a parameter's default; one parameter may be bound in several sub-selects).
    `tokens`: the text's, if at hand."""
    tokens = tokenize(text) if tokens is None else tokens
    found: dict[str, list[tuple[int, int]]] = {}
    for at, token in enumerate(tokens[:-2]):
        variable, opening = tokens[at + 1], tokens[at + 2]
        if token.word != "VALUES" or variable.kind != "var" or opening.text != "{":
            continue
        closing = next(t for t in tokens[at + 3 :] if t.text == "}" and t.depth == opening.depth)
        found.setdefault(variable.text[1:], []).append((opening.start + 1, closing.start))
    return found


def replace_values(text: str, given: dict[str, list], spans: dict[str, list[tuple[int, int]]] | None = None) -> str:
    """The text with the insides of the VALUES blocks of each variable in `given` replaced by its
    terms (as pyoxigraph writes them, N-Triples syntax), everything else as it was. `spans`: the
    text's values_blocks, if at hand."""
    spans = values_blocks(text) if spans is None else spans
    edits = sorted(((span, name) for name in given for span in spans[name]), reverse=True)
    for (start, end), name in edits:
        text = text[:start] + " " + " ".join(str(term) for term in given[name]) + " " + text[end:]
    return text


def with_limit(text: str, rows: int) -> str:
    """A SELECT query giving at most `rows` solutions: `LIMIT rows` after its solution modifiers
    (before a trailing VALUES clause), unless the query sets its own LIMIT."""
    tokens = tokenize(text)
    if form(tokens, prologue_end(tokens)) != "SELECT" or any(t.word == "LIMIT" and not t.depth for t in tokens):
        return text
    trailing = next((t for t in tokens if t.word == "VALUES" and not t.depth), None)
    at = len(text) if trailing is None else trailing.start
    return f"{text[:at]}\nLIMIT {rows}\n{text[at:]}"
