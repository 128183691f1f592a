"""`python -m orgkg.cli`: the same program as `orgkg` (its entry point, orgkg.console)."""

from orgkg.console import main

main()
