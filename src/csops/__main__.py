"""`python -m csops` runs the command line."""

from csops.cli import main

main()
