"""Vietnamese Party document codes: ``<number>-<type>/<issuer>``, e.g. ``18-NQ/TW``.

``parse_code`` reads a code as printed -- ``18-NQ/TW``, ``2993-QD/TU``, ``18 - nq / tw`` --
or a loose English mention -- ``Resolution No. 21 of the Central Committee`` gives
21-NQ/TW marked ``inferred`` -- and ``format_code`` writes the canonical form
(``2993-QĐ/TU``: always QĐ and ĐU, never the ASCII QD / DU).

The tables ``DOCUMENT_TYPES`` and ``ISSUERS`` are the one place that says what a type or
issuer key means (label, ontology concept, Vietnamese name, the English words used in
loose mentions); everything else here is derived from them.

A code alone is not globally unique: numbering restarts every term (GUIDE §2).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rdflib import URIRef

from orgkg.errors import DataError
from orgkg.namespaces import OKG


class DocumentCodeError(DataError, ValueError):
    """Text that is not a Party document code; the message says what was expected."""


@dataclass(frozen=True)
class DocumentType:
    """One document type of the code (the part between ``-`` and ``/``)."""

    key: str  #: canonical key as printed in codes, e.g. "QĐ"
    label: str  #: English label, e.g. "decision or regulation"
    concept: URIRef  #: concept of okg:DocumentTypeScheme
    vietnamese: tuple[str, ...]  #: Vietnamese names, e.g. ("Quyết định", "Quy định")
    words: tuple[str, ...]  #: English words naming the type in loose mentions
    aliases: tuple[str, ...] = ()  #: other spellings of the key, e.g. ("QD",)


@dataclass(frozen=True)
class Issuer:
    """One issuer level of the code (the part after ``/``)."""

    key: str  #: canonical key as printed in codes, e.g. "ĐU"
    label: str  #: English label of the level, e.g. "bloc or grassroots"
    concept: URIRef  #: concept of okg:IssuerLevelScheme
    vietnamese: str  #: Vietnamese name of the issuing body
    names: tuple[str, ...]  #: regexes (case-insensitive, full match) for English names
    described: str  #: the English names, for error messages
    aliases: tuple[str, ...] = ()  #: other spellings of the key, e.g. ("DU",)


def _document_types(*rows: DocumentType) -> dict[str, DocumentType]:
    return {row.key: row for row in rows}


def _issuers(*rows: Issuer) -> dict[str, Issuer]:
    return {row.key: row for row in rows}


#: Document types by canonical key, in the order error messages list them.
DOCUMENT_TYPES: dict[str, DocumentType] = _document_types(
    DocumentType("NQ", "resolution", OKG["Resolution"], ("Nghị quyết",), ("resolution",)),
    DocumentType("CT", "directive", OKG["Directive"], ("Chỉ thị",), ("directive",)),
    DocumentType("KL", "conclusion", OKG["Conclusion"], ("Kết luận",), ("conclusion",)),
    DocumentType(
        "QĐ",
        "decision or regulation",
        OKG["DecisionOrRegulation"],
        ("Quyết định", "Quy định"),
        ("decision", "regulation"),
        aliases=("QD",),
    ),
    DocumentType("HD", "guidance", OKG["Guidance"], ("Hướng dẫn",), ("guidance", "guidelines", "guideline")),
    DocumentType("TB", "notice", OKG["Notice"], ("Thông báo",), ("notice", "notification", "announcement")),
    DocumentType(
        "CV",
        "official letter",
        OKG["OfficialLetter"],
        ("Công văn",),
        ("official letter", "official dispatch"),
    ),
)

_ORGANIZING = r"organi[sz](?:ing|ation) (?:committee|commission|board)"

#: Issuer levels by canonical key, in the order error messages list them.
ISSUERS: dict[str, Issuer] = _issuers(
    Issuer(
        "TW",
        "central",
        OKG["IssuerCentral"],
        "Trung ương (Ban Chấp hành Trung ương, Bộ Chính trị, Ban Bí thư)",
        (
            r"(?:party )?central (?:executive |party )?committee",
            r"(?:party )?central executive committee of the (?:communist )?party(?: of vietnam)?",
            r"politburo",
            r"political bureau",
            r"(?:party )?(?:central )?secretariat",
        ),
        "the Central Committee, Politburo or Secretariat",
    ),
    Issuer(
        "TU",
        "provincial",
        OKG["IssuerProvincial"],
        "Tỉnh ủy",
        (
            r"provincial party (?:executive |standing )?committee",
            r"(?:standing|executive) committee of the provincial party committee",
            r"provincial party committee(?:'s)? standing (?:committee|board)",
        ),
        "the Provincial Party Committee",
    ),
    Issuer(
        "HU",
        "district",
        OKG["IssuerDistrict"],
        "Huyện ủy",
        (
            r"district party (?:executive |standing )?committee",
            r"(?:standing|executive) committee of the district party committee",
            r"district party committee(?:'s)? standing (?:committee|board)",
        ),
        "the District Party Committee",
    ),
    Issuer(
        "ĐU",
        "bloc or grassroots",
        OKG["IssuerBlocOrGrassroots"],
        "Đảng ủy",
        (
            r"(?:.+ )?bloc party committee",
            r"party committee of the (?:.+ )?bloc",
            r"(?:.+ )?grassroots party committee",
        ),
        "a bloc or grassroots Party Committee",
        aliases=("DU",),
    ),
    Issuer(
        "VPTW",
        "Central Office",
        OKG["IssuerCentralOffice"],
        "Văn phòng Trung ương Đảng",
        (
            r"(?:party )?central (?:party )?office",
            r"office of the (?:party )?central committee",
        ),
        "the Central Office",
    ),
    Issuer(
        "BTCTW",
        "Central Organizing Committee",
        OKG["IssuerCentralOrganizingCommittee"],
        "Ban Tổ chức Trung ương",
        (
            rf"(?:party )?central {_ORGANIZING}",
            rf"{_ORGANIZING} of the (?:party )?central committee",
            rf"(?:party )?central committee's {_ORGANIZING}",
        ),
        "the Central Organizing Committee",
    ),
)

_TYPE_KEYS = {spelling: row.key for row in DOCUMENT_TYPES.values() for spelling in (row.key, *row.aliases)}
_ISSUER_KEYS = {spelling: row.key for row in ISSUERS.values() for spelling in (row.key, *row.aliases)}
_TYPE_WORDS = {word.casefold(): row.key for row in DOCUMENT_TYPES.values() for word in (*row.words, *row.vietnamese)}
_ISSUER_NAMES = [(re.compile(pattern, re.IGNORECASE), row.key) for row in ISSUERS.values() for pattern in row.names]


def _one_of(keys_with_aliases: Iterable[tuple[str, tuple[str, ...], str]]) -> str:
    return ", ".join(f"{' or '.join((key, *aliases))} ({label})" for key, aliases, label in keys_with_aliases)


_EXPECTED_TYPES = _one_of((t.key, t.aliases, t.label) for t in DOCUMENT_TYPES.values())
_EXPECTED_ISSUERS = _one_of((i.key, i.aliases, i.label) for i in ISSUERS.values())
_EXPECTED = (
    "expected <number>-<type>/<issuer> such as 18-NQ/TW, "
    "or a mention such as 'Resolution No. 21 of the Central Committee'; "
    f"type one of {', '.join(DOCUMENT_TYPES)}; issuer one of {', '.join(ISSUERS)}"
)


@dataclass(frozen=True)
class DocumentCode:
    """A parsed document code. Construction canonicalises keys (QD -> QĐ, DU -> ĐU)."""

    number: str
    doc_type: str
    issuer: str
    inferred: bool = False  #: True when read from a loose mention, not a printed code
    tenure: int | None = None  #: e.g. 10 for "(10th tenure)"

    def __post_init__(self) -> None:
        number = str(self.number)
        if not re.fullmatch(r"[0-9]+", number):
            raise DocumentCodeError(f"number {number!r} is not a whole number such as 18")
        doc_type = _TYPE_KEYS.get(_fold_key(self.doc_type))
        if doc_type is None:
            raise DocumentCodeError(f"unknown document type {self.doc_type!r}; type one of {_EXPECTED_TYPES}")
        issuer = _ISSUER_KEYS.get(_fold_key(self.issuer))
        if issuer is None:
            raise DocumentCodeError(f"unknown issuer {self.issuer!r}; issuer one of {_EXPECTED_ISSUERS}")
        tenure = self.tenure
        if tenure is not None and (type(tenure) is not int or tenure < 1):
            raise DocumentCodeError(f"tenure {self.tenure!r} is not a positive whole number")
        object.__setattr__(self, "number", number)
        object.__setattr__(self, "doc_type", doc_type)
        object.__setattr__(self, "issuer", issuer)

    @property
    def type_label(self) -> str:
        """English label of the type, e.g. "resolution"."""
        return DOCUMENT_TYPES[self.doc_type].label

    @property
    def issuer_label(self) -> str:
        """English label of the issuer level, e.g. "central"."""
        return ISSUERS[self.issuer].label

    @property
    def type_concept(self) -> URIRef:
        """The okg:DocumentTypeScheme concept, e.g. okg:Resolution."""
        return DOCUMENT_TYPES[self.doc_type].concept

    @property
    def issuer_concept(self) -> URIRef:
        """The okg:IssuerLevelScheme concept, e.g. okg:IssuerCentral."""
        return ISSUERS[self.issuer].concept

    @property
    def canonical(self) -> str:
        """The code in canonical form, e.g. "2993-QĐ/TU"."""
        return f"{self.number}-{self.doc_type}/{self.issuer}"

    @property
    def slug(self) -> str:
        """ASCII slug for IRIs, e.g. "2993-qd-tu" (kg:doc-<slug>-<date>)."""
        return self.canonical.replace("Đ", "D").replace("/", "-").lower()

    def __str__(self) -> str:
        return self.canonical

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description: code, parts, labels, concept IRIs, flags."""
        return {
            "code": self.canonical,
            "number": self.number,
            "type": self.doc_type,
            "type_label": self.type_label,
            "type_concept": str(self.type_concept),
            "issuer": self.issuer,
            "issuer_label": self.issuer_label,
            "issuer_concept": str(self.issuer_concept),
            "slug": self.slug,
            "inferred": self.inferred,
            "tenure": self.tenure,
        }


