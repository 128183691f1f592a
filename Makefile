# Each target creates (once) and reuses a local virtualenv in .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SOURCES ?= ../shared/seeds

.PHONY: demo test fmt clean

$(BIN)/orgkg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# The main job: validate the graph (quotes checked against the article texts), then a showcase query.
demo: $(BIN)/orgkg
	$(BIN)/orgkg validate --sources $(SOURCES)
	$(BIN)/orgkg query run lineage --param organization=https://w3id.org/orgkg/id/org-cao-bang-newspaper

# The whole test suite, then the formatting check CI also enforces.
test: $(BIN)/orgkg
	$(BIN)/orgkg fmt --check
	ORGKG_SOURCES=$(SOURCES) $(BIN)/python -m pytest

fmt: $(BIN)/orgkg
	$(BIN)/orgkg fmt

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
