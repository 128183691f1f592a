"""`orgkg validate --incremental`: the report of a full `orgkg validate`, at the cost of what changed.

A full run hands the union of every file to pySHACL, which runs owlrl's RDFS closure over all of
it and then answers each SPARQL constraint once per focus node with rdflib: minutes at a few
thousand articles. Here the same shapes are run in pieces, and only the pieces that changed:

- **Units.** Each article file is one unit: the file, the reference descriptions of the nodes it
  mentions (read from the embedded store) and the ontology, with RDFS entailments materialised
  from the ontology's closure (computed once per run) instead of by owlrl. pySHACL runs the shapes
  on it; its SPARQL constraints are answered by an Oxigraph copy of the unit. graph/reference/
  with the ontology is one more unit. A unit is re-run when its file, the ontology, the shapes,
  the reference or the quoted article texts change; results wait in a SQLite cache beside the store.
- **Shared nodes.** A node described by several units (a reference entity every article quotes)
  is judged by all their views: a result that says something is missing (no sh:value, or the
  node itself) stands only if every describing unit reports it; a result about a value stands
  if any unit reports it. Where views cannot be combined -- a node described by two articles
  but not by the reference, a reference node that an article gives a new type, a node under a
  sh:maxCount shape described twice -- the node is validated on all the files that describe it.
- **Corpus constraints** run on the embedded store (itself rebuilt incrementally): succession
  cycles (okgsh:NoCircularSuccessionShape, its SPARQL bound to the nodes that changed units
  mention and to those that failed before), one IRI per document code and issuer, dangling
  references; duplicate labels come from an index of every unit's labels, case-folded as lint
  folds them.
- **Files** are re-hashed only when their size, mtime or inode changed.

The layout rules make this exact: shared entities are typed in graph/reference/ and articles
add claims to them. tests/test_incremental.py checks that the report equals a full run on a
synthetic corpus with every kind of seeded error, before and after edits.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path

import pyoxigraph as ox
import pyshacl
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, SKOS
from rdflib.query import Result

from orgkg.catalogue import insert_values
from orgkg.loading import TurtleSyntaxError, parse_turtle
from orgkg.namespaces import (
    KG,
    OKG,
    ONTOLOGY_FILE,
    PREFIXES,
    SCHEMA,
    SHAPES_FILE,
    bind_prefixes,
)
from orgkg.repository import cache_dir, graph_iri
from orgkg.store import EmbeddedStore
from orgkg.terms import to_rdflib as _to_rdflib
from orgkg.validation import (
    DANGLING,
    DOCUMENT_FACTS,
    NODE_TEXTS,
    VIOLATION,
    WARNING,
    Finding,
    Report,
    _local,
    _relative,
    _short,
    _syntax_finding,
    duplicate_document_findings,
    duplicate_label_findings,
    iri_year_findings,
    lint_findings,
    parse_all,
    quote_findings,
    result_finding,
)

#: Bump when what a unit stores changes meaning: every cached result is then recomputed.
VERSION = "1"
#: Shapes whose results depend on the whole corpus: run as SPARQL on the store, not per unit.
CORPUS_SHAPES = (URIRef(str(PREFIXES["okgsh"]) + "NoCircularSuccessionShape"),)
REFERENCE = "reference"  #: the unit of the ontology and graph/reference/
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
_GLOBAL_LINT = ("duplicate-label", "duplicate-document")  # recomputed on the whole corpus
_LABELS = (RDFS.label, SKOS.prefLabel)


def _digest(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


# --- the ontology's RDFS closure ---------------------------------------------------------------


@dataclass
class Schema:
    """What every unit needs: the ontology with its closure, the shapes, and the RDFS rules."""

    root: Path
    ontology: Graph  # as parsed (lint declares terms from its subjects)
    closed: Graph  # with its own entailments; each unit gets the part about the nodes it uses
    shapes: Graph  # as parsed (rule names come from it)
    unit_shapes: Graph  # without the targets of the corpus shapes
    supers: dict  # class -> itself and every superclass
    superproperties: dict  # property -> every strict superproperty
    domains: dict  # property -> classes its subjects get (with superclasses)
    ranges: dict  # property -> classes its IRI objects get (with superclasses)
    targets: dict  # (target kind, class / predicate / node) -> shapes of the unit shapes with that target
    capped: frozenset  # shapes with a sh:maxCount: a node they target is judged on all its files
    combinable: frozenset  # shapes whose every result is about a value (their views need not agree)
    store_location: str = ""
    reference_graphs: tuple = ()
    ontology_subjects: set = field(default_factory=set)  # subjects of the ontology
    _store: ox.Store | None = None  # opened on first use, so that worker processes open their own

    def store(self) -> ox.Store:
        if self._store is None:
            self._store = ox.Store.read_only(self.store_location)
        return self._store

    @classmethod
    def load(cls, root: Path, store_location: str, reference_graphs: Iterable[str]) -> Schema:
        ontology, shapes = parse_turtle(root / ONTOLOGY_FILE), parse_turtle(root / SHAPES_FILE)
        supers = _closure(ontology, RDFS.subClassOf)
        superproperties = {p: s - {p} for p, s in _closure(ontology, RDFS.subPropertyOf).items()}

        def typed_by(axiom) -> dict:
            table: dict = defaultdict(set)
            for prop in set(ontology.subjects()) | set(superproperties):
                for candidate in {prop} | superproperties.get(prop, set()):
                    for cls_ in ontology.objects(candidate, axiom):
                        table[prop] |= supers.get(cls_, {cls_})
            return dict(table)

        schema = cls(root, ontology, bind_prefixes(Graph()), shapes, _without_targets(shapes, CORPUS_SHAPES),
                     supers, superproperties, typed_by(RDFS.domain), typed_by(RDFS.range), *_target_index(shapes),
                     store_location, tuple(sorted(reference_graphs)))
        schema.closed += ontology
        for triple in schema.entail(ontology):
            schema.closed.add(triple)
        schema.ontology_subjects = set(ontology.subjects())
        return schema

    def ontology_about(self, nodes: Iterable) -> Iterable:
        """The closed ontology's triples about `nodes` and the blank nodes they lead to (shapes
        read one step from a focus node: a concept's scheme, a class's superclasses)."""
        todo, seen = [n for n in nodes if n in self.ontology_subjects], set()
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for triple in self.closed.triples((node, None, None)):
                yield triple
                if isinstance(triple[2], BNode):
                    todo.append(triple[2])

    def entail(self, triples: Iterable) -> set:
        """RDFS entailments (rdfs2, 3, 7, 9) of `triples`, closed in one pass by the precomputed tables."""
        out = set()
        for s, p, o in triples:
            for q in self.superproperties.get(p, ()):
                out.add((s, q, o))
            for c in self.domains.get(p, ()):
                out.add((s, RDF.type, c))
            if not isinstance(o, Literal):
                for c in self.ranges.get(p, ()):
                    out.add((o, RDF.type, c))
                if p == RDF.type:
                    for c in self.supers.get(o, ()):
                        out.add((s, RDF.type, c))
        return out

    def types(self, node, triples_about: Iterable, triples_to: Iterable) -> set:
        """Every class `node` belongs to after entailment, from its own triples and those pointing at it."""
        found = set()
        for _, p, o in triples_about:
            found |= self.domains.get(p, set())
            if p == RDF.type:
                found |= self.supers.get(o, {o})
        for _, p, _ in triples_to:
            found |= self.ranges.get(p, set())
        return found

    def shapes_targeting(self, node, triples_about: Iterable, triples_to: Iterable) -> frozenset:
        """The unit shapes whose targets include `node`, given the triples about it and pointing at it."""
        about, to = list(triples_about), list(triples_to)
        keys = {(SH.targetClass, c) for c in self.types(node, about, to)} | {(SH.targetNode, node)}
        keys |= {(SH.targetSubjectsOf, q) for _, p, _ in about for q in {p} | self.superproperties.get(p, set())}
        keys |= {(SH.targetObjectsOf, q) for _, p, _ in to for q in {p} | self.superproperties.get(p, set())}
        return frozenset(shape for key in keys for shape in self.targets.get(key, ()))


def _closure(ontology: Graph, relation: URIRef) -> dict:
    direct: dict = defaultdict(set)
    for sub, sup in ontology.subject_objects(relation):
        direct[sub].add(sup)
    closed = {}
    for start in list(direct):
        seen, todo = {start}, [start]
        while todo:
            for up in direct.get(todo.pop(), ()):
                if up not in seen:
                    seen.add(up)
                    todo.append(up)
        closed[start] = seen
    return closed


def _without_targets(shapes: Graph, dropped: Iterable[URIRef]) -> Graph:
    copy = bind_prefixes(Graph())
    copy += shapes
    for shape in dropped:
        for predicate in _TARGETS:
            copy.remove((shape, predicate, None))
    return copy


def _target_index(shapes: Graph) -> tuple[dict, frozenset, frozenset]:
    """Which shapes each class, predicate or node brings into play; the shapes with a sh:maxCount;
    the shapes whose views combine by union."""
    index: dict = defaultdict(set)
    for kind in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
        for shape, target in shapes.subject_objects(kind):
            if shape not in CORPUS_SHAPES:
                index[(kind, target)].add(shape)
    capped = frozenset(shape for shape in set(shapes.subjects(SH.property, None))
                       if any((prop, SH.maxCount, None) in shapes or (prop, SH.qualifiedMaxCount, None) in shapes
                              for prop in shapes.objects(shape, SH.property)))
    combinable = frozenset(shape for shape in {shape for _, shape_set in index.items() for shape in shape_set}
                           if _about_values_only(shapes, shape))
    return dict(index), capped, combinable


_METADATA = {RDF.type, RDFS.label, RDFS.comment, SH.property, SH.targetSubjectsOf, SH.severity, SH.message, SH.name,
             SH.description}
_COUNTS = (SH.minCount, SH.qualifiedMinCount, SH.maxCount, SH.qualifiedMaxCount)


def _about_values_only(shapes: Graph, shape) -> bool:
    """A node shape targeting the subjects of the very paths it constrains, with no counts: a view
    that does not target a node has no values for it either, so its views combine by union."""
    subjects_of = set(shapes.objects(shape, SH.targetSubjectsOf))
    if not subjects_of or set(shapes.predicates(shape)) - _METADATA:
        return False
    for prop in shapes.objects(shape, SH.property):
        if any((prop, count, None) in shapes for count in _COUNTS):
            return False
        path = shapes.value(prop, SH.path)
        alternatives = shapes.value(path, SH.alternativePath) if isinstance(path, BNode) else None
        paths = set(Collection(shapes, alternatives)) if alternatives is not None else {path}
        if not paths <= subjects_of:
            return False
    return True


# --- a unit ----------------------------------------------------------------------------------


def _to_oxigraph(term):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


class _UnitGraph(Graph):
    """An rdflib Graph whose SPARQL SELECT queries run on an Oxigraph copy of its triples.

    pySHACL looks triples up in rdflib (fast) and sends each SPARQL constraint once per focus
    node to `query` (slow on rdflib): here Oxigraph answers, with $this pre-bound the same way.
    """

    _oxigraph: ox.Store | None = None

    def query(self, query_object, processor="sparql", result="sparql", initNs=None, initBindings=None,  # noqa: N803
              use_store_provided=True, **kwargs):
        if not isinstance(query_object, str) or kwargs:
            return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)
        if self._oxigraph is None:
            self._oxigraph = ox.Store()
            self._oxigraph.extend(ox.Quad(_to_oxigraph(s), _to_oxigraph(p), _to_oxigraph(o)) for s, p, o in self)
        answer = self._oxigraph.query(
            query_object, prefixes={prefix: str(ns) for prefix, ns in (initNs or {}).items()},
            substitutions={ox.Variable(name): _to_oxigraph(value) for name, value in (initBindings or {}).items()})
        if not isinstance(answer, ox.QuerySolutions):
            return super().query(query_object, processor, result, initNs, initBindings, use_store_provided)
        variables = [v.value for v in answer.variables]
        out = Result("SELECT")
        out.vars = [Variable(v) for v in variables]
        out.bindings = [{Variable(v): _to_rdflib(solution[v]) for v in variables if solution[v] is not None}
                        for solution in answer]
        return out


@dataclass
class UnitResult:
    """What one unit contributes, in the form the cache keeps."""

    name: str
    digest: str
    triples: int = 0
    rows: list = field(default_factory=list)  # (focus IRI or None, here, existence, kind, key, finding json)
    described: list = field(default_factory=list)  # (file, IRI, typed anew, under sh:maxCount)
    untyped: list = field(default_factory=list)  # kg: IRIs used but typed neither here nor in the reference
    sources: dict = field(default_factory=dict)  # article text name -> [size, mtime_ns]
    syntax: list = field(default_factory=list)  # Findings of files that do not parse
    labels: list = field(default_factory=list)  # (IRI, case-folded label, language) as lint compares them
    mentioned: list = field(default_factory=list)  # every IRI of the unit's triples (not cached)


_SCHEMA: Schema | None = None  # set before the worker processes fork


def _reference_slice(schema: Schema, nodes: Iterable[URIRef]) -> Graph:
    """The reference's description of `nodes` (with blank nodes it uses), read from the store."""
    store, out = schema.store(), Graph()
    graphs = [ox.NamedNode(g) for g in schema.reference_graphs]
    todo = [ox.NamedNode(str(n)) for n in nodes]
    seen = set()
    while todo:
        node = todo.pop()
        for graph in graphs:
            for quad in store.quads_for_pattern(node, None, None, graph):
                out.add((_to_rdflib(quad.subject), _to_rdflib(quad.predicate), _to_rdflib(quad.object)))
                if isinstance(quad.object, ox.BlankNode) and quad.object not in seen:
                    seen.add(quad.object)
                    todo.append(quad.object)
    return out


