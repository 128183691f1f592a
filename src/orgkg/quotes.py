"""Words in an article's text: where a quote occurs, the closest passage when it does not, and
which paragraphs and sentences the quotes of the graph cover.

A quote is found as validation checks it: verbatim once runs of whitespace are one space. A
paragraph is a non-empty line of the text file (¶1 is the first, usually the headline); a
sentence ends at `.`, `!` or `?` followed by a space and a capital, a digit or an opening quote.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from orgkg.errors import DataError, OrgkgError
from orgkg.namespaces import PREFIXES, short

#: The kinds of difference a near miss is folded over, named in messages, in this order.
WHITESPACE, QUOTE_MARKS, DASHES, DIACRITICS, CASE = "whitespace", "quote marks", "dashes", "diacritics", "case"
KINDS = (WHITESPACE, QUOTE_MARKS, DASHES, DIACRITICS, CASE)
_QUOTE_MARKS = str.maketrans({c: '"' for c in "“”„‟«»″"} | {c: "'" for c in "‘’‚‛`′"})
_DASH_CHARACTERS = str.maketrans({c: "-" for c in "‐‑‒–—―−"})
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9À-Ỹ])")
#: Characters of context either side of a quote that occurs more than once.
CONTEXT = 32


class QuoteNotFound(DataError):
    """The words do not occur in the article's text."""


def _fold_character(character: str, kinds: frozenset) -> str:
    if QUOTE_MARKS in kinds:
        character = character.translate(_QUOTE_MARKS)
    if DASHES in kinds:
        character = character.translate(_DASH_CHARACTERS)
    if DIACRITICS in kinds:
        character = character.replace("đ", "d").replace("Đ", "D")
        character = "".join(c for c in unicodedata.normalize("NFD", character) if not unicodedata.combining(c))
    if CASE in kinds:
        character = character.casefold()
    return character


def fold(text: str, kinds=(WHITESPACE,)) -> tuple[str, list[int]]:
    """`text` with the differences of `kinds` folded away, and for each character of the result
    the index in `text` it comes from."""
    kinds = frozenset(kinds)
    out: list[str] = []
    origin: list[int] = []
    after_space = False
    for index, character in enumerate(text):
        if WHITESPACE in kinds and character.isspace():
            if not after_space:
                out.append(" ")
                origin.append(index)
            after_space = True
            continue
        after_space = False
        for folded in _fold_character(character, kinds):
            out.append(folded)
            origin.append(index)
    return "".join(out), origin


@dataclass(frozen=True)
class Occurrence:
    start: int  # in the text as read (original indices)
    end: int
    exact: str  # the words as the text prints them, whitespace normalised
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class NearMiss:
    passage: str
    paragraph: int
    differences: tuple[str, ...]  # some of KINDS, or ("other words",)
    similarity: float


class ArticleText:
    """One article's text, its paragraphs and sentences."""

    def __init__(self, text: str, name: str = "text"):
        self.text, self.name = text, name
        self.paragraphs: list[tuple[int, int]] = []  # (start, end) of each non-empty line
        offset = 0
        for line in text.splitlines(keepends=True):
            stripped = line.strip()
            if stripped:
                start = offset + line.index(stripped[0])
                self.paragraphs.append((start, start + len(stripped)))
            offset += len(line)
        self.sentences: list[tuple[int, int, int]] = []  # (paragraph number, start, end)
        for number, (start, end) in enumerate(self.paragraphs, 1):
            cursor = start
            for match in _SENTENCE_END.finditer(text, start, end):
                self.sentences.append((number, cursor, match.start()))
                cursor = match.end()
            self.sentences.append((number, cursor, end))
        self._folded: dict[frozenset, tuple[str, list[int]]] = {}

    @classmethod
    def read(cls, path: Path) -> ArticleText:
        try:
            return cls(path.read_text(encoding="utf-8"), path.name)
        except UnicodeDecodeError as error:
            raise DataError(f"{path}: not UTF-8 text (byte {error.start}); save it as UTF-8") from None

    def folded(self, kinds=(WHITESPACE,)) -> tuple[str, list[int]]:
        key = frozenset(kinds)
        if key not in self._folded:
            self._folded[key] = fold(self.text, key)
        return self._folded[key]

    def paragraph_of(self, index: int) -> int:
        return next((n for n, (start, end) in enumerate(self.paragraphs, 1) if start <= index < end), 0)

    def paragraph_text(self, number: int) -> str:
        start, end = self.paragraphs[number - 1]
        return self.text[start:end]

    def spans(self, words: str, kinds=(WHITESPACE,)) -> list[tuple[int, int]]:
        """(start, end) in the text of every occurrence of `words`, folded over `kinds`."""
        needle = fold(words.strip(), kinds)[0]
        if not needle:
            return []
        haystack, origin = self.folded(kinds)
        found, at = [], haystack.find(needle)
        while at >= 0:
            found.append((origin[at], origin[at + len(needle) - 1] + 1))
            at = haystack.find(needle, at + 1)
        return found

    def occurrences(self, words: str) -> list[Occurrence]:
        """Every place the words occur verbatim (whitespace normalised); where there are several,
        each with the context (prefix, suffix) that tells it apart."""
        spans = self.spans(words)
        several = len(spans) > 1
        return [
            Occurrence(
                start,
                end,
                _spaced(self.text[start:end]),
                _spaced(self.text[max(0, start - CONTEXT) : start], keep_edges=True)[-CONTEXT:] if several else "",
                _spaced(self.text[end : end + CONTEXT], keep_edges=True)[:CONTEXT] if several else "",
            )
            for start, end in spans
        ]

    def closest(self, words: str) -> NearMiss | None:
        """The passage the words most likely meant: the same words with some kinds of difference
        folded away, else the most similar run of as many words."""
        spans = self.spans(words, KINDS)
        if spans:
            start, end = spans[0]
            passage = self.text[start:end]
            needed = tuple(
                kind
                for kind in KINDS
                if fold(passage, set(KINDS) - {kind})[0] != fold(words.strip(), set(KINDS) - {kind})[0]
            )
            return NearMiss(_spaced(passage), self.paragraph_of(start), needed, 1.0)
        target = fold(words.strip(), KINDS)[0]
        haystack, origin = self.folded(KINDS)
        starts = [0] + [m.end() for m in re.finditer(" ", haystack)]
        size = max(1, target.count(" ") + 1)
        best = (0.0, 0, 0)
        for i, start in enumerate(starts):
            end = starts[i + size] - 1 if i + size < len(starts) else len(haystack)
            matcher = SequenceMatcher(None, target, haystack[start:end], autojunk=False)
            if matcher.real_quick_ratio() > best[0] and matcher.quick_ratio() > best[0]:
                ratio = matcher.ratio()
                if ratio > best[0]:
                    best = (ratio, start, end)
        ratio, start, end = best
        if ratio < 0.5 or end <= start:
            return None
        passage = self.text[origin[start] : origin[end - 1] + 1]
        return NearMiss(_spaced(passage), self.paragraph_of(origin[start]), ("other words",), ratio)

    def covered(self, quotes) -> tuple[set[int], set[int]]:
        """The paragraph numbers and sentence indexes (into `sentences`) that at least one
        occurrence of one of `quotes` overlaps."""
        spans = [span for quote in set(quotes) for span in self.spans(quote)]
        paragraphs = {
            n for n, (start, end) in enumerate(self.paragraphs, 1) if any(s < end and start < e for s, e in spans)
        }
        sentences = {
            i for i, (_, start, end) in enumerate(self.sentences) if any(s < end and start < e for s, e in spans)
        }
        return paragraphs, sentences


