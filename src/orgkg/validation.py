"""`orgkg validate`: Turtle syntax, SHACL (the shapes with RDFS inference, `orgkg.shapes`), lint and quotes.

Every check yields `Finding`s; a `Report` gathers them and decides whether the data conforms.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from orgkg.docid import DocumentCodeError, parse_code
from orgkg.findings import (
    VIOLATION,
    WARNING,
    Finding,
    Report,
    parse_all,
    parse_located,
    relative_path,
    short_name,
    sort_findings,
)
from orgkg.loading import is_shapes_file
from orgkg.names import plain
from orgkg.namespaces import ELI, KG, OA, OKG, ONTOLOGY_FILE, SCHEMA, SHAPES_FILE, bind_prefixes
from orgkg.rdfs import Closure, rdflib_vocabulary
from orgkg.shapes import Shapes
from orgkg.sources import Sources
from orgkg.sparql_text import insert_values
from orgkg.terms import oxigraph_store, solutions, to_rdflib

_LABELS = (RDFS.label, SKOS.prefLabel, SCHEMA.headline)
_DEFINITIONS = (RDFS.comment, SKOS.definition)
#: Issuer levels with a single issuing body, so that a code alone names the issuer.
_SINGLE_ISSUERS = ("TW", "VPTW", "BTCTW")
NO_SOURCES = "quote check skipped: no folder of article texts exists (give one, or list it in pyproject.toml under [tool.orgkg] sources)"
DANGLING = "kg: resource is used but never typed or described: define it in graph/reference/ or fix the IRI"


#: rdflib's store for the graphs validated: without the named-graph bookkeeping of its default
#: store (which works out each triple's graphs whenever it is read), adding and reading triples
#: takes a third of the time.
RDFLIB_STORE = "SimpleMemory"
#: Bytes of Turtle above which `orgkg validate` of the whole graph runs unit by unit
#: (`orgkg.incremental`: the same report, in bounded memory) instead of all at once, which holds
#: some 22 bytes of memory for each byte of Turtle beyond ~160 MB, where units from nothing
#: take about as long (5 December, one whole run each, all at once / units: 1,000 articles,
#: 14.5 MB of Turtle, 10.1 s, 482 MB / 11.0 s, 142 MB; 3,000, 43 MB, 33.9 s, 1.24 GB / 32.8 s,
#: 215 MB; 10,000, 143 MB, 128 s, 3.35 GB / 127 s, 254 MB). Here, about 2,000 articles, a run
#: stays under ~1 GB.
AT_ONCE_LIMIT = 30_000_000


def too_large_at_once(files: list[Path]) -> bool:
    """Whether validating `files` all at once would hold more than AT_ONCE_LIMIT of Turtle."""
    total = 0
    for path in files:
        total += path.stat().st_size
        if total > AT_ONCE_LIMIT:
            return True
    return False


def validate(
    root: Path, files: list[Path], sources: Path | None = None, complete: bool = True, progress=None
) -> Report:
    """Run every check over `files` (data), with the repository's ontology and shapes.

    `complete` says the files are the whole graph, so a reference to an undescribed kg:
    resource is dangling; a few files alone may rightly point at entities defined elsewhere.
    `progress(done, total)` is told of each file parsed and each check run.
    """
    report = Report(files=files)
    ontology_path, shapes_path = root / ONTOLOGY_FILE, root / SHAPES_FILE
    count = iter(range(1, len(files) + 7))  # the ontology and shapes parsed, each file, then the four checks
    step = (lambda: progress(next(count), len(files) + 6)) if progress else (lambda: None)
    schema = parse_all([ontology_path, shapes_path], root, report, step)
    # Every file parsed straight into one graph: a graph per file, merged after, cost as much again.
    data, where = bind_prefixes(Graph(store=RDFLIB_STORE)), dict[Node, str]()
    for path in dict.fromkeys(files):
        subjects: set = set()
        if path.resolve() == ontology_path.resolve():  # parsed above, and added to the data below
            subjects.update(schema[ontology_path].subjects() if ontology_path in schema else ())
        elif not is_shapes_file(path, root):
            parse_located(path, root, report, into=data, subjects=subjects)
        _first_described(where, subjects, relative_path(path, root))
        step()
    if report.findings:
        return report

    ontology, shapes = schema[ontology_path], Shapes(schema[shapes_path])
    data += ontology
    report.triples = len(data)

    store = oxigraph_store(data)  # one Oxigraph copy: corpus lint's queries, then the shapes' with the closure added
    report.findings += corpus_lint_findings(data, where, store, complete)
    step()
    report.findings += shacl_findings(data, shapes, Closure(ontology, rdflib_vocabulary()), where, store)
    step()
    report.findings += lint_findings(data, OntologyTerms(ontology), where)
    step()
    texts = Sources.for_root(root, sources)
    if texts is None:
        report.notices.append(NO_SOURCES)
    else:
        report.findings += quote_findings(data, texts, where)
    step()
    report.findings = sort_findings(report.findings)
    return report


def _first_described(where: dict[Node, str], subjects, name: str) -> None:
    """Name the file `name` for each of `subjects` that no earlier file describes (so findings can name a file)."""
    for subject in subjects:
        where.setdefault(subject, name)


# --- SHACL -------------------------------------------------------------------------------


def shacl_findings(data: Graph, shapes: Shapes, closure: Closure, where: Mapping, store=None) -> list[Finding]:
    """Every shape on `data` with its RDFS closure, findings named from it (`Shapes.run`, which
    adds the closure to `store`, an Oxigraph copy of `data`, if given)."""
    return [finding for finding, _, _ in shapes.run(data, closure.entailments(data), where, store)]


# --- lint (in the spirit of ROBOT report) --------------------------------------------------


# Two kinds of rule: per node (each file's own triples decide) and corpus-wide (the whole graph
# decides). Full validation runs both on one graph; incremental validation runs the per-node
# rules per unit and feeds the corpus-wide ones from its cache and the store.


def lint_findings(data: Graph, terms: OntologyTerms, where: Mapping) -> list[Finding]:
    """lint's per-node rules."""
    return ontology_term_findings(data, terms, where) + stray_whitespace_findings(data, where)