def run_unit(schema: Schema, name: str, digest: str, paths: list[Path], sources: Path | None,
             with_reference: bool = True, only: URIRef | None = None) -> UnitResult:
    """Validate one unit: the files `paths`, plus (for articles) the reference slice they mention.

    `only` keeps just the SHACL results about that node (a node judged on all its files).
    """
    result = UnitResult(name, digest)
    own, where = bind_prefixes(Graph()), {}
    for path in paths:
        try:
            graph = parse_turtle(path)
        except TurtleSyntaxError as error:
            result.syntax.append(_syntax_finding(error, schema.root))
            continue
        relative = _relative(path, schema.root)
        for subject in graph.subjects(unique=True):
            where.setdefault(subject, relative)
        own += graph
    if result.syntax:
        return result
    mentioned = {t for triple in own for t in (triple[0], triple[2]) if isinstance(t, URIRef)}
    result.mentioned = sorted(map(str, mentioned))
    ref = _reference_slice(schema, mentioned) if with_reference else Graph()
    own_subjects = set(own.subjects())
    shared = set(ref.subjects()) | schema.ontology_subjects
    if only is None:
        result.triples = len(own)
        _lint_and_quotes(schema, own, where, sources, result)
        _describe(schema, own, ref, own_subjects, shared, where, with_reference, result)

    entailed = schema.entail(own) | schema.entail(ref)
    own += ref  # from here on `own` is what the full run's names are read from
    data = _UnitGraph()
    bind_prefixes(data)
    data += own
    data.addN((s, p, o, data) for s, p, o in entailed)
    data.addN((s, p, o, data) for s, p, o in schema.ontology_about(
        {t for triple in (*own, *entailed) for t in triple if isinstance(t, URIRef)}))
    _, report, _ = pyshacl.validate(data, shacl_graph=schema.unit_shapes, inference="none", abort_on_first=False,
                                    allow_warnings=True, meta_shacl=False)
    for node in report.subjects(RDF.type, SH.ValidationResult):
        focus, value = report.value(node, SH.focusNode), report.value(node, SH.value)
        existence = value is None or value == focus
        if only is not None:
            if focus == only:
                result.rows.append(_row(result_finding(report, node, own, schema.shapes, where), focus, True, True))
            continue
        if isinstance(focus, BNode):
            if focus not in own_subjects:
                continue  # a blank node of the reference: the reference unit reports it
        elif focus not in own_subjects and existence and focus in shared:
            continue  # the reference's own view of the node decides what it lacks
        result.rows.append(_row(result_finding(report, node, own, schema.shapes, where), focus,
                                focus in own_subjects, existence))
    return result


