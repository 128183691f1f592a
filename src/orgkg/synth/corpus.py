"""The corpus model: reference entities on first use, and one method per kind of claim an article makes."""

from __future__ import annotations

import random
from datetime import date, timedelta

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, QB, RDF, RDFS, SKOS, TIME, XSD

from orgkg.namespaces import CV, ELI, KG, OKG, SCHEMA
from orgkg.synth.model import Article, Province, Reference, day_label, day_text, slug, term_of
from orgkg.synth.tables import (
    CENTRAL,
    CENTRAL_DOCUMENTS,
    CHANGE_EVENTS,
    COMPARATORS,
    DAYS,
    FIRST_DAY,
    INDICATORS,
    MERGERS,
    PROVINCES,
    PROVINCIAL_BODIES,
    PROVINCIAL_TYPES,
)


class Corpus:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.ref = Reference()
        people: set[str] = set()
        self.provinces = [Province(name, self.rng, people) for name in PROVINCES]
        self.articles: list[Article] = []
        self.central_documents = [self._central_document(*row) for row in CENTRAL_DOCUMENTS]

    # --- reference entities ----------------------------------------------------------------

    def central(self, key: str) -> URIRef:
        kind, label = next((k, lab) for name, k, lab in CENTRAL if name == key)
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

    def place(self, p: Province) -> URIRef:
        return self.ref.entity(p.slug, KG[f"place-{p.slug}"], OKG.Province, f"{p.name} province")

    def body(self, p: Province, key: str) -> URIRef:
        kind, pattern = next((k, lab) for name, k, lab in PROVINCIAL_BODIES if name == key)
        return self.ref.entity(p.slug, KG[f"org-{p.slug}-{key}"], kind, pattern.format(p=p.name))

    def district(self, p: Province, name: str) -> URIRef:
        return self.ref.entity(p.slug, KG[f"place-{p.slug}-{slug(name)}"], OKG.District, f"{name} district ({p.name})")

    def district_committee(self, p: Province, name: str) -> URIRef:
        return self.ref.entity(
            p.slug,
            KG[f"org-{p.slug}-{slug(name)}-district-party-committee"],
            OKG.DistrictPartyCommittee,
            f"{name} District Party Committee ({p.name})",
        )

    def person(self, name: str) -> URIRef:
        return self.ref.entity("people", KG[f"person-{slug(name)}"], SCHEMA.Person, name)

    def provincial_document(self, p: Province, day: date) -> tuple[URIRef, str, bool]:
        """An existing document of the province (shared), or a new one; True if new."""
        if p.documents and self.rng.random() < 0.4:
            return self.rng.choice(p.documents), "", False
        key, kind, english = self.rng.choice(PROVINCIAL_TYPES)
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

    def article(self, number: int) -> Article:
        rng = self.rng
        p = rng.choice(self.provinces)
        day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        a = Article(number, p, day, self.ref)
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
        for row in rng.sample(INDICATORS, 3):
            self._observation(a, row)
        self._membership(a)
        self._conference(a)
        if number % 10 == 1:
            self._origin(a)
        for node in a.claims:
            if any((node, RDF.type, kind) in a.graph for kind in CHANGE_EVENTS):
                a.add((a.node, SCHEMA.mentions, node))
        return a

    def _legal_basis(self, a: Article, event: URIRef, day: date) -> str:
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

    def _event(self, a: Article, kind: URIRef, name: str, label: str, day: date) -> URIRef:
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

    def _event_day(self, a: Article) -> date:
        return a.day - timedelta(days=self.rng.randrange(1, 300))

    def _merger(self, a: Article) -> None:
        p, day = a.province, self._event_day(a)
        first, second, result_key, pattern = self.rng.choice(MERGERS)
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

    def _establishment(self, a: Article) -> None:
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

    def _dissolution(self, a: Article) -> None:
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

    def _renaming(self, a: Article) -> None:
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

    def _observation(self, a: Article, row) -> None:
        p = a.province
        name, label, unit, verb, noun = row
        year = a.day.year - self.rng.randrange(0, 2)
        comparator, wording = self.rng.choice(COMPARATORS)
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

    def _membership(self, a: Article) -> None:
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

    def _conference(self, a: Article) -> None:
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

    def _origin(self, a: Article) -> None:
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
