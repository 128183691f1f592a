"""Every Turtle file parses in Apache Jena's riot too, an implementation independent of rdflib."""

from __future__ import annotations

import pytest

from orgkg.repository import turtle_files

from . import jena

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not jena.available(), reason="Jena not installed (apt-get install libapache-jena-java)"),
]


def test_riot_accepts_every_turtle_file(root, tmp_path_factory):
    folders = [root / "ontology", root / "graph", root / "tests" / "fixtures"]
    files = [str(p) for p in turtle_files(root, [f for f in folders if f.is_dir()])]
    result = jena.run(tmp_path_factory.mktemp("jena"), "riotcmd.riot", "--validate", *files)
    assert result.returncode == 0, result.stderr[-3000:]


def test_riot_rejects_broken_turtle(tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b "unterminated .\n')
    result = jena.run(tmp_path, "riotcmd.riot", "--validate", str(broken))
    assert result.returncode == 1
    assert "unterminated" in result.stderr


def test_riot_accepts_the_catalogue_as_rdf(cli, tmp_path):
    """`orgkg query list --format turtle` parses in Jena, as sparql-examples checks its examples."""
    listed = cli("query", "list", "--format", "turtle")
    assert listed.exit_code == 0, listed.output
    (tmp_path / "queries.ttl").write_text(listed.output, encoding="utf-8")
    result = jena.run(tmp_path, "riotcmd.riot", "--validate", str(tmp_path / "queries.ttl"))
    assert result.returncode == 0, result.stderr[-3000:]
