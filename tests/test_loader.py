"""`orgkg load` against real servers: graphs replaced or appended, counts checked, large graphs
in several requests, and faults (killed server, HTTP 500, slow answers, wrong credentials) that
leave the store as it was, with a clear message and a non-zero exit."""

from __future__ import annotations

import re
import time
from decimal import Decimal
from urllib.parse import unquote_plus

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph, Literal, URIRef

from orgkg.load_lock import LOCK_GRAPH
from orgkg.load_record import RECORD_GRAPH
from orgkg.loader import TEMPORARY_BASE, swap_deadline
from orgkg.namespaces import GRAPH_BASE
from orgkg.repository import graph_iri
from orgkg.serving import free_port
from orgkg.store import EmbeddedStore
from orgkg.triplestore import RemoteStore
from orgkg.uploads import Upload, graph_bodies, prepare

from .cli import run_cli
from .conftest import copy_repository
from .servers import VIRTUOSO_USER, FaultProxy, OxigraphServer, put_graph

#: Real servers, a browser, Jena, many processes or a site build: `make check` leaves these out.
pytestmark = pytest.mark.slow

ARTICLE = "https://w3id.org/orgkg/graph/articles/nghe-an-2024"
OTHER = "http://example.org/someone-elses-graph"
NUMBERS = tuple(
    URIRef(f"http://www.w3.org/2001/XMLSchema#{name}") for name in ("decimal", "integer", "double", "float")
)
OLD = '<http://example.org/old> <http://example.org/says> "old content" .\n'
#: Upload aside and swap, as a load too large for one request does (the seed graph is small).
SWAP = ("--one-request-limit", "0")


def load(root, url: str, *options: str, env: dict | None = None):
    return run_cli("load", url, *options, root=root, env=env)


def select(query_url: str, sparql: str) -> list[dict]:
    response = requests.post(
        query_url, data={"query": sparql}, headers={"Accept": "application/sparql-results+json"}, timeout=30
    )
    response.raise_for_status()
    return response.json()["results"]["bindings"]


def graph_counts(query_url: str) -> dict[str, int]:
    """Triples per graph, the load record's graph left out (its own tests read it)."""
    rows = select(query_url, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row["g"]["value"]: int(row["n"]["value"]) for row in rows if row["g"]["value"] != RECORD_GRAPH}


def load_record(query_url: str) -> dict[str, str]:
    rows = select(query_url, f"SELECT ?g ?d WHERE {{ GRAPH <{RECORD_GRAPH}> {{ ?g ?p ?d }} }}")
    return {row["g"]["value"]: row["d"]["value"] for row in rows}


def sent_graphs(proxy) -> set[str]:
    """The graphs a load sent through the proxy: PUT or POSTed to, or inserted by SPARQL Update."""
    sent = {unquote_plus(r.path).split("graph=")[1] for r in proxy.requests if r.method == "PUT"}
    for request in proxy.requests:
        sent |= set(re.findall(r"INSERT DATA \{ GRAPH <([^>]+)>", request.text))
        sent |= set(re.findall(r"MOVE GRAPH <[^>]+> TO GRAPH <([^>]+)>", request.text))
    sent -= {RECORD_GRAPH, LOCK_GRAPH}
    return {
        GRAPH_BASE + g.removeprefix(TEMPORARY_BASE).split("/", 1)[1] if g.startswith(TEMPORARY_BASE) else g
        for g in sent
    }


@pytest.fixture(scope="module")
def local(kg_dataset) -> dict[str, Graph]:
    """The repository's graphs by IRI, as rdflib reads the files."""
    return {
        str(graph.identifier): graph for graph in kg_dataset.graphs() if str(graph.identifier).startswith(GRAPH_BASE)
    }


@pytest.fixture
def old_store(oxigraph, local):
    """An Oxigraph server holding an older version: one triple in each of our graphs, and
    someone else's graph that a load must not touch."""
    for graph in [*local, OTHER]:
        put_graph(oxigraph.url, graph, OLD)
    return oxigraph


def assert_unchanged(server, local) -> None:
    assert graph_counts(server.query_url) == {graph: 1 for graph in [*local, OTHER]}


def test_dry_run_lists_every_graph_and_sends_nothing(root, local, oxigraph):
    with FaultProxy(oxigraph.url) as proxy:
        result = load(root, proxy.url, "--dry-run")
    assert result.exit_code == 0, result.output
    for graph, triples in local.items():
        assert re.search(rf"^{re.escape(graph)}\s+{len(triples)}\s+1$", result.stdout, re.MULTILINE)
    assert f"{len(local)} graphs, {sum(map(len, local.values()))} triples would be loaded" in result.stderr
    assert proxy.requests == []


