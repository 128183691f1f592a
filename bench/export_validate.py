#!/usr/bin/env python3
"""Time and peak memory (GNU time -v) of export and validation on one synthetic corpus.

    orgkg dev synth 1000 --seed 1 -o /tmp/c1k --sources
    python bench/export_validate.py /tmp/c1k                 # this checkout
    python bench/export_validate.py /tmp/c1k --code OLD/src  # another checkout's code, same corpus
    python bench/export_validate.py /tmp/c1k --only export --pyshacl

Each task is one whole `orgkg` process (one run: these are the long tasks); the results print as
a Markdown table and, with --json FILE, as JSON. `--pyshacl` adds one plain pySHACL run over the
corpus (bench/run.py's child task), the peer of full validation.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIME = "/usr/bin/time"


def measure(command: list[str], env: dict) -> dict:
    """Wall seconds, peak resident memory (MB) and exit code of `command`, from GNU time -v."""
    with tempfile.NamedTemporaryFile("w+") as report:
        done = subprocess.run(
            [TIME, "-v", "-o", report.name, *command],
            env={**os.environ, **env},
            capture_output=True,
        )
        text = Path(report.name).read_text()
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1)
    seconds = sum(float(part) * 60**i for i, part in enumerate(reversed(wall.split(":"))))
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) / 1024
    result = {"seconds": round(seconds, 2), "peak_mb": round(peak), "exit": done.returncode}
    if done.returncode not in (0, 1):
        result["error"] = done.stderr.decode(errors="replace").strip().splitlines()[-1:]
    if "--task" in command and done.returncode == 0:
        result["seconds"] = json.loads(done.stdout.decode().strip().splitlines()[-1])["seconds"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--code", type=Path, help="the src/ folder of the orgkg to measure (default: installed)")
    parser.add_argument("--only", choices=("export", "validate"), help="one group of tasks")
    parser.add_argument("--pyshacl", action="store_true", help="also one plain pySHACL run (minutes)")
    parser.add_argument("--json", type=Path, help="write the results here too")
    args = parser.parse_args()
    corpus = args.corpus.resolve()
    cache = corpus / ".bench-cache"
    env = {"ORGKG_ROOT": str(corpus), "ORGKG_CACHE": str(cache), "NO_COLOR": "1"}
    if args.code:
        env["PYTHONPATH"] = str(args.code.resolve())
    orgkg = [sys.executable, "-c", "import sys; from orgkg.cli import main; sys.exit(main())"]
    sources = ["--sources", str(corpus / "sources")]
    results: dict[str, dict] = {}
    subprocess.run([*orgkg, "build"], env={**os.environ, **env}, check=True, capture_output=True)
    if args.only in (None, "export"):
        with tempfile.TemporaryDirectory() as folder:
            results["export nq"] = measure([*orgkg, "export", "--format", "nq", "-o", f"{folder}/out.nq"], env)
    if args.only in (None, "validate"):
        shutil.rmtree(cache / "validation.sqlite", ignore_errors=True)
        (cache / "validation.sqlite").unlink(missing_ok=True)
        results["validate --incremental, no cache"] = measure([*orgkg, "validate", "--incremental", *sources], env)
        results["validate --incremental, nothing changed"] = measure(
            [*orgkg, "validate", "--incremental", *sources], env
        )
        sys.path.insert(0, str(args.code or HERE.parent / "src"))
        from orgkg.synth import clone_article

        size = len(list((corpus / "graph" / "articles").glob("*.ttl")))
        added = corpus / f"graph/articles/{size + 1:05d}.ttl"
        clone_article(corpus, 2, size + 1)
        try:
            results["validate --incremental, one article added"] = measure(
                [*orgkg, "validate", "--incremental", *sources], env
            )
            results["validate FILE (that article alone)"] = measure([*orgkg, "validate", str(added), *sources], env)
        finally:
            added.unlink()
            (corpus / f"sources/{size + 1:05d}.txt").unlink()
        results["validate (full, one process)"] = measure([*orgkg, "validate", *sources], env)
        if args.pyshacl:
            results["peer: one pySHACL run"] = measure(
                [sys.executable, str(HERE / "run.py"), "--task", "pyshacl", str(corpus)], env
            )
    print("| task | seconds | peak MB |\n|---|---|---|")
    for task, result in results.items():
        print(
            f"| {task} | {result['seconds']} | {result['peak_mb']} |"
            + (f" {result['error']}" if "error" in result else "")
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
