"""The one resolver of the names people type for a node: an IRI, a prefixed name with the
project's prefixes (kg:, okg:, dct:, ...), a Party document code, or a label (case and
diacritics ignored), each checked against the graph and the kind of node expected.

`query run --param`, `lineage` and `describe` all resolve through it, so a name that works
in one works in all, and a name that matches nothing or several nodes is refused, never
turned into a query that silently returns no rows.
"""

from __future__ import annotations

import re
import unicodedata

import pyoxigraph as ox

from orgkg.errors import OrgkgError
from orgkg.namespaces import PREFIXES, prefixed, short, sparql_prefixes

#: What each kind of parameter expects, as a pattern on ?node, and the word for it in messages.
KINDS: dict[str, tuple[str, str]] = {
    "organization": ("?node a ?class . ?class rdfs:subClassOf* org:Organization .", "organization"),
    "document": ("?node a ?class . ?class rdfs:subClassOf* eli:LegalResource .", "document"),
    "place": (
        "?node a ?class . ?class rdfs:subClassOf* ?root . "
        "VALUES ?root { schema:Place schema:AdministrativeArea okg:AdministrativeUnit dct:Location }",
        "place",
    ),
    "article": ("?node a schema:NewsArticle .", "article"),
    "class": ("{ ?node a owl:Class } UNION { ?node a rdfs:Class }", "class"),
    "concept": ("?node a skos:Concept .", "concept"),
    "node": ("{ ?node ?anyPredicate ?anyObject } UNION { ?anySubject ?anyPredicate ?node }", "node"),
}
_PREFIXED = re.compile(r"([A-Za-z][\w.\-]*|):(\S*)")
_ABSOLUTE = re.compile(r"(?:https?://|urn:)[^\s<>\"{}|\\^`]+")
_ANY_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*")


class UnresolvedName(OrgkgError):
    """A name that resolves to no node, or to several."""


def plain(text: str) -> str:
    """Lower case without diacritics (đ -> d), for matching names as users type them."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def expand(text: str) -> str | None:
    """The IRI a name is written as (<IRI> of any scheme, an absolute http(s)/urn IRI, or
    prefix:local with a project prefix), or None when it is not written as an IRI."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1] if _ANY_SCHEME.fullmatch(text[1:-1]) else None
    if _ABSOLUTE.fullmatch(text):
        return text
    match = _PREFIXED.fullmatch(text)
    if match and match.group(1) in PREFIXES:
        return PREFIXES[match.group(1)] + match.group(2)
    return None


def looks_prefixed(text: str) -> bool:
    """Written as prefix:local (so an unknown prefix deserves its own message)."""
    return bool(_PREFIXED.fullmatch(text.strip())) and "://" not in text


