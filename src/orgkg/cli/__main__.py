"""`python -m orgkg.cli`: the same command line as `orgkg`."""

from orgkg.cli import main

main()