def corpus_lint_findings(data: Graph, where: Mapping, store, complete: bool = True) -> list[Finding]:
    """lint's corpus-wide rules on one graph (`store` an Oxigraph copy of it); dangling references
    only if it is the `complete` graph."""

    def short(term) -> str:
        return short_name(data, term)

    labels: dict[tuple[str, str], set] = defaultdict(set)
    for subject, key, language in label_keys(data):
        labels[(key, language)].add(subject)

    findings = duplicate_label_findings(labels, short, where)
    findings += duplicate_document_findings(store, short, where)
    if complete:
        findings += iri_year_findings(node_texts(data), short, where)
        used = {node for node in (*data.subjects(), *data.objects()) if isinstance(node, URIRef)}
        findings += dangling_findings(sorted(node for node in used if (node, RDF.type, None) not in data), short, where)
    return findings


class OntologyTerms:
    """What lint says of each okg: term, read from the ontology once: incremental validation asks
    it for every unit."""

    def __init__(self, ontology: Graph):
        self.ontology = ontology
        self.declared = set(ontology.subjects())
        self._problems: dict = {}

    def problems(self, node) -> list[tuple[str, str]]:
        """(rule, message) of each thing wrong with a term as the ontology declares it."""
        if node not in self._problems:
            ontology, found = self.ontology, []
            if node not in self.declared:
                found.append(
                    (
                        "undeclared-term",
                        "okg: term used but not declared in ontology/orgkg.ttl: declare it or fix the spelling",
                    )
                )
            else:
                if not any(ontology.value(node, p) for p in _LABELS):
                    found.append(("missing-label", "ontology term has no rdfs:label"))
                if not any(ontology.value(node, p) for p in _DEFINITIONS):
                    found.append(
                        ("missing-definition", "ontology term has no definition (rdfs:comment or skos:definition)")
                    )
            self._problems[node] = found
        return self._problems[node]


def ontology_term_findings(data: Graph, terms: OntologyTerms, where: Mapping) -> list[Finding]:
    """okg: terms used must be declared, with a label and a definition."""
    return [
        Finding(VIOLATION, "lint", message, focus=short_name(data, node), rule=rule, file=where.get(node, ""))
        for node in sorted(
            {n for n in (*data.subjects(), *data.objects()) if isinstance(n, URIRef) and n.startswith(str(OKG))},
            key=str,
        )
        for rule, message in terms.problems(node)
    ]


def stray_whitespace_findings(data: Graph, where: Mapping) -> list[Finding]:
    findings = []
    for subject, predicate, obj in data:
        if isinstance(obj, Literal) and obj.datatype in (None, XSD.string):
            text = str(obj)
            if text != text.strip() or "  " in text:
                findings.append(
                    Finding(
                        WARNING,
                        "lint",
                        f"literal of {short_name(data, predicate)} has leading, trailing or doubled spaces",
                        focus=short_name(data, subject),
                        rule="stray-whitespace",
                        file=where.get(subject, ""),
                        value=repr(text),
                    )
                )
    return findings


def label_key(label: str) -> str:
    """A label as duplicate labels are compared: case, diacritics, punctuation and spacing ignored
    ("Cao Bằng Provincial Party Committee" and "Cao Bang provincial Party-Committee" are one)."""
    return " ".join(re.sub(r"[^\w]+", " ", plain(label)).split())


