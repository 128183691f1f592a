"""Nothing printed is skipped: every document code in either article is a document node with
that code, and every figure is an observation whose quote contains it."""

from __future__ import annotations

import re

import pytest

from orgkg.namespaces import PREFIXES

ARTICLES = {"000_8420fa3d6bd522e5.txt": "article-cao-bang-2025", "002_cd67c542fbcd9703.txt": "article-nghe-an-2024"}
CODE = re.compile(r"\b\d+-[A-ZĐ]+/[A-ZĐ]+\b")
# Figures as printed: thousands, decimals, percentages, ratios and numbers of three digits or
# more that are not years; small counts that are figures are listed by hand below.
FIGURE = re.compile(r"(?<![\w/.-])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?%|\d+/\d+|\d{3,})(?![\w/-])")
SMALL_FIGURES = {"000_8420fa3d6bd522e5.txt": {"10", "56"}, "002_cd67c542fbcd9703.txt": {"67", "12", "3", "10"}}


def _text(sources, name: str) -> str:
    return re.sub(r"https?://\S+", " ", (sources / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_every_printed_code_is_a_document_with_that_code(kg, sources, name):
    printed = set(CODE.findall(_text(sources, name)))
    encoded = {str(row[0]) for row in kg.query(
        "SELECT ?code WHERE { ?article schema:citation ?doc . ?doc eli:id_local ?code }",
        initNs=PREFIXES, initBindings={"article": PREFIXES["kg"][ARTICLES[name]]})}
    assert printed and printed <= encoded


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_every_printed_figure_is_an_observation(kg, sources, name):
    text = CODE.sub(" ", _text(sources, name))
    printed = {n for n in FIGURE.findall(text) if not re.fullmatch(r"(19|20)\d\d", n)} | SMALL_FIGURES[name]
    quotes = [str(row[0]) for row in kg.query(
        """SELECT ?quote WHERE { ?obs a qb:Observation ; okg:evidence ?e .
           ?e oa:hasSource ?article ; oa:hasSelector/oa:exact ?quote }""",
        initNs=PREFIXES, initBindings={"article": PREFIXES["kg"][ARTICLES[name]]})]
    def quoted(number: str) -> bool:
        whole = re.compile(rf"(?<![\d,.]){re.escape(number)}(?!\d|[,.]\d)")
        return any(whole.search(quote) for quote in quotes)

    missing = sorted(n for n in printed if not quoted(n))
    assert missing == []
