"""One unit: an article file (or graph/reference/ with the ontology) validated on its own, with the
reference descriptions of the nodes it mentions, by the per-node rules of a full run."""

from __future__ import annotations

import json
import os
import stat
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF

from orgkg.findings import Finding, relative_path, syntax_finding
from orgkg.incremental.schema import Schema
from orgkg.loading import TurtleSyntaxError, parse_turtle
from orgkg.namespaces import KG, OKG, SCHEMA, bind_prefixes
from orgkg.sources import Sources
from orgkg.validation import RDFLIB_STORE, label_keys, lint_findings, node_texts, quote_findings

#: Files whose units run together in one store (`run_units`): enough that a query's fixed cost
#: (parsing, planning) is shared, few enough that a batch's graphs stay small.
BATCH = 32


@dataclass
class UnitResult:
    """What one unit contributes, in the form the cache keeps."""

    name: str
    digest: str
    triples: int = 0
    rows: list = field(default_factory=list)  # (focus IRI or None, here, existence, kind, key, finding json)
    described: list = field(default_factory=list)  # (file, IRI, typed anew, under sh:maxCount)
    pointing: list = field(default_factory=list)  # (file, IRI, counted): triples at IRI an inverse path reads
    untyped: list = field(default_factory=list)  # kg: IRIs used but typed neither here nor in the reference
    sources: dict = field(default_factory=dict)  # article text name -> [size, mtime_ns]
    syntax: list = field(default_factory=list)  # Findings of files that do not parse
    labels: list = field(default_factory=list)  # (IRI, case-folded label, language) as lint compares them
    node_texts: list = field(default_factory=list)  # (IRI, text) of nodes whose IRI names a year
    mentioned: list = field(default_factory=list)  # every IRI of the unit's triples (not cached)


def reference_slice(schema: Schema, nodes) -> Graph:
    """The reference's description of `nodes` (with blank nodes it uses)."""
    out = Graph(store=RDFLIB_STORE)
    out.addN((*triple, out) for triple in schema.reference_about(map(str, nodes)))
    return out


def batches(tasks: list[tuple]) -> Iterator[list[tuple]]:
    """The tasks (as `run_units` takes them) in batches of about BATCH files: a batch's memory is
    bounded by its files, whatever the corpus (a task with more files runs alone)."""
    batch: list[tuple] = []
    files = 0
    for task in tasks:
        if batch and files + len(task[2]) > BATCH:
            yield batch
            batch, files = [], 0
        batch.append(task)
        files += len(task[2])
    if batch:
        yield batch


def run_units(schema: Schema, tasks: list[tuple]) -> list[UnitResult]:
    """Validate each unit (a task: what `_View` takes after the schema), the shapes of all at
    once: each unit's view one graph of one store (`Shapes.run_each`)."""
    views = [_View(schema, *task) for task in tasks]
    valid = [view for view in views if not view.result.syntax]
    outcomes = schema.shapes.run_each([(view.own, view.entailed, view.where) for view in valid], corpus=False)
    for view, results in zip(valid, outcomes, strict=True):
        view.keep(results)
    return [view.result for view in views]


class _View:
    """One unit's data as its shapes see it: the files `paths`, plus (for articles) the reference
    slice they mention, with their entailments. `only` keeps just the SHACL results about those
    nodes (nodes judged on all their files, which are `paths`)."""

    def __init__(
        self,
        schema: Schema,
        name: str,
        digest: str,
        paths: list[Path],
        sources: Sources | None,
        with_reference: bool = True,
        only: frozenset[URIRef] | None = None,
    ):
        self.result = result = UnitResult(name, digest)
        self.only = only
        own = bind_prefixes(Graph(store=RDFLIB_STORE))
        self.where: dict = {}  # subject -> the file that describes it
        for path in paths:
            described: set = set()
            try:
                parse_turtle(path, own, described)  # several files are parsed into one graph
            except TurtleSyntaxError as error:
                result.syntax.append(syntax_finding(error, schema.root))
                continue
            relative = relative_path(path, schema.root)
            for subject in described:
                self.where.setdefault(subject, relative)
        if result.syntax:
            return
        mentioned = {t for triple in own for t in (triple[0], triple[2]) if isinstance(t, URIRef)}
        result.mentioned = sorted(map(str, mentioned))
        ref = reference_slice(schema, mentioned) if with_reference else Graph()
        self.own_subjects = set(own.subjects())
        self.shared = set(ref.subjects()) | schema.ontology_subjects
        if only is None:
            result.triples = len(own)
            _lint_and_quotes(schema, own, self.where, sources, result)
            _describe(schema, own, ref, self.own_subjects, self.shared, self.where, with_reference, result)

        entailed = schema.closure.entailments(own) | schema.closure.entailments(ref)
        own += ref  # from here on `own` is what the full run's names are read from
        entailed |= set(
            schema.ontology_about({t for triple in (*own, *entailed) for t in triple if isinstance(t, URIRef)})
        )
        self.own, self.entailed = own, list(entailed)

    def keep(self, results: list) -> None:
        """The unit's rows from the shapes' results on its view."""
        rows, only, own_subjects = self.result.rows, self.only, self.own_subjects
        for finding, focus, value in results:
            existence = value is None or value == focus
            if only is not None:
                if focus in only:
                    rows.append(_row(finding, focus, True, True))
            elif isinstance(focus, BNode):
                if focus in own_subjects:  # else a blank node of the reference: the reference unit reports it
                    rows.append(_row(finding, focus, True, existence))
            elif focus in own_subjects or not existence or focus not in self.shared:
                # (otherwise the reference's own view of the node decides what it lacks)
                rows.append(_row(finding, focus, focus in own_subjects, existence))


