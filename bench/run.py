#!/usr/bin/env python3
"""Benchmark orgkg against its peers on synthetic corpora and write bench/results.md.

    python bench/run.py --quick              # one 30-article corpus: a minute or two
    python bench/run.py                      # 1,000 articles (what `make bench` runs)
    python bench/run.py --sizes 1000,10000   # several sizes in one run

Each figure is the median of repeated runs, every run in a process of its own whose peak memory
(maximum resident set size) the kernel reports when it exits (os.wait4), and orgkg and its peers
(rdflib, pySHACL, the oxigraph CLI) are measured side by side in the same run on the same corpus.
Needs the oxigraph binary (a dependency of orgkg) on PATH or beside this Python.
"""

from __future__ import annotations

import argparse
import compileall
import json
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from corpus import Bench
from harness import HERE, REPO, child_task
from report import Record, report
from seed import seed_graph, seed_section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one 30-article corpus, 3 runs (a minute or two)")
    parser.add_argument("--sizes", default=None, help="comma-separated corpus sizes (default 1000; --quick: 30)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per task (slow tasks run once)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds before a peer's query is given up")
    parser.add_argument(
        "--slow-timeout",
        type=float,
        default=3600,
        help="seconds before a whole-corpus peer (pySHACL, rdflib parse) is given up",
    )
    parser.add_argument(
        "--slow-peers-up-to", type=int, default=1000, help="run the whole-corpus pySHACL peers only up to this size"
    )
    parser.add_argument(
        "--in-memory-peers-up-to",
        type=int,
        default=10000,
        help="run the rdflib peers (the whole corpus in memory) only up to this size",
    )
    parser.add_argument(
        "--server-memory-cap",
        type=float,
        default=16,
        help="GB of memory the Oxigraph server may take while loading before the load is stopped",
    )
    parser.add_argument(
        "--only-load", action="store_true", help="only build, export and `orgkg load` beside plain PUTs"
    )
    parser.add_argument(
        "--only-validate",
        action="store_true",
        help="only build and the validation tasks, beside their peers",
    )
    parser.add_argument(
        "--only-queries",
        action="store_true",
        help="only build, export and the saved queries, beside the oxigraph CLI",
    )
    parser.add_argument("--work", type=Path, default=None, help="working folder (default: a temporary one)")
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    parser.add_argument(
        "--seed-graph",
        action="store_true",
        help="only the seed-graph comparison (seconds); it also runs before every other run",
    )
    parser.add_argument(
        "--report-only", action="store_true", help="write results.md again from results.json, running nothing"
    )
    parser.add_argument("--task", help=argparse.SUPPRESS)
    parser.add_argument("rest", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.task:
        child_task(args.task, Path(args.rest[0]), args.rest[1:])
        return
    sizes = [int(s) for s in (args.sizes or ("30" if args.quick else "1000")).split(",")]
    command = "python bench/run.py " + " ".join(sys.argv[1:])
    kept = args.out.with_suffix(".json")
    stored = json.loads(kept.read_text()) if kept.exists() else {}
    stored = {"sizes": stored} if isinstance(stored, list) else stored  # the first layout was a list
    records = {r["size"]: Record.from_json(r) for r in stored.get("sizes", [])}

    def save() -> None:
        ordered = [records[k] for k in sorted(records)]
        kept.write_text(
            json.dumps({"seed": seed, "sizes": [r.to_json() for r in ordered]}, indent=1) + "\n", encoding="utf-8"
        )
        args.out.write_text(report(ordered, seed_section(seed)), encoding="utf-8")

    earlier = dict(records)  # a partial run (--only-...) updates the record it finds, not replaces it
    seed = stored.get("seed")
    if args.report_only:
        save()
        return
    # An installed package has its bytecode compiled by pip; this checkout's may be stale, and
    # a shell with PYTHONDONTWRITEBYTECODE would have every orgkg run compile the CLI again.
    compileall.compile_dir(REPO / "src", quiet=1)
    work = args.work or Path(tempfile.mkdtemp(prefix="orgkg-bench-"))
    try:
        seed = seed_graph(work, args.repeat)
        save()
        for size in [] if args.seed_graph else sizes:
            started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
            bench = Bench(size, work, args)

            # Kept after every task, so that a run stopped early keeps the figures it measured.
            def keep(bench: Bench = bench, started: str = started) -> None:
                record = Record.of(bench, started, command.strip())
                if bench.facts.get("only") and bench.size in earlier:
                    record = earlier[bench.size].updated(record)
                records[bench.size] = record
                save()

            bench.finished_task = keep
            bench.run_all()
            bench.facts["complete"] = True
            keep()
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"bench: wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
