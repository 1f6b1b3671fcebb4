"""`python -m otklik` runs the CLI."""

from otklik.cli import main

main()
