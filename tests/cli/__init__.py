"""Tests of the command line: `python -m bot` and its subcommands (bot/cli.py)."""