def _spaced(text: str, keep_edges: bool = False) -> str:
    collapsed = re.sub(r"\s+", " ", text)
    return collapsed if keep_edges else collapsed.strip()


def first_words(text: str, count: int = 8) -> str:
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


def find_quote(article: ArticleText, words: str) -> list[Occurrence]:
    """Every occurrence of `words` in the text; QuoteNotFound, naming the closest passage and how
    it differs, when there is none."""
    occurrences = article.occurrences(words)
    if not occurrences:
        raise QuoteNotFound(not_found_message(article, words))
    return occurrences


def not_found_message(article: ArticleText, words: str) -> str:
    """Why `words` are not a quote of the article, with the closest passage."""
    miss = article.closest(words)
    if miss is None:
        return f"not found in {article.name}, nor anything close; copy the words from the text"
    if miss.differences == ("other words",):
        how = f"{round(miss.similarity * 100)}% alike, other words"
    else:
        how = "differs in " + ", ".join(miss.differences)
    return f"not found in {article.name}; closest passage (¶{miss.paragraph}, {how}): {miss.passage!r}"


def evidence_block(occurrence: Occurrence, article_iri: str) -> str:
    """The okg:evidence of one occurrence, in the layout `orgkg fmt` writes, ready to paste."""
    import pyoxigraph as ox

    def quoted(text: str) -> str:
        return str(ox.Literal(text))  # a Turtle string, escaped as N-Triples (and orgkg fmt) escape it

    selector = f"a oa:TextQuoteSelector ; oa:exact {quoted(occurrence.exact)}"
    if occurrence.prefix or occurrence.suffix:
        selector += f" ; oa:prefix {quoted(occurrence.prefix)} ; oa:suffix {quoted(occurrence.suffix)}"
    return (
        "    okg:evidence [\n"
        "        a oa:SpecificResource ;\n"
        "        oa:hasSelector\n"
        f"            [ {selector} ] ;\n"
        f"        oa:hasSource {short(article_iri)}\n"
        "    ] ;"
    )


def find_article(root: Path, name: str, engine, given_sources: Path | None = None) -> tuple[str, ArticleText]:
    """The article `name` names (a slug, kg:article-SLUG, or the path or file name of its text)
    and its text, looked up in the sources folders."""
    from orgkg.sources import Sources

    slug = name.removeprefix("kg:").removeprefix("article-")
    rows = engine.query(
        f"SELECT ?article ?text WHERE {{ ?article a <{PREFIXES['schema']}NewsArticle> ; <{PREFIXES['okg']}sourceText> ?text }}"
    ).rows
    texts = {row[0].value: row[1].value for row in rows}
    wanted = Path(name).name
    article = next(
        (iri for iri, text in texts.items() if iri == f"{PREFIXES['kg']}article-{slug}" or text == wanted), None
    )
    if article is None:
        known = ", ".join(sorted(iri.rsplit("/", 1)[-1].removeprefix("article-") for iri in texts)) or "none"
        raise OrgkgError(f"no article {name!r} in the graph; the articles: {known}")
    path = Path(name) if Path(name).is_file() else None
    if path is None:
        sources = Sources.for_root(root, given_sources)
        path = sources.find(texts[article]) if sources else None
        if path is None:
            where = sources.describe() if sources else "no sources folder"
            raise DataError(f"the text of {name!r} ({texts[article]}) is not in {where}")
    return article, ArticleText.read(path)