def test_load_replaces_our_graphs_and_checks_their_counts(root, local, old_store):
    result = load(root, old_store.url)
    assert result.exit_code == 0, result.output
    expected = {graph: len(triples) for graph, triples in local.items()}
    assert graph_counts(old_store.query_url) == {**expected, OTHER: 1}
    for graph, triples in expected.items():
        assert re.search(rf"^{re.escape(graph)}\s+{triples}\s+{triples}\s+ok$", result.stdout, re.MULTILINE)
    assert select(old_store.query_url, 'SELECT ?g WHERE { GRAPH ?g { ?s ?p "old content" } }') == [
        {"g": {"type": "uri", "value": OTHER}}
    ]
    again = load(root, old_store.url)  # PUT replaces: loading twice is loading once
    assert again.exit_code == 0 and graph_counts(old_store.query_url) == {**expected, OTHER: 1}


@pytest.mark.parametrize("how", ["one request", "swap", "per graph", "first load"])
def test_a_file_without_triples_leaves_no_graph_in_the_store(repo, oxigraph, how):
    """Not even an empty named graph: a graph whose file now holds no triples is dropped, however
    the load goes, and a first load does not make it."""
    emptied = next((repo / "graph").rglob("*.ttl"))
    emptied.write_text("# nothing here any more\n", encoding="utf-8")
    iri = graph_iri(emptied, repo)
    if how != "first load":
        put_graph(oxigraph.url, iri, OLD)
    put_graph(oxigraph.url, OTHER, OLD)
    options = {"swap": SWAP, "per graph": ("--per-graph",)}.get(how, ())
    result = load(repo, oxigraph.url, *options)
    assert result.exit_code == 0, result.output
    named = {row["g"]["value"] for row in select(oxigraph.query_url, "SELECT ?g WHERE { GRAPH ?g { } }")}
    assert iri not in named and OTHER in named
    assert re.search(rf"^{re.escape(iri)}\s+0\s+0\s+ok$", result.stdout, re.MULTILINE), result.stdout


@pytest.mark.parametrize("how", [(), SWAP], ids=["one request", "temporary graphs added over"])
def test_append_adds_to_the_graphs_already_there(root, local, old_store, how):
    result = load(root, old_store.url, "--append", *how)
    assert result.exit_code == 0, result.output
    assert graph_counts(old_store.query_url) == {**{g: len(t) + 1 for g, t in local.items()}, OTHER: 1}
    assert "triples added to" in result.stderr


def test_large_graphs_go_in_several_requests_with_blank_nodes_kept_whole(root, local, oxigraph, tmp_path):
    with FaultProxy(oxigraph.url) as proxy:
        result = load(root, proxy.url, *SWAP, "--chunk-size", "100")
    assert result.exit_code == 0, result.output
    uploads = [r for r in proxy.requests if r.method in ("PUT", "POST") and "/store" in r.path]
    embedded = EmbeddedStore(root, tmp_path / "cache")
    with embedded.reading() as store:
        bodies = [body for upload in prepare(store, embedded.graph_triples(), 100) for body in upload.bodies()]
    assert len(uploads) == len(bodies) > 2 * len(local)
    assert max(body.count(b"\n") for body in bodies) <= 110
    for graph, triples in local.items():
        stored = Graph().parse(
            data=requests.get(
                oxigraph.url + "/store",
                params={"graph": graph},
                headers={"Accept": "application/n-triples"},
                timeout=10,
            ).text,
            format="nt",
        )
        assert canonical(stored) == canonical(triples), graph


def canonical(graph: Graph) -> set[str]:
    """The graph with blank nodes canonically relabelled (pyoxigraph's RDF canonicalization,
    much faster than rdflib's) and numbers by value: stores write the decimal 600.0 as 600."""

    def by_value(term):
        if isinstance(term, Literal) and term.datatype in NUMBERS:
            return Literal(format(Decimal(str(term)).normalize(), "f"), datatype=term.datatype)
        return term

    text = "".join(" ".join(by_value(term).n3() for term in triple) + " .\n" for triple in graph)
    dataset = ox.Dataset(
        ox.Quad(t.subject, t.predicate, t.object) for t in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)
    )
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return {str(quad) for quad in dataset}


def test_a_blank_node_chain_stays_in_one_body():
    store, graph = ox.Store(), ox.NamedNode("http://example.org/g")
    a, b = ox.BlankNode(), ox.BlankNode()
    p = ox.NamedNode("http://example.org/p")
    store.extend(
        [
            ox.Quad(ox.NamedNode("http://example.org/s"), p, a, graph),
            ox.Quad(a, p, b, graph),
            ox.Quad(b, p, ox.Literal("x"), graph),
            ox.Quad(ox.NamedNode("http://example.org/t"), p, ox.Literal("y"), graph),
        ]
    )
    bodies = list(graph_bodies(store, graph, 1))
    assert sorted(body.count(b"\n") for body in bodies) == [1, 3]


def test_the_graph_gsp_dialect_replaces_in_place(root, local, old_store):
    result = load(root, old_store.url + "/store", "--dialect", "gsp")
    assert result.exit_code == 0, result.output
    assert graph_counts(old_store.query_url) == {**{g: len(t) for g, t in local.items()}, OTHER: 1}