class Resolver:
    """Resolves names on one engine (anything with `.query(sparql) -> Results`)."""

    def __init__(self, engine):
        self.engine = engine

    def resolve(self, text: str, kind: str = "node") -> str:
        """The IRI of the one node of `kind` that `text` names; UnresolvedName otherwise."""
        pattern, noun = KINDS[kind]
        iri = expand(text)
        if iri is not None:
            try:
                node = ox.NamedNode(iri)
            except ValueError:
                raise UnresolvedName(f"{text!r} is not a valid IRI") from None
            if not self._ask(f"ASK {{ VALUES ?node {{ {node} }} {pattern} }}"):
                exists = kind != "node" and self._ask(f"ASK {{ VALUES ?node {{ {node} }} {KINDS['node'][0]} }}")
                article = "an" if noun[0] in "aeiou" else "a"
                raise UnresolvedName(f"{short(iri)} is " + (f"not {article} {noun}" if exists else "not in the graph"))
            return iri
        matches = self._matches(text, kind)
        if len(matches) == 1:
            return next(iter(matches))
        if not matches:
            if looks_prefixed(text):
                known = ", ".join(f"{p}:" for p in PREFIXES)
                raise UnresolvedName(f"{text!r} has an unknown prefix; use one of {known} or a full IRI")
            import shlex

            words = shlex.quote("text=" + " ".join(text.split()))  # one line, safe to paste into a shell
            raise UnresolvedName(
                f"no {noun} is labelled {text!r}; the saved query search-label finds labels by their words ({words})"
            )
        listed = ", ".join(f"{short(iri)} ({label})" for iri, label in sorted(matches.items())[:10])
        more = f" and {len(matches) - 10} more" if len(matches) > 10 else ""
        raise UnresolvedName(f"{text!r} matches several {noun}s: {listed}{more}; give one as prefix:NAME")

    def candidates(self, text: str, kind: str = "node", limit: int = 50) -> list[str]:
        """What to offer someone typing `text` for a node of `kind` (shell completion): labels
        starting with it (case and diacritics ignored), else prefixed names starting with it."""
        pattern = KINDS[kind][0]
        if looks_prefixed(text) or text.startswith(("http:", "https:", "urn:")):
            rows = self.engine.query(
                sparql_prefixes() + f"SELECT DISTINCT ?node WHERE {{ {pattern} FILTER(isIRI(?node)) }}"
            )
            names = {prefixed(row[0].value) or row[0].value for row in rows.rows}
            return sorted(name for name in names if name.startswith(text))[:limit]
        rows = self.engine.query(
            sparql_prefixes() + f"SELECT DISTINCT ?label WHERE {{ {pattern} ?node rdfs:label|skos:prefLabel ?label "
            'FILTER(isIRI(?node) && LANG(?label) IN ("", "en")) }'
        )
        wanted = plain(text)
        return sorted({row[0].value for row in rows.rows if plain(row[0].value).startswith(wanted)})[:limit]

    def _ask(self, sparql: str) -> bool:
        return bool(self.engine.query(sparql_prefixes() + sparql).boolean)

    def _matches(self, text: str, kind: str) -> dict[str, str]:
        """Nodes of `kind` named `text`, best kind of match first: an exact label, an exact
        variant (or document code), then labels containing the words."""
        pattern = KINDS[kind][0]
        results = self.engine.query(
            sparql_prefixes()
            + (
                "SELECT DISTINCT ?node ?label ?preferred WHERE { "
                + pattern
                + " { ?node rdfs:label ?label BIND(true AS ?preferred) } UNION { ?node skos:prefLabel ?label "
                "BIND(true AS ?preferred) } UNION { ?node schema:headline ?label BIND(true AS ?preferred) } "
                "UNION { ?node skos:altLabel ?label } UNION { ?node eli:id_local ?label } "
                "FILTER(isIRI(?node)) }"
            )
        )
        wanted = {plain(text)} | _code_forms(text)
        rows = [(row[0].value, row[1].value, row[2] is not None) for row in results.rows]
        # Each candidate is shown by its English (or untagged) preferred label where it has one.
        rank = {
            (row[0].value, row[1].value): (row[2] is not None, row[1].language in (None, "en")) for row in results.rows
        }
        labels: dict[str, str] = {}
        for iri, label, _ in sorted(rows, key=lambda r: rank[r[0], r[1]]):
            labels[iri] = label
        for test in (
            lambda label, preferred: preferred and plain(label) in wanted,
            lambda label, preferred: plain(label) in wanted or bool(_code_forms(label) & wanted),
            lambda label, preferred: any(w in plain(label) for w in wanted),
        ):
            found = {iri for iri, label, preferred in rows if test(label, preferred)}
            if found:
                return {iri: labels[iri] for iri in found}
        return {}


def _code_forms(text: str) -> set[str]:
    """The canonical form of a Party document code (QD and QĐ alike), if `text` is one."""
    from orgkg.docid import DocumentCodeError, parse_code

    if not re.fullmatch(r"\s*\d+\s*-\s*\S+\s*/\s*\S+\s*", text):
        return set()
    try:
        return {plain(parse_code(text).canonical)}
    except DocumentCodeError:
        return set()
