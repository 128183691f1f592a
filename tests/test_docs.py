"""`orgkg docs`: the static site's pages hold what the graph holds, nothing is fetched from the
network, and a failed build never leaves half a site. (The browser test opens the pages.)"""

from __future__ import annotations

import html
import re
import shutil
import sys
from pathlib import Path

import pytest
from markupsafe import escape
from rdflib import URIRef
from rdflib.namespace import PROV, RDF

from orgkg import docs
from orgkg.atomic import swap_folder
from orgkg.catalogue import load_catalogue
from orgkg.docs import SITE_MARKER, DocsError, build_site
from orgkg.docs import site as site_pages
from orgkg.namespaces import GRAPH_BASE, KG, OA, OKG, QUERIES_DIR
from orgkg.sources import Sources
from orgkg.store import EmbeddedStore

#: Real servers, a browser, Jena, many processes or a site build: `make check` leaves these out.
pytestmark = pytest.mark.slow

ONTOLOGY_GRAPH = URIRef(GRAPH_BASE + "ontology/orgkg")


@pytest.fixture(scope="module")
def store(root, tmp_path_factory):
    return EmbeddedStore(root, cache=tmp_path_factory.mktemp("docs-cache"))


@pytest.fixture(scope="module")
def site(root, store, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("docs") / "site"
    calls = []
    report = build_site(root, out, store=store, progress=lambda done, total: calls.append((done, total)))
    pages = len(list(out.rglob("*.html")))
    assert report.output == out and report.pages == pages
    assert calls[-1] == (pages, pages) and len(calls) == pages
    return out


def read(site: Path, page: str) -> str:
    return (site / page).read_text(encoding="utf-8")


def result_rows(page: str) -> int:
    table = re.search(r'<table class="results">(.*?)</table>', page, re.DOTALL).group(1)
    return table.split("<tbody>")[1].count("<tr>")


def test_every_saved_query_has_a_page_with_its_result_on_the_graph(root, store, site):
    catalogue = load_catalogue(root / QUERIES_DIR)
    assert {p.stem for p in (site / "queries").glob("*.html")} == set(catalogue) | {"index"}
    for query in catalogue.values():
        page = read(site, f"queries/{query.name}.html")
        results = store.query(query.bind({}))
        assert html.escape(query.summary, quote=False) in page
        assert result_rows(page) == len(results.rows), query.name
        assert f"<p>{len(results.rows)} row" in page
        for variable in results.variables:
            assert f"<th>?{variable}</th>" in page


def test_a_query_page_shows_the_first_rows_of_a_long_result(root, store, tmp_path, monkeypatch):
    """A page of every row would grow with the corpus: past ROWS_SHOWN a page shows the first rows,
    in the query's order, and says how to get them all."""
    monkeypatch.setattr(site_pages, "ROWS_SHOWN", 3)
    build_site(root, tmp_path / "site", store=store)
    cut = 0
    for query in load_catalogue(root / QUERIES_DIR).values():
        results = store.query(query.bind({}))
        if results.rows is None or results.triples is not None:
            continue
        page = read(tmp_path / "site", f"queries/{query.name}.html")
        shown = min(len(results.rows), 3)
        assert result_rows(page) == shown, query.name
        cut += len(results.rows) > 3
        if len(results.rows) > 3:
            assert f"The first 3 rows; <code>orgkg query run {query.name}</code> gives them all." in page
            table = re.search(r'<table class="results">(.*?)</table>', page, re.DOTALL).group(1)
            first_row, value = table.split("<tbody>")[1].split("</tr>")[0], results.rows[0][0]
            assert value is None or escape(value.value) in first_row, query.name  # the query's order kept
        else:
            assert f"<p>{len(results.rows)} row" in page
    assert cut >= 5


def test_query_page_highlights_sparql_with_inline_styles_and_shows_defaults(site):
    page = read(site, "queries/lineage.html")
    assert re.search(r'<span style="[^"]+">SELECT</span>', page)
    assert "With the defaults: organization = https://w3id.org/orgkg/id/org-cao-bang-newspaper." in page
    # the default organization's two predecessors are in the result table, linked to their lineage pages
    for predecessor in ("org-cao-bang-newspaper-before-merger", "org-cao-bang-radio-and-television-station"):
        assert f'href="../lineage/{predecessor}.html"' in page


def test_ontology_reference_has_every_term_with_alignments_and_examples(root, site, kg_dataset):
    page = read(site, "ontology.html")
    ontology = kg_dataset.graph(ONTOLOGY_GRAPH)
    terms = {s for s in ontology.subjects() if isinstance(s, URIRef) and s.startswith(str(OKG))}
    assert len(terms) > 100
    for term in terms:
        assert f'<section class="term" id="{term.removeprefix(str(OKG))}">' in page, term
    change_event = page.split('id="ChangeEvent">')[1].split("</section>")[0]
    assert 'subclass of</span> <a class="ext iri" href="http://www.w3.org/ns/org#ChangeEvent"' in change_event
    # the count of uses matches rdflib's own count over the data graphs (not the ontology)
    data = [g for g in kg_dataset.graphs() if g.identifier != ONTOLOGY_GRAPH]
    mergers = sum(1 for g in data for _ in g.subjects(RDF.type, OKG.Merger))
    assert mergers >= 2
    merger = page.split('id="Merger">')[1].split("</section>")[0]
    assert f"{mergers} triples, for example:" in merger
    assert merger.count("<li>") == min(3, mergers)


def test_ontology_examples_are_each_terms_first_triples_read_in_one_pass():
    """Uses are counted and only the first EXAMPLES triples kept (IRIs before blank nodes, then
    by text), whatever order the engine gives them in and however many there are."""
    import random

    import pyoxigraph as ox
    from rdflib import Graph
    from rdflib.namespace import OWL

    from orgkg.docs.ontology import EXAMPLES, read_terms

    ontology = Graph()
    ontology.add((OKG.Merger, RDF.type, OWL.Class))
    ontology.add((OKG.Unused, RDF.type, OWL.Class))
    kind, merger = ox.NamedNode(str(RDF.type)), ox.NamedNode(str(OKG.Merger))
    rows = [(merger, ox.NamedNode(f"{KG}event-{n:03}"), kind, merger) for n in range(100)]
    rows += [(merger, ox.BlankNode(), kind, merger) for _ in range(20)]
    random.Random(1).shuffle(rows)
    by_local = {term.local: term for term in read_terms(ontology, iter(rows))}
    assert by_local["Merger"].uses == 120
    assert by_local["Merger"].examples == [(KG[f"event-{n:03}"], RDF.type, OKG.Merger) for n in range(EXAMPLES)]
    assert (by_local["Unused"].uses, by_local["Unused"].examples) == (0, [])


def test_each_article_page_has_every_quote_of_that_article(site, kg_dataset):
    index = read(site, "articles/index.html")
    articles = sorted(
        {
            a
            for g in kg_dataset.graphs()
            for a in g.objects(None, PROV.wasDerivedFrom)
            if a.startswith(str(KG) + "article-")
        }
    )
    assert len(articles) >= 2
    for article in articles:
        name = article.removeprefix(str(KG))
        assert f'href="../articles/{name}.html"' in index
        page = read(site, f"articles/{name}.html")
        quotes = {
            str(q)
            for g in kg_dataset.graphs()
            for evidence in g.subjects(OA.hasSource, article)
            for selector in g.objects(evidence, OA.hasSelector)
            for q in g.objects(selector, OA.exact)
        }
        assert quotes
        for quote in quotes:
            assert f"<blockquote>{escape(quote)}</blockquote>" in page, quote


def test_indexes_are_paged_and_the_home_page_lists_the_latest_articles(root, store, tmp_path, monkeypatch):
    """Issue 21: at 100,000 articles the home page and the articles' index each listed every
    article. The indexes go on pages of INDEX_ROWS rows, each linking to all; the home page lists
    the latest HOME_ARTICLES and links to the whole index."""
    monkeypatch.setattr(site_pages, "INDEX_ROWS", 1)
    monkeypatch.setattr(site_pages, "HOME_ARTICLES", 1)
    report = build_site(root, tmp_path / "site", store=store)
    site = tmp_path / "site"
    assert report.pages == len(list(site.rglob("*.html")))
    articles = store.query(load_catalogue(root / QUERIES_DIR)["articles"].bind({}))
    column = {name: n for n, name in enumerate(articles.variables)}
    iris = [row[column["article"]].value for row in articles.rows]
    assert len(iris) >= 2
    for folder, items in (("articles", iris), ("lineage", [p.stem for p in (site / "lineage").glob("org-*.html")])):
        pages = ["index.html"] + [f"index-{n}.html" for n in range(2, len(items) + 1)]
        assert sorted(p.name for p in (site / folder).glob("index*.html")) == sorted(pages), folder
        for number, name in enumerate(pages, start=1):
            page = read(site, f"{folder}/{name}")
            assert f"Page {number} of {len(pages)}, rows {number:,}–{number:,} of {len(items):,}:" in page
            assert f"<strong>{number}</strong>" in page
            assert all(f'<a href="{other}">' in page for other in pages if other != name)
    listed = [
        re.findall(r'<a href="../articles/([^"]+)\.html">', read(site, f"articles/{name}"))
        for name in ["index.html"] + [f"index-{n}.html" for n in range(2, len(iris) + 1)]
    ]
    assert [len(names) for names in listed] == [1] * len(iris)
    assert sorted(names[0] for names in listed) == sorted(iri.removeprefix(str(KG)) for iri in iris)

    def date(row) -> str:
        cells = (row[column["datePublished"]], row[column["printedDate"]])
        return next((cell.value for cell in cells if cell is not None), "")

    latest = max(articles.rows, key=date)[column["article"]].value.removeprefix(str(KG))
    home = read(site, "index.html")
    assert [a for a in re.findall(r'<a href="articles/([^"]+)\.html">', home) if a != "index"] == [latest]
    assert f'<a href="articles/index.html">All {len(iris):,} articles</a>' in home


def test_lineage_pages_for_every_organization_with_predecessors_or_successors(site, kg):
    linked = {*kg.subjects(OKG.predecessor), *kg.objects(None, OKG.predecessor)}
    assert {p.stem for p in (site / "lineage").glob("*.html")} == {o.removeprefix(str(KG)) for o in linked} | {"index"}
    page = read(site, "lineage/org-cao-bang-newspaper.html")
    assert "<h1>Lineage of Cao Bang Newspaper</h1>" in page
    assert "Cao Bang Radio and Television Station</a>" in page
    if shutil.which("dot") is None:
        pytest.skip("Graphviz not installed (apt-get install graphviz): lineage pictures are skipped")
    svg = page.split('<figure class="lineage">')[1].split("</figure>")[0]
    assert svg.startswith("<svg") and "<?xml" not in svg
    # the nodes link to the neighbours' pages on the site, not to w3id.org
    assert 'xlink:href="org-cao-bang-radio-and-television-station.html"' in svg
    assert "w3id.org" not in svg


def test_validation_page_reports_the_verdict(root, site):
    page = read(site, "validation.html")
    assert re.search(r"\d+ files, \d+ triples: \d+ violations, \d+ warnings", page)
    # no --sources given: the quotes are checked against the folders pyproject.toml lists, if any
    assert ("quote check skipped" in page) == (Sources.for_root(root) is None)


def test_pages_fetch_nothing_and_share_one_navigation(site):
    pages = list(site.rglob("*.html"))
    assert len(pages) > 40
    for path in pages:
        page = path.read_text(encoding="utf-8")
        fetching = r"<script[^>]*\bsrc=|<link[^>]*stylesheet|<img[^>]*src=\"https?:|@import|url\("
        assert not re.search(fetching, page), path
        assert '<link rel="icon" href="data:,">' in page  # no request for /favicon.ico
        assert page.count('<nav class="top">') == 1 and 'index.html">orgkg</a>' in page


def test_a_failed_build_leaves_the_previous_site_and_no_temporary_folder(root, store, site, tmp_path, monkeypatch):
    previous = tmp_path / "site"
    shutil.copytree(site, previous)
    before = read(previous, "index.html")

    def broken(*args, **kwargs):
        raise RuntimeError("validation crashed")

    monkeypatch.setattr(site_pages, "validate_incremental", broken)
    with pytest.raises(RuntimeError):
        build_site(root, previous, store=store)
    assert read(previous, "index.html") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_new_site_replaces_the_old_one_whole(tmp_path):
    old, new = tmp_path / "site", tmp_path / ".site.new.tmp"
    for folder, pages in ((old, ["index.html", "gone.html"]), (new, ["index.html"])):
        folder.mkdir()
        (folder / SITE_MARKER).write_text("")
        for name in pages:
            (folder / name).write_text(folder.name)
    swap_folder(new, old)
    assert sorted(p.name for p in old.iterdir()) == [SITE_MARKER, "index.html"]
    assert read(old, "index.html") == ".site.new.tmp"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_refuses_to_replace_a_folder_that_holds_something_else(root, store, tmp_path):
    target = tmp_path / "precious"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    with pytest.raises(DocsError, match="holds no orgkg site"):
        build_site(root, target, store=store)
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    (tmp_path / "file").write_text("")
    with pytest.raises(DocsError, match="is a file"):
        build_site(root, tmp_path / "file", store=store)


def test_cli_builds_without_graphviz_and_says_pictures_were_skipped(cli, root, tmp_path, kg):
    out = tmp_path / "site"
    no_dot = str(Path(sys.executable).parent)  # the venv's bin: python, but no Graphviz
    result = cli("docs", "-o", out, cache=tmp_path / "cache", env={"PATH": no_dot})
    assert result.exit_code == 0, result.output
    assert re.fullmatch(rf"\d+ pages written to {re.escape(str(out))}; validation: .*conforms\n", result.stdout)
    organizations = len({*kg.subjects(OKG.predecessor), *kg.objects(None, OKG.predecessor)})
    assert f"lineage pictures skipped for {organizations} organizations" in result.stderr
    assert "Writing pages" not in result.output  # progress only on a terminal
    assert (out / SITE_MARKER).exists()
    page = read(out, "lineage/org-cao-bang-newspaper.html")
    assert "<svg" not in page and "The picture was skipped" in page


def test_cli_refusal_is_a_one_line_usage_error(cli, root, tmp_path):
    (tmp_path / "other.txt").write_text("x")
    result = cli("docs", "-o", tmp_path)
    assert result.exit_code == 2
    assert "holds no orgkg site" in result.output and "Traceback" not in result.output


def test_help_has_an_example(cli):
    result = cli("docs", "--help")
    assert result.exit_code == 0 and "Example:" in result.output and "orgkg docs -o site" in result.output


def test_templates_ship_with_the_package():
    templates = Path(docs.__file__).parent.parent / "templates"
    assert {"base.html", "index.html", "ontology.html", "query.html"} <= {p.name for p in templates.glob("*.html")}


def test_only_http_iris_become_links_and_leftovers_of_killed_builds_go(root, tmp_path):
    import subprocess

    copy = tmp_path / "repo"
    for folder in ("ontology", "graph", "queries"):
        shutil.copytree(root / folder, copy / folder)
    with (copy / "ontology" / "orgkg.ttl").open("a") as handle:
        handle.write(
            "\n<https://w3id.org/orgkg/ontology#predecessor> <http://www.w3.org/2004/02/skos/core#closeMatch> "
            "<javascript:alert(document.cookie)> .\n"
        )
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".site.{dead.stdout.strip()}.abc.old"
    (stale / "half").mkdir(parents=True)
    build_site(copy, tmp_path / "site", store=EmbeddedStore(copy, tmp_path / "cache"))
    pages = "".join(page.read_text() for page in (tmp_path / "site").rglob("*.html"))
    assert "javascript:alert(document.cookie)" in pages  # shown as text
    assert not re.search(r'href="\s*javascript:', pages, re.IGNORECASE)
    assert not stale.exists()
