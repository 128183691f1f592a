"""The one reader of SPARQL text, on its own: the query form, the prologue's prefixes, two
readings of `\\u` escapes, and VALUES blocks found, replaced and inserted without touching the
rest of the text. (test_guards and test_adhoc check the tokenizer against hostile text.)"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from orgkg.sparql_text import (
    SparqlTextError,
    declared_prefixes,
    insert_values,
    query_form,
    query_kind,
    readings,
    replace_values,
    values_blocks,
    with_limit,
    with_prefixes,
)


@pytest.mark.parametrize(
    ("text", "form", "kind"),
    [
        ("PREFIX a: <x:> BASE <http://b/> ask {}", "ASK", "ASK"),
        ("# a comment only", None, "SELECT"),
        ("DROP ALL", "DROP", "SELECT"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT", "CONSTRUCT"),
    ],
)
def test_the_query_form_is_the_first_keyword_after_the_prologue(text, form, kind):
    assert query_form(text) == form
    assert query_kind(text) == kind


def test_prefixes_the_query_declares_win_over_those_predeclared():
    assert declared_prefixes("PREFIX : <a:> PREFIX ex: <b:> SELECT * {}") == {"", "ex"}
    text = "PREFIX kg: <y:> SELECT * {}"
    assert with_prefixes(text, {"kg": "http://k/", "okg": "http://o/"}) == "PREFIX okg: <http://o/>\n" + text


def test_a_code_point_escape_gives_the_text_as_rdflib_reads_it_too():
    assert readings('"\\u0041"') == ['"\\u0041"', '"A"']
    assert readings('"A"') == ['"A"']


def test_every_values_block_of_a_variable_is_replaced_and_nothing_else():
    text = "SELECT * WHERE { VALUES ?x { 1 } { SELECT ?y WHERE { VALUES ?x { 1 } ?y ?p 1 } } }"
    assert len(values_blocks(text)["x"]) == 2
    replaced = replace_values(text, {"x": [ox.Literal("a"), ox.NamedNode("http://e/b")]})
    assert replaced == (
        'SELECT * WHERE { VALUES ?x { "a" <http://e/b> } '
        '{ SELECT ?y WHERE { VALUES ?x { "a" <http://e/b> } ?y ?p 1 } } }'
    )


def test_values_go_at_the_head_of_the_where_group():
    inserted = insert_values("SELECT * WHERE { ?s ?p ?o }", [("s", [ox.NamedNode("http://e/a")])])
    assert inserted == "SELECT * WHERE {\n  VALUES ?s { <http://e/a> } ?s ?p ?o }"
    with pytest.raises(SparqlTextError, match="WHERE"):
        insert_values("CONSTRUCT { ?s ?p ?o }", [("s", [ox.NamedNode("http://e/a")])])


DATA = "PREFIX ex: <http://example.org/> " + " ".join(f"ex:s{n} ex:p {n} ." for n in range(5))


@pytest.mark.parametrize(
    ("query", "rows"),
    [
        ("SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o # a comment at the end", 3),
        ("SELECT ?o WHERE { { SELECT ?o WHERE { ?s ?p ?o } LIMIT 4 } }", 3),  # a sub-select's own LIMIT
        ("SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o LIMIT 2", 2),  # the query's own LIMIT stays
        ("SELECT ?o WHERE { ?s ?p ?o } VALUES ?o { 1 2 3 4 }", 3),  # before a trailing VALUES clause
        ("ASK { ?s ?p ?o }", None),
    ],
)
def test_with_limit_caps_what_a_select_query_gives(query, rows):
    store = ox.Store()
    store.load(DATA.encode(), ox.RdfFormat.TURTLE)
    limited = with_limit(query, 3)
    answer = store.query(limited)
    if rows is None:
        assert limited == query and bool(answer)
    else:
        assert len(list(answer)) == rows