def test_a_count_that_differs_after_loading_exits_1(root, local, oxigraph):
    def another_writer(request):
        # Someone adds a triple to the article graph just before the graphs are counted.
        if request.method == "POST" and "COUNT" in request.text and "GROUP" in request.text:
            return lambda: requests.post(
                oxigraph.url + "/store",
                params={"graph": ARTICLE},
                data=OLD.encode(),
                headers={"Content-Type": "application/n-triples"},
                timeout=10,
            )
        return None

    with FaultProxy(oxigraph.url, another_writer) as proxy:
        result = load(root, proxy.url)
    assert result.exit_code == 1
    assert re.search(
        rf"^{re.escape(ARTICLE)}\s+{len(local[ARTICLE])}\s+{len(local[ARTICLE]) + 1}\s+MISMATCH$",
        result.stdout,
        re.MULTILINE,
    )
    assert f"triple count differs from the local one for <{ARTICLE}>" in result.stderr


# Faults. Every one: a one-line message, a non-zero exit, the store's graphs as they were.


def test_one_http_500_is_retried(root, local, old_store):
    failed = []

    def once(request):
        if request.method == "PUT" and not failed:
            failed.append(request)
            return "fail"
        return None

    with FaultProxy(old_store.url, once) as proxy:
        result = load(root, proxy.url, *SWAP)
    assert result.exit_code == 0, result.output
    assert "answered HTTP 500: injected failure; retrying in 0.5 s" in result.stderr
    assert graph_counts(old_store.query_url) == {**{g: len(t) for g, t in local.items()}, OTHER: 1}


def test_http_500_on_every_attempt_leaves_the_store_as_it_was(root, local, old_store):
    # Temporary graphs are TEMPORARY_BASE + the load's token + the graph's path.
    article_upload = re.compile(rf"graph={re.escape(TEMPORARY_BASE)}[0-9a-f]{{32}}/articles/nghe-an-2024")

    def broken(request):
        return "fail" if request.method == "PUT" and article_upload.search(request.text) else None

    with FaultProxy(old_store.url, broken) as proxy:
        result = load(root, proxy.url, *SWAP)
    assert result.exit_code == 2
    assert (
        f"uploading {ARTICLE}: 127.0.0.1:{proxy.url.rsplit(':', 1)[1]} answered HTTP 500: injected failure "
        "(after 3 attempts). Nothing was changed in the store"
    ) in result.output
    assert "Traceback" not in result.output
    assert_unchanged(old_store, local)  # no temporary graphs left either


def test_an_answer_slower_than_the_timeout_leaves_the_store_as_it_was(root, local, old_store):
    def slow(request):  # forwarded at once, answered 3 s late
        return 3 if request.method == "PUT" and "reference/central" in request.text else None

    with FaultProxy(old_store.url, slow) as proxy:
        result = load(root, proxy.url, *SWAP, "--timeout", "1")
    assert result.exit_code == 2
    # Issue 22 item 13: the abandoned upload may land after the load ends; the message said
    # "Nothing was changed" and a temporary graph appeared later.
    assert "did not answer within 1 s (a slower store needs a longer timeout)." in result.output
    assert "the upload that timed out was still unanswered 2 s after it was sent and may still land later" in (
        result.output
    )
    assert "as the temporary graph <" in result.output and "which nothing reads: the next load drops it" in (
        result.output
    )
    assert "Nothing was changed" not in result.output
    assert result.output.endswith("(see --timeout)\n")
    assert_unchanged(old_store, local)


def late_upload(seconds: float):
    """A store that takes `seconds` to receive the upload of the central reference graph (the
    proxy holds it that long, then forwards it, whether the client still waits or not)."""

    def hold(request):
        if request.method == "PUT" and "reference/central" in request.text:
            return lambda: time.sleep(seconds)
        return None

    return hold


def test_an_upload_answered_after_the_timeout_is_dropped_before_nothing_changed_is_said(root, local, old_store):
    """The upload lands 1.5 s in, after the 1 s timeout: the load awaits its answer, then drops
    it, and only then says that nothing changed, which stays true."""
    with FaultProxy(old_store.url, late_upload(1.5)) as proxy:
        result = load(root, proxy.url, *SWAP, "--timeout", "1")
        assert result.exit_code == 2
        assert result.output.strip().endswith("Nothing was changed in the store (see --timeout)"), result.output
        time.sleep(2)
    assert_unchanged(old_store, local)  # no temporary graph, then or later


def test_an_upload_landing_after_the_load_lands_where_the_message_says(root, local, old_store):
    """The upload lands 4 s in, after the load has ended (timeout 1 s, its answer awaited 1 s
    more): the message names the temporary graph it lands in; nothing reads it, the real graphs
    are untouched, and the next load drops it."""
    with FaultProxy(old_store.url, late_upload(4)) as proxy:
        result = load(root, proxy.url, *SWAP, "--timeout", "1")
        assert result.exit_code == 2
        named = re.search(r"may still land later as the temporary graph <([^>]+)>", result.output)
        assert named and "Nothing was changed" not in result.output, result.output
        assert named.group(1).startswith(TEMPORARY_BASE) and named.group(1).endswith("/reference/central")
        assert_unchanged(old_store, local)
        deadline = time.monotonic() + 20
        while named.group(1) not in graph_counts(old_store.query_url) and time.monotonic() < deadline:
            time.sleep(0.2)
    assert graph_counts(old_store.query_url) == {
        **{graph: 1 for graph in [*local, OTHER]},
        named.group(1): len(local["https://w3id.org/orgkg/graph/reference/central"]),
    }
    rerun = load(root, old_store.url)
    assert rerun.exit_code == 0, rerun.output
    assert "dropping 1 temporary graphs left by an earlier load" in rerun.stderr
    assert graph_counts(old_store.query_url) == {**{g: len(t) for g, t in local.items()}, OTHER: 1}


