"""What the user brings back from the bank: the redirect URL they landed on, or its query.

Enable Banking sends the browser to the application's redirect URL with ``code`` and ``state``
in the query string, or ``error`` (and ``error_description``) when the consent failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True, slots=True)
class Redirect:
    code: str | None = field(default=None, repr=False)
    state: str | None = None
    error: str | None = None
    description: str | None = None


def read_redirect(answer: str) -> Redirect:
    """The redirect's parameters from a full URL, a query string (with or without its "?"),
    or nothing at all (the user has not come back yet)."""
    answer = answer.strip()
    if "://" in answer:
        query = urlsplit(answer).query
    else:
        query = answer.partition("#")[0]
        query = query.split("?", 1)[1] if "?" in query else query
    params = parse_qs(query, keep_blank_values=False)

    def first(name: str) -> str | None:
        values = params.get(name)
        return values[0].strip() or None if values else None

    return Redirect(
        code=first("code"),
        state=first("state"),
        error=first("error"),
        description=first("error_description"),
    )
