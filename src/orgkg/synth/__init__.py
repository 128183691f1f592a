"""`orgkg dev synth`: a synthetic corpus in the repository's own layout, for scale tests and
benchmarks.

Two articles are a start; users will add thousands. This writes N articles about the 63
provinces in the encoding style of graph/articles/ (every claim node with
prov:wasDerivedFrom and a verbatim okg:evidence quote; identity, types and labels of shared
entities in graph/reference/), the article texts the quotes come from, and a copy of the real
ontology, shapes and saved queries, so every orgkg command runs on it unchanged. Output is a
function of (N, seed, errors): the same arguments give byte-identical files.

Seeded errors (`errors={"merger-one-original": 2, ...}`) break the corpus in known places;
each is listed in synth.json with the node and the rule expected to catch it.
"""

from orgkg.synth.seeding import ERROR_KINDS
from orgkg.synth.writer import SynthReport, clone_article, synthesize

__all__ = ["ERROR_KINDS", "SynthReport", "clone_article", "synthesize"]