def test_a_server_killed_during_the_swap_ends_the_load_promptly(root, local, old_store, tmp_path):
    """Issue 22 item 14: once the store stops answering, the load asks it nothing more per graph
    (it retried every graph in turn: 9 minutes, 733 lines) and says the state is unknown."""

    def crash(request):
        return old_store.kill if request.method == "POST" and "MOVE" in request.text else None

    with FaultProxy(old_store.url, crash) as proxy:
        started = time.monotonic()
        result = load(root, proxy.url, *SWAP)
    assert result.exit_code == 2
    assert time.monotonic() - started < 60
    assert len(result.stderr.strip().splitlines()) <= 6, result.stderr
    assert "unknown:" in result.output and "Re-run the load to finish" in result.output


def test_a_server_killed_mid_load_keeps_its_old_graphs(root, local, old_store, tmp_path):
    killed = []

    def crash(request):
        if request.method == "PUT" and "reference/cao-bang" in request.text and not killed:
            killed.append(request)
            return old_store.kill
        return None

    with FaultProxy(old_store.url, crash) as proxy:
        result = load(root, proxy.url, *SWAP)
    assert result.exit_code == 2
    assert "cannot reach" in result.output and "(after 3 attempts)" in result.output
    assert "The store's graphs are unchanged, but the temporary graphs" in result.output
    assert "could not be dropped: re-run the load (it drops them first) or DROP them" in result.output

    restarted = OxigraphServer(old_store.location).start()
    try:
        counts = graph_counts(restarted.query_url)
        assert {g: n for g, n in counts.items() if not g.startswith(TEMPORARY_BASE)} == {
            graph: 1 for graph in [*local, OTHER]
        }
        leftovers = [g for g in counts if g.startswith(TEMPORARY_BASE)]
        assert leftovers and all(f"<{g}>" in result.output for g in leftovers)
        rerun = load(root, restarted.url)
        assert rerun.exit_code == 0, rerun.output
        assert graph_counts(restarted.query_url) == {**{g: len(t) for g, t in local.items()}, OTHER: 1}
    finally:
        restarted.stop()


def test_a_failed_swap_says_which_graphs_are_new_and_which_old(root, local, old_store):
    graphs = list(local)

    def refuse_the_swap(request):
        return "fail" if "MOVE GRAPH" in request.text else None

    with FaultProxy(old_store.url, refuse_the_swap) as proxy:
        result = load(root, proxy.url, *SWAP)
    assert result.exit_code == 2
    assert "swapping in the new graphs: " in result.output
    old = re.search(r"New: none; old: (.*) and (\d+) more\. Re-run the load to finish", result.output)
    assert old and len(old.group(1).split(", ")) + int(old.group(2)) == len(graphs)
    assert_unchanged(old_store, local)  # one request moves all graphs or none; the temporaries dropped


def test_a_store_that_is_not_there(root):
    port = free_port()
    result = load(root, f"http://127.0.0.1:{port}")
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        f"orgkg: claiming the store for this load: cannot reach 127.0.0.1:{port} "
        "(ConnectionError) (after 3 attempts). The store never answered; nothing was changed"
    )


def test_virtuoso_loads_with_digest_auth_from_netrc(root, local, virtuoso, tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login dba password dba\n")
    netrc.chmod(0o600)
    result = load(root, virtuoso.url, "--dialect", "virtuoso", env={"NETRC": str(netrc)})
    assert result.exit_code == 0, result.output
    counts = graph_counts(virtuoso.query_url)
    assert {g: counts[g] for g in local} == {g: len(t) for g, t in local.items()}
    assert not any(g.startswith(TEMPORARY_BASE) for g in counts)
    label = select(
        virtuoso.query_url,
        "SELECT ?l WHERE { <https://w3id.org/orgkg/id/place-cao-bang> "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(LANG(?l) = 'vi') }",
    )
    assert [row["l"]["value"] for row in label] == ["Cao Bằng"]  # UTF-8 intact


def test_virtuoso_refuses_wrong_credentials_and_keeps_its_graphs(root, virtuoso):
    before = graph_counts(virtuoso.query_url)
    result = load(
        root, virtuoso.url, "--dialect", "virtuoso", env={**VIRTUOSO_USER, "ORGKG_STORE_PASSWORD": "not-the-password"}
    )
    assert result.exit_code == 2
    assert f"127.0.0.1:{virtuoso.http_port} refused the credentials (HTTP 401); set ORGKG_STORE_USER" in result.output
    assert "not-the-password" not in result.output
    assert graph_counts(virtuoso.query_url) == before