def _lint_and_quotes(schema: Schema, own: Graph, where: dict, sources: Path | None, result: UnitResult) -> None:
    """lint's per-node and per-triple rules, and the quote check, on the unit's own files."""
    for finding in lint_findings(own, schema.ontology, where, complete=False):
        if finding.rule not in _GLOBAL_LINT:
            result.rows.append(_row(finding, _focus_term(own, finding), True, False, kind="other"))
    if sources is None:
        return
    for finding in quote_findings(own, sources, where):
        result.rows.append(_row(finding, _focus_term(own, finding), True, False, kind="other"))
    for article in own.subjects(RDF.type, SCHEMA.NewsArticle):
        for text in own.objects(article, OKG.sourceText):
            result.sources[str(text)] = _fingerprint(sources / str(text))


def _describe(schema: Schema, own: Graph, ref: Graph, own_subjects: set, shared: set, where: dict,
              with_reference: bool, result: UnitResult) -> None:
    """The IRIs the unit describes, and whether its view of each can be combined with the views of
    other units: only if the same shapes target the node here as in the reference alone (and no
    sh:maxCount shape does); plus the kg: IRIs used that neither it nor the reference types."""
    for subject in own_subjects:
        if not isinstance(subject, URIRef):
            continue
        about_ref = list(ref.triples((subject, None, None)))
        here = schema.shapes_targeting(subject, [*own.triples((subject, None, None)), *about_ref],
                                       [*own.triples((None, None, subject)), *ref.triples((None, None, subject))])
        baseline = schema.shapes_targeting(subject, about_ref, ())
        anew = with_reference and bool((here ^ baseline if subject in shared else here) - schema.combinable)
        result.described.append((where[subject], str(subject), anew, bool(here & schema.capped)))
    result.labels = sorted({(str(s), str(o).casefold(), getattr(o, "language", None) or "")
                            for p in _LABELS for s, o in own.subject_objects(p) if isinstance(s, URIRef)})
    typed = set(own.subjects(RDF.type, None)) | set(ref.subjects(RDF.type, None)) | set(
        schema.ontology.subjects(RDF.type, None))
    used = {t for t in (*own.subjects(), *own.objects()) if isinstance(t, URIRef) and t.startswith(str(KG))}
    result.untyped = sorted(str(t) for t in used - typed)


