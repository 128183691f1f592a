"""`orgkg docs`: a static HTML site for people who want to look before they read Turtle.

Pages: an index; the ontology reference (every okg: term with its definition, parents,
alignments to the standard vocabularies and examples from the graph); one page per saved
query with its SPARQL and its result on the graph; one page per source article with every
claim and quote; a lineage diagram per organization with predecessors or successors; the
validation report. Every page is self-contained (inline CSS and SVG, nothing fetched at view
time) and the site is built in a temporary folder that replaces the target only when whole.

The package: `ontology` reads the ontology's terms, `site` writes the pages; this module
stages the build.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from orgkg import __version__
from orgkg.atomic import staged_folder
from orgkg.docs.site import Site, SiteReport
from orgkg.errors import OrgkgError
from orgkg.store import EmbeddedStore

#: A file in every built site, so a rebuild may replace the folder and nothing else.
SITE_MARKER = ".orgkg-site"


class DocsError(OrgkgError):
    """The site cannot be written where asked (the target is a file, or a folder of other things)."""


def build_site(
    root: Path,
    output: Path,
    store: EmbeddedStore | None = None,
    sources: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SiteReport:
    """Build the whole site in a temporary folder beside `output`, then swap it in."""
    output = Path(output).absolute()
    check_target(output)
    # the store opened once for the site
    with (store or EmbeddedStore(root)).session() as engine, staged_folder(output) as staging:
        site = Site(root, staging, engine, sources, progress)
        report = site.write()
        (staging / SITE_MARKER).write_text(f"built by orgkg {__version__}; `orgkg docs` may replace this folder\n")
    report.output = output
    return report


def check_target(output: Path) -> None:
    """Refuse to replace a file, or a non-empty folder that an earlier build did not write."""
    if output.exists() and not output.is_dir():
        raise DocsError(f"{output} is a file; give a folder for the site", option="output")
    if output.is_dir() and any(output.iterdir()) and not (output / SITE_MARKER).exists():
        raise DocsError(
            f"{output} is not empty and holds no orgkg site ({SITE_MARKER} missing); "
            "choose a new folder or empty this one"
        )


__all__ = ["SITE_MARKER", "DocsError", "SiteReport", "build_site", "check_target"]
