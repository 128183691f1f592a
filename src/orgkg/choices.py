"""The values command options take. They live here, apart from the modules that act on them, so
that declaring the command line imports no engine: `orgkg --version` and `orgkg --help` start
in the time of Python and click alone."""

ENGINES = ("oxigraph", "rdflib")
SELECT_FORMATS = ("table", "csv", "tsv", "json", "xml", "md")
GRAPH_FORMATS = ("turtle", "nt", "jsonld")
EXPORT_FORMATS = ("turtle", "nt", "nq", "trig", "jsonld")
#: `query list`: the catalogue as a table, CSV, JSON or RDF (orgkg.catalogue.catalogue_listing).
LISTING_FORMATS = ("table", "csv", "json", "turtle")
DIFF_FORMATS = ("text", "markdown", "patch")
LINEAGE_FORMATS = ("text", "mermaid", "dot", "svg")
REPORT_FORMATS = ("human", "table", "turtle", "json")
#: The triplestores `orgkg load` knows the paths of (orgkg.triplestore.DIALECTS describes each).
DIALECT_NAMES = ("oxigraph", "virtuoso", "fuseki", "graphdb", "gsp")
#: Where `orgkg serve` answers queries by default: the endpoint the catalogue's queries are for.
SERVE_QUERY_URL = "http://127.0.0.1:7878/query"
