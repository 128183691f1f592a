"""orgkg: a knowledge graph of Vietnam's Party and political-system organizations."""

#: The one place the version is written (pyproject.toml reads it from here): importing
#: importlib.metadata to look it up would slow every command's start-up.
__version__ = "0.2.0"
