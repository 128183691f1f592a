"""The site's pages: what each shows, rendered from the templates in orgkg/templates. Every
query the pages need is a saved query or a query here with its values bound, never pasted."""

from __future__ import annotations

import heapq
import re
import shutil
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import SparqlLexer
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDFS, SKOS

from orgkg import __version__
from orgkg.catalogue import SavedQuery, load_catalogue
from orgkg.docs.ontology import ONTOLOGY_IRI, Term, examples_query, read_terms
from orgkg.findings import VIOLATION, WARNING
from orgkg.incremental import validate_incremental
from orgkg.lineage import LINK_SCHEMES, SVG_BATCH, Edge, every_lineage, render_svgs
from orgkg.loading import parse_turtle
from orgkg.namespaces import KG, OKG, ONTOLOGY_FILE, QUERIES_DIR, SCHEMA, prefixed, short
from orgkg.reporting import summary
from orgkg.repository import data_files, graph_iri
from orgkg.results import Results, canonical
from orgkg.results import render as render_results
from orgkg.sparql_text import insert_values, with_limit
from orgkg.store import StoreSession, return_freed_memory
from orgkg.terms import to_rdflib


@dataclass
class SiteReport:
    output: Path
    pages: int
    lineage_pages: int
    pictures_skipped: bool
    validation: str


def svg_fragment(svg: str) -> str:
    """Graphviz's SVG document as an element to inline in HTML: no XML prolog, no doctype."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


def highlight_sparql(sparql: str) -> Markup:
    """SPARQL as HTML with inline styles, so the page needs no stylesheet of Pygments'."""
    formatter = HtmlFormatter(noclasses=True, style="friendly", cssclass="sparql", wrapcode=True)
    return Markup(highlight(sparql, SparqlLexer(), formatter))


#: Rows a query's page shows: a page of every row would grow with the corpus (`orgkg query run`
#: gives them all).
ROWS_SHOWN = 1000
#: Rows an index page (articles, lineage) lists; the rest go on further pages of the index.
INDEX_ROWS = 1000
#: Articles the home page lists, the latest first; the articles' index lists them all.
HOME_ARTICLES = 10


