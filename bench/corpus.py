"""One corpus size measured: the synthetic corpus generated, then every orgkg command beside
the peer doing the same work (rdflib, pySHACL, the oxigraph CLI); and the seed graph's run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from harness import HERE, REPO, Runs, _wait_for, repeat, run, tool, watching

#: The export formats other than N-Quads (measured against `oxigraph dump` on its own).
EXPORT_FORMATS = ("nt", "turtle", "trig", "jsonld")

# --- the benchmark ---------------------------------------------------------------------------


class Bench:
    def __init__(self, size: int, work: Path, options):
        self.size, self.repeats, self.timeout = size, options.repeat, options.timeout
        self.slow_timeout, self.server_memory_cap = options.slow_timeout, options.server_memory_cap
        #: The one group of tasks a partial run measures (--only-load, --only-validate, --only-queries), or None.
        self.only = next((name for name in ("load", "validate", "queries") if getattr(options, f"only_{name}")), None)
        self.skipped: dict[str, str] = {}  # task -> why it was not run at this size
        if size > options.slow_peers_up_to:
            limit = f"run up to {options.slow_peers_up_to:,} articles (--slow-peers-up-to)"
            self.skipped["pyshacl"] = f"pySHACL holds the whole corpus in rdflib's memory, for hours; {limit}"
            self.skipped["validate-classic"] = f"measured beside pySHACL's run; {limit}"
        if size > options.in_memory_peers_up_to:
            why = (
                "rdflib holds the whole corpus in memory, about 0.45 GB per 1,000 articles parsed and more for "
                f"the queries (10.4 GB at 10,000); run up to {options.in_memory_peers_up_to:,} articles "
                "(--in-memory-peers-up-to)"
            )
            self.skipped.update({"rdflib-parse": why, "queries-rdflib": why})
        self.work = work / f"n{size}"
        self.root = self.work / "corpus"
        self.cache = self.work / "cache"
        self.env = {"ORGKG_ROOT": str(self.root), "ORGKG_CACHE": str(self.cache), "NO_COLOR": "1"}
        self.orgkg, self.oxigraph = tool("orgkg"), tool("oxigraph")
        self.results: dict[str, Runs] = {}
        self.facts: dict[str, object] = {"skipped": self.skipped, "complete": False}
        if self.only:  # the report says which goals this run left out
            self.facts["only"] = self.only
        self.finished_task: Callable[[], None] = lambda: None

    def log(self, text: str) -> None:
        print(f"[{self.size}] {text}", file=sys.stderr, flush=True)

    def task(self, key: str, runs: Runs) -> Runs:
        self.results[key] = runs
        shown = f"{runs.median:.3f} s" if runs.median is not None else runs.note
        self.log(f"{key}: {shown}, peak {runs.peak_mb:.0f} MB")
        self.finished_task()
        return runs

    def cli(self, *arguments: str) -> list[str]:
        return [self.orgkg, *arguments]

    def child(self, task: str, *arguments: str) -> list[str]:
        """This script again, running one of its child tasks on the corpus."""
        return [sys.executable, str(HERE / "run.py"), "--task", task, str(self.root), *arguments]

    def run_all(self) -> None:
        self.facts["load"] = [round(os.getloadavg()[0], 2)]
        sources = str(self.root / "sources")
        if self.work.exists():
            shutil.rmtree(self.work)
        self.work.mkdir(parents=True)
        generated = self.task(
            "generate",
            run(
                self.cli("dev", "synth", str(self.size), "-o", str(self.root), "--seed", "1"),
                {**self.env, "ORGKG_ROOT": str(REPO)},
            ),
        )
        if generated.note:
            raise SystemExit(f"bench: could not generate the corpus: {generated.note}")
        self.facts["triples"] = json.loads((self.root / "synth.json").read_text())["triples"]
        turtle = [str(self.root / "ontology/orgkg.ttl"), *map(str, sorted((self.root / "graph").rglob("*.ttl")))]

        # Build from scratch, then after one changed article; the peer loads the same Turtle files.
        self.task(
            "build",
            repeat(
                self.repeats, self.cli("build"), self.env, before=lambda: shutil.rmtree(self.cache, ignore_errors=True)
            ),
        )
        article = self.root / "graph/articles/00001.ttl"
        original = article.read_bytes()

        def touch():
            article.write_bytes(original + b'\nkg:article-00001 rdfs:comment "Benchmark edit."@en .\n')

        def untouch():
            article.write_bytes(original)
            run(self.cli("build"), self.env)

        if self.only == "validate":
            self.measure_validation(sources)
            return
        everything = self.only is None
        if everything:
            self.task("rebuild-one", repeat(self.repeats, self.cli("build"), self.env, before=touch, after=untouch))
            oxdir, listing = self.work / "oxigraph-turtle", self.work / "turtle-files.json"
            listing.write_text(json.dumps(turtle))
            self.task(
                "oxigraph-load",
                repeat(
                    self.repeats,
                    self.child("oxigraph-load", self.oxigraph, str(oxdir), str(listing)),
                    before=lambda: shutil.rmtree(oxdir, ignore_errors=True),
                    inner=True,
                ),
            )

        # Export; the N-Quads give the query peer the same named graphs as orgkg's store.
        export = self.work / "export.nq"
        self.task("export", repeat(self.repeats, self.cli("export", "--format", "nq", "-o", str(export)), self.env))
        oxquery = self.work / "oxigraph-nq"
        self.task("oxigraph-load-nq", run([self.oxigraph, "load", "--location", str(oxquery), "--file", str(export)]))
        if everything:
            for fmt in EXPORT_FORMATS:  # once each: the time and peak memory of every export format
                output = self.work / f"export.{fmt}"
                self.task(f"export-{fmt}", run(self.cli("export", "--format", fmt, "-o", str(output)), self.env))
                output.unlink(missing_ok=True)
        if self.only == "load":
            self.measure_load(oxquery)
            return
        if self.only == "queries":
            self.measure_queries(oxquery)
            return
        self.task(
            "oxigraph-dump",
            repeat(
                self.repeats,
                [
                    self.oxigraph,
                    "dump",
                    "--location",
                    str(oxquery),
                    "--format",
                    "nq",
                    "--file",
                    str(self.work / "dump.nq"),
                ],
            ),
        )

        self.measure_validation(sources)
        self.measure_queries(oxquery)
        self.task("docs", run(self.cli("docs", "-o", str(self.work / "site"), "--sources", sources), self.env))
        shutil.rmtree(self.work / "site", ignore_errors=True)
        self.measure_load(oxquery)

    def measure_queries(self, oxquery: Path) -> None:
        """Saved queries: orgkg's engine in one process, the orgkg and oxigraph CLIs, rdflib; then
        orgkg's engine and CLI again with `orgkg watch` running."""
        from orgkg.catalogue import load_catalogue

        catalogue = load_catalogue(self.root / "queries")
        self.facts["queries"] = list(catalogue)
        arguments = corpus_arguments(catalogue, self.work.parent / "seed-oxigraph", oxquery)
        for name, query in catalogue.items():  # every engine runs these bound texts
            (self.work / f"{name}.rq").write_text(query.bind(arguments.get(name, {})), encoding="utf-8")

        def query_cli(name: str) -> list[str]:
            params = [f"--param={param}={value[0]}" for param, value in arguments.get(name, {}).items()]
            return self.cli("query", "run", name, *params, "--format", "csv", "-o", str(self.work / "out.csv"))

        self.facts["engine"] = self.engine_queries("queries-orgkg-engine")
        for name in catalogue:
            bound = self.work / f"{name}.rq"
            self.task(f"query-cli:{name}", repeat(self.repeats, query_cli(name), self.env))
            self.task(
                f"query-oxigraph:{name}",
                repeat(
                    self.repeats,
                    [
                        self.oxigraph,
                        "query",
                        "--location",
                        str(oxquery),
                        "--query-file",
                        str(bound),
                        "--results-format",
                        "csv",
                        "--union-default-graph",
                    ],
                    timeout=self.timeout,
                ),
            )
        with watching(self.orgkg, self.env):  # the same queries again with `orgkg watch` running: no stat per file
            self.facts["engine-watched"] = self.engine_queries("queries-orgkg-engine-watched")
            for name in catalogue:
                self.task(f"query-cli-watched:{name}", repeat(self.repeats, query_cli(name), self.env))
        if "rdflib-parse" not in self.skipped:
            self.task("rdflib-parse", run(self.child("rdflib-parse"), inner=True, timeout=self.slow_timeout))
            rdflib = self.task(
                "queries-rdflib",
                run(
                    self.child("rdflib-queries", "1", str(self.timeout), str(self.work)),
                    inner=True,
                    timeout=self.timeout * len(catalogue) + 600,
                ),
            )
            self.facts["rdflib"] = (
                json.loads(rdflib.output.strip().splitlines()[-1])["queries"] if rdflib.output else {}
            )

    def measure_validation(self, sources: str) -> None:
        """Validation: orgkg from nothing, then the peers; then one article added, beside that
        article alone."""
        self.task(
            "validate-cold",
            repeat(
                self.repeats,
                self.cli("validate", "--incremental", "--sources", sources, "--format", "json"),
                self.env,
                before=lambda: shutil.rmtree(self.cache, ignore_errors=True),
            ),
        )
        incremental = json.loads(self.results["validate-cold"].output or "{}")
        self.task(
            "validate-warm",
            repeat(
                self.repeats, self.cli("validate", "--incremental", "--sources", sources, "--format", "json"), self.env
            ),
        )
        sys.path.insert(0, str(REPO / "src"))
        from orgkg.repository import data_files
        from orgkg.validation import AT_ONCE_LIMIT, too_large_at_once

        if "validate-classic" not in self.skipped and too_large_at_once(data_files(self.root)):
            self.skipped["validate-classic"] = (
                f"over {AT_ONCE_LIMIT / 1e6:.0f} MB of Turtle (AT_ONCE_LIMIT) `orgkg validate` runs unit by unit, "
                "on the cache the full validation above filled"
            )
        if "validate-classic" not in self.skipped:
            self.task(
                "validate-classic",
                run(
                    self.cli("validate", "--sources", sources, "--format", "json"), self.env, timeout=self.slow_timeout
                ),
            )
            classic = json.loads(self.results["validate-classic"].output or "{}")
            self.facts["identical"] = _same_findings(incremental, classic)
        if "pyshacl" not in self.skipped:
            self.task(
                "pyshacl",
                run(
                    self.child("pyshacl"),
                    inner=True,
                    timeout=self.slow_timeout,
                ),
            )
        from orgkg.synth import clone_article

        added = self.root / f"graph/articles/{self.size + 1:05d}.ttl"

        def add():
            clone_article(self.root, 2, self.size + 1)

        def remove():
            added.unlink()
            (self.root / f"sources/{self.size + 1:05d}.txt").unlink()
            run(self.cli("validate", "--incremental", "--sources", sources), self.env)

        add_one = self.cli("validate", "--incremental", "--sources", sources)
        self.task("validate-add-one", repeat(self.repeats, add_one, self.env, before=add, after=remove))
        with watching(self.orgkg, self.env):  # the watcher names the files and texts that changed: no stat of each
            run(add_one, self.env)  # the run that takes the watcher's token
            self.task("validate-add-one-watched", repeat(self.repeats, add_one, self.env, before=add, after=remove))
        add()
        self.task(
            "validate-article-alone",
            repeat(self.repeats, self.cli("validate", str(added), "--sources", sources), self.env),
        )
        remove()

    def engine_queries(self, key: str) -> dict[str, float]:
        """Every saved query's median in one process on orgkg's embedded store."""
        engine = self.task(
            key,
            run(
                self.child("orgkg-queries", str(self.repeats), str(self.timeout), str(self.work)),
                self.env,
                inner=True,
            ),
        )
        return json.loads(engine.output.strip().splitlines()[-1])["queries"] if engine.output else {}

    def measure_load(self, oxquery: Path) -> None:
        """`orgkg load` into a local Oxigraph server beside plain PUTs of the same graphs: into an
        empty store (a first load), then over the same graphs (a re-load of every graph, atomic and per
        graph; a re-load of nothing changed)."""
        import urllib.request

        from orgkg.serving import free_port

        server_dir, port = self.work / "server", free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [self.oxigraph, "serve", "--location", str(server_dir), "--bind", f"127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        watchdog = _MemoryWatch(server.pid, self.server_memory_cap)

        def empty() -> None:
            request = urllib.request.Request(
                url + "/update", data=b"DROP ALL", headers={"Content-Type": "application/sparql-update"}
            )
            urllib.request.urlopen(request, timeout=600).read()

        try:
            _wait_for(port)
            put = self.child("plain-put", f"127.0.0.1:{port}", str(self._graph_files(oxquery)))
            load, every = self.cli("load", url), {"long": float("inf")}  # slow runs are repeated too
            self.task("load-server-first", repeat(self.repeats, load, self.env, before=empty, **every))
            self.task("plain-put-first", repeat(self.repeats, put, before=empty, **every))
            # over the same graphs: every one sent again (--all), as the peer does, then a re-load
            # of nothing changed, which the store's load record spares
            self.task("load-server", repeat(self.repeats, [*load, "--all"], self.env, **every))
            self.task("load-server-per-graph", repeat(self.repeats, [*load, "--all", "--per-graph"], self.env, **every))
            self.task("load-server-unchanged", repeat(self.repeats, load, self.env, **every))
            self.task("plain-put", repeat(self.repeats, put, **every))
        finally:
            watchdog.stop()
            server.terminate()
            _, _, usage = os.wait4(server.pid, 0)
            self.facts["server_peak_mb"] = usage.ru_maxrss / 1024
            if watchdog.fired:
                self.facts["server_stopped"] = (
                    f"the server was stopped when it held over {self.server_memory_cap:g} GB (--server-memory-cap)"
                )
        self.facts["load"].append(round(os.getloadavg()[0], 2))

    def _graph_files(self, store_location: Path) -> Path:
        """One N-Triples file per named graph of the exported store, and a list of them: what the
        plain-PUT peer sends, prepared before it is timed."""
        import pyoxigraph as ox

        folder = self.work / "graphs"
        folder.mkdir(exist_ok=True)
        store = ox.Store.read_only(str(store_location))
        listing = []
        for number, graph in enumerate(sorted(store.named_graphs(), key=lambda g: g.value)):
            path = folder / f"{number}.nt"
            ox.serialize(
                (q.triple for q in store.quads_for_pattern(None, None, None, graph)), str(path), ox.RdfFormat.N_TRIPLES
            )
            listing.append((graph.value, str(path)))
        manifest = folder / "graphs.json"
        manifest.write_text(json.dumps(listing))
        return manifest


class _MemoryWatch:
    """Kills a process whose resident memory passes `cap_gb`: on a shared machine a server that
    grows without bound must not make the kernel kill something else."""

    def __init__(self, pid: int, cap_gb: float):
        self.pid, self.cap_kb, self.fired = pid, cap_gb * 1024 * 1024, False
        self._done = threading.Event()
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        status = Path(f"/proc/{self.pid}/status")
        while not self._done.wait(0.5):
            try:
                rss = next(int(line.split()[1]) for line in status.read_text().splitlines() if line.startswith("VmRSS"))
            except (OSError, StopIteration):
                return
            if rss > self.cap_kb:
                self.fired = True
                os.kill(self.pid, 9)
                return

    def stop(self) -> None:
        self._done.set()


def _same_findings(first: dict, second: dict) -> bool | None:
    if not first or not second:
        return None

    def key(report: dict) -> list:
        return sorted(json.dumps(f, sort_keys=True) for f in report["findings"])

    return key(first) == key(second)


def corpus_arguments(catalogue: dict, seed_store: Path, corpus_store: Path) -> dict[str, dict[str, list[str]]]:
    """A saved query's default may name a node of the seed graph that a synthetic corpus lacks
    (`orgkg query run` then refuses it): such a parameter gets the corpus's first nodes of the
    same type, the same values for orgkg and its peers."""
    import pyoxigraph as ox

    seed, corpus = ox.Store.read_only(str(seed_store)), ox.Store.read_only(str(corpus_store))
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    arguments: dict[str, dict[str, list[str]]] = {}
    for name, query in catalogue.items():
        taken: set[str] = set()
        for param in query.params:
            default = param.default if isinstance(param.default, str) else None
            if (
                param.type != "iri"
                or not default
                or next(corpus.quads_for_pattern(ox.NamedNode(default), None, None), None)
            ):
                continue
            types = sorted(q.object.value for q in seed.quads_for_pattern(ox.NamedNode(default), rdf_type, None))
            nodes = sorted(
                {q.subject.value for t in types for q in corpus.quads_for_pattern(None, rdf_type, ox.NamedNode(t))}
                - taken
            )
            if nodes:
                taken.add(nodes[0])
                arguments.setdefault(name, {})[param.name] = [nodes[0]]
    return arguments
