"""orgkg: a knowledge graph of Vietnam's Party and political-system organizations."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("orgkg")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
