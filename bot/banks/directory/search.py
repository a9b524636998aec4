"""Searchable directory of institutions: the demo bank plus schwifty's offline bank registry."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.banks.directory.building import known_countries, shared_index
from bot.banks.directory.institution import Institution, SearchHit
from bot.banks.directory.names import normalize
from bot.banks.directory.ranking import Group, Index

__all__ = ["DEMO_ID", "Directory", "Institution", "SearchHit", "normalize"]

DEMO_ID = "demo"
DEMO_CONNECTOR = "demo"
DEMO_NAME = "Demo Bank"
DEMO_HISTORY_DAYS = 730

MAX_QUERY_CHARS = 100

_INSTITUTION_ID = re.compile(r"([a-z]{2})-[a-z0-9]+")
_GROUP_ID = re.compile(r"g-([a-z]{2})-[a-z0-9-]+")


class Directory:
    """All institutions a user can pick, searchable per country.

    A country's index is built on its first use in the process (from a few milliseconds up
    to about 0.2 s for Germany or the United Kingdom), so creating a Directory costs nothing
    and a bot serving French users never loads the other 46 registries.
    """

    def __init__(self, demo_enabled: bool = True) -> None:
        self._demo = (
            Institution(DEMO_ID, DEMO_NAME, "*", None, DEMO_CONNECTOR, DEMO_HISTORY_DAYS, None)
            if demo_enabled
            else None
        )
        self._countries = sorted(known_countries())
        self._elsewhere = shared_index("", self._demo)

    def countries(self) -> list[str]:
        return list(self._countries)

    def preload(self, countries: Iterable[str] | None = None) -> None:
        """Build country indexes now (all by default) rather than on their first search."""
        for country in self._countries if countries is None else countries:
            self._index(country)

    def search(self, query: str, country: str, limit: int = 8) -> list[SearchHit]:
        if limit <= 0 or not isinstance(query, str):
            return []
        normalized = normalize(query[:MAX_QUERY_CHARS])
        if len(normalized) < 2:
            return []
        return self._index(country).search(normalized, limit)

    def members(self, group_id: str) -> list[Institution]:
        group = self._group(group_id)
        return list(group.members) if group else []

    def get(self, institution_id: str) -> Institution | None:
        if self._demo is not None and institution_id == DEMO_ID:
            return self._demo
        found = _INSTITUTION_ID.fullmatch(institution_id)
        if found is None:
            return None
        return self._index(found.group(1)).institutions.get(institution_id)

    def group_name(self, group_id: str) -> str | None:
        group = self._group(group_id)
        return group.spec.name if group else None

    def _group(self, group_id: str) -> Group | None:
        found = _GROUP_ID.fullmatch(group_id)
        if found is None:
            return None
        return self._index(found.group(1)).groups.get(group_id)

    def _index(self, country: str) -> Index:
        code = country.strip().upper() if isinstance(country, str) else ""
        if code not in known_countries():
            return self._elsewhere
        return shared_index(code, self._demo)