# --- parsing -------------------------------------------------------------------------------

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-")
_SLASHES = dict.fromkeys(map(ord, "\u2044\u2215"), "/")
# Look-alikes of Đ seen in Vietnamese text: Icelandic eth and African D.
_D_BAR = {ord("\u00d0"): "Đ", ord("\u0189"): "Đ", ord("\u00f0"): "đ", ord("\u0256"): "đ"}

_NO = r"(?:no\b\.?|number\b|#|số\b)\s*"
_TENURE = re.compile(
    r"(?:\s*\(\s*|\s*,\s*|\s+(?:of\s+)?(?:the\s+)?)"
    r"(?:(?P<ordinal>[0-9]{1,3})(?:st|nd|rd|th)?[\s-]+(?:tenure|term)"
    r"|(?:tenure|term)\s+(?P<plain>[0-9]{1,3}))"
    r"\s*\)?\s*$",
    re.IGNORECASE,
)
_TYPE_WORD = "|".join(re.escape(w) for w in sorted(_TYPE_WORDS, key=len, reverse=True))
_PREFIX = re.compile(rf"^(?:(?P<word>{_TYPE_WORD})\s+)?(?:{_NO})?", re.IGNORECASE)
_CODE_SHAPE = re.compile(r"^(?P<number>[^\s/-]+)\s*-\s*(?P<type>[^\s/-]+)\s*[/-]\s*(?P<issuer>[^\s/-]+)$")
_LOOSE = re.compile(
    rf"^(?:the\s+)?(?P<word>{_TYPE_WORD})\s+(?:{_NO})?(?P<number>[0-9]+)"
    r"\s+(?:of|by|issued\s+by|from)\s+(?P<issuer>.+)$",
    re.IGNORECASE,
)
_ISSUER_ORDINAL = re.compile(r"^(?:the\s+)?(?P<ordinal>[0-9]{1,3})(?:st|nd|rd|th)[\s-]+(?:(?:tenure|term)\s+)?", re.I)


