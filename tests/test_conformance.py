"""Every saved query gives the same result set on every engine: rdflib (the reference), the
embedded pyoxigraph store, the Oxigraph server and Virtuoso (both after `orgkg load`, queried
with `orgkg query run --endpoint`), and Jena ARQ over the exported files.

Local engines query the union of the named graphs as the default graph; so do the Oxigraph
server (`--union-default-graph`) and Virtuoso (its default graph is all graphs). For Jena the
exported N-Triples (the union) and N-Quads (the named graphs) are concatenated into one
N-Quads file, whose default graph is then the union: standard SPARQL datasets, no rewriting.

Where an engine is wrong and no standard rewrite avoids it, the difference is listed in KNOWN
with the reason (and in README, "Cross-engine conformance"). The matrix is printed at the end.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest

from orgkg.catalogue import load_catalogue
from orgkg.endpoints import KNOWN_DEFECTS
from orgkg.engines import RdflibEngine
from orgkg.exporting import export
from orgkg.namespaces import QUERIES_DIR, find_root
from orgkg.results import Results, from_sparql_json
from orgkg.store import EmbeddedStore

from . import jena
from .cli import run_cli
from .compare import comparable, record
from .servers import VIRTUOSO_USER, OxigraphServer

#: Real servers, a browser, Jena, many processes or a site build: `make check` leaves these out.
pytestmark = pytest.mark.slow

NAMES = sorted(load_catalogue(find_root(Path(__file__).parent) / QUERIES_DIR))
ENGINES = ("rdflib", "embedded", "oxigraph-server", "virtuoso", "jena-arq")

#: (engine, query) -> why that engine's answer differs (orgkg.endpoints.KNOWN_DEFECTS, which
#: `orgkg query run --endpoint` warns of). Allowed to differ, not required to.
KNOWN = {(engine, name): why for engine, table in KNOWN_DEFECTS.items() for name, why in table.items()}


#: (engine, query) -> the error code with which the engine cannot answer that query once the graph
#: has grown (the seed graph since issue 19's additions; the fictional third article of
#: tests/fiction.py): "Internal Optimized compiler error" SQ156 of Virtuoso 7.2.5 depends on the
#: data as a whole. Allowed to fail with that error, not required to; `orgkg query run --endpoint`
#: then says why and what to use instead.
LIMITS = {("virtuoso", "describe"): "SQ156"}


def canonical(results: Results):
    if results.triples is not None:
        dataset = ox.Dataset(ox.Quad(*triple) for triple in results.triples)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        return sorted(str(quad) for quad in dataset)
    if results.boolean is not None:
        return results.boolean
    return comparable(results)


class EngineRefused(Exception):
    """`orgkg query run --endpoint` exited non-zero; the message is what it printed."""


class _Remote:
    """A store after `orgkg load`, queried with `orgkg query run NAME --endpoint URL`."""

    def __init__(self, root: Path, endpoint: str, catalogue):
        self.root, self.endpoint, self.catalogue = root, endpoint, catalogue

    def __call__(self, name: str) -> Results:
        graph = self.catalogue[name].kind in ("CONSTRUCT", "DESCRIBE")
        result = run_cli(
            "query", "run", name, "--endpoint", self.endpoint, "--format", "nt" if graph else "json", root=self.root
        )
        if result.exit_code != 0:
            raise EngineRefused(result.output)
        if graph:
            return Results(triples=list(ox.parse(result.stdout_bytes, format=ox.RdfFormat.N_TRIPLES)))
        return from_sparql_json(json.loads(result.stdout))


def _jena(root: Path, work: Path, catalogue) -> dict[str, Results]:
    """All queries in one JVM (tests/ArqBatch.java) over the union-as-default-graph N-Quads."""
    data = work / "orgkg-union.nq"
    data.write_bytes(export(root, "nt") + export(root, "nq"))
    (work / "queries").mkdir()
    (work / "out").mkdir()
    files = []
    for name, query in catalogue.items():
        files.append(work / "queries" / f"{name}.rq")
        files[-1].write_text(query.bind({}), encoding="utf-8")
    run = subprocess.run(
        [
            "java",
            "-cp",
            jena.classpath(work),
            str(Path(__file__).with_name("ArqBatch.java")),
            str(data),
            str(work / "out"),
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    answers = {}
    for name in catalogue:
        srj, nt = work / "out" / f"{name}.srj", work / "out" / f"{name}.nt"
        answers[name] = (
            from_sparql_json(json.loads(srj.read_text(encoding="utf-8")))
            if srj.exists()
            else Results(triples=list(ox.parse(path=str(nt), format=ox.RdfFormat.N_TRIPLES)))
        )
    return answers


@pytest.fixture(scope="module")
def catalogue(root):
    return load_catalogue(root / QUERIES_DIR)


@pytest.fixture(scope="module")
def engines(root, catalogue, tmp_path_factory, request):
    """engine -> a function from query name to Results, or the reason the engine is skipped."""
    found: dict = {}
    reference, embedded = RdflibEngine(root), EmbeddedStore(root, tmp_path_factory.mktemp("cache"))
    found["rdflib"] = lambda name: reference.query(catalogue[name].bind({}))
    found["embedded"] = lambda name: embedded.query(catalogue[name].bind({}))

    server = OxigraphServer(tmp_path_factory.mktemp("conformance") / "oxigraph").start()
    request.addfinalizer(server.stop)
    loaded = run_cli("load", server.url, root=root)
    assert loaded.exit_code == 0, loaded.output
    found["oxigraph-server"] = _Remote(root, server.query_url, catalogue)

    try:
        virtuoso = request.getfixturevalue("virtuoso")
    except pytest.skip.Exception as skipped:
        found["virtuoso"] = f"skipped: {skipped.msg}"
    else:
        loaded = run_cli("load", virtuoso.url, "--dialect", "virtuoso", root=root, env=VIRTUOSO_USER)
        assert loaded.exit_code == 0, loaded.output
        found["virtuoso"] = _Remote(root, virtuoso.query_url, catalogue)

    if jena.available():
        answers = _jena(root, tmp_path_factory.mktemp("arq"), catalogue)
        found["jena-arq"] = answers.__getitem__
    else:
        found["jena-arq"] = "skipped: Jena not installed (apt-get install libapache-jena-java)"
    return found


@pytest.mark.parametrize("name", NAMES)
def test_saved_query_gives_the_same_result_set_on_every_engine(name, engines):
    expected = canonical(engines["rdflib"](name))
    size = len(expected) if isinstance(expected, list) else expected
    record(name, "rdflib", str(size))
    unexpected = {}
    for engine in ENGINES[1:]:
        run = engines[engine]
        if isinstance(run, str):
            record(name, engine, "skip")
            continue
        try:
            answer = canonical(run(name))
        except EngineRefused as refusal:
            code = LIMITS.get((engine, name))
            if code and f"internal error {code}" in str(refusal):
                record(name, engine, "limit")
                continue
            raise
        if answer == expected:
            record(name, engine, "=")
        elif (engine, name) in KNOWN:
            record(name, engine, f"≠ {len(answer) if isinstance(answer, list) else answer} (known)")
        else:
            record(name, engine, f"≠ {len(answer) if isinstance(answer, list) else answer} FAIL")
            missing = [row for row in expected if row not in answer][:3]
            extra = [row for row in answer if row not in expected][:3]
            unexpected[engine] = {"missing": missing, "extra": extra}
    assert unexpected == {}, f"{name}: engines disagree with rdflib: {unexpected}"


def test_every_engine_ran(engines):
    """Every engine answers, or is skipped only because it is not installed, saying what to install;
    the engines orgkg brings itself (rdflib, pyoxigraph, the Oxigraph server) are never skipped. A
    skipped engine is then reported here, not silently dropped."""
    assert set(engines) == set(ENGINES)
    skipped = {engine: run for engine, run in engines.items() if isinstance(run, str)}
    assert not skipped.keys() & {"rdflib", "embedded", "oxigraph-server"}, skipped
    for engine, reason in skipped.items():
        assert "not installed (apt-get install " in reason, (engine, reason)
    for engine, run in engines.items():
        if engine not in skipped:
            assert canonical(run("articles")), f"{engine} found no articles"
    if skipped:
        pytest.skip("; ".join(f"{engine} {reason}" for engine, reason in skipped.items()))


def test_on_a_grown_graph_virtuoso_answers_or_fails_only_as_known(root, sources, catalogue, tmp_path, request):
    """Engine limits show up as data grows: with a third article Virtuoso 7.2.5 no longer compiles
    `describe` (SQ156). Every other saved query still runs; the one that does not is named here
    and in README, and the command line says why instead of passing on the raw 500."""
    from .fiction import register, repository_with_sources, write_claims

    virtuoso = request.getfixturevalue("virtuoso")
    repo = repository_with_sources(root, sources, tmp_path / "repo")

    def cli(*args, **kwargs):
        return run_cli(*args, root=repo, cache=tmp_path / "cache", **kwargs)

    assert register(cli).exit_code == 0 and write_claims(repo, cli).exit_code == 0
    loaded = cli("load", virtuoso.url, "--dialect", "virtuoso", env=VIRTUOSO_USER)
    assert loaded.exit_code == 0, loaded.output
    failed = {}
    for name in catalogue:
        result = cli("query", "run", name, "--endpoint", virtuoso.query_url, "--format", "csv")
        if result.exit_code != 0:
            failed[name] = result.output
            record(name, "virtuoso-grown", "limit" if ("virtuoso", name) in LIMITS else "FAIL")
    unexpected = {name: out for name, out in failed.items() if ("virtuoso", name) not in LIMITS}
    assert unexpected == {}
    for name, output in failed.items():
        code = LIMITS[("virtuoso", name)]
        assert f"internal error {code}" in output and "embedded store" in output and len(output.splitlines()) == 1