def _fingerprint(path: Path) -> list:
    try:
        stat = path.stat()
    except OSError:
        return [-1, -1]
    return [stat.st_size, stat.st_mtime_ns]


def _focus_term(graph: Graph, finding: Finding):
    """The IRI a lint or quote finding is about (None for a blank node): its prefixed name expanded."""
    if not finding.focus or finding.focus.endswith("[...]"):
        return None
    try:
        return graph.namespace_manager.expand_curie(finding.focus) if not finding.focus.startswith("<") \
            else URIRef(finding.focus[1:-1])
    except ValueError:
        return None


def _identity(finding: Finding) -> str:
    fields = asdict(finding)
    fields.pop("file")
    return json.dumps(fields, sort_keys=True, ensure_ascii=False)


def _row(finding: Finding, focus, here: bool, existence: bool, kind: str = "shacl") -> tuple:
    iri = str(focus) if isinstance(focus, URIRef) else None
    if iri is not None:
        finding = Finding(**{**asdict(finding), "file": ""})  # set once all describing files are known
    return (iri, int(here), int(existence), kind, _identity(finding),
            json.dumps(asdict(finding), ensure_ascii=False))


def _worker(task: tuple) -> UnitResult:
    return run_unit(_SCHEMA, *task)


# --- the cache -------------------------------------------------------------------------------

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS units (name TEXT PRIMARY KEY, digest TEXT, sources TEXT, triples INTEGER);
CREATE TABLE IF NOT EXISTS rows (unit TEXT, focus TEXT, here INTEGER, existence INTEGER, kind TEXT,
                                 key TEXT, finding TEXT);
