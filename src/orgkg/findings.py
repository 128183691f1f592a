"""What every check reports: `Finding`s gathered in a `Report`, and how a finding names things.

Full and incremental validation both build findings through these functions, so the same problem
reads the same whichever validator found it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import SH

from orgkg.loading import TurtleSyntaxError, parse_turtle
from orgkg.namespaces import short

VIOLATION, WARNING, INFO = "Violation", "Warning", "Info"


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

    def as_dict(self) -> dict:
        """Its fields by name, in order (`dataclasses.asdict` deep-copies every value: 2.5 s of the
        26 s the reference unit of 100,000 articles takes, with its 124,000 result rows)."""
        return dict(vars(self))


@dataclass
class Report:
    files: Sequence[str | Path]  # the files checked; strings as a walk found them, over thousands
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
            "findings": [finding.as_dict() for finding in self.findings],
        }


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """The report's order: violations first, then by file, node, rule and the rest."""
    return sorted(
        findings,
        key=lambda f: (f.severity != VIOLATION, f.file, f.focus, f.rule, f.message, f.path, f.value, f.line or 0),
    )


def syntax_finding(error: TurtleSyntaxError, root: Path) -> Finding:
    return Finding(
        VIOLATION,
        "syntax",
        f"{error.reason} (hint: {error.hint})",
        file=relative_path(error.path, root),
        line=error.line,
        column=error.column,
        rule="turtle-syntax",
    )


def relative_path(path: Path, root: Path) -> str:
    """`path` as the report shows it: relative to the repository root when it is inside it."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def short_name(graph: Graph, term) -> str:
    """A readable name: a prefixed IRI, or for a blank node the path from its named owner."""
    if isinstance(term, URIRef):
        return short(str(term))
    if isinstance(term, BNode):
        for owner, predicate in graph.subject_predicates(term):
            return f"{short_name(graph, owner)} {short_name(graph, predicate)} [...]"
        return "[]"
    return str(term)


def local_name(term) -> str:
    return str(term).rsplit("#", 1)[-1] if term is not None else ""


def result_finding(results: Graph, result, data: Graph, shapes: Graph, where: Mapping) -> Finding:
    """One sh:ValidationResult of a pySHACL report as a Finding."""
    focus = results.value(result, SH.focusNode)
    path = results.value(result, SH.resultPath)
    shape = results.value(result, SH.sourceShape)
    message = results.value(result, SH.resultMessage) or "constraint not met"
    value = results.value(result, SH.value)
    return Finding(
        severity=local_name(results.value(result, SH.resultSeverity)) or VIOLATION,
        check="shacl",
        message=str(message),
        focus=short_name(data, focus),
        path=short_name(shapes, path) if isinstance(path, URIRef) else "",
        rule=short_name(shapes, shape)
        if isinstance(shape, URIRef)
        else short_name(shapes, results.value(result, SH.sourceConstraintComponent)),
        file=where.get(focus, ""),
        value=short_name(data, value) if value is not None else "",
    )


def parse_all(paths: list[Path], root: Path, report: Report, parsed=lambda: None) -> dict[Path, Graph]:
    """Parse every file, adding a located syntax finding to `report` for each that fails;
    `parsed()` is called after each file."""
    graphs: dict[Path, Graph] = {}
    for path in dict.fromkeys(paths):
        if (graph := parse_located(path, root, report)) is not None:
            graphs[path] = graph
        parsed()
    return graphs


def parse_located(path: Path, root: Path, report: Report, into: Graph | None = None, subjects: set | None = None):
    """`parse_turtle(path, into, subjects)`, or None with a located syntax finding added to `report`."""
    try:
        return parse_turtle(path, into, subjects)
    except TurtleSyntaxError as error:
        report.findings.append(syntax_finding(error, root))
    except OSError as error:
        raise FileNotFoundError(f"cannot read {path}: {error.strerror}") from None
    return None
