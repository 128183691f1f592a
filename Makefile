# Each target creates (once) and reuses a local virtualenv in .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SOURCES ?= ../shared/seeds
# Quotes are checked against the article texts where they are present.
SOURCES_OPTION = $(if $(wildcard $(SOURCES)),--sources $(SOURCES))

.PHONY: demo test check fmt bench clean

$(BIN)/orgkg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# The main job: validate the graph (quotes checked against the article texts), then a showcase query.
demo: $(BIN)/orgkg
	$(BIN)/orgkg validate $(SOURCES_OPTION)
	$(BIN)/orgkg query run mergers --format table

# The whole test suite (it includes the Jena riot, `orgkg fmt --check` and ruff checks CI enforces).
test: $(BIN)/orgkg
	ORGKG_SOURCES=$(wildcard $(SOURCES)) $(BIN)/python -m pytest

# The edit loop's fast lane (under 90 s): every test not marked slow (no servers, browser, Jena
# or synthetic corpora), ruff and mypy among them (tests/test_style.py), stopping at the first
# failure. `make test` runs them all.
check: $(BIN)/orgkg
	ORGKG_SOURCES=$(wildcard $(SOURCES)) $(BIN)/python -m pytest -x -q -m "not slow"

fmt: $(BIN)/orgkg
	$(BIN)/orgkg fmt

# orgkg against rdflib, pySHACL and the oxigraph CLI on synthetic corpora; writes bench/results.md.
# 1,000 articles by default (about half an hour); ARGS=--quick takes a minute or two,
# ARGS="--sizes 1000,10000" adds the large corpus.
bench: $(BIN)/orgkg
	$(BIN)/python bench/run.py $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
