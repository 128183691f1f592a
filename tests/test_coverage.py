"""Nothing printed is skipped: every document code in each article is a document node with that
code, and every figure is an observation whose quote contains it.

Driven by the data: one case per article graph file (graph/articles/SLUG.ttl, node
kg:article-SLUG); what a text cannot show by itself is in the article's own expectations,
tests/articles/SLUG.toml. tests/test_growth.py runs the same checks on a fictional article.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from orgkg.namespaces import PREFIXES, find_root
from orgkg.sources import Sources

from .graph_queries import NS

EXPECTATIONS = Path(__file__).parent / "articles"
CODE = re.compile(r"\b\d+-[A-ZĐ]+/[A-ZĐ]+\b")
# Figures as printed: thousands, decimals, percentages, ratios and numbers of three digits or
# more that are not years; small counts that are figures are listed in the expectations.
FIGURE = re.compile(r"(?<![\w/.-])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?%|\d+/\d+|\d{3,})(?![\w/-])")


def article_slugs(root: Path) -> list[str]:
    return sorted(path.stem for path in (root / "graph" / "articles").glob("*.ttl"))


def expectations(slug: str) -> dict:
    path = EXPECTATIONS / f"{slug}.toml"
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def article_text(graph, root: Path, sources: Path | None, slug: str) -> str:
    """The article's text with URLs blanked, found as validation finds it."""
    name = graph.value(NS["kg"][f"article-{slug}"], NS["okg"]["sourceText"])
    assert name is not None, f"kg:article-{slug} has no okg:sourceText"
    folders = Sources.for_root(root, sources)
    path = folders.find(str(name)) if folders else None
    if path is None:
        pytest.skip(f"text {name} of kg:article-{slug} not found")
    return re.sub(r"https?://\S+", " ", path.read_text(encoding="utf-8"))


def codes_not_encoded(graph, slug: str, text: str) -> tuple[set, list]:
    """(codes printed, codes printed that the article cites no document with)."""
    printed = set(CODE.findall(text))
    encoded = {
        str(row[0])
        for row in graph.query(
            "SELECT ?code WHERE { ?article schema:citation ?doc . ?doc eli:id_local ?code }",
            initNs=PREFIXES,
            initBindings={"article": NS["kg"][f"article-{slug}"]},
        )
    }
    return printed, sorted(printed - encoded)


def figures_not_encoded(graph, slug: str, text: str) -> list[str]:
    text = CODE.sub(" ", text)
    printed = {n for n in FIGURE.findall(text) if not re.fullmatch(r"(19|20)\d\d", n)}
    printed |= set(expectations(slug).get("small_figures", []))
    quotes = [
        str(row[0])
        for row in graph.query(
            """SELECT ?quote WHERE { ?obs a qb:Observation ; okg:evidence ?e .
           ?e oa:hasSource ?article ; oa:hasSelector/oa:exact ?quote }""",
            initNs=PREFIXES,
            initBindings={"article": NS["kg"][f"article-{slug}"]},
        )
    ]

    def quoted(number: str) -> bool:
        whole = re.compile(rf"(?<![\d,.]){re.escape(number)}(?!\d|[,.]\d)")
        return any(whole.search(quote) for quote in quotes)

    return sorted(n for n in printed if not quoted(n))


SLUGS = article_slugs(find_root(Path(__file__).resolve().parents[1]))


@pytest.mark.parametrize("slug", SLUGS)
def test_every_printed_code_is_a_document_with_that_code(kg, root, sources, slug):
    printed, missing = codes_not_encoded(kg, slug, article_text(kg, root, sources, slug))
    assert missing == []


@pytest.mark.parametrize("slug", SLUGS)
def test_every_printed_figure_is_an_observation(kg, root, sources, slug):
    assert figures_not_encoded(kg, slug, article_text(kg, root, sources, slug)) == []


def test_the_article_checks_run_on_every_article_file(root, kg):
    """No article is left out: each article graph file is one case, and holds its article node."""
    assert SLUGS == article_slugs(root) and SLUGS
    assert all((NS["kg"][f"article-{slug}"], NS["rdf"]["type"], NS["schema"]["NewsArticle"]) in kg for slug in SLUGS)


# graph/COVERAGE.md says what the graph holds: every node it names exists, and every term it
# names in the parentheses after a node is a type, property or value of that node (or of a
# node named in the same parentheses).
COVERAGE_TERM = re.compile(r"\b(?:okg|schema|org|eli|dct|prov|cv|skos|rdfs|qb|owl|oa|time):[A-Za-z]\w*")
NODE = re.compile(r"`([a-z0-9][a-z0-9-]*)`")


def _coverage_rows(root):
    for line in (root / "graph" / "COVERAGE.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("| ") and not line.startswith("| ¶") and not line.startswith("|---"):
            yield line.split(" | ")[0].strip("| "), line.rsplit(" | ", 1)[-1]


def _described(text: str):
    """(node, nodes in its parentheses, the parentheses' text) for each `node` followed by '('."""
    for match in NODE.finditer(text):
        rest = text[match.end() :]
        if not rest.startswith(" ("):
            continue
        depth, end = 0, None
        for index, char in enumerate(rest):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0 and char == ")":
                end = index
                break
        inside = rest[2:end]
        yield match.group(1), NODE.findall(inside), NODE.sub(" ", inside)


def test_every_node_coverage_names_exists(kg, root):
    named = {node for _, cell in _coverage_rows(root) for node in NODE.findall(cell)}
    missing = sorted(node for node in named if (NS["kg"][node], None, None) not in kg)
    assert len(named) > 150
    assert missing == []


def test_every_term_coverage_names_after_a_node_is_on_that_node(kg, root):
    expand = kg.namespace_manager.expand_curie
    wrong = []
    for paragraph, cell in _coverage_rows(root):
        for node, inner, text in _described(cell):
            nodes = [NS["kg"][n] for n in (node, *inner)]
            about = set()
            for subject in nodes:
                about |= {term for triple in kg.triples((subject, None, None)) for term in triple[1:]}
                about |= {p for p in kg.predicates(None, subject)}
                for evidence in kg.objects(subject, NS["okg"]["evidence"]):
                    about |= {term for triple in kg.triples((evidence, None, None)) for term in triple[1:]}
            for term in COVERAGE_TERM.findall(text):
                if expand(term) not in about:
                    wrong.append(f"¶{paragraph} {node}: {term}")
    assert wrong == [], "\n".join(wrong)


def test_indicator_labels_are_cased_alike_across_articles(kg):
    """Labels are read in tables side by side: lower case unless the first word is a name (Party)."""
    labels = [
        str(label)
        for indicator in kg.subjects(NS["rdf"]["type"], NS["okg"]["Indicator"])
        for label in kg.objects(indicator, NS["rdfs"]["label"])
    ]
    assert len(labels) > 20
    assert [label for label in labels if label[0].isupper() and not label.startswith("Party")] == []
