"""The bank providers' institution lists: kept in the database, merged into the directory at
startup, and fetched again from a provider once they are a week old."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Final

from bot.banks.connector import (
    ConnectorError,
    ConnectorRegistry,
    InstitutionSource,
    ProviderInstitution,
    guarded,
)
from bot.banks.directory.search import Directory, ProviderList
from bot.banks.registry import institution_sources
from bot.domain.clock import Clock
from storage.repositories import StoredList
from storage.uow import Database

log = logging.getLogger(__name__)

REFRESH_AFTER: Final = timedelta(days=7)
FORMAT: Final = 1
"""The version of the JSON a list is kept as; another version is fetched again."""
PSD2_COUNTRIES: Final = (
    "FR", "BE", "LU", "MC", "DE", "AT", "NL", "ES", "IT", "PT", "IE", "GB",
    "BG", "CY", "CZ", "DK", "EE", "FI", "GR", "HR", "HU", "IS", "LI", "LT",
    "LV", "MT", "NO", "PL", "RO", "SE", "SI", "SK",
)  # fmt: skip
"""Where the aggregators reach banks (the EEA, the UK and Monaco): each is asked for each,
France first. A country a provider does not serve gives an empty list, kept like the others."""

Key = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Refreshed:
    """What one refresh did: lists fetched (with their banks), lists that failed (with the
    error's code) and lists still fresh."""

    fetched: tuple[tuple[str, str, int], ...]
    failed: tuple[tuple[str, str, str], ...]
    fresh: int


class InstitutionLists:
    """Each institution source's list per country, in the database and in the directory."""

    def __init__(
        self,
        db: Database,
        connectors: ConnectorRegistry,
        directory: Directory,
        clock: Clock,
        countries: Sequence[str] = PSD2_COUNTRIES,
    ) -> None:
        self.db = db
        self.directory = directory
        self.clock = clock
        self._sources = institution_sources(connectors)
        self._countries = tuple(countries)
        self._unreadable: set[Key] = set()
        self._one_at_a_time = asyncio.Lock()

    @property
    def sources(self) -> list[str]:
        return [source.name for source in self._sources]

    async def load(self) -> int:
        """Give the directory every list kept in the database (at startup); how many."""
        if not self._sources:
            return 0
        async with self.db.reading() as uow:
            stored = await uow.institution_lists.of(self.sources)
        return await asyncio.to_thread(self._serve_stored, stored)

    async def refresh(self) -> Refreshed:
        """Fetch again each list older than REFRESH_AFTER (or never fetched), keep it and
        give it to the directory. A provider that fails keeps its lists as they were and is
        asked nothing more this time: its lists stay due, for the next refresh."""
        async with self._one_at_a_time:
            return await self._refresh()

    async def _refresh(self) -> Refreshed:
        if not self._sources:
            return Refreshed((), (), 0)
        async with self.db.reading() as uow:
            ages = await uow.institution_lists.ages(self.sources)
        fetched: list[ProviderList] = []
        failed: list[tuple[str, str, str]] = []
        fresh = 0
        for source in self._sources:
            for country in self._countries:
                at = ages.get((source.name, country))
                now = self.clock.now()
                due = at is None or now - at >= REFRESH_AFTER
                if not due and (source.name, country) not in self._unreadable:
                    fresh += 1
                    continue
                try:
                    found = await self._fetch(source, country)
                except ConnectorError as error:
                    failed.append((source.name, country, error.code))
                    log.warning(
                        "institution list of %s not fetched (%s): the one kept is used; "
                        "asked again at the next refresh",
                        source.name,
                        error.code,
                    )
                    break
                await self._keep(found, now)
                fetched.append(found)
        if fetched:
            await asyncio.to_thread(self.directory.serve, fetched)
        log.info(
            "institution lists: %d fetched, %d still fresh, %d failed",
            len(fetched),
            fresh,
            len(failed),
        )
        return Refreshed(
            tuple((f.connector, f.country, len(f.institutions)) for f in fetched),
            tuple(failed),
            fresh,
        )

    async def _fetch(self, source: InstitutionSource, country: str) -> ProviderList:
        """The bank call, before any unit of work opens."""
        banks = await guarded(source.name, functools.partial(source.institutions, country))
        return ProviderList(source.name, country, tuple(b for b in banks if b.country == country))

    async def _keep(self, found: ProviderList, now: datetime) -> None:
        body = encode(found.institutions)
        async with self.db.writing() as uow:
            await uow.institution_lists.put(found.connector, found.country, now, body)
            await uow.commit()
        self._unreadable.discard((found.connector, found.country))

    def _serve_stored(self, stored: list[StoredList]) -> int:
        """Decode and serve (in a worker thread: a few hundred banks a list)."""
        lists: list[ProviderList] = []
        for row in stored:
            banks = decode(row.institutions, row.country)
            if banks is None:
                log.warning(
                    "institution list of %s, %s unreadable: fetched again at the next refresh",
                    row.connector,
                    row.country,
                )
                self._unreadable.add((row.connector, row.country))
                continue
            lists.append(ProviderList(row.connector, row.country, banks))
        self.directory.serve(lists)
        return len(lists)


def encode(banks: Sequence[ProviderInstitution]) -> str:
    return json.dumps(
        {"v": FORMAT, "institutions": [asdict(bank) for bank in banks]},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def decode(body: str, country: str) -> tuple[ProviderInstitution, ...] | None:
    """The banks of a kept list; None when it is not one this version wrote."""
    try:
        data = json.loads(body)
        if not isinstance(data, dict) or data.get("v") != FORMAT:
            return None
        return tuple(
            ProviderInstitution(
                id=str(entry["id"]),
                name=str(entry["name"]),
                country=country,
                bic=str(entry["bic"]) if entry.get("bic") else None,
                max_history_days=int(entry["max_history_days"]),
                max_consent_days=(
                    int(entry["max_consent_days"]) if entry.get("max_consent_days") else None
                ),
            )
            for entry in data["institutions"]
        )
    except (ValueError, TypeError, KeyError):
        return None