def _fold_key(key: str) -> str:
    return unicodedata.normalize("NFKC", str(key)).translate(_D_BAR).strip().upper()


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_DASHES).translate(_SLASHES)
    text = text.translate(_D_BAR)
    return " ".join(text.split()).strip(" .,;:")


def _split_tenure(text: str) -> tuple[str, int | None]:
    match = _TENURE.search(text)
    if match is None or match.start() == 0:
        return text, None
    return text[: match.start()], int(match["ordinal"] or match["plain"])


def _issuer_from_name(name: str) -> str | None:
    name = re.sub(r"^the\s+", "", name, flags=re.IGNORECASE)
    found = {key for pattern, key in _ISSUER_NAMES if pattern.fullmatch(name)}
    return found.pop() if len(found) == 1 else None


def _parse_printed(text: str, tenure: int | None) -> DocumentCode | None:
    """A printed code, optionally after a type word and "No.": None if not code-shaped."""
    prefix = _PREFIX.match(text)
    assert prefix is not None  # every part of the pattern is optional
    word = prefix["word"]
    shape = _CODE_SHAPE.match(text[prefix.end() :])
    if shape is None:
        return None
    number, doc_type, issuer = shape["number"], shape["type"], shape["issuer"]
    problems = []
    if not re.fullmatch(r"[0-9]+", number):
        problems.append(f"number {number!r} is not a whole number such as 18")
    if _fold_key(doc_type) not in _TYPE_KEYS:
        problems.append(f"unknown document type {doc_type!r}; type one of {_EXPECTED_TYPES}")
    if _fold_key(issuer) not in _ISSUER_KEYS:
        problems.append(f"unknown issuer {issuer!r}; issuer one of {_EXPECTED_ISSUERS}")
    if len(problems) == 1:
        raise DocumentCodeError(problems[0])
    if problems:
        raise DocumentCodeError(_EXPECTED)
    code = DocumentCode(number, doc_type, issuer, tenure=tenure)
    if word is not None and _TYPE_WORDS[word.casefold()] != code.doc_type:
        raise DocumentCodeError(
            f"the word {word!r} means {_TYPE_WORDS[word.casefold()]} "
            f"but the code {code.canonical} is of type {code.doc_type} ({code.type_label})"
        )
    return code


