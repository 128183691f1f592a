"""Ad hoc SPARQL as people type it: a syntax error told in one line with its line:column and a
hint, instead of the parser's dump of every character class it would have accepted."""

from __future__ import annotations

import re

from orgkg.errors import OrgkgError
from orgkg.namespaces import PREFIXES
from orgkg.sparql_text import SparqlTextError, unclosed, with_prefixes

_POSITION = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.DOTALL)
_PREFIXED_END = re.compile(r"([A-Za-z][\w.\-]*|):[\w\-]*$")


class AdhocSyntaxError(OrgkgError):
    """Ad hoc SPARQL that does not parse, told in one line."""


def run_adhoc(engine, sparql: str):
    """Run ad hoc SPARQL on `engine` with the catalogue's prefixes predeclared (a PREFIX in the
    query wins); a syntax error is one AdhocSyntaxError line with its line, column and a hint."""
    from orgkg.store import QuerySyntaxError

    try:
        return engine.query(with_prefixes(sparql, PREFIXES))
    except QuerySyntaxError as error:
        raise AdhocSyntaxError(explain(str(error), sparql)) from None
    except SparqlTextError as error:
        raise AdhocSyntaxError(explain(error.parser_message(), sparql)) from None


def explain(message: str, sparql: str, line_offset: int = 1) -> str:
    """One line for a parser error on `sparql`: where (line:column of the user's text), what
    was expected in words, and a hint. `line_offset` lines were put before the user's text."""
    match = _POSITION.match(message.strip())
    if not match:
        return "SPARQL syntax error: " + " ".join(message.split())
    line, column = int(match.group(1)) - line_offset, int(match.group(2))
    lines = sparql.splitlines() or [""]
    text = lines[line - 1] if 1 <= line <= len(lines) else ""
    where = f"line {line}, column {column}"
    expected = match.group(3)
    if expected.startswith("unexpected"):
        return f"SPARQL syntax error at {where}: {expected}"
    if "Prefix not found" in expected:
        name = _PREFIXED_END.search(text[: column - 1])
        prefix = name.group(1) if name else "?"
        where = f"line {line}, column {name.start() + 1}" if name else where
        known = ", ".join(f"{p}:" for p in PREFIXES)
        return (
            f"SPARQL syntax error at {where}: unknown prefix {prefix + ':'!r}; declare it with "
            f"PREFIX {prefix}: <...> or use one of {known}"
        )
    near = text[column - 1 : column + 19].strip()
    at_end = line > len(lines) or (line == len(lines) and not text[column - 1 :].strip())
    found = "at the end of the query" if at_end or not near else f"near {near!r}"
    words = [w for w in re.findall(r'"((?:[^"\\]|\\.)*)"|\b([A-Z]{2,})\b', expected)]
    tokens = [quoted.replace('\\"', '"').replace("\\\\", "\\") or keyword for quoted, keyword in words]
    shown = [t if t.isalpha() else f'"{t}"' for t in dict.fromkeys(tokens[:8])]
    wanted = ("one of " if len(shown) > 1 else "") + (", ".join(shown) or "something else")
    hint = _hint(tokens, at_end, unclosed(sparql))
    return f"SPARQL syntax error at {where} {found}: expected {wanted}" + (f"; {hint}" if hint else "")


def _hint(tokens: list[str], at_end: bool, unclosed: str) -> str:
    if '"' in tokens:
        return "a string is not closed"
    if at_end and unclosed:
        return f"a {unclosed} is not closed"
    if tokens == ["BY"]:
        return "write ORDER BY / GROUP BY"
    if "." in tokens and "}" in tokens or at_end:
        return "a triple pattern needs subject, predicate and object, and ends with . or }"
    return ""
