"""`orgkg validate`: Turtle syntax, SHACL (pySHACL with RDFS inference), lint and quotes.

Every check yields `Finding`s; a `Report` gathers them and decides whether the data conforms.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS, XSD

from orgkg.docid import DocumentCodeError, parse_code
from orgkg.loading import TurtleSyntaxError, is_shapes_file, parse_turtle
from orgkg.namespaces import ELI, KG, OA, OKG, ONTOLOGY_FILE, SCHEMA, SHAPES_FILE, bind_prefixes
from orgkg.output import paint, text_table

VIOLATION, WARNING, INFO = "Violation", "Warning", "Info"
_LABELS = (RDFS.label, SKOS.prefLabel, SCHEMA.headline)
_DEFINITIONS = (RDFS.comment, SKOS.definition)
#: Issuer levels with a single issuing body, so that a code alone names the issuer.
_SINGLE_ISSUERS = ("TW", "VPTW", "BTCTW")
DANGLING = "kg: resource is used but never typed or described: define it in graph/reference/ or fix the IRI"


@dataclass(frozen=True)
class Finding:
    """One problem: which check found it, how bad it is, where, and what it means."""

    severity: str
    check: str  # syntax | shacl | lint | quote
    message: str
    focus: str = ""
    path: str = ""
    rule: str = ""
    file: str = ""
    line: int | None = None
    column: int | None = None
    value: str = ""


@dataclass
class Report:
    files: list[Path]
    triples: int = 0
    findings: list[Finding] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def count(self, severity: str) -> int:
        return sum(1 for finding in self.findings if finding.severity == severity)

    def conforms(self, strict: bool = False) -> bool:
        failing = {VIOLATION, WARNING} if strict else {VIOLATION}
        return not any(finding.severity in failing for finding in self.findings)

    def as_dict(self, strict: bool = False) -> dict:
        return {
            "conforms": self.conforms(strict),
            "files": [str(path) for path in self.files],
            "triples": self.triples,
            "violations": self.count(VIOLATION),
            "warnings": self.count(WARNING),
            "notices": self.notices,
            "findings": [asdict(finding) for finding in self.findings],
        }


def validate(root: Path, files: list[Path], sources: Path | None = None, complete: bool = True) -> Report:
    """Run every check over `files` (data), with the repository's ontology and shapes.

    `complete` says the files are the whole graph, so a reference to an undescribed kg:
    resource is dangling; a few files alone may rightly point at entities defined elsewhere.
    """
    report = Report(files=files)
    ontology_path, shapes_path = root / ONTOLOGY_FILE, root / SHAPES_FILE
    graphs = parse_all([*files, ontology_path, shapes_path], root, report)
    if report.findings:
        return report

    ontology, shapes = graphs[ontology_path], graphs[shapes_path]
    data = bind_prefixes(Graph())
    for path in files:
        if not is_shapes_file(path, root):
            data += graphs[path]
    data += ontology
    report.triples = len(data)
    where = _subject_files(graphs, files, root)

    report.findings += shacl_findings(data, shapes, ontology, where)
    report.findings += lint_findings(data, ontology, where, complete)
    if sources is None:
        report.notices.append("quote check skipped: no --sources folder or ORGKG_SOURCES given")
    else:
        report.findings += quote_findings(data, sources, where)
    report.findings.sort(key=lambda f: (f.severity != VIOLATION, f.file, f.focus, f.rule, f.message))
    return report


def parse_all(paths: list[Path], root: Path, report: Report) -> dict[Path, Graph]:
    """Parse every file, adding a located syntax finding to `report` for each that fails."""
    graphs: dict[Path, Graph] = {}
    for path in dict.fromkeys(paths):
        try:
            graphs[path] = parse_turtle(path)
        except TurtleSyntaxError as error:
            report.findings.append(_syntax_finding(error, root))
        except OSError as error:
            raise FileNotFoundError(f"cannot read {path}: {error.strerror}") from None
    return graphs


def _syntax_finding(error: TurtleSyntaxError, root: Path) -> Finding:
    return Finding(
        VIOLATION, "syntax", f"{error.reason} (hint: {error.hint})",
        file=_relative(error.path, root), line=error.line, column=error.column, rule="turtle-syntax",
    )


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _subject_files(graphs: dict[Path, Graph], files: list[Path], root: Path) -> dict[URIRef, str]:
    """For each subject, the first file that describes it (so findings can name a file)."""
    where: dict[URIRef, str] = {}
    for path in files:
        for subject in graphs[path].subjects(unique=True):
            where.setdefault(subject, _relative(path, root))
    return where


def _short(graph: Graph, term) -> str:
    """A readable name: a prefixed IRI, or for a blank node the path from its named owner."""
    if isinstance(term, URIRef):
        return graph.namespace_manager.normalizeUri(term)
    if isinstance(term, BNode):
        for owner, predicate in graph.subject_predicates(term):
            return f"{_short(graph, owner)} {_short(graph, predicate)} [...]"
        return "[]"
    return str(term)


# --- SHACL -------------------------------------------------------------------------------


def shacl_findings(data: Graph, shapes: Graph, ontology: Graph, where: dict) -> list[Finding]:
    """pySHACL with RDFS inference from the ontology; one Finding per validation result."""
    _, results, _ = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="rdfs",
        abort_on_first=False, allow_warnings=True, meta_shacl=False,
    )
    return [result_finding(results, result, data, shapes, where)
            for result in results.subjects(RDF.type, SH.ValidationResult)]


def result_finding(results: Graph, result, data: Graph, shapes: Graph, where: dict) -> Finding:
    """One sh:ValidationResult of a pySHACL report as a Finding (incremental validation too)."""
    focus = results.value(result, SH.focusNode)
    path = results.value(result, SH.resultPath)
    shape = results.value(result, SH.sourceShape)
    message = results.value(result, SH.resultMessage) or "constraint not met"
    value = results.value(result, SH.value)
    return Finding(
        severity=_local(results.value(result, SH.resultSeverity)) or VIOLATION,
        check="shacl",
        message=str(message),
        focus=_short(data, focus),
        path=_short(shapes, path) if isinstance(path, URIRef) else "",
        rule=_short(shapes, shape) if isinstance(shape, URIRef) else _short(
            shapes, results.value(result, SH.sourceConstraintComponent)),
        file=where.get(focus, ""),
        value=_short(data, value) if value is not None else "",
    )


def _local(term) -> str:
    return str(term).rsplit("#", 1)[-1] if term is not None else ""


# --- lint (in the spirit of ROBOT report) --------------------------------------------------


def lint_findings(data: Graph, ontology: Graph, where: dict, complete: bool = True) -> list[Finding]:
    declared = set(ontology.subjects())
    findings: list[Finding] = []

    def add(severity: str, rule: str, node, message: str, value: str = "") -> None:
        findings.append(Finding(severity, "lint", message, focus=_short(data, node), rule=rule,
                                file=where.get(node, ""), value=value))

    for node in sorted(set(data.subjects()) | set(data.objects()), key=str):
        if not isinstance(node, URIRef):
            continue
        if node.startswith(str(OKG)) and node not in declared:
            add(VIOLATION, "undeclared-term", node,
                "okg: term used but not declared in ontology/orgkg.ttl: declare it or fix the spelling")
        elif node in declared and node.startswith(str(OKG)):
            if not any(ontology.value(node, p) for p in _LABELS):
                add(VIOLATION, "missing-label", node, "ontology term has no rdfs:label")
            if not any(ontology.value(node, p) for p in _DEFINITIONS):
                add(VIOLATION, "missing-definition", node,
                    "ontology term has no definition (rdfs:comment or skos:definition)")
        elif complete and node.startswith(str(KG)) and (node, RDF.type, None) not in data:
            add(WARNING, "dangling-reference", node, DANGLING)

    labels: dict[tuple[str, str], set] = defaultdict(set)
    for subject, predicate, obj in data:
        if isinstance(obj, Literal) and obj.datatype in (None, XSD.string):
            text = str(obj)
            if text != text.strip() or "  " in text:
                add(WARNING, "stray-whitespace", subject,
                    f"literal of {_short(data, predicate)} has leading, trailing or doubled spaces",
                    value=repr(text))
        if predicate in (RDFS.label, SKOS.prefLabel) and isinstance(subject, URIRef):
            labels[(str(obj).casefold(), obj.language or "")].add(subject)
    findings += duplicate_label_findings(labels, lambda term: _short(data, term), where)
    findings += duplicate_document_findings(data.query(DOCUMENT_FACTS), lambda term: _short(data, term), where)
    if complete:
        findings += iri_year_findings(data.query(NODE_TEXTS), lambda term: _short(data, term), where)
    return findings


def duplicate_label_findings(labels: dict, short, where: dict) -> list[Finding]:
    """One warning per subject whose (case-folded label, language) another subject shares."""
    findings = []
    for (label, _), subjects in sorted(labels.items()):
        if len(subjects) > 1:
            for subject in sorted(subjects):
                others = ", ".join(short(s) for s in sorted(subjects) if s != subject)
                findings.append(Finding(WARNING, "lint", f"label {label!r} is also used by {others}: make labels "
                                        "tell them apart", focus=short(subject), rule="duplicate-label",
                                        file=where.get(subject, "")))
    return findings


#: What tells apart two documents that share a code (codes restart every term): a fact both
#: state with different values, or an owl:differentFrom between them.
_TELLING_APART = (ELI.date_document, OKG.subject, OKG.forCongress, OKG.tenure)
#: One row (document, code, fact, value) per fact and quote of every coded document; the same
#: query runs on rdflib (full validation) and on the embedded store (incremental validation).
DOCUMENT_FACTS = f"""SELECT ?document ?code ?fact ?value WHERE {{
    ?document <{ELI.id_local}> ?code FILTER(isIRI(?document))
    OPTIONAL {{
        {{ ?document ?fact ?value VALUES ?fact {{ {" ".join(f"<{p}>" for p in (ELI.passed_by, *_TELLING_APART, OWL.differentFrom))} }} }}
        UNION {{ ?document <{OKG.evidence}>/<{OA.hasSelector}>/<{OA.exact}> ?value BIND(<{OA.exact}> AS ?fact) }}
    }} }}"""


def duplicate_document_findings(rows, short, where: dict) -> list[Finding]:
    """One document, one IRI, but codes restart every term: warn about IRIs with the same code (as
    `orgkg docid` reads it) and issuer (eli:passed_by; for codes of a single central issuer such as
    TW, the issuer level) that no stated fact tells apart, quoting both so that a reviewer can judge.
    A possible duplicate, never a reason to merge: documents the text tells apart are told apart
    in data (eli:date_document, okg:subject, okg:forCongress, okg:tenure, owl:differentFrom)."""
    codes: dict = {}
    facts: dict = defaultdict(lambda: defaultdict(set))
    for document, code, fact, value in rows:
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
        return (str(other) in facts[one][OWL.differentFrom] or str(one) in facts[other][OWL.differentFrom]
                or any(facts[one][p] and facts[other][p] and facts[one][p].isdisjoint(facts[other][p])
                       for p in _TELLING_APART))

    def quote(document) -> str:
        return repr(min(facts[document][OA.exact], default="(no quote)"))

    findings = {}
    for (code, _), documents in sorted(groups.items()):
        for document in sorted(documents):
            for other in sorted(documents - {document}):
                if not told_apart(document, other):
                    findings[(document, other)] = Finding(
                        WARNING, "lint", f"possible duplicate: document {code} of the same issuer also has the "
                        f"IRI {short(other)}; this one is quoted {quote(document)}, that one {quote(other)}. "
                        "If the text tells them apart, say how (okg:subject, okg:forCongress, okg:tenure, "
                        "eli:date_document, or owl:differentFrom); merge them only if it says they are one",
                        focus=short(document), rule="duplicate-document", file=where.get(document, ""))
    return list(findings.values())


#: Every literal and quote of each kg: node whose IRI names a year: one row (node, text) each.
NODE_TEXTS = f"""SELECT ?node ?text WHERE {{
    {{ ?node ?property ?text FILTER(isLiteral(?text)) }}
    UNION {{ ?node <{OKG.evidence}>/<{OA.hasSelector}>/<{OA.exact}> ?text }}
    FILTER(STRSTARTS(STR(?node), "{KG}") && REGEX(STR(?node), "(19|20)[0-9][0-9]")) }}"""
_YEAR = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])")


def iri_year_findings(rows, short, where: dict) -> list[Finding]:
    """An IRI says only what the text says: warn about a year in a kg: IRI that none of the node's
    labels, dates or quotes states (an old newspaper's IRI ending "-until-2025" asserts an end the
    article never gives). Corpus-wide: the labels live in graph/reference/, the quotes in articles."""
    texts: dict = defaultdict(list)
    for node, text in rows:
        texts[node].append(str(text))
    findings = []
    for node, values in sorted(texts.items()):
        missing = sorted({year for year in _YEAR.findall(str(node)[len(str(KG)):])
                          if not any(year in value for value in values)})
        if missing:
            findings.append(Finding(
                WARNING, "lint", f"the IRI names {', '.join(missing)}, which no label, date or quote of the node "
                "states: rename it so that the IRI says only what the text says",
                focus=short(node), rule="iri-year", file=where.get(node, "")))
    return findings


# --- quotes ------------------------------------------------------------------------------


def normalise_space(text: str) -> str:
    return " ".join(text.split())


def quote_findings(data: Graph, sources: Path, where: dict) -> list[Finding]:
    """Every oa:exact must occur verbatim (whitespace-normalised) in its article's text."""
    if not sources.is_dir():
        raise FileNotFoundError(f"sources folder not found: {sources}")
    texts: dict = {}
    findings: list[Finding] = []
    for article in sorted(data.subjects(RDF.type, SCHEMA.NewsArticle), key=str):
        name = data.value(article, OKG.sourceText)
        source = sources / str(name) if name else None
        if source is None or not source.is_file():
            findings.append(Finding(WARNING, "quote",
                                    f"text of this article not found in {sources} "
                                    f"(okg:sourceText {str(name)!r}): its quotes were not checked",
                                    focus=_short(data, article), rule="source-text",
                                    file=where.get(article, "")))
            continue
        texts[article] = normalise_space(source.read_text(encoding="utf-8"))
    for claim, evidence in data.subject_objects(OKG.evidence):
        article = data.value(evidence, OA.hasSource)
        if article not in texts:
            continue
        for selector in data.objects(evidence, OA.hasSelector):
            exact = data.value(selector, OA.exact)
            if exact is not None and normalise_space(str(exact)) not in texts[article]:
                findings.append(Finding(
                    VIOLATION, "quote",
                    f"quote not found verbatim in {data.value(article, OKG.sourceText)}: "
                    "copy the words exactly as the article prints them",
                    focus=_short(data, claim), path="oa:exact", rule="quote-verbatim",
                    file=where.get(claim, ""), value=str(exact)))
    return findings


