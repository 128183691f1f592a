"""orgkg: a knowledge graph of Vietnam's Party and political-system organizations.

The Python API (see README, "Python API"):

    import orgkg
    kg = orgkg.open(".")
    kg.query("mergers")[0]

`import orgkg` loads nothing else: `open`, `Graph`, `Rows` and `IRI` are imported on first use.
"""

#: The one place the version is written (pyproject.toml reads it from here): importing
#: importlib.metadata to look it up would slow every command's start-up.
__version__ = "0.2.0"

__all__ = ["IRI", "Graph", "Rows", "__version__", "errors", "open"]

_LAZY = {"open": "orgkg.api", "Graph": "orgkg.api", "Rows": "orgkg.api", "IRI": "orgkg.terms", "errors": None}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'orgkg' has no attribute {name!r}")
    import importlib

    module = _LAZY[name]
    if module is None:
        return importlib.import_module(f"orgkg.{name}")
    return getattr(importlib.import_module(module), name)