def _parse_loose(text: str, tenure: int | None) -> DocumentCode | None:
    """A loose mention "<Type> No. <n> of the <issuer>": None if not shaped like one."""
    match = _LOOSE.match(text)
    if match is None:
        return None
    name = match["issuer"]
    if ordinal := _ISSUER_ORDINAL.match(name):
        name = name[ordinal.end() :]
        stated = int(ordinal["ordinal"])
        if tenure is not None and tenure != stated:
            raise DocumentCodeError(f"two different tenures, {stated} and {tenure}")
        tenure = stated
    issuer = _issuer_from_name(name)
    if issuer is None:
        described = "; ".join(f"{i.described} ({i.key})" for i in ISSUERS.values())
        raise DocumentCodeError(f"cannot tell the issuer from {name!r}; expected {described}")
    doc_type = _TYPE_WORDS[match["word"].casefold()]
    return DocumentCode(match["number"], doc_type, issuer, inferred=True, tenure=tenure)


def parse_code(text: str) -> DocumentCode:
    """Parse a Party document code, or a loose English mention of one.

    >>> parse_code("2993-QD/TU").canonical
    '2993-QĐ/TU'
    >>> parse_code("Resolution No. 5 of the Central Committee (10th tenure)")
    DocumentCode(number='5', doc_type='NQ', issuer='TW', inferred=True, tenure=10)

    Raises DocumentCodeError (a ValueError) saying what was expected.
    """
    if not isinstance(text, str):
        raise DocumentCodeError(f"expected text, got {type(text).__name__}; {_EXPECTED}")
    normalized = _normalize(text)
    if not normalized:
        raise DocumentCodeError(f"empty document code; {_EXPECTED}")
    rest, tenure = _split_tenure(normalized)
    code = _parse_printed(rest, tenure) or _parse_loose(rest, tenure)
    if code is None:
        raise DocumentCodeError(_EXPECTED)
    return code


def format_code(code: DocumentCode | str) -> str:
    """The canonical form of a code (parsing it first if given text): "2993-QĐ/TU"."""
    return (code if isinstance(code, DocumentCode) else parse_code(code)).canonical
