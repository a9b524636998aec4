"""What the directory hands out: an institution a user can pick, and one search result."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Institution:
    """A bank a user can pick; `group` is set when it is one region of a brand group."""

    id: str
    name: str
    country: str
    bic: str | None
    connector: str | None
    max_history_days: int
    group: str | None


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result: an institution, or a group whose regions `Directory.members` lists."""

    id: str
    name: str
    is_group: bool
    connector: str | None
