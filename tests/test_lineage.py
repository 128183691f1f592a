"""`orgkg lineage`: names resolved as users type them, edges with events and legal bases."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import pytest

from orgkg.lineage import Edge, every_lineage, lineage, render_svgs
from orgkg.namespaces import OKG
from orgkg.store import EmbeddedStore
from orgkg.synth import synthesize


def test_text_shows_both_merged_bodies_with_event_and_legal_basis(cli, root, tmp_path):
    result = cli("lineage", "cao bang newspaper", cache=tmp_path)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Lineage of Cao Bang Newspaper"
    assert any(
        line.strip().startswith("Cao Bang Radio and Television Station  ->  Cao Bang Newspaper")
        and "merger" in line
        and "18-NQ/TW | 19-NQ/TW" in line
        for line in lines
    )
    assert len(lines) == 3


def test_successors_at_any_depth_from_the_1930_ministry(cli, root, tmp_path):
    result = cli("lineage", "kg:org-ministry-of-organization-and-communications", cache=tmp_path)
    assert "Ministry of Organization and Communications  ->  Central Organizing Committee" in result.output


def test_vietnamese_name_without_diacritics_resolves(cli, root, tmp_path):
    assert cli("lineage", "ban to chuc trung uong", cache=tmp_path).exit_code == 0


def test_ambiguous_and_unknown_names_are_usage_errors(cli, root, tmp_path):
    ambiguous = cli("lineage", "cao bang", cache=tmp_path)
    assert ambiguous.exit_code == 2 and "matches several organizations" in ambiguous.output
    unknown = cli("lineage", "no such body", cache=tmp_path)
    assert unknown.exit_code == 2 and "no organization is labelled 'no such body'" in unknown.output


def test_mermaid_and_dot_draw_every_edge(cli, root, tmp_path):
    mermaid = cli("lineage", "kg:org-cao-bang-newspaper", "--format", "mermaid", cache=tmp_path).output
    assert mermaid.startswith("flowchart LR") and mermaid.count("-->") == 2
    dot = cli("lineage", "kg:org-cao-bang-newspaper", "--format", "dot", cache=tmp_path).output
    assert dot.startswith("digraph lineage {") and dot.count(" -> ") == 2


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed (apt-get install graphviz)")
def test_svg_is_a_picture(cli, root, tmp_path):
    result = cli("lineage", "kg:org-cao-bang-newspaper", "--format", "svg", cache=tmp_path)
    assert result.exit_code == 0
    svg = ET.fromstring(result.output[result.output.index("<svg") :])
    assert svg.tag.endswith("svg")
    assert "Cao Bang Radio and Television Station" in result.output


HOSTILE = """
<javascript:alert(1)> a <http://www.w3.org/ns/org#Organization> ;
    <http://www.w3.org/2000/01/rdf-schema#label> "Ends in a backslash\\\\"@en ;
    <https://w3id.org/orgkg/ontology#predecessor> <https://w3id.org/orgkg/id/org-politburo> .
<tag:example.org,2025:x> a <http://www.w3.org/ns/org#Organization> ;
    <http://www.w3.org/2000/01/rdf-schema#label> "Tagged"@en ;
    <https://w3id.org/orgkg/ontology#predecessor> <javascript:alert(1)> .
"""


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_hostile_iris_and_labels_are_drawn_but_never_linked(cli, repo, tmp_path):
    """Issue 22 item 11: a javascript: IRI became an xlink:href, a tag: IRI broke the lineage
    query's binding (so `docs` failed), a label ending in a backslash broke dot."""
    article = repo / "graph" / "articles" / "nghe-an-2024.ttl"
    article.write_text(article.read_text(encoding="utf-8") + HOSTILE, encoding="utf-8")
    for name in ("kg:org-politburo", "<tag:example.org,2025:x>", "<javascript:alert(1)>"):
        result = cli("lineage", name, "--format", "svg", root=repo, cache=tmp_path / "cache")
        assert result.exit_code == 0, result.output
        svg = ET.fromstring(result.output)
        links = [
            e.get("{http://www.w3.org/1999/xlink}href")
            for e in svg.iter()
            if e.get("{http://www.w3.org/1999/xlink}href")
        ]
        assert links and all(link.startswith("https://") for link in links), links
        assert "Ends in a backslash\\" in result.output and "Tagged" in result.output


@pytest.mark.parametrize("corpus", ["seed graph", "synthetic corpus"])
def test_every_lineage_at_once_is_each_organizations_lineage(root, tmp_path, corpus):
    """`orgkg docs` takes every lineage from one pass over the saved query lineage-links; each
    must be what the saved query lineage gives that organization alone."""
    if corpus == "synthetic corpus":
        synthesize(40, tmp_path / "corpus", root, seed=3)
        root = tmp_path / "corpus"
    store = EmbeddedStore(root, tmp_path / "cache")
    store.build()
    every = every_lineage(root, store)
    linked = {row[0].value for row in store.query(f"SELECT DISTINCT ?o WHERE {{ ?o <{OKG.predecessor}> ?x }}").rows}
    assert len(linked) >= 3 and linked <= set(every)
    assert sum(len(edges) > 1 for edges in every.values()) >= 2  # lineages deeper than one link
    for organization, edges in every.items():
        assert edges == lineage(root, store, organization), organization


def test_pictures_drawn_in_batches_are_each_organizations_own(monkeypatch):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed (apt-get install graphviz)")
    monkeypatch.setattr("orgkg.lineage.SVG_BATCH", 2)
    pictures = [
        (
            f"https://example.org/{n}",
            [Edge(f"https://example.org/{n}", f"Later {n}", "https://example.org/e", "Earlier", "", "", "")],
        )
        for n in range(5)
    ]
    drawn = render_svgs(pictures)
    assert len(drawn) == 5
    for n, svg in enumerate(drawn):
        assert ET.fromstring(svg).tag.endswith("svg")
        assert f"Later {n}" in svg and all(f"Later {m}" not in svg for m in range(5) if m != n)
