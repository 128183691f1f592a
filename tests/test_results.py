"""Every output format carries the same rows."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest

from orgkg.errors import OrgkgError
from orgkg.results import Results, render

XSD = "http://www.w3.org/2001/XMLSchema#"
RESULTS = Results(
    variables=["org", "label", "count"],
    rows=[
        [
            ox.NamedNode("https://w3id.org/orgkg/id/org-a"),
            ox.Literal('Cao Bằng, "quoted"', language="en"),
            ox.Literal("10", datatype=ox.NamedNode(XSD + "integer")),
        ],
        [ox.NamedNode("https://w3id.org/orgkg/id/org-b"), ox.Literal("pipe | tab\there"), None],
    ],
)


def test_csv_tsv_json_xml_md_agree_on_rows():
    rows_csv = list(csv.reader(io.StringIO(render(RESULTS, "csv"))))
    assert rows_csv[0] == ["org", "label", "count"]
    assert rows_csv[1] == ["https://w3id.org/orgkg/id/org-a", 'Cao Bằng, "quoted"', "10"]
    assert rows_csv[2][2] == ""

    tsv = render(RESULTS, "tsv").splitlines()
    assert tsv[0] == "?org\t?label\t?count"
    assert tsv[1].split("\t")[2] == '"10"^^<http://www.w3.org/2001/XMLSchema#integer>'

    document = json.loads(render(RESULTS, "json"))
    assert document["head"]["vars"] == ["org", "label", "count"]
    first, second = document["results"]["bindings"]
    assert first["label"] == {"type": "literal", "value": 'Cao Bằng, "quoted"', "xml:lang": "en"}
    assert "count" not in second

    tree = ET.fromstring(render(RESULTS, "xml"))
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert len(tree.findall("r:results/r:result", ns)) == 2

    markdown = render(RESULTS, "md").splitlines()
    assert len(markdown) == 4 and "pipe \\| tab" in markdown[3]


def test_table_fits_the_width_and_counts_rows():
    table = render(RESULTS, "table", width=60)
    assert all(len(line) <= 60 for line in table.splitlines())
    assert table.endswith("(2 rows)")


def test_graph_formats_are_refused_for_select_results():
    with pytest.raises(OrgkgError, match="SELECT/ASK") as refused:
        render(RESULTS, "turtle")
    assert refused.value.option == "output_format"  # the CLI names --format


def test_a_construct_result_in_a_table_format_is_a_one_line_error_naming_format(cli, cache):
    refused = cli("sparql", "-e", "CONSTRUCT WHERE { ?s a ?o } LIMIT 1", "--format", "csv", cache=cache)
    assert refused.exit_code == 2
    assert refused.stderr.strip() == (
        "orgkg: a CONSTRUCT/DESCRIBE result is written as turtle, nt, jsonld, not csv (see --format)"
    )


def test_ask_results():
    assert json.loads(render(Results(boolean=True), "json")) == {"head": {}, "boolean": True}


def test_numbers_are_written_in_canonical_form_whatever_the_engine_wrote():
    decimal, integer = ox.NamedNode(XSD + "decimal"), ox.NamedNode(XSD + "integer")
    results = Results(
        variables=["a", "b", "c"],
        rows=[
            [
                ox.Literal("600.0", datatype=decimal),
                ox.Literal("+007", datatype=integer),
                ox.Literal("27.20", datatype=decimal),
            ]
        ],
    )
    assert render(results, "csv").splitlines()[1] == "600,7,27.2"


def test_list_cells_are_sorted_whatever_order_the_engine_joined_them():
    from orgkg.results import LIST_SEPARATOR

    joined = ox.Literal(LIST_SEPARATOR.join(["19-NQ/TW", "18-NQ/TW"]))
    tagged = ox.Literal("b | a", language="en")  # a language-tagged text is prose, not a list
    rows = Results(variables=["bases", "text"], rows=[[joined, tagged]]).rows
    assert rows == [[ox.Literal("18-NQ/TW | 19-NQ/TW"), tagged]]


def test_booleans_are_written_in_canonical_form():
    boolean = ox.NamedNode(XSD + "boolean")
    results = Results(
        variables=["a", "b"], rows=[[ox.Literal("1", datatype=boolean), ox.Literal("0", datatype=boolean)]]
    )
    assert render(results, "csv").splitlines()[1] == "true,false"


def test_a_table_too_wide_to_read_becomes_one_record_per_row():
    """Issue 19 item 8: eleven columns squeezed into a terminal are unreadable; records are not."""
    names = [f"column{i}" for i in range(11)]
    wide = Results(
        variables=names,
        rows=[[ox.Literal(f"value {i} " + "word " * 12) for i in range(11)] for _ in range(2)],
    )
    text = render(wide, "table", width=80)
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert [line for line in lines if line.startswith("-[ row ")] == [
        "-[ row 1 ]" + "-" * 70,
        "-[ row 2 ]" + "-" * 70,
    ]
    assert lines[1].startswith("column0   value 0 word") and text.endswith("(2 rows)")
    # every value is there, whole, once per row
    assert sum(line.split()[0] == "column10" for line in lines if line and not line.startswith(" ")) == 2
    # a table that fits stays a table
    assert not render(RESULTS, "table", width=100).startswith("-[ row")