def test_prune_drops_graphs_the_repository_no_longer_has_and_nothing_else(root, local, old_store):
    gone = "https://w3id.org/orgkg/graph/articles/deleted-article"
    put_graph(old_store.url, gone, OLD)
    kept = load(root, old_store.url)
    assert kept.exit_code == 0 and gone in graph_counts(old_store.query_url)
    pruned = load(root, old_store.url, "--prune")
    assert pruned.exit_code == 0, pruned.output
    assert f"dropped <{gone}> (no longer in the repository)" in pruned.stderr
    assert graph_counts(old_store.query_url) == {**{g: len(t) for g, t in local.items()}, OTHER: 1}


@pytest.mark.parametrize("spelling", ["same", "localhost", "trailing slash", "other checkout"])
def test_a_second_load_into_the_same_store_waits_its_turn(root, local, old_store, tmp_path, spelling):
    """Issue 22 item 12: the lock was keyed on the URL text in each checkout's cache, so another
    spelling of the URL or another checkout ran at the same time."""
    from orgkg.loader import locked

    url = old_store.url
    other = {"localhost": url.replace("127.0.0.1", "localhost"), "trailing slash": url + "/"}.get(spelling, url)
    checkout = copy_repository(root, tmp_path / "other") if spelling == "other checkout" else root
    with locked(url):
        result = load(checkout, other)
    assert result.exit_code == 2, result.output
    assert "another orgkg load into" in result.output and "is running" in result.output
    assert_unchanged(old_store, local)


def test_a_small_load_goes_in_one_request_all_or_nothing(root, local, old_store):
    """Issue 21: the swap writes every triple twice in one transaction. A load that fits goes in
    one SPARQL Update request instead (one transaction on Oxigraph): no upload, no MOVE; and when
    that request fails, nothing changed."""
    with FaultProxy(old_store.url) as proxy:
        result = load(root, proxy.url)
    assert result.exit_code == 0, result.output
    sent = [r for r in proxy.requests if r.method in ("PUT", "POST") and "COUNT" not in r.text]
    assert not [r for r in sent if "/store" in r.path or "MOVE" in r.text]
    assert len([r for r in sent if "INSERT DATA" in r.text and "DROP SILENT GRAPH" in r.text]) == 1
    assert graph_counts(old_store.query_url) == {**{g: len(t) for g, t in local.items()}, OTHER: 1}

    for graph in local:
        put_graph(old_store.url, graph, OLD)
    with FaultProxy(old_store.url, lambda r: "fail" if "INSERT DATA" in r.text else None) as proxy:
        failed = load(root, proxy.url)
    assert failed.exit_code == 2
    assert failed.output.strip().endswith("(after 3 attempts). Nothing was changed in the store"), failed.output
    assert_unchanged(old_store, local)


def test_a_load_too_large_in_bytes_for_one_request_swaps_instead(root, local, old_store, monkeypatch):
    """Few triples but long literals: the request would pass the store's size limit, so the
    load uploads aside and swaps, sending no part of the one request."""
    monkeypatch.setattr("orgkg.loader.ONE_REQUEST_BYTES", 10_000)
    with FaultProxy(old_store.url) as proxy:
        result = load(root, proxy.url)
    assert result.exit_code == 0, result.output
    assert [r for r in proxy.requests if "MOVE GRAPH" in r.text]
    inserted = {g for r in proxy.requests for g in re.findall(r"INSERT DATA \{ GRAPH <([^>]+)>", r.text)}
    assert inserted == {RECORD_GRAPH}  # in the swap; no graph's triples
    assert graph_counts(old_store.query_url) == {**{g: len(t) for g, t in local.items()}, OTHER: 1}


def test_one_request_answered_after_the_timeout_is_known_to_have_gone_in(root, local, old_store):
    """The request went in at once but its answer came 3 s late, after the 1 s timeout: the load
    awaits it, asks the store whether its done mark went in with the graphs, and finishes."""
    late = lambda r: 3 if "INSERT DATA" in r.text else None  # noqa: E731
    with FaultProxy(old_store.url, late) as proxy:
        result = load(root, proxy.url, "--timeout", "1")
    assert result.exit_code == 0, result.output
    assert "the store answered late, but it has taken every new graph" in result.stderr
    assert graph_counts(old_store.query_url) == {**{g: len(t) for g, t in local.items()}, OTHER: 1}


def test_one_request_still_unanswered_is_said_to_be_pending_and_lands_whole(root, local, old_store):
    """The request reaches the store 4 s in, after the load has given up (timeout 1 s, awaited
    1 s more): the load says it may still be applied, never that nothing changed; then it is
    applied whole."""
    with FaultProxy(old_store.url, lambda r: (lambda: time.sleep(4)) if "INSERT DATA" in r.text else None) as proxy:
        result = load(root, proxy.url, "--timeout", "1")
        assert result.exit_code == 2
        assert "the store may still apply it (every graph at once)" in result.output
        assert "Nothing was changed" not in result.output
        assert_unchanged(old_store, local)
        expected = {**{g: len(t) for g, t in local.items()}, OTHER: 1}
        deadline = time.monotonic() + 20
        while graph_counts(old_store.query_url) != expected and time.monotonic() < deadline:
            time.sleep(0.2)
    assert {g: n for g, n in graph_counts(old_store.query_url).items() if g != LOCK_GRAPH} == expected