def label_keys(data: Graph) -> set[tuple]:
    """(IRI, normalised label, language) of every rdfs:label and skos:prefLabel: what duplicate
    labels are compared by."""
    return {
        (subject, label_key(str(label)), getattr(label, "language", None) or "")
        for predicate in (RDFS.label, SKOS.prefLabel)
        for subject, label in data.subject_objects(predicate)
        if isinstance(subject, URIRef)
    }


def dangling_findings(untyped: list, short, where: Mapping) -> list[Finding]:
    """kg: IRIs used but never typed anywhere in the graph."""
    return [
        Finding(WARNING, "lint", DANGLING, focus=short(node), rule="dangling-reference", file=where.get(node, ""))
        for node in untyped
        if str(node).startswith(str(KG))
    ]


def duplicate_label_findings(labels: dict, short, where: Mapping) -> list[Finding]:
    """One warning per subject whose (normalised label, language) another subject shares, naming
    the other's file: two nodes for one thing are the identity errors this catches."""
    findings = []
    for (label, _), subjects in sorted(labels.items()):
        if len(subjects) > 1:
            for subject in sorted(subjects):
                others = ", ".join(
                    short(s) + (f" ({where[s]})" if where.get(s) and where.get(s) != where.get(subject) else "")
                    for s in sorted(subjects)
                    if s != subject
                )
                findings.append(
                    Finding(
                        WARNING,
                        "lint",
                        f"label {label!r} is also used by {others}: make labels tell them apart",
                        focus=short(subject),
                        rule="duplicate-label",
                        file=where.get(subject, ""),
                    )
                )
    return findings


_TELLING_APART = (ELI.date_document, OKG.subject, OKG.forCongress, OKG.tenure)
#: One row (document, code, fact, value) per fact of every coded document (VALUES ?document
#: narrows it). Quotes are read apart, only for the documents a finding names: joined in here,
#: a document cited by every article brought all its quotes along (100,000 articles: 38 s, where
#: the two parts take 2 s each).
_FACTS = " ".join(f"<{p}>" for p in (ELI.passed_by, *_TELLING_APART, OWL.differentFrom))
DOCUMENT_FACTS = f"""SELECT ?document ?code ?fact ?value WHERE {{
    ?document <{ELI.id_local}> ?code FILTER(isIRI(?document))
    OPTIONAL {{ ?document ?fact ?value VALUES ?fact {{ {_FACTS} }} }}
}}"""
DOCUMENT_QUOTES = (
    f"SELECT ?document ?quote WHERE {{ ?document <{OKG.evidence}>/<{OA.hasSelector}>/<{OA.exact}> ?quote }}"
)


def duplicate_document_findings(store, short, where: Mapping, documents: list[str] | None = None) -> list[Finding]:
    """One document, one IRI, but codes restart every term: warn about IRIs with the same code (as
    `orgkg docid` reads it) and issuer (eli:passed_by; for codes of a single central issuer such as
    TW, the issuer level) that no stated fact tells apart, quoting both so that a reviewer can judge.
    A possible duplicate, never a reason to merge: documents the text tells apart are told apart
    in data (eli:date_document, okg:subject, okg:forCongress, okg:tenure, owl:differentFrom).
    `store`: the data in Oxigraph; `documents`: the IRIs to compare (None: every document)."""
    codes: dict = {}
    facts: dict = defaultdict(lambda: defaultdict(set))
    for document, code, fact, value in _rows(store, DOCUMENT_FACTS, documents):
        codes[document] = str(code)
        if fact is not None:
            facts[document][fact].add(" ".join(str(value).casefold().split()) if fact == OKG.subject else str(value))
    groups: dict[tuple, set] = defaultdict(set)
    for document, code in codes.items():
        try:
            parsed = parse_code(code)
        except DocumentCodeError:
            continue  # the DocumentCode shape reports it
        issuers = facts[document][ELI.passed_by] or ({parsed.issuer} if parsed.issuer in _SINGLE_ISSUERS else set())
        for issuer in issuers:
            groups[(parsed.canonical, issuer)].add(document)

    def told_apart(one, other) -> bool:
        return (
            str(other) in facts[one][OWL.differentFrom]
            or str(one) in facts[other][OWL.differentFrom]
            or any(
                facts[one][p] and facts[other][p] and facts[one][p].isdisjoint(facts[other][p]) for p in _TELLING_APART
            )
        )

    pairs = [
        (code, document, other)
        for (code, _), documents in sorted(groups.items())
        for document in sorted(documents)
        for other in sorted(documents - {document})
        if not told_apart(document, other)
    ]
    quotes: dict = {}  # the first of each document's quotes, by code point
    for document, text in _rows(store, DOCUMENT_QUOTES, sorted({str(d) for _, *pair in pairs for d in pair})):
        quotes[document] = min(quotes.get(document, str(text)), str(text))

    def quote(document) -> str:
        return repr(quotes.get(document, "(no quote)"))

    findings = {}
    for code, document, other in pairs:
        findings[(document, other)] = Finding(
            WARNING,
            "lint",
            f"possible duplicate: document {code} of the same issuer also has the "
            f"IRI {short(other)}; this one is quoted {quote(document)}, that one {quote(other)}. "
            "If the text tells them apart, say how (okg:subject, okg:forCongress, okg:tenure, "
            "eli:date_document, or owl:differentFrom); merge them only if it says they are one",
            focus=short(document),
            rule="duplicate-document",
            file=where.get(document, ""),
        )
    return list(findings.values())


