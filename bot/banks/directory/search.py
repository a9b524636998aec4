"""Searchable directory of institutions: the demo bank, schwifty's offline bank registry and
the bank providers' institution lists merged into it (merging.py)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from bot.banks.directory.building import is_built, known_countries, shared_index
from bot.banks.directory.institution import Institution, SearchHit
from bot.banks.directory.merging import Featured, ProviderList, merged
from bot.banks.directory.names import normalize
from bot.banks.directory.ranking import Group, Index

__all__ = [
    "DEMO_ID",
    "Directory",
    "Featured",
    "Institution",
    "ProviderList",
    "SearchHit",
    "normalize",
]

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
    and a bot serving French users never loads the other 46 registries. A country with
    provider lists or featured entries gets an index of its own, the offline one extended;
    `serve` replaces it whole, so searches running meanwhile read the previous one.
    """

    def __init__(self, demo_enabled: bool = True, featured: Iterable[Featured] = ()) -> None:
        self._demo = (
            Institution(DEMO_ID, DEMO_NAME, "*", None, DEMO_CONNECTOR, DEMO_HISTORY_DAYS, None)
            if demo_enabled
            else None
        )
        self._featured = tuple(featured)
        self._featured_by_id = {f.institution.id: f.institution for f in self._featured}
        self._featured_in = frozenset(c for f in self._featured for c in f.countries)
        self._lists: dict[str, dict[str, ProviderList]] = {}
        self._merged: dict[str, Index] = {}
        self._merging = threading.Lock()
        self._elsewhere = shared_index("", self._demo)

    def countries(self) -> list[str]:
        return sorted(known_countries() | self._featured_in | set(self._lists))

    def serve(self, lists: Iterable[ProviderList]) -> set[str]:
        """Provider lists replace those of the same connector and country; the countries
        whose index is in use are merged again now (up to ~50 ms each: call it off the
        event loop), the others at their first use. The countries changed."""
        with self._merging:
            changed: set[str] = set()
            for found in lists:
                country = found.country.strip().upper()
                kept = self._lists.get(country, {})
                if found.institutions:
                    kept[found.connector] = found
                elif kept.pop(found.connector, None) is None:
                    continue
                changed.add(country)
                if kept:
                    self._lists[country] = kept
                else:
                    self._lists.pop(country, None)
            for country in changed:
                if country not in self._lists and country not in self._featured_in:
                    self._merged.pop(country, None)
                elif country in self._merged or is_built(self._base_code(country), self._demo):
                    self._merged[country] = self._merge(country)
            return changed

    def preload(self, countries: Iterable[str] | None = None) -> None:
        """Build country indexes now (all by default) rather than on their first search."""
        for country in self.countries() if countries is None else countries:
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
        if institution_id in self._featured_by_id:
            return self._featured_by_id[institution_id]
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
        index = self._merged.get(code)
        if index is not None:
            return index
        if code in self._lists or code in self._featured_in:
            with self._merging:
                index = self._merged.get(code)
                if index is None:
                    index = self._merged[code] = self._merge(code)
            return index
        if code not in known_countries():
            return self._elsewhere
        return shared_index(code, self._demo)

    def _base_code(self, code: str) -> str:
        return code if code in known_countries() else ""

    def _merge(self, code: str) -> Index:
        base = shared_index(self._base_code(code), self._demo)
        return merged(base, code, self._lists.get(code, {}).values(), self._featured)
