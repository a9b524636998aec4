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
    provider_id: str | None = None
    """The bank's id at its connector (an aggregator's own institution id), when it differs
    from `id`; begin_auth is given it."""

    @property
    def at_connector(self) -> str:
        return self.provider_id or self.id


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result: an institution, or a group whose regions `Directory.members` lists."""

    id: str
    name: str
    is_group: bool
    connector: str | None
