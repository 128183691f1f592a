"""Seeded errors: break the corpus in known places, each with the rule expected to report it."""

from __future__ import annotations

from collections import Counter

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, QB, RDF, RDFS

from orgkg.errors import OrgkgError
from orgkg.namespaces import CV, ELI, KG, OA, OKG
from orgkg.synth.corpus import Corpus
from orgkg.synth.model import Article, SeededError

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


def nodes_of(corpus: Corpus, kind: URIRef) -> list[tuple[Article, URIRef]]:
    return [(a, n) for a in corpus.articles for n in a.claims if (n, RDF.type, kind) in a.graph]


def drop_evidence(a: Article, node: URIRef) -> None:
    for evidence in list(a.graph.objects(node, OKG.evidence)):
        for selector in list(a.graph.objects(evidence, OA.hasSelector)):
            a.graph.remove((selector, None, None))
        a.graph.remove((evidence, None, None))
        a.graph.remove((node, OKG.evidence, evidence))


def seed_error(corpus: Corpus, kind: str, index: int) -> SeededError:
    rng, ref = corpus.rng, corpus.ref
    rule = ERROR_KINDS[kind][1]

    def pick(items: list, what: str):
        if not items:
            raise OrgkgError(f"the corpus is too small to seed {kind} ({what}); ask for more articles")
        return rng.choice(items)

    def article_file(a: Article) -> str:
        return f"graph/articles/{a.name}.ttl"

    if kind == "merger-one-original":
        a, node = pick(nodes_of(corpus, OKG.Merger), "no merger")
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
        drop_evidence(a, node)
    elif kind == "bad-document-code":
        documents = [(p, d) for p in corpus.provinces for d in p.documents]
        p, node = pick(documents, "no provincial document")
        graph = ref.graph(p.slug)
        code = str(graph.value(node, ELI.id_local))
        graph.set((node, ELI.id_local, Literal(code.split("-")[0] + "-XX/TU")))
        return SeededError(kind, f"graph/reference/{p.slug}.ttl", str(node), rule)
    elif kind == "observation-without-unit":
        a, node = pick(nodes_of(corpus, QB.Observation), "no figure")
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
            [(a, n) for a, n in nodes_of(corpus, OKG.PartyCell)]
            + nodes_of(corpus, OKG.PartyOrganization)
            + nodes_of(corpus, OKG.FatherlandFront),
            "no local organization",
        )
        other = corpus.body(a.province, "provincial-party-committee")
        a.graph.set((node, RDFS.label, ref.graph(a.province.slug).value(other, RDFS.label)))
    elif kind == "dangling-reference":
        a, node = pick(nodes_of(corpus, OKG.Merger) + nodes_of(corpus, OKG.Establishment), "no change event")
        missing = KG[f"doc-missing-{index}"]
        a.add((node, CV.hasFormalFramework, missing))
        return SeededError(kind, article_file(a), str(missing), rule)
    elif kind == "bad-quote":
        a = pick(corpus.articles, "no article")
        node = pick(a.claims, "no claim")
        selector = next(s for e in a.graph.objects(node, OKG.evidence) for s in a.graph.objects(e, OA.hasSelector))
        a.graph.set((selector, OA.exact, Literal(str(a.graph.value(selector, OA.exact)) + " and more besides")))
    elif kind == "missing-label":
        a, node = pick(nodes_of(corpus, OKG.Merger) + nodes_of(corpus, OKG.Dissolution), "no change event")
        a.graph.remove((node, RDFS.label, None))
    elif kind == "untyped-date":
        a, node = pick(nodes_of(corpus, OKG.Merger) + nodes_of(corpus, OKG.Establishment), "no change event")
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
        raise OrgkgError(f"unknown error kind {kind!r}; known: {', '.join(ERROR_KINDS)}")
    return SeededError(kind, article_file(a), str(node), rule)