class Site:
    def __init__(self, root: Path, out: Path, store: StoreSession, sources: Path | None, progress):
        self.root, self.out, self.store, self.sources = root, out, store, sources
        self.progress = progress
        self.env = Environment(
            loader=PackageLoader("orgkg", "templates"),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.catalogue = load_catalogue(root / QUERIES_DIR)
        self.pages: dict[str, str] = {}  # IRI -> site-relative page (and #anchor)
        self.written = 0
        self.total = 0

    # --- the plan: what pages there are, known before any is written -------------------

    def write(self) -> SiteReport:
        ontology = parse_turtle(self.root / ONTOLOGY_FILE)
        examples = examples_query(ontology, graph_iri(self.root / ONTOLOGY_FILE, self.root))
        terms = read_terms(ontology, self.store.stream(examples))
        articles_query = self.catalogue["articles"].bind({})
        # Only the articles' IRIs while the query pages run, whose largest answers are the site's
        # peak of memory (1.4 GB at 100,000 articles); their rows are read again after them.
        article_iris = [solution["article"].value for solution in self.store.stream(articles_query)]
        organizations = self._lineage_organizations()
        for term in terms:
            self.pages[str(term.iri)] = f"ontology.html#{term.local}"
        for iri in article_iris:
            self.pages[iri] = f"articles/{_slug(iri)}.html"
        for organization in organizations:
            self.pages[str(organization)] = f"lineage/{_slug(organization)}.html"
        # the home, ontology, validation and query index pages, the pages of the articles' and
        # lineages' indexes, then one page per item
        indexes = len(_index_paths("articles", len(article_iris))) + len(_index_paths("lineage", len(organizations)))
        self.total = 4 + indexes + len(self.catalogue) + len(article_iris) + len(organizations)

        self._ontology_page(ontology, terms)
        self._query_pages()
        return_freed_memory()
        # The articles' rows and every lineage are held only while their pages are written, not
        # beside what follows (at 100,000 articles the validation ran beside 0.9-1.0 GB, now 0.5).
        article_count, latest = self._article_pages(articles_query)
        pictures = shutil.which("dot") is not None
        self._lineage_pages(organizations, every_lineage(self.root, self.store), pictures)
        return_freed_memory()
        files = data_files(self.root)
        # The incremental run gives validate()'s report in bounded memory (one unit at a time,
        # where one rdflib graph of the whole corpus held 1 GB at 1,000 articles) and reuses
        # what an earlier `orgkg validate --incremental` found.
        report = validate_incremental(self.root, self.sources)
        self._page(
            "validation.html",
            "validation.html",
            title="Validation report",
            report=report,
            files=[str(path.relative_to(self.root)) for path in files],
            verdict=summary(report),
            VIOLATION=VIOLATION,
            WARNING=WARNING,
        )
        size = self._select("SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?g) AS ?graphs) WHERE { GRAPH ?g { ?s ?p ?o } }")[
            0
        ]
        self._page(
            "index.html",
            "index.html",
            title="orgkg",
            statements=int(size["n"]),
            graphs=int(size["graphs"]),
            terms=terms,
            queries=self.catalogue,
            articles=article_count,
            latest=latest,
            organizations=len(organizations),
            verdict=summary(report),
            conforms=report.conforms(),
            pictures=pictures,
        )
        return SiteReport(self.out, self.written, len(organizations), not pictures, summary(report))

    def _select(self, sparql: str) -> list[dict]:
        """Rows as rdflib terms, which the templates and the ontology pages share."""
        return list(_Rows(self.store.stream(sparql)))

    def _labels_of(self, nodes) -> dict[str, str]:
        """The label of each IRI among `nodes` that has one, as plain strings: the labels a page
        shows, looked up for it (every node's label held 570 MB at 100,000 articles)."""
        iris = sorted({str(node) for node in nodes if isinstance(node, URIRef)})
        labels: dict[str, str] = {}
        for start in range(0, len(iris), LABELS_BATCH):
            batch = [ox.NamedNode(iri) for iri in iris[start : start + LABELS_BATCH]]
            labels.update(
                (node.value, label.value)
                for node, label in self.store.stream(insert_values(_LABELS_QUERY, [("s", batch)]))
            )
        return labels

    def _index_pages(self, folder: str, template: str, title: str, items: Sequence[dict] | _Rows, **context) -> None:
        """An index of `items` on pages of INDEX_ROWS rows (folder/index.html, index-2.html, ...),
        each linking to every other, so that no page grows with the corpus."""
        paths = _index_paths(folder, len(items))
        for number, path in enumerate(paths):
            start = number * INDEX_ROWS
            self._page(
                path,
                template,
                title=title if number == 0 else f"{title}, page {number + 1}",
                items=items[start : start + INDEX_ROWS],
                pager=[p.removeprefix(folder + "/") for p in paths],
                page=number,
                first=start + 1,
                count=len(items),
                **context,
            )

    def _page(self, path: str, template: str, labels: dict[str, str] | None = None, **context) -> None:
        """Render one page; `term(value, True)` shows an IRI by its label in `labels`."""
        base = "../" * path.count("/")
        folder = path.split("/")[0]
        section = {
            "queries": "Queries",
            "articles": "Articles",
            "lineage": "Lineage",
            "ontology.html": "Ontology",
            "validation.html": "Validation",
        }.get(folder, "Home")
        html = self.env.get_template(template).render(
            base=base,
            version=__version__,
            section=section,
            short=lambda iri: short(str(iri)),
            href=lambda iri: base + self.pages[str(iri)],
            term=lambda value, label=False: self._term(value, base, labels if label else None),
            **context,
        )
        target = self.out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        self.written += 1
        if self.progress:
            self.progress(self.written, self.total)

    def _term(self, value, base: str, labels: dict[str, str] | None = None) -> Markup:
        """An RDF term as HTML: a link to its page on the site when it has one, to its
        standard vocabulary for other IRIs, a prefixed name for kg: resources without one;
        shown by its label where `labels` has one."""
        if value is None:
            return Markup("")
        if isinstance(value, (ox.NamedNode, ox.BlankNode, ox.Literal)):  # a query result's cell
            value = to_rdflib(value)
        if isinstance(value, BNode):
            return Markup('<span class="muted">[&nbsp;]</span>')
        if isinstance(value, Literal):
            text = escape(str(value))
            if value.language and value.language != "en":
                return Markup(f'{text} <span class="lang">@{escape(value.language)}</span>')
            return text
        name = prefixed(str(value)) or str(value)
        label = labels.get(str(value)) if labels else None
        labelled = label is not None
        shown = escape(label if label is not None else name)
        title = f' title="{escape(str(value))}"'
        if str(value) in self.pages:
            return Markup(f'<a class="iri" href="{base}{self.pages[str(value)]}"{title}>{shown}</a>')
        if str(value).startswith(str(KG)):
            return Markup(f"<span{title}>{shown}</span>" if labelled else f'<code class="iri"{title}>{shown}</code>')
        if not str(value).startswith(LINK_SCHEMES):  # javascript:, data:, file: ... are shown, never linked
            return Markup(f'<code class="iri"{title}>{shown}</code>')
        return Markup(f'<a class="ext iri" href="{escape(str(value))}"{title}>{shown}</a>')

    # --- ontology --------------------------------------------------------------------

    def _ontology_page(self, ontology: Graph, terms: list[Term]) -> None:
        groups = defaultdict(list)
        for term in terms:
            groups[term.category].append(term)
        schemes = [
            (
                scheme,
                sorted(
                    (t for t in groups["concepts"] if (t.iri, SKOS.inScheme, scheme.iri) in ontology),
                    key=lambda t: (t.notation.casefold(), t.local.casefold()),
                ),
            )
            for scheme in groups["schemes"]
        ]
        in_a_scheme = {concept.iri for _, concepts in schemes for concept in concepts}
        loose = [t for t in groups["concepts"] if t.iri not in in_a_scheme]

        def first(predicate):
            return next(iter(sorted(ontology.objects(ONTOLOGY_IRI, predicate))), None)

        meta = {
            "title": first(DCTERMS.title),
            "description": first(DCTERMS.description),
            "version": first(OWL.versionInfo),
            "license": first(DCTERMS.license),
            "creator": first(DCTERMS.creator),
        }
        self._page(
            "ontology.html",
            "ontology.html",
            labels=self._labels_of(node for term in terms for s, _, o in term.examples for node in (s, o)),
            title="Ontology reference",
            meta=meta,
            ontology=ONTOLOGY_IRI,
            namespace=str(OKG),
            classes=groups["classes"],
            properties=groups["properties"],
            schemes=schemes,
            other=groups["other"] + loose,
        )

    # --- queries, articles, lineage --------------------------------------------------

    def _query_pages(self) -> None:
        self._page("queries/index.html", "queries.html", title="Query catalogue", queries=self.catalogue)
        for query in self.catalogue.values():
            # what the queries before freed goes back to the system, or each answer grows on it
            return_freed_memory()
            sparql = with_limit(query.bind({}), ROWS_SHOWN + 1)
            if query.kind == "SELECT":
                # Read here, not in a query thread: each thread's answers left their memory in
                # its own allocator arena (10,000 articles, nine large queries: 408 against 273 MB)
                answer = self.store.stream(sparql)
                results = Results([variable.value for variable in answer.variables], [list(row) for row in answer])
            else:
                results = self.store.query(sparql)
            self._page(
                f"queries/{query.name}.html",
                "query.html",
                title=query.name,
                query=query,
                sparql=highlight_sparql(query.sparql),
                results=results,
                rows=results.rows[:ROWS_SHOWN],
                more=len(results.rows) > ROWS_SHOWN,
                defaults=_defaults(query),
                graph_text=render_results(results, "turtle") if results.triples is not None else "",
            )

    def _article_pages(self, articles_query: str) -> tuple[int, list[dict]]:
        """The articles' index and a page for each; how many there are, and the latest few for
        the home page."""
        articles = _Rows(self.store.stream(articles_query))
        self._index_pages("articles", "articles.html", "Source articles", articles)
        claims_query = self.catalogue["article-claims"]
        for article in articles:
            iri = article["article"]
            statements = self._select(insert_values(_ABOUT_QUERY, [("article", [ox.NamedNode(str(iri))])]))
            claims: dict[str, dict] = {}
            for row in self._select(claims_query.bind({"article": [str(iri)]})):
                claim = claims.setdefault(
                    str(row["node"]), {"node": row["node"], "label": row["label"], "kinds": [], "quotes": []}
                )
                for key, value in (("kinds", row["kind"]), ("quotes", row["quote"])):
                    if value is not None and value not in claim[key]:
                        claim[key].append(value)
            quotes = sum(len(c["quotes"]) for c in claims.values())
            self._page(
                self.pages[str(iri)],
                "article.html",
                title=str(article["headline"]),
                article=article,
                statements=statements,
                labels=self._labels_of(statement["o"] for statement in statements),
                claims=list(claims.values()),
                quotes=quotes,
            )
        return len(articles), articles.latest(HOME_ARTICLES)

    def _lineage_organizations(self) -> list[URIRef]:
        rows = self._select(_LINEAGE_QUERY)
        return sorted({URIRef(str(row["o"])) for row in rows})

    def _lineage_pages(self, organizations: list[URIRef], lineages: dict[str, list[Edge]], pictures: bool) -> None:
        """The index, then a page per organization, their pictures drawn a batch at a time (a
        `dot` process per picture cost more than the drawing; all of them at once, memory)."""
        return_freed_memory()  # what working out the lineages freed, before the pages grow on it
        labels = self._labels_of(organizations)

        def label(organization: URIRef) -> str:
            return labels.get(str(organization), str(organization))

        ordered = sorted(organizations, key=lambda o: label(o).casefold())
        entries = [{"iri": o, "label": label(o), "edges": lineages.get(str(o), [])} for o in ordered]
        self._index_pages("lineage", "lineages.html", "Lineage", entries, pictures=pictures)
        for start in range(0, len(ordered), SVG_BATCH):
            batch = ordered[start : start + SVG_BATCH]
            drawn = render_svgs([(str(o), lineages.get(str(o), [])) for o in batch]) if pictures else [""] * len(batch)
            for entry, svg in zip(entries[start : start + SVG_BATCH], drawn, strict=True):
                self._page(
                    self.pages[str(entry["iri"])],
                    "lineage.html",
                    title=entry["label"],
                    entry={**entry, "picture": Markup(_link_nodes(svg_fragment(svg)) if svg else "")},
                    pictures=pictures,
                    lineage_query=self.catalogue["lineage"],
                )


class _Rows:
    """A query's rows, read one at a time and kept as tuples of pyoxigraph terms (the answer
    whole as the engine's results held a GB at 100,000 articles, as dicts of rdflib terms half
    as much again); each is a dict of rdflib terms, as the templates read it, when iterated."""

    def __init__(self, answer):
        self.names = [variable.value for variable in answer.variables]
        self.rows = [tuple(solution) for solution in answer]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict]:
        return map(self._dict, self.rows)

    def __getitem__(self, rows: slice) -> list[dict]:
        return [self._dict(row) for row in self.rows[rows]]

    def latest(self, count: int) -> list[dict]:
        """The `count` articles published (else printed) last, the latest first."""
        published, printed = self.names.index("datePublished"), self.names.index("printedDate")

        def date(row: tuple) -> str:
            return next((cell.value for cell in (row[published], row[printed]) if cell is not None), "")

        return [self._dict(row) for row in heapq.nlargest(count, self.rows, key=date)]

    def _dict(self, row: tuple) -> dict:
        return {name: to_rdflib(canonical(value)) for name, value in zip(self.names, row, strict=True)}


