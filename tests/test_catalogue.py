"""The saved-query catalogue: headers, parameters bound as RDF terms, and the commands."""

from __future__ import annotations

import json
import re

import pytest

from orgkg.catalogue import QueryError, catalogue_listing, find_query, load_catalogue
from orgkg.namespaces import QUERIES_DIR

HOSTILE = "\" } ; DROP ALL ; # \n SELECT * WHERE { ?s ?p ?o } <x> \\ '''"


@pytest.fixture(scope="module")
def catalogue(root):
    return load_catalogue(root / QUERIES_DIR)


def test_catalogue_has_at_least_25_documented_queries(catalogue):
    assert len(catalogue) >= 25
    for query in catalogue.values():
        assert query.summary and query.tags, query.name
        for param in query.params:
            assert param.default is not None and param.description, (query.name, param.name)


def test_every_iri_default_in_the_text_names_a_node_of_the_kind_its_parameter_expects(catalogue, root, tmp_path):
    from orgkg.names import Resolver
    from orgkg.store import EmbeddedStore

    resolver = Resolver(EmbeddedStore(root, tmp_path))
    for query in catalogue.values():
        for param in (p for p in query.params if p.type == "iri"):
            for value in param.default if param.list else [param.default]:
                assert resolver.resolve(value, param.expects) == value, (query.name, param.name)


def test_a_default_in_the_header_or_a_parameter_without_values_block_is_refused_with_the_fix(tmp_path):
    header = "#+ summary: s\n#+ params:\n#+   - name: x\n#+     type: string\n"
    (tmp_path / "in-header.rq").write_text(header + "#+     default: a\nSELECT * WHERE { VALUES ?x { 'a' } }\n")
    with pytest.raises(QueryError, match="write it in the query text instead, as VALUES"):
        find_query(tmp_path, "in-header")
    (tmp_path / "no-block.rq").write_text(header + "SELECT * WHERE { ?s ?p ?x }\n")
    with pytest.raises(QueryError, match="needs a VALUES"):
        find_query(tmp_path, "no-block")
    (tmp_path / "two-blocks.rq").write_text(header + "SELECT * WHERE { VALUES ?x { 'a' } VALUES ?x { 'b' } }\n")
    with pytest.raises(QueryError, match="hold different defaults"):
        find_query(tmp_path, "two-blocks")
    (tmp_path / "undef.rq").write_text(header + "SELECT * WHERE { VALUES ?x { UNDEF } }\n")
    with pytest.raises(QueryError, match="needs one default value"):
        find_query(tmp_path, "undef")  # UNDEF, every value, is for list parameters


def test_a_parameter_bound_in_several_sub_selects_fills_every_block_and_undef_means_every_value(tmp_path):
    header = "#+ summary: s\n#+ params:\n#+   - name: x\n#+     type: string\n#+     list: true\n"
    text = "SELECT * WHERE { { SELECT ?x WHERE { VALUES ?x { UNDEF } } } { SELECT ?x WHERE { VALUES ?x {UNDEF} } } }\n"
    (tmp_path / "both.rq").write_text(header + text)
    query = find_query(tmp_path, "both")
    assert query.params[0].default == [] and "default every value" in query.parameter_help()
    assert query.bind({}) == query.sparql
    bound = query.bind({"x": ["a,b"]})
    assert bound.count('VALUES ?x { "a" "b" }') == 2 and "UNDEF" not in bound


def test_a_given_value_replaces_the_default_where_it_stands_and_defaults_leave_the_text_as_it_is(catalogue):
    query = catalogue["lineage"]
    assert query.bind({}) == query.sparql
    bound = query.bind({"organization": ["kg:org-politburo"]})
    assert bound == query.sparql.replace(
        "VALUES ?organization { kg:org-cao-bang-newspaper }",
        "VALUES ?organization { <https://w3id.org/orgkg/id/org-politburo> }",
    )


