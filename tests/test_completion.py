"""Shell completion as the shell asks for it (Click's ShellComplete): query names, parameter
names and values, --graph values and node names, all read from the repository and the graph."""

from __future__ import annotations

import pytest
from click.shell_completion import ShellComplete

from orgkg.catalogue import load_catalogue
from orgkg.cli import main
from orgkg.namespaces import QUERIES_DIR


@pytest.fixture
def complete(root, tmp_path, monkeypatch):
    monkeypatch.setenv("ORGKG_ROOT", str(root))
    monkeypatch.setenv("ORGKG_CACHE", str(tmp_path / "cache"))
    shell = ShellComplete(main, {}, "orgkg", "_ORGKG_COMPLETE")
    return lambda *words, incomplete="": [item.value for item in shell.get_completions(list(words), incomplete)]


def test_query_names_complete_for_run_and_show(complete, root):
    names = sorted(load_catalogue(root / QUERIES_DIR))
    assert complete("query", "run", incomplete="") == names
    shown = complete("query", "show", incomplete="lin")
    assert shown == [n for n in names if n.startswith("lin")] and "lineage" in shown


def test_parameter_names_then_values_complete_for_the_query_being_run(complete, root):
    catalogue = load_catalogue(root / QUERIES_DIR)
    expected = [f"{p.name}=" for p in catalogue["events-in-window"].params]
    assert complete("query", "run", "events-in-window", "--param", incomplete="") == expected
    assert complete("query", "run", "events-in-window", "--param", incomplete="fr") == ["from="]
    default = catalogue["events-in-window"].params[0].default
    assert complete("query", "run", "events-in-window", "--param", incomplete="from=") == [f"from={default}"]
    classes = complete("query", "run", "change-events-by-kind", "--param", incomplete="eventClass=okg:Mer")
    assert "eventClass=okg:Merger" in classes and all(c.startswith("eventClass=okg:Mer") for c in classes)
    concepts = complete("query", "run", "documents-by-type", "--param", incomplete="documentType=okg:")
    assert "documentType=okg:Resolution" in concepts


def test_graph_values_are_every_graph_by_short_name(complete):
    offered = complete("export", "--graph", incomplete="")
    assert {"articles/nghe-an-2024", "nghe-an-2024", "reference/central", "ontology/orgkg"} <= set(offered)
    assert complete("export", "--graph", incomplete="reference/c") == sorted(
        n for n in offered if n.startswith("reference/c")
    )


def test_node_names_complete_labels_for_describe_and_organizations_for_lineage(complete):
    labels = complete("lineage", incomplete="cao bang news")  # diacritics and case ignored
    assert "Cao Bang Newspaper" in labels and all(label.lower().startswith("cao bang news") for label in labels)
    assert "Ministry of Organization and Communications" in complete("describe", incomplete="Ministry of Org")
    assert "kg:org-politburo" in complete("describe", incomplete="kg:org-pol")


def test_completion_outside_a_repository_offers_nothing_and_never_fails(tmp_path, monkeypatch):
    monkeypatch.setenv("ORGKG_ROOT", str(tmp_path))  # not a repository
    shell = ShellComplete(main, {}, "orgkg", "_ORGKG_COMPLETE")
    assert shell.get_completions(["query", "run"], "") == []
    assert shell.get_completions(["describe"], "cao") == []