def _lint_and_quotes(schema: Schema, own: Graph, where: dict, sources: Sources | None, result: UnitResult) -> None:
    """lint's per-node rules and the quote check, on the unit's own files."""
    for finding in lint_findings(own, schema.terms, where):
        result.rows.append(_row(finding, _focus_term(own, finding), True, False, kind="other"))
    if sources is None:
        return
    for finding in quote_findings(own, sources, where):
        result.rows.append(_row(finding, _focus_term(own, finding), True, False, kind="other"))
    for article in own.subjects(RDF.type, SCHEMA.NewsArticle):
        for text in own.objects(article, OKG.sourceText):
            result.sources[str(text)] = fingerprint(sources, str(text))


def _describe(
    schema: Schema,
    own: Graph,
    ref: Graph,
    own_subjects: set,
    shared: set,
    where: dict,
    with_reference: bool,
    result: UnitResult,
) -> None:
    """The IRIs the unit describes, and whether its view of each can be combined with the views of
    other units: only if the same shapes target the node here as in the reference alone (and no
    sh:maxCount shape does); plus the kg: IRIs used that neither it nor the reference types."""
    indexes: list[defaultdict[object, list]] = [defaultdict(list) for _ in range(4)]
    about, pointing, about_ref, pointing_ref = indexes  # node -> the triples about it, pointing at it
    for graph, subjects, objects in ((own, about, pointing), (ref, about_ref, pointing_ref)):
        for triple in graph:
            subjects[triple[0]].append(triple)
            objects[triple[2]].append(triple)
    targeting = {}  # described IRI -> the shapes targeting it in this view
    for subject in own_subjects:
        if not isinstance(subject, URIRef):
            continue
        targeting[subject] = here = schema.shapes_targeting(
            subject, [*about[subject], *about_ref[subject]], [*pointing[subject], *pointing_ref[subject]]
        )
        baseline = schema.shapes_targeting(subject, about_ref[subject], ())
        anew = with_reference and bool((here ^ baseline if subject in shared else here) - schema.combinable)
        capped = schema.caps(here, about[subject])
        result.described.append((where[subject], str(subject), anew, capped))
    _pointing(schema, pointing, about_ref, pointing_ref, targeting, shared, where, result)
    result.labels = sorted((str(s), key, language) for s, key, language in label_keys(own))
    result.node_texts = sorted((str(node), str(text)) for node, text in node_texts(own))
    typed = (
        set(own.subjects(RDF.type, None))
        | set(ref.subjects(RDF.type, None))
        | set(schema.ontology.subjects(RDF.type, None))
    )
    used = {t for t in (*own.subjects(), *own.objects()) if isinstance(t, URIRef) and t.startswith(str(KG))}
    result.untyped = sorted(str(t) for t in used - typed)


def _pointing(
    schema: Schema, pointing: dict, about_ref: dict, pointing_ref: dict, targeting: dict, shared: set, where, result
) -> None:
    """The IRIs the unit's triples point at along a predicate some inverse path reads: such a
    triple is in this unit's view of the node, which may not be one that judges it. `counted`:
    the node's shapes count those triples so that only all of them at once decide (a maximum;
    a minimum where this unit does not describe the node, so no view judging it holds the
    triple), or the node's shapes are unknown here (typed by another article)."""
    for node, triples in pointing.items():
        read = [t for t in triples if t[1] in schema.inverse_predicates]
        if not read or not isinstance(node, URIRef):
            continue
        if node in targeting:
            counted = schema.counts_pointing(targeting[node], read, ("max",))
        elif node in shared:
            about = [*about_ref[node], *schema.closed.get(node, ())]
            shapes = schema.shapes_targeting(node, about, [*triples, *pointing_ref[node]])
            counted = schema.counts_pointing(shapes, read, ("min", "max"))
        else:
            counted = True
        for file in sorted({where[t[0]] for t in read if t[0] in where}):
            result.pointing.append((file, str(node), counted))


def fingerprint(sources: Sources | None, name: str) -> list:
    """[size, mtime_ns, ctime_ns] of the article text `name` in the first sources folder that has
    it, or [-1, -1, -1] when none does. Change detection only: the quote check reads the text
    through `Sources`, which refuses names that leave the folders."""
    for prefix in sources.prefixes if sources and name and not os.path.isabs(name) else ():
        try:
            found = os.stat(prefix + name)
        except OSError:
            continue
        if stat.S_ISREG(found.st_mode):
            return [found.st_size, found.st_mtime_ns, found.st_ctime_ns]
    return [-1, -1, -1]


def _focus_term(graph: Graph, finding: Finding):
    """The IRI a lint or quote finding is about (None for a blank node): its prefixed name expanded."""
    if not finding.focus or finding.focus.endswith("[...]"):
        return None
    try:
        return (
            graph.namespace_manager.expand_curie(finding.focus)
            if not finding.focus.startswith("<")
            else URIRef(finding.focus[1:-1])
        )
    except ValueError:
        return None


def _identity(finding: Finding) -> str:
    fields = finding.as_dict()
    fields.pop("file")
    return json.dumps(fields, sort_keys=True, ensure_ascii=False)


def _row(finding: Finding, focus, here: bool, existence: bool, kind: str = "shacl") -> tuple:
    iri = str(focus) if isinstance(focus, URIRef) else None
    if iri is not None:
        finding = replace(finding, file="")  # set once all describing files are known
    return (iri, int(here), int(existence), kind, _identity(finding), json.dumps(finding.as_dict(), ensure_ascii=False))