def test_parameter_values_are_data_never_query_text(catalogue):
    query = catalogue["search-label"]
    bound = query.bind({"text": [HOSTILE]})
    assert "DROP ALL" in bound  # present only inside an escaped string literal
    assert bound.count("VALUES ?text {") == 1
    from pyoxigraph import Store

    assert list(Store().query(bound)) == []  # still one well-formed query


def test_hostile_value_runs_as_plain_data_end_to_end(cli, root, tmp_path):
    result = cli("query", "run", "search-label", "--param", f"text={HOSTILE}", "--format", "json", cache=tmp_path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["results"]["bindings"] == []


@pytest.mark.parametrize("value", ["https://example.org/a>b", "not an iri", "https://x.org/{a}"])
def test_iri_parameter_rejects_what_is_not_an_iri(catalogue, value):
    with pytest.raises(QueryError, match="is not an absolute IRI"):
        catalogue["lineage"].bind({"organization": [value]})


def test_typed_parameters_reject_ill_typed_values(catalogue):
    with pytest.raises(QueryError, match="is not a date"):
        catalogue["events-in-window"].bind({"from": ["15/09/2025"]})


def test_list_parameter_accepts_repeats_and_comma_lists(catalogue):
    query = catalogue["documents-by-type"]
    a = "https://w3id.org/orgkg/ontology#Resolution"
    b = "https://w3id.org/orgkg/ontology#Directive"
    assert query.bind({"documentType": [a, b]}) == query.bind({"documentType": [f"{a},{b}"]})
    assert f"VALUES ?documentType {{ <{a}> <{b}> }}" in query.bind({"documentType": [a, b]})


def test_unknown_parameter_exits_2_listing_the_parameters(cli, root, tmp_path):
    result = cli("query", "run", "lineage", "--param", "org=x", cache=tmp_path)
    assert result.exit_code == 2
    assert "unknown parameter org for lineage; its parameters: organization (iri" in result.output


def test_unknown_query_suggests_close_names(cli, root):
    result = cli("query", "show", "lineag")
    assert result.exit_code == 2
    assert "did you mean lineage" in result.output


def test_query_list_json_gives_parameters_with_types_and_defaults(cli, root):
    result = cli("query", "list", "--format", "json")
    assert result.exit_code == 0
    listed = {q["name"]: q for q in json.loads(result.output)}
    assert listed["lineage"]["params"][0]["type"] == "iri"
    assert listed["lineage"]["params"][0]["default"].startswith("https://w3id.org/orgkg/id/")


def test_query_list_csv_is_sparql_csv_as_every_csv_orgkg_writes(root):
    # (click's test runner turns \r\n into \n, so the library's text is read)
    lines = catalogue_listing(load_catalogue(root / QUERIES_DIR), "csv").split("\r\n")
    assert lines[0] == "name,summary,parameters" and lines[-1] == ""
    assert len(lines) - 2 == len(load_catalogue(root / QUERIES_DIR)) and "\n" not in "".join(lines)


def test_query_show_prints_description_parameters_and_sparql(cli, root):
    result = cli("query", "show", "lineage")
    assert result.exit_code == 0
    assert "Parameters: organization (iri" in result.output and "okg:predecessor" in result.output


def test_updates_are_refused_locally(cli, root, tmp_path):
    update = tmp_path / "drop.rq"
    update.write_text("DROP ALL")
    for engine in ("oxigraph", "rdflib"):
        result = cli("sparql", str(update), "--engine", engine, cache=tmp_path)
        assert result.exit_code == 2, result.output
        assert "local queries are read-only" in result.output


def test_malformed_ad_hoc_query_is_a_usage_error(cli, root, tmp_path):
    broken = tmp_path / "broken.rq"
    broken.write_text("SELECT * WHERE { ?s ?p }")
    result = cli("sparql", str(broken), cache=tmp_path)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_a_cached_header_gives_the_same_query(catalogue, root, tmp_path):
    for name, query in catalogue.items():
        assert find_query(root / QUERIES_DIR, name, cache=tmp_path) == query  # parsed, then kept
        assert find_query(root / QUERIES_DIR, name, cache=tmp_path) == query  # read back
    kept = list((tmp_path / "headers").glob("*.literal"))
    assert len(kept) == len(catalogue)
    for damaged, text in zip(kept, ["{'summary': 'cut sh", "__import__('os')", "", "{'summary': }"]):
        damaged.write_text(text)  # read as absent: the header parsed again and kept anew
    for name, query in catalogue.items():
        assert find_query(root / QUERIES_DIR, name, cache=tmp_path) == query
    assert all(eval(path.read_text(), {"__builtins__": {}}) for path in kept)  # noqa: S307 (the test's own files)


def test_a_header_whose_values_are_not_literals_is_parsed_each_time_not_kept(tmp_path):
    from orgkg.catalogue import parse_query_file

    query = tmp_path / "dated.rq"
    query.write_text("#+ summary: dated\n#+ since: 2024-01-01\nSELECT * WHERE { ?s ?p ?o }\n")
    assert parse_query_file(query, tmp_path / "cache").summary == "dated"
    assert parse_query_file(query, tmp_path / "cache").summary == "dated"
    assert not list((tmp_path / "cache" / "headers").glob("*"))


def test_find_query_names_the_catalogue(root):
    with pytest.raises(QueryError, match="no saved query named 'nothing'"):
        find_query(root / QUERIES_DIR, "nothing")


def test_a_list_parameter_of_only_commas_is_refused_not_empty(catalogue):
    with pytest.raises(QueryError, match="needs at least one value"):
        catalogue["documents-by-type"].bind({"documentType": [",,,"]})


def test_a_5000_digit_integer_is_refused_in_one_line():
    from orgkg.catalogue import Parameter, to_term

    with pytest.raises(QueryError, match="at most 30 digits"):
        to_term(Parameter(name="n", type="integer", default=None, description="", list=False), "9" * 5000)


def test_a_wrong_orgkg_root_is_named_as_such(cli, tmp_path):
    result = cli("query", "run", "mergers", root=tmp_path / "nonexistent")
    assert result.exit_code == 2
    assert f"{tmp_path / 'nonexistent'} is not an orgkg repository" in result.output
    assert "point it at one (see --root)" in result.output


def test_catalogue_as_rdf_runs_every_query_from_the_rdf(cli, root, catalogue, tmp_path):
    """`query list --format turtle` in sparql-examples' vocabulary; each sh:select/sh:ask/...
    text read back from the RDF gives the same CSV as `query run` with the defaults."""
    import pyoxigraph as ox

    from orgkg.results import render
    from orgkg.store import EmbeddedStore

    result = cli("query", "list", "--format", "turtle")
    assert result.exit_code == 0, result.output
    graph = ox.Store()
    graph.load(result.output.encode("utf-8"), format=ox.RdfFormat.TURTLE)
    described = graph.query("""
        PREFIX sh: <http://www.w3.org/ns/shacl#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX schema: <http://schema.org/>
        SELECT ?name ?comment ?text (GROUP_CONCAT(?keyword; separator=",") AS ?keywords) WHERE {
          ?query a sh:SPARQLExecutable ; rdfs:label ?name ; rdfs:comment ?comment ;
                 sh:select|sh:ask|sh:construct|sh:describe ?text ; schema:keywords ?keyword }
        GROUP BY ?name ?comment ?text""")
    rows = {row["name"].value: row for row in described}
    assert set(rows) == set(catalogue)
    store = EmbeddedStore(root, cache=tmp_path)
    for name, query in catalogue.items():
        row = rows[name]
        assert row["comment"].value == query.summary
        assert sorted(row["keywords"].value.split(",")) == sorted(query.tags)
        from_rdf = render(store.query(row["text"].value), "csv")
        assert from_rdf == render(store.query(query.bind({})), "csv"), name


def test_catalogue_as_rdf_has_target_prefixes_and_typed_parameters_with_defaults(cli, catalogue):
    """The parts sparql-examples and SHACL's parameter vocabulary give a query: schema:target,
    sh:prefixes declaring every prefix the texts use, and each parameter's name, description,
    type, default and cardinality."""
    import pyoxigraph as ox

    result = cli("query", "list", "--format", "turtle", "--target", "https://example.org/sparql")
    assert result.exit_code == 0, result.output
    graph = ox.Store()
    graph.load(result.output.encode("utf-8"), format=ox.RdfFormat.TURTLE)
    prologue = (
        "PREFIX sh: <http://www.w3.org/ns/shacl#> PREFIX schema: <http://schema.org/> "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    )
    targets = graph.query(
        prologue + "SELECT ?name ?target ?declared WHERE { ?q rdfs:label ?name ; schema:target ?target ; "
        "sh:prefixes ?p . { SELECT ?p (GROUP_CONCAT(?prefix) AS ?declared) "
        "WHERE { ?p sh:declare/sh:prefix ?prefix } GROUP BY ?p } }"
    )
    rows = {row["name"].value: row for row in targets}
    assert set(rows) == set(catalogue)
    for name, query in catalogue.items():
        assert rows[name]["target"].value == "https://example.org/sparql"
        used = set(re.findall(r"(?m)^PREFIX\s+(\w+):", query.sparql))
        assert used <= set(rows[name]["declared"].value.split()), name
    parameters = graph.query(
        prologue
        + """
        SELECT ?query ?name ?description ?kind ?max (GROUP_CONCAT(STR(?default); separator=",") AS ?defaults) WHERE {
          ?q rdfs:label ?query ; sh:parameter ?p . ?p sh:name ?name ; sh:description ?description .
          OPTIONAL { ?p sh:defaultValue ?default } OPTIONAL { ?p sh:datatype|sh:nodeKind ?kind } OPTIONAL { ?p sh:maxCount ?max }
        } GROUP BY ?query ?name ?description ?kind ?max"""
    )
    found = {(row["query"].value, row["name"].value): row for row in parameters}
    kinds = {
        "iri": "http://www.w3.org/ns/shacl#IRI",
        "date": "http://www.w3.org/2001/XMLSchema#date",
        "string": "http://www.w3.org/2001/XMLSchema#string",
        "integer": "http://www.w3.org/2001/XMLSchema#integer",
    }
    expected = {(q.name, p.name) for q in catalogue.values() for p in q.params}
    assert set(found) == expected and expected
    for query in catalogue.values():
        for param in query.params:
            row = found[(query.name, param.name)]
            assert row["description"].value == param.description
            assert row["kind"].value == kinds[param.type]
            defaults = sorted(filter(None, row["defaults"].value.split(",") if row["defaults"] else []))
            assert defaults == sorted(param.default if param.list else [param.default])  # none for UNDEF
            assert (row["max"] is None) == param.list


def test_a_run_resolving_names_checks_freshness_and_opens_the_store_once(root, tmp_path, monkeypatch):
    """Issue 21: a name given for a parameter is resolved on the same opening of the store as the
    query itself (each query alone would check every file and open RocksDB again)."""
    from orgkg.catalogue import describe_node, run_saved_query
    from orgkg.store import EmbeddedStore

    store = EmbeddedStore(root, tmp_path)
    store.build()
    opened = []
    open_read_only = EmbeddedStore.open_read_only
    monkeypatch.setattr(EmbeddedStore, "open_read_only", lambda self: opened.append(1) or open_read_only(self))
    rows = run_saved_query(root, store, "lineage", {"organization": ["cao bang newspaper"]}).rows
    assert rows and len(opened) == 1
    assert describe_node(root, store, "Cao Bang Newspaper").rows and len(opened) == 2
