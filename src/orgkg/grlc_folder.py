"""The catalogue in grlc's conventions: a folder grlc serves as a web API with its parameters.

grlc finds parameters only as variables named `?_name` with a type suffix (`?_org_iri`,
`?_from_xsd_date`) and substitutes the request's value for that text wherever it occurs, so our
files cannot be given to it as they are: their parameters are plain variables whose defaults
sit in `VALUES` blocks, and a grlc name in a `VALUES` block would become `VALUES <iri> { ... }`.
Each query is therefore written anew: its parameter's `VALUES` block becomes
`BIND(?_name_type AS ?name)` at the same place (one row, the same join as the one-row block, and
the rest of the query untouched), and the header gets grlc's `defaults:`, `endpoint:` and the
parameter descriptions in the operation's description (grlc 1.3 writes its own text for each
parameter). grlc takes one value per parameter, so a list parameter takes one value there; one whose
default is UNDEF (every value) becomes grlc's optional `?__name`, unbound when not given.
"""

from __future__ import annotations

from pathlib import Path

from orgkg.catalogue import DEFAULTS_COMMENT, Parameter, SavedQuery

#: orgkg's parameter types -> the suffix of grlc's variable name (and so the term grlc writes).
_SUFFIX = {"iri": "_iri", "string": "", "langString": "", "date": "_xsd_date", "integer": "_integer"}


def grlc_variable(param: Parameter) -> str:
    """`?_name_type`, or `?__name_type` (grlc's optional parameter, left unbound when not given)
    for a parameter whose default is UNDEF, every value."""
    optional = "_" if param.default == [] else ""
    return f"?_{optional}{param.name}{_SUFFIX[param.type]}"


def grlc_text(query: SavedQuery, endpoint: str | None = None) -> str:
    """One saved query as a grlc query file."""
    import yaml

    body = query.sparql
    blocks = sorted(((span, param) for param in query.params for span in query.spans[param.name]), key=lambda b: b[0])
    for (start, end), param in reversed(blocks):
        keyword = body.upper().rfind("VALUES", 0, start)
        body = body[:keyword] + f"BIND({grlc_variable(param)} AS ?{param.name})" + body[end + 1 :]
    body = body.replace(
        DEFAULTS_COMMENT, "# Parameters: grlc writes each value given in place of the variable in its BIND."
    )
    body = "\n".join(line for line in body.splitlines() if not line.startswith("#+")).lstrip("\n")
    description = query.description
    if query.params:
        described = "\n".join(f"- {p.name}: {p.description}" for p in query.params)
        description = (description + "\n\n" if description else "") + "Parameters:\n" + described
    header: dict = {"summary": query.summary}
    if description:
        header["description"] = description
    header["tags"] = list(query.tags)
    if endpoint:
        header["endpoint"] = endpoint
    defaults = [{p.name: p.default[0] if isinstance(p.default, list) else p.default} for p in query.params if p.default]
    if defaults:
        header["defaults"] = defaults
    lines = yaml.dump(header, Dumper=_dumper(), allow_unicode=True, sort_keys=False, width=100).splitlines()
    return "".join(f"#+ {line}\n" for line in lines) + "\n" + body


def _block_style(dumper, text: str):
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


def _dumper():
    import yaml

    class Dumper(yaml.SafeDumper):
        """YAML with multi-line text as literal blocks, readable in the file."""

    Dumper.add_representer(str, _block_style)
    return Dumper


def write_grlc_folder(catalogue: dict[str, SavedQuery], folder: Path, endpoint: str | None = None) -> list[Path]:
    """Write every saved query in grlc's conventions into `folder` (created if missing), with the
    `local-api-config.ini` grlc reads there; the files written."""
    from orgkg.atomic import write_atomic

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for query in catalogue.values():
        path = folder / f"{query.name}.rq"
        write_atomic(path, grlc_text(query, endpoint))
        written.append(path)
    config = folder / "local-api-config.ini"
    write_atomic(
        config,
        "[repo_info]\nrepo_title = orgkg saved queries\n"
        "api_description = The saved queries of orgkg, written by `orgkg query grlc` "
        "(parameters with types, defaults and descriptions)\n",
    )
    return [*written, config]
