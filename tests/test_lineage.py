"""`orgkg lineage`: names resolved as users type them, edges with events and legal bases."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from orgkg.cli import main


def run(root, tmp_path, *args):
    return CliRunner().invoke(main, ["lineage", *args],
                              env={"ORGKG_ROOT": str(root), "ORGKG_CACHE": str(tmp_path)})


def test_text_shows_both_merged_bodies_with_event_and_legal_basis(root, tmp_path):
    result = run(root, tmp_path, "cao bang newspaper")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Lineage of Cao Bang Newspaper"
    assert any(line.strip().startswith("Cao Bang Radio and Television Station  ->  Cao Bang Newspaper")
               and "merger" in line and "18-NQ/TW | 19-NQ/TW" in line for line in lines)
    assert len(lines) == 3


def test_successors_at_any_depth_from_the_1930_ministry(root, tmp_path):
    result = run(root, tmp_path, "kg:org-ministry-of-organization-and-communications")
    assert "Ministry of Organization and Communications  ->  Central Organizing Committee" in result.output


def test_vietnamese_name_without_diacritics_resolves(root, tmp_path):
    assert run(root, tmp_path, "ban to chuc trung uong").exit_code == 0


def test_ambiguous_and_unknown_names_are_usage_errors(root, tmp_path):
    ambiguous = run(root, tmp_path, "cao bang")
    assert ambiguous.exit_code == 2 and "matches several organizations" in ambiguous.output
    unknown = run(root, tmp_path, "no such body")
    assert unknown.exit_code == 2 and "no organization is labelled 'no such body'" in unknown.output


def test_mermaid_and_dot_draw_every_edge(root, tmp_path):
    mermaid = run(root, tmp_path, "kg:org-cao-bang-newspaper", "--format", "mermaid").output
    assert mermaid.startswith("flowchart LR") and mermaid.count("-->") == 2
    dot = run(root, tmp_path, "kg:org-cao-bang-newspaper", "--format", "dot").output
    assert dot.startswith("digraph lineage {") and dot.count(" -> ") == 2


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed (apt-get install graphviz)")
def test_svg_is_a_picture(root, tmp_path):
    result = run(root, tmp_path, "kg:org-cao-bang-newspaper", "--format", "svg")
    assert result.exit_code == 0
    svg = ET.fromstring(result.output[result.output.index("<svg"):])
    assert svg.tag.endswith("svg")
    assert "Cao Bang Radio and Television Station" in result.output