def test_a_first_load_sends_graphs_to_their_place_and_takes_them_back_on_failure(root, local, oxigraph):
    """Into a store without orgkg graphs, a load PUTs each graph to its place (nothing to swap, no
    SPARQL to parse); a failure drops what it sent, so the store is again without them."""
    with FaultProxy(oxigraph.url) as proxy:
        first = load(root, proxy.url)
    assert first.exit_code == 0, first.output
    assert not [r for r in proxy.requests if "MOVE" in r.text or TEMPORARY_BASE in r.text.replace(LOCK_GRAPH, "")]
    assert graph_counts(oxigraph.query_url) == {g: len(t) for g, t in local.items()}

    for graph in local:
        requests.post(oxigraph.url + "/update", data={"update": f"DROP GRAPH <{graph}>"}, timeout=10)
    puts = []

    def third_put_fails(request):
        if request.method == "PUT":
            puts.append(request)
            return "fail" if len({p.path for p in puts}) >= 3 else None
        return None

    with FaultProxy(oxigraph.url, third_put_fails) as proxy:
        failed = load(root, proxy.url)
    assert failed.exit_code == 2 and "Nothing was changed in the store" in failed.output, failed.output
    assert graph_counts(oxigraph.query_url) == {}


def test_per_graph_replaces_each_graph_in_its_own_request(root, local, old_store):
    with FaultProxy(old_store.url) as proxy:
        result = load(root, proxy.url, "--per-graph")
    assert result.exit_code == 0, result.output
    puts = [r for r in proxy.requests if r.method == "PUT"]
    assert sorted(unquote_plus(r.path).split("graph=")[1] for r in puts) == sorted(local)
    assert not [r for r in proxy.requests if "MOVE" in r.text]
    assert sent_graphs(proxy) == set(local)  # no graph's triples in an update: only the record's
    assert graph_counts(old_store.query_url) == {**{g: len(t) for g, t in local.items()}, OTHER: 1}


def edit_one_article(repo) -> str:
    """One more triple in one article file; the graph it changes."""
    path = sorted((repo / "graph" / "articles").glob("*.ttl"))[0]
    path.write_text(path.read_text() + '\n<http://example.org/x> <http://example.org/says> "edited" .\n')
    return GRAPH_BASE + "articles/" + path.stem


@pytest.mark.parametrize("how", [(), SWAP, ("--per-graph",)], ids=["one request", "swap", "per graph"])
def test_a_re_load_sends_only_the_graphs_whose_files_changed(repo, old_store, how):
    """Issue 21: at 100,000 articles every re-load moved 26 M triples in one transaction (the
    server held 6.8 GB for 2.6 M at 10,000). The store's load record names the file each graph
    came from: a re-load sends what changed, in the same all-or-nothing way."""
    first = load(repo, old_store.url, *how)
    assert first.exit_code == 0, first.output
    digests = EmbeddedStore(repo).graph_digests()
    assert load_record(old_store.query_url) == digests
    counts = graph_counts(old_store.query_url)

    edited = edit_one_article(repo)
    with FaultProxy(old_store.url) as proxy:
        again = load(repo, proxy.url, *how)
    assert again.exit_code == 0, again.output
    assert sent_graphs(proxy) == {edited}
    assert graph_counts(old_store.query_url) == {**counts, edited: counts[edited] + 1}
    assert load_record(old_store.query_url) == EmbeddedStore(repo).graph_digests() != digests
    assert f"1 graphs, {counts[edited] + 1} triples loaded into" in again.stderr
    assert f"{len(digests) - 1} unchanged (not sent)" in again.stderr
    assert re.search(rf"^{re.escape(edited)}\s+{counts[edited] + 1}\s+{counts[edited] + 1}\s+ok$", again.stdout, re.M)
    listed = {line.split()[0] for line in again.stdout.splitlines() if line.startswith(GRAPH_BASE)}
    assert listed == {edited}  # the table lists what was sent

    with FaultProxy(old_store.url) as proxy:
        unchanged = load(repo, proxy.url, *how)
    assert unchanged.exit_code == 0, unchanged.output
    assert sent_graphs(proxy) == set()
    assert "0 graphs, 0 triples loaded into" in unchanged.stderr and unchanged.stdout == ""
    with FaultProxy(old_store.url) as proxy:
        everything = load(repo, proxy.url, "--all", *how)
    assert everything.exit_code == 0 and sent_graphs(proxy) == set(digests)


