"""The bank providers' institution lists, one row per connector and country."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from storage.models import InstitutionList
from storage.repositories.base import Repository


@dataclass(frozen=True, slots=True)
class StoredList:
    connector: str
    country: str
    fetched_at: datetime
    institutions: str
    """The JSON the service wrote."""


class InstitutionLists(Repository):
    async def ages(self, connectors: Collection[str]) -> dict[tuple[str, str], datetime]:
        """When each list of these connectors was fetched, by (connector, country)."""
        rows = await self.session.execute(
            select(
                InstitutionList.connector, InstitutionList.country, InstitutionList.fetched_at
            ).where(InstitutionList.connector.in_(list(connectors)))
        )
        return {(connector, country): at for connector, country, at in rows}

    async def of(self, connectors: Collection[str]) -> list[StoredList]:
        """Every list of these connectors (a few dozen rows: one per country served)."""
        rows = await self.session.execute(
            select(
                InstitutionList.connector,
                InstitutionList.country,
                InstitutionList.fetched_at,
                InstitutionList.institutions,
            )
            .where(InstitutionList.connector.in_(list(connectors)))
            .order_by(InstitutionList.connector, InstitutionList.country)
        )
        return [StoredList(*row) for row in rows]

    async def put(self, connector: str, country: str, fetched_at: datetime, body: str) -> None:
        """Keep a list just fetched in place of the one before."""
        row = await self.session.get(InstitutionList, (connector, country))
        if row is None:
            self.session.add(
                InstitutionList(
                    connector=connector, country=country, fetched_at=fetched_at, institutions=body
                )
            )
        else:
            row.fetched_at = fetched_at
            row.institutions = body
        await self.session.flush()