CREATE INDEX IF NOT EXISTS rows_unit ON rows (unit);
CREATE INDEX IF NOT EXISTS rows_focus ON rows (focus);
CREATE TABLE IF NOT EXISTS described (unit TEXT, file TEXT, iri TEXT, typed INTEGER, maxcount INTEGER);
CREATE INDEX IF NOT EXISTS described_iri ON described (iri, unit);
CREATE INDEX IF NOT EXISTS described_unit ON described (unit);
CREATE TABLE IF NOT EXISTS untyped (unit TEXT, iri TEXT);
CREATE INDEX IF NOT EXISTS untyped_unit ON untyped (unit);
CREATE TABLE IF NOT EXISTS fallback (iri TEXT PRIMARY KEY, key TEXT, rows TEXT);
CREATE TABLE IF NOT EXISTS duplicates (iri TEXT PRIMARY KEY, n INTEGER);
CREATE TABLE IF NOT EXISTS labels (unit TEXT, iri TEXT, key TEXT, lang TEXT);
CREATE INDEX IF NOT EXISTS labels_unit ON labels (unit);
CREATE INDEX IF NOT EXISTS labels_key ON labels (key, lang, iri);
CREATE TABLE IF NOT EXISTS corpus (shape TEXT, focus TEXT, value TEXT);
CREATE TABLE IF NOT EXISTS files (name TEXT PRIMARY KEY, size INTEGER, mtime INTEGER, inode INTEGER, digest TEXT);
"""
_UNIT_TABLES = ("units", "rows", "described", "untyped", "labels")


class _Cache:
    """Per-unit results in SQLite: kept across runs, dropped when a dependency changes."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=60)
        self.db.executescript(_TABLES)

    def depend_on(self, dependencies: str) -> None:
        """Forget every result computed with other dependencies (ontology, shapes, reference...)."""
        old = self.db.execute("SELECT value FROM meta WHERE key = 'dependencies'").fetchone()
        if old is None or old[0] != dependencies:
            for table in (*_UNIT_TABLES, "fallback", "duplicates", "corpus", "meta"):
                self.db.execute(f"DELETE FROM {table}")
            self.db.execute("INSERT INTO meta VALUES ('dependencies', ?)", (dependencies,))

    def digests(self, names: dict[str, Path]) -> dict[str, str]:
        """sha256 of every file, hashed again only when its size, mtime or inode changed."""
        known = {name: rest for name, *rest in self.db.execute("SELECT name, size, mtime, inode, digest FROM files")}
        out, fresh = {}, []
        for name, path in names.items():
            stat = path.stat()
            mark = [stat.st_size, stat.st_mtime_ns, stat.st_ino]
            if known.get(name, [None])[:3] == mark:
                out[name] = known[name][3]
            else:
                out[name] = _digest(path.read_bytes())
                fresh.append((name, *mark, out[name]))
        self.db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)", fresh)
        self.db.executemany("DELETE FROM files WHERE name = ?", [(n,) for n in set(known) - set(names)])
        return out

    def units(self) -> dict[str, tuple[str, dict]]:
        return {name: (digest, json.loads(sources))
                for name, digest, sources in self.db.execute("SELECT name, digest, sources FROM units")}

    def drop(self, names: Iterable[str]) -> None:
        for name in names:
            for table in _UNIT_TABLES:
                self.db.execute(f"DELETE FROM {table} WHERE {'name' if table == 'units' else 'unit'} = ?", (name,))

    def store(self, result: UnitResult) -> None:
        self.drop([result.name])
        name = result.name
        self.db.execute("INSERT INTO units VALUES (?, ?, ?, ?)",
                        (name, result.digest, json.dumps(result.sources), result.triples))
        self.db.executemany("INSERT INTO rows VALUES (?, ?, ?, ?, ?, ?, ?)", [(name, *row) for row in result.rows])
        self.db.executemany("INSERT INTO described VALUES (?, ?, ?, ?, ?)",
                            [(name, file, iri, int(typed), int(cap)) for file, iri, typed, cap in result.described])
        self.db.executemany("INSERT INTO untyped VALUES (?, ?)", [(name, iri) for iri in result.untyped])
        self.db.executemany("INSERT INTO labels VALUES (?, ?, ?, ?)", [(name, *label) for label in result.labels])

    def iris_of(self, names: Iterable[str]) -> set[str]:
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS touched (name TEXT)")
        self.db.execute("DELETE FROM touched")
        self.db.executemany("INSERT INTO touched VALUES (?)", [(n,) for n in names])
        return {iri for (iri,) in self.db.execute(
            "SELECT DISTINCT iri FROM described WHERE unit IN (SELECT name FROM touched)")}

    def describers(self, iris: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
        out: dict = defaultdict(list)
        for iri in iris:
            out[iri] = self.db.execute("SELECT DISTINCT unit, file FROM described WHERE iri = ?", (iri,)).fetchall()
        return out


# --- the run ---------------------------------------------------------------------------------


def validate_incremental(root: Path, sources: Path | None = None, jobs: int | None = None,
                         progress: Callable[[int, int], None] | None = None) -> Report:
    """The report `validation.validate(root, data_files(root), sources)` gives, recomputing only
    the units whose files or dependencies changed since the last run (`progress(done, total)`
    is told as units finish)."""
    root = root.resolve()
    names = _data_files(root)
    files = list(names.values())
    if sources is not None and not sources.is_dir():
        raise FileNotFoundError(f"sources folder not found: {sources}")
    report = Report(files=files)
    ontology_path, shapes_path = root / ONTOLOGY_FILE, root / SHAPES_FILE
    parse_all([ontology_path, shapes_path], root, report)
    if report.findings:
        return report

    cache = _Cache(cache_dir(root) / "validation.sqlite")
    digests = cache.digests(names)
    reference_files = [ontology_path] + [p for p in files if p.is_relative_to(root / "graph" / "reference")]
    cache.depend_on(_digest(json.dumps([
        VERSION, pyshacl.__version__, _digest(shapes_path.read_bytes()), str(sources and sources.resolve()),
        [digests[_relative(p, root)] for p in reference_files]])))
    store = EmbeddedStore(root)
    try:
        store.build(count=False)
    except TurtleSyntaxError:
        pass  # the units that parse this file report it with every other malformed file
    cached = cache.units()
    dependencies = cache.db.execute("SELECT value FROM meta WHERE key = 'dependencies'").fetchone()[0]
    units = {REFERENCE: (dependencies, reference_files)}
    units.update({name: (digests[name], [path]) for name, path in names.items() if path not in reference_files})
    stale = [name for name, (digest, _) in units.items()
             if name not in cached or cached[name][0] != digest
             or any(_fingerprint(sources / text) != mark for text, mark in cached[name][1].items())]
    removed = sorted(set(cached) - set(units))
    touched_before = cache.iris_of(stale + removed)

    global _SCHEMA
    _SCHEMA = Schema.load(root, str(store.location), {str(graph_iri(p, root)) for p in reference_files[1:]})
    results = _run_units(_SCHEMA, [(n, units[n][0], units[n][1], sources, n != REFERENCE) for n in stale], jobs,
                         progress)
    syntax = [finding for result in results for finding in result.syntax]
    if syntax:
        cache.db.commit()
        report.findings = sorted(syntax, key=lambda f: (f.file, f.line or 0))
        return report
    cache.drop(removed)
    for result in results:
        cache.store(result)
    touched = touched_before | cache.iris_of(stale)
    store_view = ox.Store.read_only(str(store.location))
    order = {name: index for index, name in enumerate(names)}
    _update_fallbacks(cache, _SCHEMA, touched, digests, names, sources)
    _update_duplicates(cache, store_view, touched)
    changed = None if len(stale) > _INCREMENTAL_LIMIT else {iri for r in results for iri in r.mentioned}
    _update_corpus_shapes(_SCHEMA, store_view, cache, changed)
    cache.db.commit()

    report.triples = (cache.db.execute("SELECT COALESCE(SUM(triples), 0) FROM units").fetchone()[0]
                      - cache.db.execute("SELECT COALESCE(SUM(n), 0) FROM duplicates").fetchone()[0])
    findings = _combine(cache, order)
    findings += _corpus_findings(_SCHEMA, store_view, cache, order)
    if sources is None:
        report.notices.append("quote check skipped: no --sources folder or ORGKG_SOURCES given")
    findings.sort(key=lambda f: (f.severity != VIOLATION, f.file, f.focus, f.rule, f.message, f.path, f.value))
    report.findings = findings
    cache.db.close()
    return report


#: Above this many changed units, corpus shapes are checked on the whole store at once.
_INCREMENTAL_LIMIT = 200


def _data_files(root: Path) -> dict[str, Path]:
    """`loading.data_files` (the ontology, then graph/ sorted) by name, without resolving each path."""
    found = [root / ONTOLOGY_FILE]
    graph = root / "graph"
    for folder, _, names in sorted(os.walk(graph)):
        found += sorted(Path(folder) / name for name in names if name.endswith(".ttl"))
    found = [found[0], *sorted(found[1:])]
    return {path.relative_to(root).as_posix(): path for path in found}


def _run_units(schema: Schema, tasks: list[tuple], jobs: int | None, progress=None) -> list[UnitResult]:
    """Every unit, in worker processes (one per CPU) when there are many."""
    jobs = jobs or os.cpu_count() or 1
    results = []
    if len(tasks) < 16 or jobs == 1:
        runs = (run_unit(schema, *task) for task in tasks)
        pool = None
    else:
        pool = ProcessPoolExecutor(jobs, mp_context=get_context("fork"))
        runs = pool.map(_worker, tasks, chunksize=max(1, min(32, len(tasks) // (jobs * 4))))
    try:
        for result in runs:
            results.append(result)
            if progress:
                progress(len(results), len(tasks))
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)
    return results


def _candidates(db: sqlite3.Connection, iris: Iterable[str]) -> None:
    """Fill the temporary table `candidates` (the nodes a step looks at again)."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS candidates (iri TEXT PRIMARY KEY)")
    db.execute("DELETE FROM candidates")
    db.executemany("INSERT OR IGNORE INTO candidates VALUES (?)", [(iri,) for iri in iris])


def _update_fallbacks(cache: _Cache, schema: Schema, touched: set[str], digests: dict, names: dict,
                      sources: Path | None) -> None:
    """Nodes whose views cannot be combined are validated on every file that describes them."""
    db = cache.db
    _candidates(db, touched | {iri for (iri,) in db.execute("SELECT iri FROM fallback")})
    needed = {iri for (iri,) in db.execute(
        f"""SELECT iri FROM described WHERE iri IN (SELECT iri FROM candidates) GROUP BY iri
            HAVING COUNT(DISTINCT unit) > 1 AND (SUM(unit = '{REFERENCE}') = 0 OR SUM(typed) > 0
                                                  OR SUM(maxcount) > 0)""")}
    db.executemany("DELETE FROM fallback WHERE iri = ?",
                   [(iri,) for (iri,) in db.execute("SELECT iri FROM candidates").fetchall() if iri not in needed])
    for iri, describers in cache.describers(sorted(needed)).items():
        paths = sorted({names[file] for _, file in describers if file in names}, key=str)
        key = _digest(json.dumps([digests.get(_relative(p, schema.root)) for p in paths] + [str(p) for p in paths]))
        old = db.execute("SELECT key FROM fallback WHERE iri = ?", (iri,)).fetchone()
        if old and old[0] == key:
            continue
        result = run_unit(schema, iri, key, paths, sources, only=URIRef(iri))
        db.execute("INSERT OR REPLACE INTO fallback VALUES (?, ?, ?)", (iri, key, json.dumps(result.rows)))


def _update_duplicates(cache: _Cache, store: ox.Store, touched: set[str]) -> None:
    """Triples stated by two files count once in the report: per node, how many are repeated."""
    db = cache.db
    _candidates(db, touched)
    many = [iri for (iri,) in db.execute(
        "SELECT iri FROM described WHERE iri IN (SELECT iri FROM candidates) GROUP BY iri "
        "HAVING COUNT(DISTINCT unit) > 1")]
    db.executemany("DELETE FROM duplicates WHERE iri = ?", [(iri,) for iri in touched])
    for chunk in range(0, len(many), 500):
        values = " ".join(f"<{iri}>" for iri in many[chunk:chunk + 500])
        counts = {}
        for query in (f"SELECT ?s (COUNT(*) AS ?n) WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?s",
                      f"SELECT ?s (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} "
                      f"GRAPH ?g {{ ?s ?p ?o }} }} }} GROUP BY ?s"):
            for solution in store.query(query):
                counts.setdefault(solution["s"].value, []).append(int(solution["n"].value))
        db.executemany("INSERT OR REPLACE INTO duplicates VALUES (?, ?)",
                       [(iri, total - distinct) for iri, (total, distinct) in counts.items() if total > distinct])


# --- combining the views ---------------------------------------------------------------------


def _combine(cache: _Cache, order: dict[str, int]) -> list[Finding]:
    db = cache.db
    judged = {iri: json.loads(rows) for iri, rows in db.execute("SELECT iri, rows FROM fallback")}
    picked: list[tuple[str | None, str]] = []  # (focus IRI, finding json)
    # Blank nodes belong to one file: every result stands.
    picked += db.execute("SELECT NULL, finding FROM rows WHERE focus IS NULL").fetchall()
    # About a value: stands if any view reports it (as often as the view that reports it most).
    picked += [(focus, finding) for focus, kind, finding, n in db.execute(
        """SELECT focus, kind, finding, MAX(n) FROM (SELECT unit, focus, kind, key, finding, COUNT(*) AS n FROM rows
           WHERE focus IS NOT NULL AND existence = 0 GROUP BY unit, key) GROUP BY key""")
        for _ in range(n) if not (kind == "shacl" and focus in judged)]
    # Something missing: stands only if every unit describing the node reports it.
    picked += [(focus, finding) for focus, finding in db.execute(
        """SELECT r.focus, r.finding FROM rows r WHERE r.focus IS NOT NULL AND r.existence = 1 GROUP BY r.key
           HAVING (SELECT COUNT(DISTINCT d.unit) FROM described d WHERE d.iri = r.focus)
                  IN (0, COUNT(DISTINCT CASE WHEN r.here THEN r.unit END))""")
        if focus not in judged]
    picked += [(iri, row[5]) for iri, rows in judged.items() for row in rows]
    files = _first_files(cache, {focus for focus, _ in picked if focus}, order)
    findings = []
    for focus, text in picked:
        fields = json.loads(text)
        if focus:
            fields["file"] = files.get(focus, "")
        findings.append(Finding(**fields))
    return findings


def _first_files(cache: _Cache, iris: Iterable[str], order: dict[str, int]) -> dict[str, str]:
    """The file a node is reported in: the first (in validation order) that describes it."""
    out = {}
    for iri, describers in cache.describers(iris).items():
        known = [file for _, file in describers if file in order]
        if known:
            out[iri] = min(known, key=order.__getitem__)
    return out


# --- corpus constraints on the store ---------------------------------------------------------


class _Where(dict):
    """A lazy `where` for findings computed from the store."""

    def __init__(self, cache: _Cache, order: dict[str, int]):
        super().__init__()
        self.cache, self.order = cache, order

    def get(self, key, default=""):
        return _first_files(self.cache, [str(key)], self.order).get(str(key), default)


def _corpus_findings(schema: Schema, store: ox.Store, cache: _Cache, order: dict[str, int]) -> list[Finding]:
    names = bind_prefixes(Graph())
    where = _Where(cache, order)
    findings = []
    shapes = schema.shapes
    for shape, focus, value in cache.db.execute("SELECT shape, focus, value FROM corpus"):
        shape = URIRef(shape)
        constraint = shapes.value(shape, SH.sparql)
        message = shapes.value(shape, SH.message) or shapes.value(constraint, SH.message) or "constraint not met"
        findings.append(Finding(_local(shapes.value(shape, SH.severity)) or VIOLATION, "shacl", str(message),
                                focus=_short(names, URIRef(focus)), rule=_short(shapes, shape),
                                file=where.get(URIRef(focus), ""), value=value or ""))
    labels: dict = defaultdict(set)
    for iri, key, language in cache.db.execute(
            "SELECT iri, key, lang FROM labels WHERE (key, lang) IN "
            "(SELECT key, lang FROM labels GROUP BY key, lang HAVING COUNT(DISTINCT iri) > 1)"):
        labels[(key, language)].add(URIRef(iri))
    findings += duplicate_label_findings(labels, lambda term: _short(names, term), where)
    rows = store.query(DOCUMENT_FACTS)
    findings += duplicate_document_findings(
        [tuple(_to_rdflib(solution[v]) for v in ("document", "code", "fact", "value")) for solution in rows],
        lambda term: _short(names, term), where)
    findings += iri_year_findings([(_to_rdflib(row["node"]), _to_rdflib(row["text"])) for row in store.query(NODE_TEXTS)], lambda term: _short(names, term), where)
    findings += _dangling(store, cache, names, where)
    return findings


def _update_corpus_shapes(schema: Schema, store: ox.Store, cache: _Cache, changed: set[str] | None) -> None:
    """Run the corpus shapes on the store and keep their failing nodes in the cache. With `changed`
    (the IRIs of the units just re-run) only those nodes and the ones that failed before are
    checked again: a new succession cycle passes through a changed triple, whose ends it names."""
    db = cache.db
    if db.execute("SELECT value FROM meta WHERE key = 'corpus'").fetchone() is None:
        changed = None
    names = bind_prefixes(Graph())
    for shape in CORPUS_SHAPES:
        if changed is None:
            candidates = None
            db.execute("DELETE FROM corpus WHERE shape = ?", (str(shape),))
        else:
            candidates = changed | {f for (f,) in db.execute("SELECT focus FROM corpus WHERE shape = ?", (str(shape),))}
            db.executemany("DELETE FROM corpus WHERE shape = ? AND focus = ?", [(str(shape), c) for c in candidates])
            if not candidates:
                continue
        db.executemany("INSERT INTO corpus VALUES (?, ?, ?)", [
            (str(shape), str(focus), _short(names, value) if value is not None else None)
            for focus, value in _sparql_shape(schema, store, shape, candidates)])
    db.execute("INSERT OR REPLACE INTO meta VALUES ('corpus', '1')")


def _sparql_shape(schema: Schema, store: ox.Store, shape: URIRef, candidates: set[str] | None) -> list[tuple]:
    """(focus, value) of a node shape's SPARQL constraints on the whole store: $this is bound to
    the candidates, or left free so that every solution names its focus node; a focus counts if
    it is a target of the shape (with RDFS entailment)."""
    shapes = schema.shapes
    targets = set(shapes.objects(shape, SH.targetClass))
    found = []
    for constraint in shapes.objects(shape, SH.sparql):
        prefixes = {str(shapes.value(d, SH.prefix)): str(shapes.value(d, SH.namespace))
                    for owner in shapes.objects(constraint, SH.prefixes) for d in shapes.objects(owner, SH.declare)}
        select = str(shapes.value(constraint, SH.select)).replace("$this", "?this")
        if candidates is not None:
            select = insert_values(select, [("this", [URIRef(iri) for iri in sorted(candidates)])])
        for solution in store.query(select, prefixes=prefixes):
            focus = _to_rdflib(solution["this"])
            value = _to_rdflib(solution["value"]) if solution["value"] is not None else None
            if (focus, value) not in found and _store_types(schema, store, focus) & targets:
                found.append((focus, value))
    return found


def _store_types(schema: Schema, store: ox.Store, node) -> set:
    if not isinstance(node, URIRef):
        return set()
    term = ox.NamedNode(str(node))
    about = {(node, _to_rdflib(q.predicate), _to_rdflib(q.object)) for q in store.quads_for_pattern(term, None, None)}
    to = {(None, _to_rdflib(q.predicate), node) for q in store.quads_for_pattern(None, None, term)}
    return schema.types(node, about, to)


def _dangling(store: ox.Store, cache: _Cache, names: Graph, where) -> list[Finding]:
    candidates = sorted({iri for (iri,) in cache.db.execute("SELECT DISTINCT iri FROM untyped")})
    findings = []
    for iri in candidates:
        if next(store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(str(RDF.type)), None), None) is None:
            node = URIRef(iri)
            findings.append(Finding(WARNING, "lint", DANGLING, focus=_short(names, node),
                                    rule="dangling-reference", file=where.get(node, "")))
    return findings
