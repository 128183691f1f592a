"""`orgkg dev synth`: a synthetic corpus in the repository's own layout, for scale tests and
benchmarks.

Two articles are a start; users will add thousands. This writes N articles about the 63
provinces in the encoding style of graph/articles/ (every claim node with
prov:wasDerivedFrom and a verbatim okg:evidence quote; identity, types and labels of shared
entities in graph/reference/), the article texts the quotes come from, and a copy of the real
ontology, shapes and saved queries, so every orgkg command runs on it unchanged. Output is a
function of (N, seed, errors): the same arguments give byte-identical files.

Seeded errors (`errors={"merger-one-original": 2, ...}`) break the corpus in known places;
each is listed in synth.json with the node and the rule expected to catch it.
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, QB, RDF, RDFS, SKOS, TIME, XSD

from orgkg.formatting import TurtleWriter
from orgkg.namespaces import CV, ELI, KG, OA, OKG, ONTOLOGY_FILE, QUERIES_DIR, SCHEMA, SHAPES_FILE, bind_prefixes

#: Seeded error kinds: what is broken, and the check and rule expected to report it.
ERROR_KINDS: dict[str, tuple[str, str]] = {
    "merger-one-original": ("a merger with a single org:originalOrganization", "okgsh:MergerOriginals"),
    "missing-evidence": (
        "a claim node (local or shared) without its okg:evidence quote",
        "okgsh:DerivedFromQuotedShape",
    ),
    "bad-document-code": ("a document code with an unknown type (eli:id_local)", "okgsh:DocumentCode"),
    "observation-without-unit": ("a figure without okg:unit", "okgsh:ObservationUnit"),
    "predecessor-cycle": (
        "two organizations each the other's okg:predecessor, stated by two articles",
        "okgsh:NoCircularSuccessionShape",
    ),
    "duplicate-document": ("a second IRI for a document with the same code and issuer", "duplicate-document"),
    "duplicate-label": ("an organization labelled like another one", "duplicate-label"),
    "dangling-reference": ("a legal basis that no file describes", "dangling-reference"),
    "bad-quote": ("a quote that is not in the article text", "quote-verbatim"),
    "missing-label": ("a change event without rdfs:label", "okgsh:LabelRequired"),
    "untyped-date": ("a dct:date given as a plain string", "okgsh:DctDate"),
    "unquoted-reference": ("a reference organization no article speaks of", "okgsh:ClaimEvidence"),
}

PROVINCES = (
    "An Giang",
    "Ba Ria - Vung Tau",
    "Bac Giang",
    "Bac Kan",
    "Bac Lieu",
    "Bac Ninh",
    "Ben Tre",
    "Binh Dinh",
    "Binh Duong",
    "Binh Phuoc",
    "Binh Thuan",
    "Ca Mau",
    "Can Tho",
    "Cao Bang",
    "Da Nang",
    "Dak Lak",
    "Dak Nong",
    "Dien Bien",
    "Dong Nai",
    "Dong Thap",
    "Gia Lai",
    "Ha Giang",
    "Ha Nam",
    "Ha Noi",
    "Ha Tinh",
    "Hai Duong",
    "Hai Phong",
    "Hau Giang",
    "Ho Chi Minh City",
    "Hoa Binh",
    "Hung Yen",
    "Khanh Hoa",
    "Kien Giang",
    "Kon Tum",
    "Lai Chau",
    "Lam Dong",
    "Lang Son",
    "Lao Cai",
    "Long An",
    "Nam Dinh",
    "Nghe An",
    "Ninh Binh",
    "Ninh Thuan",
    "Phu Tho",
    "Phu Yen",
    "Quang Binh",
    "Quang Nam",
    "Quang Ngai",
    "Quang Ninh",
    "Quang Tri",
    "Soc Trang",
    "Son La",
    "Tay Ninh",
    "Thai Binh",
    "Thai Nguyen",
    "Thanh Hoa",
    "Thua Thien Hue",
    "Tien Giang",
    "Tra Vinh",
    "Tuyen Quang",
    "Vinh Long",
    "Vinh Phuc",
    "Yen Bai",
)
_SYLLABLES = (
    "An",
    "Bao",
    "Binh",
    "Cam",
    "Chau",
    "Dong",
    "Duc",
    "Ha",
    "Hai",
    "Hoa",
    "Hong",
    "Hung",
    "Kim",
    "Lac",
    "Lam",
    "Long",
    "Minh",
    "My",
    "Nam",
    "Nghia",
    "Ngoc",
    "Phu",
    "Phuoc",
    "Quang",
    "Son",
    "Tan",
    "Thach",
    "Thanh",
    "Thuan",
    "Tien",
    "Trung",
    "Tuy",
    "Van",
    "Vinh",
    "Xuan",
    "Yen",
)
_FAMILY = ("Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Vo", "Dang", "Bui", "Do", "Ho", "Ngo", "Duong", "Ly")
_MIDDLE = ("Van", "Thi", "Duc", "Minh", "Hong", "Quoc", "Thanh", "Ngoc", "Xuan", "Huu")
_GIVEN = (
    "An",
    "Binh",
    "Cuong",
    "Dung",
    "Giang",
    "Ha",
    "Hai",
    "Hung",
    "Khanh",
    "Lan",
    "Long",
    "Mai",
    "Nam",
    "Phong",
    "Quang",
    "Son",
    "Thao",
    "Trung",
    "Tuan",
    "Yen",
    "Hoa",
    "Linh",
    "Tam",
    "Vinh",
)

#: Provincial bodies every province has: (key, class, label pattern).
_PROVINCIAL_BODIES = (
    ("provincial-party-committee", OKG.ProvincialPartyCommittee, "{p} Provincial Party Committee"),
    (
        "provincial-party-standing-committee",
        OKG.StandingCommittee,
        "Standing Committee of the {p} Provincial Party Committee",
    ),
    (
        "provincial-party-organizing-committee",
        OKG.OrganizingCommittee,
        "Organizing Committee of the {p} Provincial Party Committee",
    ),
    (
        "provincial-party-propaganda-and-education-committee",
        OKG.PartyAdvisoryBoard,
        "Propaganda and Education Committee of the {p} Provincial Party Committee",
    ),
    (
        "provincial-party-mass-mobilization-committee",
        OKG.PartyAdvisoryBoard,
        "Mass Mobilization Committee of the {p} Provincial Party Committee",
    ),
    ("provincial-peoples-committee", OKG.PeoplesCommittee, "{p} Provincial People's Committee"),
    ("newspaper", OKG.Newspaper, "{p} Newspaper"),
    ("radio-and-television-station", OKG.RadioTelevisionStation, "{p} Radio and Television Station"),
    ("fatherland-front", OKG.FatherlandFront, "Fatherland Front of {p} province"),
)
#: Pairs of provincial bodies that merge: (original, original, result key, result label pattern).
_MERGERS = (
    ("newspaper", "radio-and-television-station", "media-centre", "{p} Newspaper and Radio-Television"),
    (
        "provincial-party-propaganda-and-education-committee",
        "provincial-party-mass-mobilization-committee",
        "provincial-party-propaganda-and-mass-mobilization-committee",
        "Propaganda and Mass Mobilization Committee of the {p} Provincial Party Committee",
    ),
)
#: Indicators: (slug, label, unit, verb phrase, noun phrase).
_INDICATORS = (
    ("new-party-members-admitted", "New Party members admitted", OKG.Persons, "admitted", "new Party members"),
    ("party-members", "Party members", OKG.Persons, "had", "Party members"),
    (
        "grassroots-party-organizations",
        "Grassroots Party organizations",
        OKG.Organizations,
        "had",
        "grassroots Party organizations",
    ),
    ("cadres-in-planning", "Cadres included in cadre planning", OKG.Cadres, "included", "cadres in the planning"),
    ("cadres-sent-for-training", "Cadres sent for training and development", OKG.Cadres, "sent", "cadres for training"),
    (
        "hamlets-with-party-cells",
        "Share of hamlets and residential groups with Party cells",
        OKG.Percent,
        "reached",
        "percent of hamlets and residential groups with Party cells",
    ),
)
_COMPARATORS = ((OKG.Exactly, ""), (OKG.MoreThan, "more than "), (OKG.About, "about "), (OKG.AtLeast, "at least "))
_CENTRAL = (
    ("communist-party-of-vietnam", OKG.CommunistParty, "Communist Party of Vietnam"),
    ("central-committee", OKG.CentralPartyBody, "Central Committee"),
    ("politburo", OKG.CentralPartyBody, "Politburo"),
    ("secretariat", OKG.CentralPartyBody, "Secretariat"),
    ("central-organizing-committee", OKG.OrganizingCommittee, "Central Organizing Committee"),
    (
        "ministry-of-organization-and-communications",
        OKG.PartyAdvisoryBoard,
        "Ministry of Organization and Communications",
    ),
)
#: Central documents: (number, type key, concept, English type, date or None).
_CENTRAL_DOCUMENTS = (
    ("18", "NQ", OKG.Resolution, "Resolution", None),
    ("19", "NQ", OKG.Resolution, "Resolution", None),
    ("21", "NQ", OKG.Resolution, "Resolution", None),
    ("35", "CT", OKG.Directive, "Directive", None),
    ("48", "KL", OKG.Conclusion, "Conclusion", date(2023, 1, 30)),
)
_PROVINCIAL_TYPES = (
    ("NQ", OKG.Resolution, "Resolution"),
    ("CT", OKG.Directive, "Directive"),
    ("QĐ", OKG.DecisionDocument, "Decision"),
)
_CHANGE_EVENTS = (OKG.Merger, OKG.Establishment, OKG.Dissolution, OKG.Renaming)
_TERMS = ((2010, 2015), (2015, 2020), (2020, 2025), (2025, 2030))
FIRST_DAY, DAYS = date(2011, 1, 1), 5000


def slug(text: str) -> str:
    out = "".join(c.lower() if c.isalnum() else "-" for c in text.replace("Đ", "D").replace("đ", "d"))
    return "-".join(part for part in out.split("-") if part)


def day_text(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def day_label(day: date) -> str:
    return f"{day.day} {day:%B} {day.year}"


def term_of(year: int) -> tuple[int, int]:
    return next(t for t in _TERMS if t[0] <= year < t[1]) if year < 2030 else _TERMS[-1]


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


class _Reference:
    """The reference files: entities created on first use, one file per province plus central."""

    def __init__(self) -> None:
        self.graphs: dict[str, Graph] = {}
        self.labels: set[str] = set()
        self.defined: set[URIRef] = set()

    def graph(self, name: str) -> Graph:
        return self.graphs.setdefault(name, bind_prefixes(Graph()))

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


class _Province:
    def __init__(self, name: str, rng: random.Random, people: set[str]):
        self.name, self.slug = name, slug(name)
        pairs = [f"{a} {b}" for a in _SYLLABLES for b in _SYLLABLES if a != b]
        self.districts = rng.sample(pairs, 8)
        self.people: list[str] = []
        while len(self.people) < 5:
            person = f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"
            if person not in people:
                people.add(person)
                self.people.append(person)
        self.next_number = rng.randrange(100, 3000)
        self.documents: list[URIRef] = []


class _Article:
    """One article being written: its graph, its text, and the claim nodes it quotes."""

    def __init__(self, number: int, province: _Province, day: date, ref: _Reference):
        self.number, self.province, self.day, self.ref = number, province, day, ref
        self.name = f"{number:05d}"
        self.node = KG[f"article-{self.name}"]
        self.graph = bind_prefixes(Graph())
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


class _Corpus:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.ref = _Reference()
        people: set[str] = set()
        self.provinces = [_Province(name, self.rng, people) for name in PROVINCES]
        self.articles: list[_Article] = []
        self.central_documents = [self._central_document(*row) for row in _CENTRAL_DOCUMENTS]

    # --- reference entities ----------------------------------------------------------------

    def central(self, key: str) -> URIRef:
        kind, label = next((k, lab) for name, k, lab in _CENTRAL if name == key)
        return self.ref.entity("central", KG[f"org-{key}"], kind, label)

    def vietnam(self) -> URIRef:
        return self.ref.entity("central", KG["place-vietnam"], OKG.Country, "Vietnam")

    @staticmethod
    def _central_document(number: str, key: str, kind: URIRef, english: str, day: date | None) -> tuple:
        code = f"{number}-{key}/TW"
        node = KG[f"doc-{slug(code)}-{day.isoformat() if day else 'n1'}"]
        return node, code, number, kind, english, day

    def central_document(self, row: tuple) -> URIRef:
        node, code, number, kind, english, day = row
        dated = [(ELI.date_document, Literal(day.isoformat(), datatype=XSD.date))] if day else []  # its IRI names it
        return self.ref.entity(
            "central",
            node,
            OKG.PartyDocument,
            f"{english} No. {code}",
            (ELI.id_local, Literal(code)),
            (ELI.number, Literal(number)),
            (ELI.type_document, kind),
            (OKG.issuerLevel, OKG.IssuerCentral),
            *dated,
        )

    def year(self, year: int) -> URIRef:
        return self.ref.entity(
            "central",
            KG[f"year-{year}"],
            TIME.Instant,
            str(year),
            (TIME.inXSDgYear, Literal(str(year), datatype=XSD.gYear)),
        )

    def term(self, year: int) -> URIRef:
        start, end = term_of(year)
        return self.ref.entity(
            "central",
            KG[f"term-{start}-{end}"],
            OKG.Term,
            f"{start}-{end} term",
            (TIME.hasBeginning, self.year(start)),
            (TIME.hasEnd, self.year(end)),
        )

    def indicator(self, row) -> URIRef:
        return self.ref.entity("central", KG[f"indicator-{row[0]}"], OKG.Indicator, row[1], (RDF.type, SKOS.Concept))

    def figures(self) -> URIRef:
        return self.ref.entity("central", KG.figures, QB.DataSet, "Figures stated in the source articles")

    def place(self, p: _Province) -> URIRef:
        return self.ref.entity(p.slug, KG[f"place-{p.slug}"], OKG.Province, f"{p.name} province")

    def body(self, p: _Province, key: str) -> URIRef:
        kind, pattern = next((k, lab) for name, k, lab in _PROVINCIAL_BODIES if name == key)
        return self.ref.entity(p.slug, KG[f"org-{p.slug}-{key}"], kind, pattern.format(p=p.name))

    def district(self, p: _Province, name: str) -> URIRef:
        return self.ref.entity(p.slug, KG[f"place-{p.slug}-{slug(name)}"], OKG.District, f"{name} district ({p.name})")

    def district_committee(self, p: _Province, name: str) -> URIRef:
        return self.ref.entity(
            p.slug,
            KG[f"org-{p.slug}-{slug(name)}-district-party-committee"],
            OKG.DistrictPartyCommittee,
            f"{name} District Party Committee ({p.name})",
        )

    def person(self, name: str) -> URIRef:
        return self.ref.entity("people", KG[f"person-{slug(name)}"], SCHEMA.Person, name)

    def provincial_document(self, p: _Province, day: date) -> tuple[URIRef, str, bool]:
        """An existing document of the province (shared), or a new one; True if new."""
        if p.documents and self.rng.random() < 0.4:
            return self.rng.choice(p.documents), "", False
        key, kind, english = self.rng.choice(_PROVINCIAL_TYPES)
        node = None
        while node is None or node in self.ref.defined:  # another province's code and day: the next number
            number, p.next_number = str(p.next_number), p.next_number + self.rng.randrange(1, 40)
            code = f"{number}-{key}/TU"
            node = KG[f"doc-{slug(code)}-{day.isoformat()}"]
        node = self.ref.entity(
            p.slug,
            node,
            OKG.PartyDocument,
            f"{english} No. {code} ({p.name}, {day_label(day)})",
            (ELI.id_local, Literal(code)),
            (ELI.number, Literal(number)),
            (ELI.type_document, kind),
            (OKG.issuerLevel, OKG.IssuerProvincial),
        )
        p.documents.append(node)
        return node, code, True

    # --- articles --------------------------------------------------------------------------

    def article(self, number: int) -> _Article:
        rng = self.rng
        p = rng.choice(self.provinces)
        day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        a = _Article(number, p, day, self.ref)
        topic = rng.choice(
            (
                "streamlining the apparatus",
                "Party building work",
                "cadre work",
                "the organization-building sector",
                "grassroots Party organizations",
            )
        )
        a.add(
            (a.node, RDF.type, SCHEMA.NewsArticle),
            (a.node, SCHEMA.headline, Literal(f"{p.name}: results of {topic} ({day_label(day)}, no. {a.name})")),
            (a.node, SCHEMA.inLanguage, Literal("en")),
            (a.node, SCHEMA.datePublished, Literal(day.isoformat(), datatype=XSD.date)),
            (a.node, SCHEMA.publisher, self.body(p, "newspaper")),
            (a.node, SCHEMA.url, URIRef(f"https://example.org/synthetic/{a.name}")),
            (a.node, OKG.sourceText, Literal(f"{a.name}.txt")),
        )
        a.say(f"According to the {p.name} Newspaper", self.body(p, "newspaper"))
        for _ in range(2):
            rng.choice((self._merger, self._establishment, self._dissolution, self._renaming))(a)
        for row in rng.sample(_INDICATORS, 3):
            self._observation(a, row)
        self._membership(a)
        self._conference(a)
        if number % 10 == 1:
            self._origin(a)
        for node in a.claims:
            if any((node, RDF.type, kind) in a.graph for kind in _CHANGE_EVENTS):
                a.add((a.node, SCHEMA.mentions, node))
        return a

    def _legal_basis(self, a: _Article, event: URIRef, day: date) -> str:
        if self.rng.random() < 0.5:
            row = self.rng.choice(self.central_documents)
            doc = self.central_document(row)
            a.add((event, CV.hasFormalFramework, doc), (a.node, SCHEMA.citation, doc))
            mention = f"{row[4]} No. {row[1]}"
            a.say(f"{mention} was implemented by the {a.province.name} Party Organization", doc)
            return mention
        issued = day - timedelta(days=self.rng.randrange(20, 200))
        doc, code, new = self.provincial_document(a.province, issued)
        standing = self.body(a.province, "provincial-party-standing-committee")
        a.add((event, CV.hasFormalFramework, doc), (a.node, SCHEMA.citation, doc))
        mention = str(self.ref.graph(a.province.slug).value(doc, RDFS.label)).split(" (")[0]
        if new:
            a.add(
                (doc, ELI.passed_by, standing), (doc, ELI.date_document, Literal(issued.isoformat(), datatype=XSD.date))
            )
            a.say(f"On {day_text(issued)}, the Provincial Party Standing Committee issued {mention}", doc, standing)
        else:
            a.say(f"The province continued to implement {mention}", doc)
        return mention

    def _event(self, a: _Article, kind: URIRef, name: str, label: str, day: date) -> URIRef:
        event = a.local(KG[f"event-{a.name}-{name}"], kind, label)
        place = self.place(a.province)
        a.add(
            (event, DCTERMS.date, Literal(day.isoformat(), datatype=XSD.date)),
            (event, DCTERMS.spatial, place),
            (event, OKG.duringTerm, self.term(day.year)),
            (event, OKG.decidedBy, self.body(a.province, "provincial-party-standing-committee")),
            (event, OKG.advisedBy, self.body(a.province, "provincial-party-organizing-committee")),
        )
        return event

    def _event_day(self, a: _Article) -> date:
        return a.day - timedelta(days=self.rng.randrange(1, 300))

    def _merger(self, a: _Article) -> None:
        p, day = a.province, self._event_day(a)
        first, second, result_key, pattern = self.rng.choice(_MERGERS)
        one, two = self.body(p, first), self.body(p, second)
        result = a.local(
            KG[f"org-{p.slug}-{result_key}-{a.name}"],
            OKG.PartyOrganization if "party" in result_key else OKG.MediaOrganization,
            f"{pattern.format(p=p.name)} (from {day_label(day)}, no. {a.name})",
        )
        a.add(
            (result, ORG.subOrganizationOf, self.body(p, "provincial-party-committee")),
            (result, DCTERMS.spatial, self.place(p)),
        )
        names = [str(self.ref.graph(p.slug).value(n, RDFS.label)) for n in (one, two)]
        label = f"Merger of the {names[0]} and the {names[1]} ({day_label(day)}, no. {a.name})"
        event = self._event(a, OKG.Merger, "merger", label, day)
        a.add(
            (event, ORG.originalOrganization, one),
            (event, ORG.originalOrganization, two),
            (event, ORG.resultingOrganization, result),
            (result, ORG.resultedFrom, event),
        )
        basis = self._legal_basis(a, event, day)
        a.say(
            f"Implementing {basis}, on {day_text(day)} the {names[0]} and the {names[1]} were merged "
            f"into a single body",
            event,
            one,
            two,
            result,
            self.place(p),
            self.body(p, "provincial-party-committee"),
        )

    def _establishment(self, a: _Article) -> None:
        p, day = a.province, self._event_day(a)
        if self.rng.random() < 0.5:
            count = self.rng.randrange(5, 80)
            event = self._event(
                a,
                OKG.Establishment,
                "establishment",
                f"Establishment of {count} commune Party Committees in {p.name} ({day_label(day)}, no. {a.name})",
                day,
            )
            a.add((event, OKG.resultingCount, Literal(count)), (event, OKG.resultingKind, OKG.CommunePartyCommittee))
            basis = self._legal_basis(a, event, day)
            a.say(
                f"Under {basis}, {count} new commune Party Committees were established on {day_text(day)}",
                event,
                self.place(p),
            )
            return
        district = self.rng.choice(p.districts)
        place, parent = self.district(p, district), self.district_committee(p, district)
        cell = a.local(
            KG[f"org-{p.slug}-{slug(district)}-party-cell-{a.name}"],
            OKG.PartyCell,
            f"Party cell of the {district} district agencies ({p.name}, {day_label(day)}, no. {a.name})",
        )
        a.add((cell, ORG.subOrganizationOf, parent), (cell, DCTERMS.spatial, place))
        event = self._event(
            a,
            OKG.Establishment,
            "establishment",
            f"Establishment of the Party cell of the {district} district agencies "
            f"({p.name}, {day_label(day)}, no. {a.name})",
            day,
        )
        a.add((event, ORG.resultingOrganization, cell), (cell, ORG.resultedFrom, event))
        basis = self._legal_basis(a, event, day)
        a.say(
            f"Under {basis}, the {district} District Party Committee established a Party cell of the "
            f"district agencies on {day_text(day)}",
            event,
            cell,
            parent,
            place,
        )

    def _dissolution(self, a: _Article) -> None:
        p, day = a.province, self._event_day(a)
        if self.rng.random() < 0.5:
            count = self.rng.randrange(2, 12)
            event = self._event(
                a,
                OKG.Dissolution,
                "dissolution",
                f"Ending of {count} district Party Committees in {p.name} ({day_label(day)}, no. {a.name})",
                day,
            )
            a.add((event, OKG.originalCount, Literal(count)), (event, OKG.originalKind, OKG.DistrictPartyCommittee))
            basis = self._legal_basis(a, event, day)
            a.say(
                f"Following {basis}, {count} district Party Committees ended their activities on {day_text(day)}",
                event,
                self.place(p),
            )
            return
        district = self.rng.choice(p.districts)
        place, committee = self.district(p, district), self.district_committee(p, district)
        event = self._event(
            a,
            OKG.Dissolution,
            "dissolution",
            f"Ending of the {district} District Party Committee ({p.name}, {day_label(day)}, no. {a.name})",
            day,
        )
        a.add((event, ORG.originalOrganization, committee), (committee, ORG.changedBy, event))
        basis = self._legal_basis(a, event, day)
        a.say(
            f"Following {basis}, the {district} District Party Committee ended its activities on {day_text(day)}",
            event,
            committee,
            place,
        )

    def _renaming(self, a: _Article) -> None:
        p, day = a.province, self._event_day(a)
        old = self.body(p, "fatherland-front")
        new = a.local(
            KG[f"org-{p.slug}-fatherland-front-{a.name}"],
            OKG.FatherlandFront,
            f"Vietnam Fatherland Front Committee of {p.name} province (from {day_label(day)}, no. {a.name})",
        )
        a.add((new, OKG.predecessor, old), (new, DCTERMS.spatial, self.place(p)))
        event = self._event(
            a,
            OKG.Renaming,
            "renaming",
            f"Renaming of the Fatherland Front of {p.name} province ({day_label(day)}, no. {a.name})",
            day,
        )
        a.add(
            (event, ORG.originalOrganization, old),
            (event, ORG.resultingOrganization, new),
            (new, ORG.resultedFrom, event),
        )
        basis = self._legal_basis(a, event, day)
        a.say(
            f"Under {basis}, from {day_text(day)} the Fatherland Front of {p.name} province became the "
            f"Vietnam Fatherland Front Committee of the province",
            event,
            old,
            new,
            self.place(p),
        )

    def _observation(self, a: _Article, row) -> None:
        p = a.province
        name, label, unit, verb, noun = row
        year = a.day.year - self.rng.randrange(0, 2)
        comparator, wording = self.rng.choice(_COMPARATORS)
        value = self.rng.randrange(50, 99) if unit == OKG.Percent else self.rng.randrange(20, 40000)
        node = a.local(
            KG[f"obs-{a.name}-{name}"],
            QB.Observation,
            f"{label} in {p.name}, {year}: {wording}{value:,} (report no. {a.name})",
        )
        organizing = self.body(p, "provincial-party-organizing-committee")
        a.add(
            (node, QB.dataSet, self.figures()),
            (node, OKG.indicator, self.indicator(row)),
            (node, OKG.refArea, self.place(p)),
            (node, OKG.refOrganization, organizing),
            (node, OKG.refPeriod, Literal(str(year), datatype=XSD.gYear)),
            (node, OKG.unit, unit),
            (node, OKG.comparator, comparator),
            (node, OKG.value, Literal(f"{value}.0", datatype=XSD.decimal)),
        )
        a.say(
            f"In {year}, the Party Organization of {p.name} province {verb} {wording}{value:,} {noun}",
            node,
            self.place(p),
        )
        a.say(
            f"The Organizing Committee of the {p.name} Provincial Party Committee reported the figures for {year}",
            organizing,
        )

    def _membership(self, a: _Article) -> None:
        p = a.province
        person = self.person(self.rng.choice(p.people))
        standing = self.body(p, "provincial-party-standing-committee")
        node = a.local(
            KG[f"membership-{a.name}"],
            ORG.Membership,
            f"{self.ref.graph('people').value(person, RDFS.label)}, Member of the Standing Committee "
            f"of the {p.name} Provincial Party Committee (no. {a.name})",
        )
        a.add((node, ORG.member, person), (node, ORG.organization, standing))
        a.say(
            f"{self.ref.graph('people').value(person, RDFS.label)}, Member of the Standing Committee of the "
            f"{p.name} Provincial Party Committee, spoke at the conference",
            node,
            person,
            standing,
            self.body(p, "provincial-party-committee"),
        )

    def _conference(self, a: _Article) -> None:
        p, day = a.province, a.day - timedelta(days=self.rng.randrange(0, 5))
        organizing = self.body(p, "provincial-party-organizing-committee")
        node = a.local(
            KG[f"event-{a.name}-conference"],
            OKG.Conference,
            f"Conference of the {p.name} organization-building sector ({day_label(day)}, no. {a.name})",
        )
        a.add(
            (node, SCHEMA.startDate, Literal(day.isoformat(), datatype=XSD.date)),
            (node, SCHEMA.location, self.place(p)),
            (node, SCHEMA.organizer, organizing),
            (node, OKG.duringTerm, self.term(day.year)),
            (a.node, SCHEMA.about, node),
        )
        a.say(
            f"On {day_text(day)}, the Organizing Committee of the {p.name} Provincial Party Committee "
            f"held a conference to review the work of the sector",
            node,
            organizing,
            self.place(p),
        )

    def _origin(self, a: _Article) -> None:
        central, ministry = (
            self.central("central-organizing-committee"),
            self.central("ministry-of-organization-and-communications"),
        )
        party = self.central("communist-party-of-vietnam")
        a.add(
            (central, OKG.predecessor, ministry),
            (central, ORG.subOrganizationOf, party),
            (central, DCTERMS.spatial, self.vietnam()),
        )
        a.say(
            "The Central Organizing Committee traces its origin to the Ministry of Organization and "
            "Communications, established on October 14, 1930",
            central,
            ministry,
            party,
            self.vietnam(),
        )


# --- seeded errors ---------------------------------------------------------------------------


def _nodes_of(corpus: _Corpus, kind: URIRef) -> list[tuple[_Article, URIRef]]:
    return [(a, n) for a in corpus.articles for n in a.claims if (n, RDF.type, kind) in a.graph]


def _drop_evidence(a: _Article, node: URIRef) -> None:
    for evidence in list(a.graph.objects(node, OKG.evidence)):
        for selector in list(a.graph.objects(evidence, OA.hasSelector)):
            a.graph.remove((selector, None, None))
        a.graph.remove((evidence, None, None))
        a.graph.remove((node, OKG.evidence, evidence))


def _seed(corpus: _Corpus, kind: str, index: int) -> SeededError:
    rng, ref = corpus.rng, corpus.ref
    rule = ERROR_KINDS[kind][1]

    def pick(items: list, what: str):
        if not items:
            raise ValueError(f"the corpus is too small to seed {kind} ({what}); ask for more articles")
        return rng.choice(items)

    def article_file(a: _Article) -> str:
        return f"graph/articles/{a.name}.ttl"

    if kind == "merger-one-original":
        a, node = pick(_nodes_of(corpus, OKG.Merger), "no merger")
        a.graph.remove((node, ORG.originalOrganization, sorted(a.graph.objects(node, ORG.originalOrganization))[0]))
    elif kind == "missing-evidence":
        # Even: a node of this article only; odd: a shared node another article still quotes.
        if index % 2:
            quoted = Counter(n for x in corpus.articles for n in x.shared)
            a, node = pick([(a, n) for a in corpus.articles for n in a.shared if quoted[n] > 1], "no shared node")
        else:
            a = pick(corpus.articles, "no article")
            node = pick(a.claims, "no claim")
            rule = "okgsh:ClaimEvidence"
        _drop_evidence(a, node)
    elif kind == "bad-document-code":
        documents = [(p, d) for p in corpus.provinces for d in p.documents]
        p, node = pick(documents, "no provincial document")
        graph = ref.graph(p.slug)
        code = str(graph.value(node, ELI.id_local))
        graph.set((node, ELI.id_local, Literal(code.split("-")[0] + "-XX/TU")))
        return SeededError(kind, f"graph/reference/{p.slug}.ttl", str(node), rule)
    elif kind == "observation-without-unit":
        a, node = pick(_nodes_of(corpus, QB.Observation), "no figure")
        a.graph.remove((node, OKG.unit, None))
    elif kind == "predecessor-cycle":
        p = pick(
            [p for p in corpus.provinces if sum(a.province is p for a in corpus.articles) >= 2],
            "no province with two articles",
        )
        first, second = [a for a in corpus.articles if a.province is p][:2]
        one, two = (corpus.district_committee(p, name) for name in p.districts[index % 4 * 2 : index % 4 * 2 + 2])
        for a, (later, earlier) in ((first, (one, two)), (second, (two, one))):
            names = [str(ref.graph(p.slug).value(n, RDFS.label)).split(" (")[0] for n in (later, earlier)]
            a.add((later, OKG.predecessor, earlier))
            a.say(f"The {names[0]} succeeded the {names[1]}", later, earlier)
        return SeededError(kind, article_file(first), str(one), rule)
    elif kind == "duplicate-document":
        candidates = [(a, d) for a in corpus.articles for d in a.graph.subjects(ELI.passed_by)]
        source, doc = pick(candidates, "no document with an issuer")
        a = pick([x for x in corpus.articles if x is not source], "a single article")
        graph = ref.graph(source.province.slug)
        node = a.local(
            URIRef(f"{doc}-copy-{index}"), OKG.PartyDocument, f"{graph.value(doc, RDFS.label)} (copy {index})"
        )
        for predicate in (ELI.id_local, ELI.number, ELI.type_document, OKG.issuerLevel):
            a.add((node, predicate, graph.value(doc, predicate)))
        a.add((node, ELI.passed_by, source.graph.value(doc, ELI.passed_by)))
        a.say(f"The province also applied {graph.value(doc, ELI.id_local)}", node)
        return SeededError(kind, article_file(a), str(node), rule)
    elif kind == "duplicate-label":
        a, node = pick(
            [(a, n) for a, n in _nodes_of(corpus, OKG.PartyCell)]
            + _nodes_of(corpus, OKG.PartyOrganization)
            + _nodes_of(corpus, OKG.FatherlandFront),
            "no local organization",
        )
        other = corpus.body(a.province, "provincial-party-committee")
        a.graph.set((node, RDFS.label, ref.graph(a.province.slug).value(other, RDFS.label)))
    elif kind == "dangling-reference":
        a, node = pick(_nodes_of(corpus, OKG.Merger) + _nodes_of(corpus, OKG.Establishment), "no change event")
        missing = KG[f"doc-missing-{index}"]
        a.add((node, CV.hasFormalFramework, missing))
        return SeededError(kind, article_file(a), str(missing), rule)
    elif kind == "bad-quote":
        a = pick(corpus.articles, "no article")
        node = pick(a.claims, "no claim")
        selector = next(s for e in a.graph.objects(node, OKG.evidence) for s in a.graph.objects(e, OA.hasSelector))
        a.graph.set((selector, OA.exact, Literal(str(a.graph.value(selector, OA.exact)) + " and more besides")))
    elif kind == "missing-label":
        a, node = pick(_nodes_of(corpus, OKG.Merger) + _nodes_of(corpus, OKG.Dissolution), "no change event")
        a.graph.remove((node, RDFS.label, None))
    elif kind == "untyped-date":
        a, node = pick(_nodes_of(corpus, OKG.Merger) + _nodes_of(corpus, OKG.Establishment), "no change event")
        a.graph.set((node, DCTERMS.date, Literal(str(a.graph.value(node, DCTERMS.date)))))
    elif kind == "unquoted-reference":
        p = pick(corpus.provinces, "no province")
        node = ref.entity(
            p.slug,
            KG[f"org-{p.slug}-unquoted-steering-committee-{index}"],
            OKG.SteeringCommittee,
            f"Unquoted steering committee {index} of {p.name} province",
        )
        return SeededError(kind, f"graph/reference/{p.slug}.ttl", str(node), rule)
    else:
        raise ValueError(f"unknown error kind {kind!r}; known: {', '.join(ERROR_KINDS)}")
    return SeededError(kind, article_file(a), str(node), rule)


def clone_article(root: Path, source: int, number: int) -> Path:
    """Add article `number` to a synthetic corpus: article `source` told again (same reference
    entities, its own IRIs, labels and text). Benchmarks and tests use it to add one article."""
    old, new = f"{source:05d}", f"{number:05d}"
    target = root / f"graph/articles/{new}.ttl"
    if target.exists():
        raise FileExistsError(f"{target} exists; choose another article number")
    text = (root / f"sources/{old}.txt").read_text(encoding="utf-8")
    (root / f"sources/{new}.txt").write_text(text.replace(old, new), encoding="utf-8")
    turtle = (root / f"graph/articles/{old}.ttl").read_text(encoding="utf-8")
    target.write_text(turtle.replace(old, new), encoding="utf-8")
    return target


# --- writing ---------------------------------------------------------------------------------


def _turtle(graph: Graph, comment: str) -> str:
    return comment + "\n\n" + TurtleWriter(graph).document()


def synthesize(
    count: int,
    output: Path,
    source_root: Path,
    seed: int = 0,
    errors: dict[str, int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SynthReport:
    """Write a corpus of `count` articles to `output` (a new folder), with the ontology, shapes and
    queries of `source_root`. Written to a temporary folder first: a failure leaves nothing behind."""
    if count < 1:
        raise ValueError("the corpus needs at least 1 article")
    unknown = sorted(set(errors or {}) - set(ERROR_KINDS))
    if unknown:
        raise ValueError(f"unknown error kind {', '.join(unknown)}; known: {', '.join(ERROR_KINDS)}")
    if output.exists() and any(output.iterdir()):
        raise FileExistsError(f"{output} exists and is not empty; remove it or choose another -o folder")
    corpus = _Corpus(seed)
    for number in range(1, count + 1):
        corpus.articles.append(corpus.article(number))
    seeded = [_seed(corpus, kind, index) for kind, n in sorted((errors or {}).items()) for index in range(n)]

    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}-", dir=output.parent))
    try:
        for relative in (ONTOLOGY_FILE, SHAPES_FILE, ONTOLOGY_FILE.parent / "README.md"):
            if (source_root / relative).exists():
                (staging / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source_root / relative, staging / relative)
        shutil.copytree(source_root / QUERIES_DIR, staging / QUERIES_DIR)
        for folder in ("graph/reference", "graph/articles", "sources"):
            (staging / folder).mkdir(parents=True)
        triples = 0
        for name, graph in sorted(corpus.ref.graphs.items()):
            triples += len(graph)
            (staging / f"graph/reference/{name}.ttl").write_text(
                _turtle(
                    graph,
                    (
                        f"# Synthetic reference entities ({name}): identity, type and labels only.\n"
                        f"# Written by `orgkg dev synth {count} --seed {seed}`; what the articles say about "
                        "them is in graph/articles/."
                    ),
                ),
                encoding="utf-8",
            )
        for done, a in enumerate(corpus.articles, 1):
            triples += len(a.graph)
            (staging / f"graph/articles/{a.name}.ttl").write_text(
                _turtle(
                    a.graph,
                    (
                        f"# Synthetic article {a.name} (sources/{a.name}.txt): every claim with a verbatim quote.\n"
                        f"# Written by `orgkg dev synth {count} --seed {seed}`."
                    ),
                ),
                encoding="utf-8",
            )
            (staging / f"sources/{a.name}.txt").write_text(a.text(), encoding="utf-8")
            if progress:
                progress(done, count)
        (staging / "synth.json").write_text(
            json.dumps(
                {
                    "articles": count,
                    "seed": seed,
                    "errors": dict(sorted((errors or {}).items())),
                    "triples": triples,
                    "seeded": [vars(e) for e in seeded],
                },
                indent=1,
                ensure_ascii=False,
            )
            + "\n",
            encoding="utf-8",
        )
        (staging / "README.md").write_text(
            f"# Synthetic orgkg corpus\n\n{count} articles written by `orgkg dev synth` (seed {seed}); "
            "quotes come from `sources/`. Validate with `ORGKG_ROOT=. orgkg validate --sources sources`.\n"
            "`synth.json` lists the seeded errors.\n",
            encoding="utf-8",
        )
        if output.exists():
            output.rmdir()
        staging.rename(output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return SynthReport(output, count, triples, seeded)