def test_a_graph_another_writer_changed_is_sent_again(repo, old_store):
    """The record is the store's, kept with the graphs; a graph someone else replaced or dropped
    since holds another count than its file, so it is sent again."""
    assert load(repo, old_store.url).exit_code == 0
    counts = graph_counts(old_store.query_url)
    replaced, dropped = sorted(g for g in counts if g != OTHER)[:2]
    put_graph(old_store.url, replaced, OLD)
    requests.post(old_store.url + "/update", data={"update": f"DROP GRAPH <{dropped}>"}, timeout=10)
    with FaultProxy(old_store.url) as proxy:
        again = load(repo, proxy.url)
    assert again.exit_code == 0, again.output
    assert sent_graphs(proxy) == {replaced, dropped}
    assert graph_counts(old_store.query_url) == counts


def test_a_failed_re_load_leaves_the_record_true_to_the_graphs(repo, old_store):
    """A swap refused leaves the old graph and its record entry; the next load sends it."""
    assert load(repo, old_store.url).exit_code == 0
    record = load_record(old_store.query_url)
    edited = edit_one_article(repo)
    with FaultProxy(old_store.url, lambda r: "fail" if "MOVE GRAPH" in r.text else None) as proxy:
        failed = load(repo, proxy.url, *SWAP)
    assert failed.exit_code == 2
    assert load_record(old_store.query_url) == record
    with FaultProxy(old_store.url) as proxy:
        assert load(repo, proxy.url).exit_code == 0
    assert sent_graphs(proxy) == {edited}


def test_append_and_prune_keep_the_record_true(repo, old_store):
    """Appended graphs hold more than any file: their entries go. Pruned graphs' entries go."""
    assert load(repo, old_store.url).exit_code == 0
    assert load(repo, old_store.url, "--append").exit_code == 0
    assert load_record(old_store.query_url) == {}
    assert load(repo, old_store.url).exit_code == 0
    gone = edit_one_article(repo)
    next((repo / "graph" / "articles").glob(gone.rsplit("/", 1)[1] + ".ttl")).unlink()
    pruned = load(repo, old_store.url, "--prune")
    assert pruned.exit_code == 0, pruned.output
    assert gone not in load_record(old_store.query_url)
    assert load_record(old_store.query_url) == EmbeddedStore(repo).graph_digests()


LOAD_TERMS = "https://w3id.org/orgkg/load#"


def mark_as_loading(server, host: str, pid: int, started: str) -> None:
    """The store's lock marker as another load writes it: one claim, its token, host, process, start."""
    requests.post(
        server.url + "/update",
        data={
            "update": f"INSERT DATA {{ GRAPH <{LOCK_GRAPH}> {{ <urn:uuid:00000000-0000-0000-0000-000000000001> "
            f'<{LOAD_TERMS}token> "00000000000000000000000000000001" ; <{LOAD_TERMS}host> "{host}" ; '
            f'<{LOAD_TERMS}pid> {pid} ; <{LOAD_TERMS}started> "{started}"^^<http://www.w3.org/2001/XMLSchema#dateTime> }} }}'
        },
        timeout=10,
    ).raise_for_status()


def test_a_load_from_another_machine_holds_the_store_until_it_ends_or_is_broken(root, local, old_store):
    """Issue 22 item 12: the lock was only on this machine. The store's own marker, written by a
    load elsewhere, refuses this one, naming it; a marker older than any load says so; only
    --break-lock removes it."""
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC).replace(microsecond=0)
    mark_as_loading(old_store, "elsewhere.example", 4242, now.isoformat().replace("+00:00", "Z"))
    busy = load(root, old_store.url)
    assert busy.exit_code == 2
    assert (
        f"another orgkg load into {old_store.url} is running (process 4242 on elsewhere.example, since "
        f"{now:%Y-%m-%d %H:%M:%S} UTC); wait for it to finish, or if it was killed, break its lock (see --break-lock)"
    ) in busy.output
    assert {g: n for g, n in graph_counts(old_store.query_url).items() if g != LOCK_GRAPH} == {
        graph: 1 for graph in [*local, OTHER]
    }

    requests.post(old_store.url + "/update", data={"update": f"DROP GRAPH <{LOCK_GRAPH}>"}, timeout=10)
    long_ago = now - timedelta(days=2)
    mark_as_loading(old_store, "elsewhere.example", 4242, long_ago.isoformat().replace("+00:00", "Z"))
    stale = load(root, old_store.url)
    assert stale.exit_code == 2 and "longer ago than any load takes (6 hours): if no load is running" in stale.output

    broken = load(root, old_store.url, "--break-lock")
    assert broken.exit_code == 0, broken.output
    assert "breaking the lock marker of an earlier load (process 4242 on elsewhere.example" in broken.stderr
    assert graph_counts(old_store.query_url) == {**{g: len(t) for g, t in local.items()}, OTHER: 1}  # marker gone


