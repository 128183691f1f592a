"""The minting rule: the IRI a new node gets, and the nodes a new name may already be.

An IRI is `kg:` + the kind's prefix + the place's slug (unless the label already names the
place) + the label's slug, where a slug is the text in lower case without diacritics, every run
of other characters one hyphen: "Provincial Party Committee" of Lam Thuy is
`kg:org-lam-thuy-provincial-party-committee`. A document with a code is `kg:doc-<code>-n1`
(codes restart every term: the next undated one of that code is `-n2`; a dated one
`kg:doc-<code>-<yyyy-mm-dd>`). A year goes into an IRI only where the text states it
(validation warns otherwise).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from orgkg.errors import OrgkgError
from orgkg.names import plain
from orgkg.namespaces import PREFIXES

#: The IRI prefix of each kind of node, as the graph names them.
KIND_PREFIXES = {
    "organization": "org",
    "place": "place",
    "document": "doc",
    "event": "event",
    "person": "person",
    "post": "post",
    "figure": "obs",
    "activity": "activity",
    "claim": "claim",
    "article": "article",
}
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_CODE = re.compile(r"\b\d+[a-z]?-[A-ZĐ]+/[A-ZĐ]+\b")


class MintingError(OrgkgError):
    """A name or slug the minting rule cannot use."""


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", plain(text)).strip("-")
    if not slug:
        raise MintingError(f"{text!r} has no letters or digits to make an IRI from")
    return slug


def check_slug(slug: str) -> str:
    if not SLUG.fullmatch(slug):
        raise MintingError(f"{slug!r} is not a slug: use lower-case letters, digits and single hyphens (lam-thuy-2025)")
    return slug


def mint(label: str, kind: str = "organization", place: str | None = None) -> str:
    """The IRI the minting rule gives a new node of `kind` labelled `label` (in `place`)."""
    if kind not in KIND_PREFIXES:
        raise MintingError(f"unknown kind {kind!r}; use one of {', '.join(KIND_PREFIXES)}")
    parts = [KIND_PREFIXES[kind]]
    code = _CODE.search(label) if kind == "document" else None
    if code:  # codes restart every term: the first undated document of a code is -n1
        return PREFIXES["kg"] + f"doc-{slugify(code.group(0))}-n1"
    name = slugify(label)
    if place and not f"-{name}-".startswith(f"-{slugify(place)}-") and kind != "place":
        parts.append(slugify(place))
    parts.append(name)
    return PREFIXES["kg"] + "-".join(parts)


@dataclass(frozen=True)
class Match:
    iri: str
    label: str
    graph: str
    classes: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"iri": self.iri, "label": self.label, "graph": self.graph, "classes": list(self.classes)}


def matching_nodes(engine, words: str, place: str | None = None) -> list[Match]:
    """Nodes with a label (rdfs:label, skos:prefLabel or skos:altLabel) holding every word of
    `words` (case and diacritics ignored) and, given `place`, naming the place in a label or IRI;
    labels holding the words in a row first, shortest first."""
    wanted = plain(words).split()
    where = plain(place).split() if place else []
    results = engine.query(
        "SELECT ?node ?label ?graph (GROUP_CONCAT(DISTINCT STR(?class); SEPARATOR=' ') AS ?classes) WHERE { "
        "GRAPH ?graph { ?node ?labelled ?label } "
        f"VALUES ?labelled {{ <{PREFIXES['rdfs']}label> <{PREFIXES['skos']}prefLabel> <{PREFIXES['skos']}altLabel> }} "
        "OPTIONAL { ?node a ?class } FILTER(isIRI(?node)) } GROUP BY ?node ?label ?graph"
    )
    found: dict[tuple[str, str], Match] = {}
    for row in results.rows:
        iri, label, graph = row[0].value, row[1].value, row[2].value
        text = plain(label).split()
        if not all(word in text for word in wanted):
            continue
        if where and not (_contains(text, where) or "-".join(where) in iri.rsplit("/", 1)[-1]):
            continue
        classes = tuple(sorted(row[3].value.split())) if row[3] is not None else ()
        found.setdefault((iri, graph), Match(iri, label, graph, classes))
    exact = " ".join(wanted)
    return sorted(found.values(), key=lambda m: (exact not in plain(m.label), len(m.label), m.iri, m.graph))


def _contains(words: list[str], run: list[str]) -> bool:
    return any(words[i : i + len(run)] == run for i in range(len(words) - len(run) + 1))