# --- report formats ----------------------------------------------------------------------



def render(report: Report, fmt: str, strict: bool = False, colour: bool = False) -> str:
    if fmt == "human":
        return _human(report, strict, colour)
    return {"table": _table, "turtle": _turtle, "json": _json}[fmt](report, strict)


def _where(finding: Finding) -> str:
    place = finding.file or "<data>"
    if finding.line is not None:
        place += f":{finding.line}:{finding.column}"
    return place


def summary(report: Report, strict: bool = False) -> str:
    verdict = "conforms" if report.conforms(strict) else "does not conform"
    return (f"{len(report.files)} files, {report.triples} triples: {report.count(VIOLATION)} violations, "
            f"{report.count(WARNING)} warnings — {verdict}" + (" (strict)" if strict else ""))


def _human(report: Report, strict: bool, colour: bool = False) -> str:
    lines = []
    for f in report.findings:
        subject = f" {f.focus}" + (f" ({f.path})" if f.path else "") if f.focus else ""
        severity = paint(f.severity, "red" if f.severity == VIOLATION else "yellow", colour)
        lines.append(f"{_where(f)}: {severity} [{f.check} {f.rule}]{subject}: {f.message}"
                     + (f"\n    value: {f.value}" if f.value else ""))
    lines += [paint(f"notice: {notice}", "dim", colour) for notice in report.notices]
    lines.append(paint(summary(report, strict), "green" if report.conforms(strict) else "red", colour))
    return "\n".join(lines)


