"""The one set of errors the use cases raise; handlers turn each into one plain answer."""

from __future__ import annotations


class NotFound(Exception):
    """Gone, or not the acting user's (a line, rule, account or connection of another book):
    one error for both, so a forged id learns nothing. Nothing changed."""


class InvalidInput(ValueError):
    """Input the use case refuses (an unknown time zone, a name too long). Nothing changed."""
