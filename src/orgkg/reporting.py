"""The validation report in its formats: human (coloured on a terminal), table, JSON, and Turtle
(a sh:ValidationReport), with the one-line verdict the report ends with."""

from __future__ import annotations

import json

from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, SH

from orgkg.findings import VIOLATION, WARNING, Finding, Report
from orgkg.namespaces import bind_prefixes
from orgkg.output import paint, text_table


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
    return (
        f"{len(report.files)} files, {report.triples} triples: {report.count(VIOLATION)} violations, "
        f"{report.count(WARNING)} warnings — {verdict}" + (" (strict)" if strict else "")
    )


def _human(report: Report, strict: bool, colour: bool = False) -> str:
    lines = []
    for f in report.findings:
        subject = f" {f.focus}" + (f" ({f.path})" if f.path else "") if f.focus else ""
        severity = paint(f.severity, "red" if f.severity == VIOLATION else "yellow", colour)
        lines.append(
            f"{_where(f)}: {severity} [{f.check} {f.rule}]{subject}: {f.message}"
            + (f"\n    value: {f.value}" if f.value else "")
        )
    lines += [paint(f"notice: {notice}", "dim", colour) for notice in report.notices]
    lines.append(paint(summary(report, strict), "green" if report.conforms(strict) else "red", colour))
    return "\n".join(lines)


def _table(report: Report, strict: bool) -> str:
    rows = [[f.severity, f.check, f.rule, _where(f), f.focus, f.path, f.message] for f in report.findings]
    headers = ["severity", "check", "rule", "where", "node", "path", "message"]
    return "\n".join([text_table(headers, rows), *(f"notice: {n}" for n in report.notices), summary(report, strict)])


def _json(report: Report, strict: bool) -> str:
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
