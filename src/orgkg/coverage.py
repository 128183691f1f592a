"""`orgkg coverage`: which paragraphs and sentences of each article the graph quotes, computed
from the data, so that graph/COVERAGE.md holds only the encoder's notes and never disagrees."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from orgkg.errors import DataError
from orgkg.namespaces import PREFIXES
from orgkg.quotes import ArticleText, first_words
from orgkg.sources import Sources

OA, OKG, SCHEMA = PREFIXES["oa"], PREFIXES["okg"], PREFIXES["schema"]


@dataclass
class ArticleCoverage:
    article: str
    text: str
    paragraphs: int
    paragraphs_quoted: int
    sentences: int
    sentences_quoted: int
    unquoted: list[dict] = field(default_factory=list)  # {paragraph, first_words, sentences}


def coverage(root: Path, engine, given_sources: Path | None = None) -> list[ArticleCoverage]:
    """Per article of the graph (in IRI order), its paragraphs and sentences with at least one quote
    (its schema:headline counts as one: it is the article's own words)."""
    sources = Sources.for_root(root, given_sources)
    rows = engine.query(
        f"SELECT ?article ?text ?exact WHERE {{ ?article a <{SCHEMA}NewsArticle> ; "
        f"<{OKG}sourceText> ?text OPTIONAL {{ {{ ?evidence <{OA}hasSource> ?article ; "
        f"<{OA}hasSelector>/<{OA}exact> ?exact }} UNION {{ ?article <{SCHEMA}headline> ?exact }} }} }}"
    ).rows
    quotes: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        quotes.setdefault((row[0].value, row[1].value), set()).update([row[2].value] if row[2] is not None else [])
    found, missing = [], []
    for (article, name), exacts in sorted(quotes.items()):
        path = sources.find(name) if sources else None
        if path is None:
            missing.append(name)
            continue
        text = ArticleText.read(path)
        paragraphs, sentences = text.covered(exacts)
        report = ArticleCoverage(
            article, name, len(text.paragraphs), len(paragraphs), len(text.sentences), len(sentences)
        )
        for number in range(1, len(text.paragraphs) + 1):
            left = sum(1 for i, s in enumerate(text.sentences) if s[0] == number and i not in sentences)
            if number not in paragraphs or left:
                report.unquoted.append(
                    {
                        "paragraph": number,
                        "first_words": first_words(text.paragraph_text(number)),
                        "quoted": number in paragraphs,
                        "sentences_unquoted": left,
                    }
                )
        found.append(report)
    if missing:
        where = sources.describe() if sources else "no sources folder"
        raise DataError(f"article texts not found in {where}: {', '.join(missing)}")
    return found


def render(reports: list[ArticleCoverage], fmt: str = "table") -> str:
    from orgkg.namespaces import prefixed

    if fmt == "json":
        import json

        return json.dumps([asdict(report) for report in reports], indent=2, ensure_ascii=False)
    lines = []
    for r in reports:
        name = prefixed(r.article) or r.article
        lines.append(
            f"{name} ({r.text}): {r.paragraphs_quoted} of {r.paragraphs} paragraphs, "
            f"{r.sentences_quoted} of {r.sentences} sentences quoted"
        )
        for gap in r.unquoted:
            what = (
                "no quote"
                if not gap["quoted"]
                else f"{gap['sentences_unquoted']} sentence{'s' * (gap['sentences_unquoted'] != 1)} without a quote"
            )
            lines.append(f"  ¶{gap['paragraph']}: {what}: {gap['first_words']}")
    return "\n".join(lines)