def _table(report: Report, strict: bool) -> str:
    rows = [[f.severity, f.check, f.rule, _where(f), f.focus, f.path, f.message] for f in report.findings]
    headers = ["severity", "check", "rule", "where", "node", "path", "message"]
    return "\n".join([text_table(headers, rows), *(f"notice: {n}" for n in report.notices),
                      summary(report, strict)])


def _json(report: Report, strict: bool) -> str:
    import json

    return json.dumps(report.as_dict(strict), indent=2, ensure_ascii=False)


def _turtle(report: Report, strict: bool) -> str:
    """A sh:ValidationReport holding every finding, SHACL or not, as a sh:ValidationResult."""
    graph = bind_prefixes(Graph())
    node = BNode("report")
    graph.add((node, RDF.type, SH.ValidationReport))
    graph.add((node, SH.conforms, Literal(report.conforms(strict))))
    for index, f in enumerate(report.findings):
        result = BNode(f"result{index:05d}")
        graph.add((node, SH.result, result))
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.resultSeverity, SH[f.severity]))
        graph.add((result, SH.resultMessage, Literal(f"[{f.check} {f.rule}] {_where(f)}: {f.message}")))
        for predicate, text in ((SH.focusNode, f.focus), (SH.resultPath, f.path)):
            if text and not text.endswith("[...]"):
                graph.add((result, predicate, _expand(graph, text)))
        if f.value:
            graph.add((result, SH.value, Literal(f.value)))
    return graph.serialize(format="turtle")


def _expand(graph: Graph, name: str):
    try:
        return graph.namespace_manager.expand_curie(name)
    except ValueError:
        return Literal(name)