def test_two_claims_at_the_same_moment_the_one_that_sees_both_gives_way(root, local, old_store):
    """Another load's claim lands between ours and our look at the marker (both conditional
    inserts saw an empty marker): this load sees two tokens, withdraws its own and exits 2,
    leaving the other's claim and the store alone."""
    racing = []

    def race(request):
        if "?token ?host ?pid ?started" in request.text and not racing:  # our look at the marker
            racing.append(request)
            return lambda: mark_as_loading(old_store, "elsewhere.example", 99, "2026-12-03T12:00:00Z")
        return None

    with FaultProxy(old_store.url, race) as proxy:
        result = load(root, proxy.url)
    assert result.exit_code == 2 and racing
    assert "is running (process 99 on elsewhere.example, since 2026-12-03 12:00:00 UTC)" in result.output
    held = select(old_store.query_url, f"SELECT ?t {{ GRAPH <{LOCK_GRAPH}> {{ ?c <{LOAD_TERMS}token> ?t }} }}")
    assert [row["t"]["value"] for row in held] == ["00000000000000000000000000000001"]  # ours withdrawn
    assert {g: n for g, n in graph_counts(old_store.query_url).items() if g != LOCK_GRAPH} == {
        graph: 1 for graph in [*local, OTHER]
    }


def test_every_way_out_of_a_load_releases_the_store(root, local, old_store):
    """The marker goes with the load: after success, a failed upload, a failed swap."""
    assert load(root, old_store.url).exit_code == 0
    assert LOCK_GRAPH not in graph_counts(old_store.query_url)
    for fault in ("PUT", "MOVE GRAPH"):
        with FaultProxy(old_store.url, lambda r, f=fault: "fail" if f in f"{r.method} {r.text}" else None) as proxy:
            assert load(root, proxy.url, "--all", *SWAP).exit_code == 2  # unchanged: sent anyway
        assert LOCK_GRAPH not in graph_counts(old_store.query_url), fault


@pytest.fixture
def plain_oxigraph(tmp_path):
    """An Oxigraph server whose default graph is its own, not the union of the named graphs."""
    server = OxigraphServer(tmp_path / "plain", union_default_graph=False).start()
    yield server
    server.stop()


def default_graph_size(server) -> int:
    return int(select(server.query_url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]["value"])


def test_union_default_graph_readers_never_see_temporaries_or_half_a_load(root, plain_oxigraph):
    first = load(root, plain_oxigraph.url, "--union-default-graph")
    assert first.exit_code == 0, first.output
    with EmbeddedStore(root).reading() as store:  # the set union of the named graphs
        union = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    assert default_graph_size(plain_oxigraph) == union
    seen = []

    def look_then_refuse_the_swap(request):
        if "MOVE GRAPH" in request.text:
            seen.append(default_graph_size(plain_oxigraph))  # every graph uploaded, none swapped yet
            return "fail"
        return None

    with FaultProxy(plain_oxigraph.url, look_then_refuse_the_swap) as proxy:
        failed = load(root, proxy.url, "--union-default-graph")
    assert failed.exit_code == 2
    assert seen == [union]  # the temporaries, all uploaded, were not in the default graph
    assert default_graph_size(plain_oxigraph) == union


def test_union_default_graph_needs_sparql_update(root, plain_oxigraph):
    result = load(root, plain_oxigraph.url + "/store", "--dialect", "gsp", "--union-default-graph")
    assert result.exit_code == 2
    assert "a union default graph needs a store that takes SPARQL Update" in result.output
    assert "(see --union-default-graph)" in result.output


def test_every_dialect_the_command_line_offers_is_described():
    from orgkg.choices import DIALECT_NAMES
    from orgkg.triplestore import DIALECTS

    assert set(DIALECT_NAMES) == set(DIALECTS)


@pytest.mark.parametrize("triples, deadline", [(10, 30.0), (100_000, 30.0), (100_001, 60.0), (2_600_000, 780.0)])
def test_the_swap_gets_the_timeout_once_per_100000_triples_it_moves(triples, deadline):
    """At 10,000 articles Oxigraph took over 120 s to move 2.6 million triples in one request."""
    store = RemoteStore("http://127.0.0.1:9", "oxigraph", timeout=30)
    uploads = [
        Upload(GRAPH_BASE + "a", triples - triples // 2, ox.Store(), 1000),
        Upload(GRAPH_BASE + "b", triples // 2, ox.Store(), 1000),
    ]
    assert swap_deadline(store, uploads) == deadline


def test_the_count_after_a_load_gets_the_timeout_once_per_100000_triples(root, local, oxigraph, monkeypatch):
    """At 100,000 articles the count of every loaded triple took over the 120 s meant for one
    request, after an hour of loading. Here the count answers in 2 s, the timeout is 1 s, and the
    load's triples are worth three timeouts: the check waits, and the load succeeds."""
    from orgkg import loader

    monkeypatch.setattr(loader, "SWAP_TRIPLES_PER_TIMEOUT", sum(map(len, local.values())) // 3 + 1)

    def slow_count(request):
        return 2 if "COUNT" in request.text and "GROUP BY" in request.text else None

    with FaultProxy(oxigraph.url, slow_count) as proxy:
        result = load(root, proxy.url, "--timeout", "1")
    assert result.exit_code == 0, result.output
    assert any("GROUP BY" in request.text for request in proxy.requests)
