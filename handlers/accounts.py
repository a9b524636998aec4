"""/accounts, /refresh, /credentials, /disconnect and /deletemydata."""

from __future__ import annotations

from typing import Any


def handlers() -> list[Any]:
    """The connection-management surface, registered after the review surface."""
    return []
