"""The pieces an article is built from: reference entities, provinces, one article's graph and text."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS

from orgkg.namespaces import KG, OA, OKG, SCHEMA
from orgkg.synth.tables import FAMILY, GIVEN, MIDDLE, SYLLABLES, TERMS
from orgkg.synth.triples import Triples


def slug(text: str) -> str:
    out = "".join(c.lower() if c.isalnum() else "-" for c in text.replace("Đ", "D").replace("đ", "d"))
    return "-".join(part for part in out.split("-") if part)


def day_text(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def day_label(day: date) -> str:
    return f"{day.day} {day:%B} {day.year}"


def term_of(year: int) -> tuple[int, int]:
    return next(t for t in TERMS if t[0] <= year < t[1]) if year < 2030 else TERMS[-1]


@dataclass
class SeededError:
    kind: str
    file: str
    node: str
    rule: str


@dataclass
class SynthReport:
    path: Path
    articles: int
    triples: int
    errors: list[SeededError] = field(default_factory=list)


class Reference:
    """The reference files: entities created on first use, one file per province plus central."""

    def __init__(self) -> None:
        self.graphs: dict[str, Triples] = {}
        self.labels: set[str] = set()
        self.defined: set[URIRef] = set()

    def graph(self, name: str) -> Triples:
        if name not in self.graphs:
            self.graphs[name] = Triples()
        return self.graphs[name]

    def unique_label(self, label: str) -> str:
        candidate, number = label, 2
        while candidate.casefold() in self.labels:
            candidate, number = f"{label} ({number})", number + 1
        self.labels.add(candidate.casefold())
        return candidate

    def entity(self, file: str, node: URIRef, kind: URIRef, label: str, *extra) -> URIRef:
        if node not in self.defined:
            self.defined.add(node)
            graph = self.graph(file)
            graph.add((node, RDF.type, kind))
            graph.add((node, RDFS.label, Literal(self.unique_label(label), lang="en")))
            for predicate, obj in extra:
                graph.add((node, predicate, obj))
        return node


class Province:
    def __init__(self, name: str, rng: random.Random, people: set[str]):
        self.name, self.slug = name, slug(name)
        pairs = [f"{a} {b}" for a in SYLLABLES for b in SYLLABLES if a != b]
        self.districts = rng.sample(pairs, 8)
        self.people: list[str] = []
        while len(self.people) < 5:
            person = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            if person not in people:
                people.add(person)
                self.people.append(person)
        self.next_number = rng.randrange(100, 3000)
        self.documents: list[URIRef] = []


class Article:
    """One article being written: its graph, its text, and the claim nodes it quotes."""

    def __init__(self, number: int, province: Province, day: date, ref: Reference):
        self.number, self.province, self.day, self.ref = number, province, day, ref
        self.name = f"{number:05d}"  # five digits at least: 100,000 and above take six
        self.node = KG[f"article-{self.name}"]
        self.graph = Triples()
        self.sentences: list[str] = []
        self.quoted: set[tuple[URIRef, str]] = set()
        self.claims: list[URIRef] = []  # claim nodes typed in this file
        self.shared: list[URIRef] = []  # reference nodes this article speaks of

    def add(self, *triples) -> None:
        for triple in triples:
            self.graph.add(triple)

    def say(self, sentence: str, *nodes: URIRef) -> None:
        """Print `sentence` in the text and make it the evidence of every node it supports."""
        if sentence not in self.sentences:
            self.sentences.append(sentence)
        for node in nodes:
            if (node, sentence) in self.quoted:
                continue
            self.quoted.add((node, sentence))
            evidence, selector = BNode(), BNode()
            self.add(
                (node, PROV.wasDerivedFrom, self.node),
                (node, OKG.evidence, evidence),
                (evidence, RDF.type, OA.SpecificResource),
                (evidence, OA.hasSource, self.node),
                (evidence, OA.hasSelector, selector),
                (selector, RDF.type, OA.TextQuoteSelector),
                (selector, OA.exact, Literal(sentence)),
            )
            if node in self.ref.defined and node not in self.shared:
                self.shared.append(node)

    def local(self, node: URIRef, kind: URIRef, label: str) -> URIRef:
        """A node only this article speaks of (typed here); a second one of the same name gets -2."""
        base, number = node, 2
        while (node, None, None) in self.graph:
            node, number = URIRef(f"{base}-{number}"), number + 1
        self.add((node, RDF.type, kind), (node, RDFS.label, Literal(self.ref.unique_label(label), lang="en")))
        self.claims.append(node)
        return node

    def text(self) -> str:
        headline = str(self.graph.value(self.node, SCHEMA.headline))
        paragraphs = [
            " ".join(s if s.endswith(".") else s + "." for s in self.sentences[i : i + 3])
            for i in range(0, len(self.sentences), 3)
        ]
        return "\n\n".join([headline, f"{self.province.name}, {day_text(self.day)}", *paragraphs]) + "\n"
