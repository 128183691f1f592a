"""Writing the corpus: staged in a temporary folder and renamed into place only when complete."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from orgkg.atomic import staged_folder
from orgkg.errors import OrgkgError
from orgkg.formatting import TurtleWriter
from orgkg.namespaces import ONTOLOGY_FILE, QUERIES_DIR, SHAPES_FILE
from orgkg.synth.corpus import Corpus
from orgkg.synth.model import SynthReport
from orgkg.synth.seeding import ERROR_KINDS, seed_error
from orgkg.synth.triples import Triples


def clone_article(root: Path, source: int, number: int) -> Path:
    """Add article `number` to a synthetic corpus: article `source` told again (same reference
    entities, its own IRIs, labels and text). Benchmarks and tests use it to add one article."""
    old, new = f"{source:05d}", f"{number:05d}"
    target = root / f"graph/articles/{new}.ttl"
    if target.exists():
        raise FileExistsError(f"{target} exists; choose another article number")
    text = (root / f"sources/{old}.txt").read_text(encoding="utf-8")
    (root / f"sources/{new}.txt").write_text(text.replace(old, new), encoding="utf-8")
    turtle = (root / f"graph/articles/{old}.ttl").read_text(encoding="utf-8")
    target.write_text(turtle.replace(old, new), encoding="utf-8")
    return target


# --- writing ---------------------------------------------------------------------------------


def turtle_text(graph: Triples, comment: str) -> str:
    return comment + "\n\n" + TurtleWriter(graph).document()


def synthesize(
    count: int,
    output: Path,
    source_root: Path,
    seed: int = 0,
    errors: dict[str, int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SynthReport:
    """Write a corpus of `count` articles to `output` (a new folder), with the ontology, shapes and
    queries of `source_root`. Staged beside `output` first: a failure leaves nothing behind."""
    if count < 1:
        raise OrgkgError("the corpus needs at least 1 article")
    unknown = sorted(set(errors or {}) - set(ERROR_KINDS))
    if unknown:
        raise OrgkgError(f"unknown error kind {', '.join(unknown)}; known: {', '.join(ERROR_KINDS)}")
    if output.exists() and any(output.iterdir()):
        raise OrgkgError(f"{output} exists and is not empty; remove it or choose another folder", option="output")
    corpus = Corpus(seed)
    seeded = []
    if errors:  # seeding edits articles already made: they are kept, all of them (test-sized corpora)
        corpus.articles = [corpus.article(number) for number in range(1, count + 1)]
        seeded = [seed_error(corpus, kind, index) for kind, n in sorted(errors.items()) for index in range(n)]
    # Else each article is written as soon as it is made and then dropped: memory stays that of
    # the reference entities, whatever the count (every article in memory was 3.3 GB at 10,000).
    articles = corpus.articles or (corpus.article(number) for number in range(1, count + 1))

    with staged_folder(Path(output).absolute()) as staging:
        for relative in (ONTOLOGY_FILE, SHAPES_FILE, ONTOLOGY_FILE.parent / "README.md"):
            if (source_root / relative).exists():
                (staging / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source_root / relative, staging / relative)
        shutil.copytree(source_root / QUERIES_DIR, staging / QUERIES_DIR)
        for folder in ("graph/reference", "graph/articles", "sources"):
            (staging / folder).mkdir(parents=True)
        triples = 0
        for done, a in enumerate(articles, 1):
            triples += len(a.graph)
            (staging / f"graph/articles/{a.name}.ttl").write_text(
                turtle_text(
                    a.graph,
                    (
                        f"# Synthetic article {a.name} (sources/{a.name}.txt): every claim with a verbatim quote.\n"
                        f"# Written by `orgkg dev synth {count} --seed {seed}`."
                    ),
                ),
                encoding="utf-8",
            )
            (staging / f"sources/{a.name}.txt").write_text(a.text(), encoding="utf-8")
            if progress:
                progress(done, count)
        for name, graph in sorted(corpus.ref.graphs.items()):  # complete once every article is made
            triples += len(graph)
            (staging / f"graph/reference/{name}.ttl").write_text(
                turtle_text(
                    graph,
                    (
                        f"# Synthetic reference entities ({name}): identity, type and labels only.\n"
                        f"# Written by `orgkg dev synth {count} --seed {seed}`; what the articles say about "
                        "them is in graph/articles/."
                    ),
                ),
                encoding="utf-8",
            )
        (staging / "synth.json").write_text(
            json.dumps(
                {
                    "articles": count,
                    "seed": seed,
                    "errors": dict(sorted((errors or {}).items())),
                    "triples": triples,
                    "seeded": [vars(e) for e in seeded],
                },
                indent=1,
                ensure_ascii=False,
            )
            + "\n",
            encoding="utf-8",
        )
        (staging / "README.md").write_text(
            f"# Synthetic orgkg corpus\n\n{count} articles written by `orgkg dev synth` (seed {seed}); "
            "quotes come from `sources/`. Validate with `ORGKG_ROOT=. orgkg validate --sources sources`.\n"
            "`synth.json` lists the seeded errors.\n",
            encoding="utf-8",
        )
    return SynthReport(output, count, triples, seeded)
