"""Party document codes: what type of document is 18-NQ/TW, and who issued it?"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orgkg.docid import (
    DOCUMENT_TYPES,
    ISSUERS,
    DocumentCode,
    DocumentCodeError,
    format_code,
    parse_code,
)
from orgkg.namespaces import OKG

#: The codes the articles print, with the type and issuer level a reader should get.
ARTICLE_CODES = {
    "18-NQ/TW": ("resolution", "central"),
    "29-CT/TU": ("directive", "provincial"),
    "2993-QD/TU": ("decision or regulation", "provincial"),
    "48-KL/TW": ("conclusion", "central"),
}


# --- the library -------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "labels"), ARTICLE_CODES.items())
def test_article_codes_give_type_and_issuer_level(text, labels):
    code = parse_code(text)
    assert (code.type_label, code.issuer_label) == labels
    assert not code.inferred


def test_a_code_knows_its_concepts_canonical_form_and_slug():
    code = parse_code("2993-QD/TU")
    assert (code.number, code.doc_type, code.issuer) == ("2993", "QĐ", "TU")
    assert code.type_concept == OKG.DecisionOrRegulation
    assert code.issuer_concept == OKG.IssuerProvincial
    assert code.canonical == format_code(code) == "2993-QĐ/TU"
    assert code.slug == "2993-qd-tu"
    assert code.to_dict() == {
        "code": "2993-QĐ/TU",
        "number": "2993",
        "type": "QĐ",
        "type_label": "decision or regulation",
        "type_concept": str(OKG.DecisionOrRegulation),
        "issuer": "TU",
        "issuer_label": "provincial",
        "issuer_concept": str(OKG.IssuerProvincial),
        "slug": "2993-qd-tu",
        "inferred": False,
        "tenure": None,
    }


@pytest.mark.parametrize(
    ("text", "canonical", "type_concept", "issuer_concept"),
    [
        ("12-HD/BTCTW", "12-HD/BTCTW", OKG.Guidance, OKG.IssuerCentralOrganizingCommittee),
        ("05-TB/VPTW", "05-TB/VPTW", OKG.Notice, OKG.IssuerCentralOffice),
        ("7-CV/ĐU", "7-CV/ĐU", OKG.OfficialLetter, OKG.IssuerBlocOrGrassroots),
        ("7-CV/DU", "7-CV/ĐU", OKG.OfficialLetter, OKG.IssuerBlocOrGrassroots),
        ("3-NQ/HU", "3-NQ/HU", OKG.Resolution, OKG.IssuerDistrict),
        ("35-CT/TW", "35-CT/TW", OKG.Directive, OKG.IssuerCentral),
        ("48-KL/TW", "48-KL/TW", OKG.Conclusion, OKG.IssuerCentral),
    ],
)
def test_every_type_and_issuer_maps_to_its_concept(text, canonical, type_concept, issuer_concept):
    code = parse_code(text)
    assert (code.canonical, code.type_concept, code.issuer_concept) == (
        canonical,
        type_concept,
        issuer_concept,
    )


def test_qd_and_qđ_are_the_same_code():
    assert parse_code("2993-QD/TU") == parse_code("2993-QĐ/TU") == parse_code("2993-qđ/tu")
    assert parse_code("7-CV/DU") == parse_code("7-CV/ĐU")
    assert DocumentCode("2993", "QD", "TU") == parse_code("2993-QĐ/TU")


@pytest.mark.parametrize("text", ["18 - NQ / TW", " 18-NQ/TW ", "18 -NQ/ TW", "18-nq/tw", "18\u2013NQ/TW", "18-NQ-TW"])
def test_stray_spaces_case_and_dashes_are_tolerated(text):
    assert parse_code(text) == parse_code("18-NQ/TW")


@pytest.mark.parametrize(
    ("text", "canonical", "tenure"),
    [
        ("Resolution No. 21 of the Central Committee", "21-NQ/TW", None),
        ("Directive No. 35 of the Politburo", "35-CT/TW", None),
        ("Conclusion No. 48 of the Politburo", "48-KL/TW", None),
        ("Regulation No. 2993 of the Provincial Party Committee", "2993-QĐ/TU", None),
        ("Resolution No. 5 of the Central Committee (10th tenure)", "5-NQ/TW", 10),
        ("resolution no 5 of the 10th central committee", "5-NQ/TW", 10),
        ("Guidance No. 12 of the Central Organization Commission", "12-HD/BTCTW", None),
        ("Decision No. 3 of the Provincial Agencies Bloc Party Committee", "3-QĐ/ĐU", None),
    ],
)
def test_loose_mentions_give_an_inferred_code(text, canonical, tenure):
    code = parse_code(text)
    assert (code.canonical, code.inferred, code.tenure) == (canonical, True, tenure)


def test_a_printed_code_after_its_type_word_is_not_inferred():
    assert parse_code("Resolution No. 18-NQ/TW") == parse_code("18-NQ/TW")
    assert parse_code("Nghị quyết số 18-NQ/TW") == parse_code("18-NQ/TW")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("18-XX/TW", "unknown document type 'XX'; type one of NQ (resolution)"),
        ("18-NQ/XX", "unknown issuer 'XX'; issuer one of TW (central)"),
        ("X-NQ/TW", "number 'X' is not a whole number"),
        ("NQ-18/TW", "expected <number>-<type>/<issuer> such as 18-NQ/TW"),
        ("hello", "expected <number>-<type>/<issuer> such as 18-NQ/TW"),
        ("", "empty document code"),
        ("Directive No. 18-NQ/TW", "the word 'Directive' means CT"),
        ("Resolution No. 21 of the People's Council", "cannot tell the issuer"),
    ],
)
def test_bad_codes_say_what_was_expected(text, message):
    with pytest.raises(DocumentCodeError) as caught:
        parse_code(text)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_the_general_message_lists_every_type_and_issuer():
    with pytest.raises(DocumentCodeError) as caught:
        parse_code("not a code")
    message = str(caught.value)
    assert all(key in message for key in (*DOCUMENT_TYPES, *ISSUERS))


@given(
    number=st.integers(1, 99999).map(str),
    doc_type=st.sampled_from(sorted(DOCUMENT_TYPES)),
    issuer=st.sampled_from(sorted(ISSUERS)),
)
def test_canonical_codes_round_trip(number, doc_type, issuer):
    text = f"{number}-{doc_type}/{issuer}"
    assert format_code(parse_code(text)) == text


@given(st.text())
def test_any_text_parses_or_raises_document_code_error(text):
    try:
        code = parse_code(text)
    except DocumentCodeError:
        return
    assert isinstance(code, DocumentCode)


# --- the command ---------------------------------------------------------------------------


def test_docid_prints_type_and_issuer_level_of_the_article_codes(cli):
    result = cli("docid", *ARTICLE_CODES)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split("  ")[0] for line in lines] == [
        "18-NQ/TW",
        "29-CT/TU",
        "2993-QĐ/TU",
        "48-KL/TW",
    ]
    for line, (type_label, issuer_label) in zip(lines, ARTICLE_CODES.values()):
        assert [cell.strip() for cell in line.split("  ") if cell.strip()][1:] == [
            type_label,
            issuer_label,
        ]
    assert len({line.index(label) for line, (label, _) in zip(lines, ARTICLE_CODES.values())}) == 1


def test_docid_json_lists_one_object_per_code(cli):
    result = cli("docid", *ARTICLE_CODES, "Resolution No. 5 of the Central Committee (10th tenure)", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(d["code"], d["type_label"], d["issuer_label"]) for d in data[:4]] == [
        (parse_code(code).canonical, *labels) for code, labels in ARTICLE_CODES.items()
    ]
    assert data[4]["code"] == "5-NQ/TW"
    assert data[4]["inferred"] is True and data[4]["tenure"] == 10


def test_docid_marks_inferred_codes(cli):
    result = cli("docid", "Directive No. 35 of the Politburo")
    assert result.exit_code == 0
    assert result.stdout.split() == ["35-CT/TW", "directive", "central", "inferred"]


def test_docid_reports_bad_codes_prints_good_ones_and_exits_1(cli):
    result = cli("docid", "18-NQ/TW", "18-XX/TW", "junk")
    assert result.exit_code == 1
    assert result.stdout.split() == ["18-NQ/TW", "resolution", "central"]
    errors = result.stderr.splitlines()
    assert errors[0].startswith("orgkg: cannot parse '18-XX/TW': unknown document type 'XX'")
    assert errors[1].startswith("orgkg: cannot parse 'junk': expected <number>-<type>/<issuer> such as 18-NQ/TW")


def test_docid_help_has_an_example(cli):
    result = cli("docid", "--help")
    assert result.exit_code == 0
    assert "Example:\n    orgkg docid 18-NQ/TW" in result.output