def _rows(store, query: str, documents: list[str] | None) -> Iterator[tuple]:
    """The query's rows on `store` as rdflib terms, for these `documents` only (None: for all; none
    asked for: no query)."""
    if documents is not None and not documents:
        return
    values = None if documents is None else [("document", [ox.NamedNode(iri) for iri in documents])]
    answer = solutions(store.query(insert_values(query, values) if values else query))
    for solution in answer:
        yield tuple(to_rdflib(solution[v]) for v in answer.variables)


#: Every literal and quote of each kg: node whose IRI names a year: one row (node, text) each.
_YEAR = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])")


def node_texts(data: Graph) -> list[tuple]:
    """(node, text) for every literal and quote of each kg: node whose IRI names a year. Each file
    holds the whole of what it says of a node (its quotes' blank nodes included), so incremental
    validation keeps these rows per unit and the rule reads them all without scanning the store."""
    rows = []
    for node in {s for s in data.subjects() if isinstance(s, URIRef) and s.startswith(str(KG))}:
        if not _YEAR.search(node[len(str(KG)) :]):
            continue
        rows += [(node, text) for text in data.objects(node) if isinstance(text, Literal)]
        rows += [
            (node, text)
            for evidence in data.objects(node, OKG.evidence)
            for selector in data.objects(evidence, OA.hasSelector)
            for text in data.objects(selector, OA.exact)
            if isinstance(text, Literal)
        ]
    return rows


def iri_year_findings(rows, short, where: Mapping) -> list[Finding]:
    """An IRI says only what the text says: warn about a year in a kg: IRI that none of the node's
    labels, dates or quotes states (an old newspaper's IRI ending "-until-2025" asserts an end the
    article never gives). Corpus-wide: the labels live in graph/reference/, the quotes in articles."""
    texts: dict = defaultdict(list)
    for node, text in rows:
        texts[node].append(str(text))
    findings = []
    for node, values in sorted(texts.items()):
        missing = sorted(
            {year for year in _YEAR.findall(str(node)[len(str(KG)) :]) if not any(year in value for value in values)}
        )
        if missing:
            findings.append(
                Finding(
                    WARNING,
                    "lint",
                    f"the IRI names {', '.join(missing)}, which no label, date or quote of the node "
                    "states: rename it so that the IRI says only what the text says",
                    focus=short(node),
                    rule="iri-year",
                    file=where.get(node, ""),
                )
            )
    return findings


# --- quotes ------------------------------------------------------------------------------


def normalise_space(text: str) -> str:
    return " ".join(text.split())


def quote_findings(data: Graph, sources: Sources, where: Mapping) -> list[Finding]:
    """Every oa:exact must occur verbatim (whitespace-normalised) in its article's text; an
    article whose text is not in the sources folders is an error, as none of its quotes is checked."""
    texts: dict = {}
    findings: list[Finding] = []
    for article in sorted(data.subjects(RDF.type, SCHEMA.NewsArticle), key=str):
        name = data.value(article, OKG.sourceText)
        text, problem = sources.read(str(name)) if name else (None, f"not found in {sources.describe()}")
        if text is None:
            findings.append(
                Finding(
                    VIOLATION,
                    "quote",
                    f"text of this article {problem} (okg:sourceText {str(name)!r}): none of its quotes can be "
                    "checked; fix the name or put the text in one of these folders",
                    focus=short_name(data, article),
                    rule="source-text",
                    file=where.get(article, ""),
                )
            )
            continue
        texts[article] = normalise_space(text)
    for claim, evidence in data.subject_objects(OKG.evidence):
        article = data.value(evidence, OA.hasSource)
        if article not in texts:
            continue
        for selector in data.objects(evidence, OA.hasSelector):
            exact = data.value(selector, OA.exact)
            if exact is not None and normalise_space(str(exact)) not in texts[article]:
                findings.append(
                    Finding(
                        VIOLATION,
                        "quote",
                        f"quote not found verbatim in {data.value(article, OKG.sourceText)}: "
                        "copy the words exactly as the article prints them",
                        focus=short_name(data, claim),
                        path="oa:exact",
                        rule="quote-verbatim",
                        file=where.get(claim, ""),
                        value=str(exact),
                    )
                )
    return findings
