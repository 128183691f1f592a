"""Adding an article: its text in the sources folder, its node and graph file, a reference file
for a place the graph does not know, and its section of graph/COVERAGE.md.

Everything written validates as it is: the article node says only what the text prints or what
the encoder was given from outside it, and each statement of the second kind is marked as such
(an okg:ExternalMetadata naming where it came from).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from orgkg.atomic import write_atomic
from orgkg.errors import DataError, OrgkgError
from orgkg.formatting import canonical_turtle
from orgkg.minting import check_slug, mint, slugify
from orgkg.names import UnresolvedName
from orgkg.namespaces import KG, OA, OKG, PREFIXES, SCHEMA
from orgkg.quotes import ArticleText, first_words
from orgkg.sources import configured_folders, text_name
from orgkg.sparql_text import insert_values

PROV_DERIVED = URIRef(PREFIXES["prov"] + "wasDerivedFrom")
ORG_ORGANIZATION = URIRef(PREFIXES["org"] + "Organization")
COVERAGE_FILE = Path("graph/COVERAGE.md")


class ArticleExists(OrgkgError):
    """An article, graph file or text of that slug is already there."""


@dataclass
class Metadata:
    """What the encoder knows of the article from outside its text, and where it came from."""

    url: str | None = None
    published: str | None = None
    publisher: str | None = None
    origin: str | None = None  # where the metadata was taken from (a URL or a description)

    def given(self) -> bool:
        return any((self.url, self.published, self.publisher))


@dataclass
class NewArticle:
    iri: str
    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def new_article(
    root: Path,
    text_path: Path,
    slug: str,
    metadata: Metadata,
    place: str | None = None,
    language: str = "en",
    engine=None,
) -> NewArticle:
    """Register `text_path` as the article `slug` and write what it needs (see the module)."""
    check_slug(slug)
    graph_file = root / "graph" / "articles" / f"{slug}.ttl"
    home = configured_folders(root)[0]
    text_file = home / text_name(slug)
    for path in (graph_file, text_file):
        if path.exists():
            raise ArticleExists(f"{path} already exists: choose another slug or edit the article's files")
    try:
        raw = text_path.read_bytes()
    except OSError as error:
        raise OrgkgError(f"cannot read {text_path}: {error.strerror}") from None
    try:
        text = ArticleText(raw.decode("utf-8"), text_name(slug))
    except UnicodeDecodeError as error:
        raise DataError(f"{text_path}: not UTF-8 text (byte {error.start}); save it as UTF-8") from None
    if not text.paragraphs:
        raise DataError(f"{text_path}: the text is empty")
    if metadata.published is not None:
        _check_date(metadata.published)

    article = KG[f"article-{slug}"]
    if engine is None:
        from orgkg.store import EmbeddedStore

        engine = EmbeddedStore(root)
    if _exists(engine, article):
        raise ArticleExists(f"kg:article-{slug} is already in the graph: choose another slug")
    result = NewArticle(str(article))
    graph, reference = Graph(), Graph()
    graph.add((article, RDF.type, SCHEMA.NewsArticle))
    graph.add((article, OKG.sourceText, Literal(text_name(slug))))
    graph.add((article, SCHEMA.headline, Literal(text.paragraph_text(1))))
    graph.add((article, SCHEMA.inLanguage, Literal(language)))
    place_node = None
    if place:
        place_node = _place(engine, text, place, article, graph, reference, result)
        graph.add((article, DCTERMS.spatial, place_node))
    if metadata.given():
        _external_metadata(engine, text, metadata, article, slug, graph, reference, result)

    reference_file = None
    if len(reference) and place:
        reference_file = root / "graph" / "reference" / f"{slugify(place)}.ttl"
        if reference_file.exists():
            raise ArticleExists(f"{reference_file} already exists but does not hold {place!r}: add the place there")
    coverage = _coverage_section(text, slug, place)

    text_file.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(text_file, raw)
    result.written.append(text_file)
    if reference_file is not None:
        header = f"# Reference entities of {place}: identity, type and labels only.\n# What articles say of them is in graph/articles/.\n\n"
        write_atomic(reference_file, canonical_turtle(reference, header))
        result.written.append(reference_file)
    header = (
        f"# Article graph: {first_words(text.paragraph_text(1), 12)!r} ({text_name(slug)}).\n"
        "# Every claim the article makes, each node with prov:wasDerivedFrom the article and an\n"
        "# okg:evidence quote (orgkg quote prints one). Paragraph numbers (¶) follow graph/COVERAGE.md.\n\n"
    )
    write_atomic(graph_file, canonical_turtle(graph, header))
    result.written.append(graph_file)
    coverage_file = root / COVERAGE_FILE
    existing = (
        coverage_file.read_text(encoding="utf-8") if coverage_file.exists() else "# Coverage of the source articles\n"
    )
    write_atomic(coverage_file, existing.rstrip("\n") + "\n\n" + coverage)
    result.written.append(coverage_file)
    return result


def _exists(engine, node: URIRef) -> bool:
    query = insert_values("ASK { { ?node ?p ?o } UNION { ?s ?p ?node } }", [("node", [ox.NamedNode(node)])])
    return bool(engine.query(query).boolean)


def _check_date(text: str) -> None:
    if re.fullmatch(r"\d{4}(-\d{2})?", text):
        return
    try:
        date.fromisoformat(text)
    except ValueError:
        raise DataError(f"publication date {text!r} is not YYYY-MM-DD, YYYY-MM or YYYY") from None


def _date_literal(text: str) -> Literal:
    datatype = {4: XSD.gYear, 7: XSD.gYearMonth}.get(len(text), XSD.date)
    return Literal(text, datatype=datatype)


def _quote(graph: Graph, node, article, exact: str) -> None:
    """node prov:wasDerivedFrom the article, with an okg:evidence quoting `exact`."""
    evidence, selector = BNode(), BNode()
    graph.add((node, PROV_DERIVED, article))
    graph.add((node, OKG.evidence, evidence))
    graph.add((evidence, RDF.type, OA.SpecificResource))
    graph.add((evidence, OA.hasSource, article))
    graph.add((evidence, OA.hasSelector, selector))
    graph.add((selector, RDF.type, OA.TextQuoteSelector))
    graph.add((selector, OA.exact, Literal(exact)))


def _printed(text: ArticleText, name: str) -> str:
    """The words `name` as the text prints them, or a DataError."""
    spans = text.spans(name, ("whitespace", "case"))
    if not spans:
        raise DataError(f"{name!r} does not occur in the text; give it as the article prints it")
    start, end = spans[0]
    return " ".join(text.text[start:end].split())


def _resolve(engine, name: str, kind: str) -> str | None:
    from orgkg.names import Resolver

    try:
        return Resolver(engine).resolve(name, kind)
    except UnresolvedName as error:
        if "matches several" in str(error):
            raise
        return None


def _place(engine, text: ArticleText, place: str, article, graph: Graph, reference: Graph, result: NewArticle):
    """The place node: the graph's own if it knows the place, else a new one, typed a province
    only where the text calls it one, with its quote in the article graph."""
    known = _resolve(engine, place, "place")
    if known is not None:
        result.notes.append(f"place {place!r} is already {known}")
        return URIRef(known)
    node = URIRef(mint(place, "place"))
    printed = _printed(text, place)
    calling = next(
        (
            " ".join(text.text[s:e].split())
            for pattern in (f"{place} province", f"province of {place}")
            for s, e in text.spans(pattern, ("whitespace", "case"))
        ),
        None,
    )
    kind = OKG.Province if calling else OKG.AdministrativeUnit
    reference.add((node, RDF.type, kind))
    reference.add((node, RDFS.label, Literal(f"{printed} province" if calling else printed, lang="en")))
    if calling:
        reference.add((node, SKOS.altLabel, Literal(printed, lang="en")))
    _quote(graph, node, article, calling or printed)
    if not calling:
        result.notes.append(f"the text never calls {printed!r} a province: typed okg:AdministrativeUnit")
    return node


def _external_metadata(engine, text, metadata: Metadata, article, slug: str, graph, reference, result) -> None:
    """schema:url, schema:datePublished and schema:publisher from outside the text, each with an
    okg:ExternalMetadata saying where it came from."""
    origin = URIRef(metadata.origin) if metadata.origin and re.match(r"https?://", metadata.origin) else None
    statements: list[tuple[str, URIRef, URIRef | Literal]] = []
    if metadata.url:
        statements.append(("url", SCHEMA.url, URIRef(metadata.url)))
    if metadata.published:
        statements.append(("date-published", SCHEMA.datePublished, _date_literal(metadata.published)))
    if metadata.publisher:
        known = _resolve(engine, metadata.publisher, "organization")
        if known is None:
            publisher = URIRef(mint(metadata.publisher, "organization"))
            graph.add((publisher, RDF.type, ORG_ORGANIZATION))
            graph.add((publisher, RDFS.label, Literal(_printed(text, metadata.publisher), lang="en")))
            _quote(graph, publisher, article, _printed(text, metadata.publisher))
        else:
            publisher = URIRef(known)
        statements.append(("publisher", SCHEMA.publisher, publisher))
    for name, predicate, value in statements:
        graph.add((article, predicate, value))
        node = KG[f"metadata-{slug}-{name}"]
        graph.add((node, RDF.type, OKG.ExternalMetadata))
        graph.add((node, RDF.subject, article))
        graph.add((node, RDF.predicate, predicate))
        graph.add((node, RDF.object, value))
        graph.add((node, DCTERMS.source, origin if origin is not None else Literal(metadata.origin)))
        graph.add(
            (
                node,
                RDFS.label,
                Literal(f"{name.replace('-', ' ')} of kg:article-{slug}, not printed in its text", lang="en"),
            )
        )


def _coverage_section(text: ArticleText, slug: str, place: str | None) -> str:
    """The article's section of graph/COVERAGE.md: the paragraph map, the notes left to the encoder."""
    rows = "\n".join(
        f'| {number} | "{first_words(text.paragraph_text(number)).replace("|", "/")}" |  |  |'
        for number in range(1, len(text.paragraphs) + 1)
    )
    return (
        f"## {place or slug} ({text_name(slug)})\n\n"
        f"Article graph `graph/articles/{slug}.ttl` (node `kg:article-{slug}`). Paragraphs "
        f"¶1–¶{len(text.paragraphs)} are the non-empty lines of the text file in order (¶1 is the "
        "headline). `orgkg coverage` says which of them the graph quotes; the table holds the "
        "encoder's notes: the facts each paragraph states and the nodes that encode them.\n\n"
        "| ¶ | first words | facts stated | nodes |\n|---|---|---|---|\n" + rows + "\n"
    )