def _index_paths(folder: str, items: int) -> list[str]:
    """The pages of an index of this many items: folder/index.html, then index-2.html, ..."""
    pages = max(1, -(-items // INDEX_ROWS))
    return [f"{folder}/index.html"] + [f"{folder}/index-{number}.html" for number in range(2, pages + 1)]


def _slug(iri) -> str:
    """The page name of a kg: resource: its local name (kg:org-x -> org-x)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", str(iri).removeprefix(str(KG)))


def _link_nodes(svg: str) -> str:
    """Graphviz links each node to its kg: IRI; every node of a lineage has its own page beside this one."""
    return re.sub(
        r'xlink:href="' + re.escape(str(KG)) + r'([^"]+)"', lambda m: f'xlink:href="{_slug(KG[m.group(1)])}.html"', svg
    )


def _defaults(query: SavedQuery) -> str:
    return "; ".join(
        f"{p.name} = {', '.join(p.default) if isinstance(p.default, list) else p.default}" for p in query.params
    )


#: Each node's label (the nodes bound as ?s), LABELS_BATCH IRIs a query.
_LABELS_QUERY = f"""SELECT ?s (MIN(?l) AS ?label)
WHERE {{ ?s <{RDFS.label}> ?l FILTER(LANG(?l) IN ("", "en")) }} GROUP BY ?s"""
LABELS_BATCH = 5000

#: What an article (bound as ?article) says about itself, but the list of what it mentions.
_ABOUT_QUERY = f"SELECT ?p ?o WHERE {{ ?article ?p ?o FILTER(?p != <{SCHEMA.mentions}>) }} ORDER BY ?p ?o"

_LINEAGE_QUERY = f"SELECT DISTINCT ?o WHERE {{ {{ ?o <{OKG.predecessor}> ?x }} UNION {{ ?x <{OKG.predecessor}> ?o }} }}"
