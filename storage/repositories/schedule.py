"""When things run: the nightly syncs' leases and the daily digests' claims (DESIGN §7)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from storage.models import Connection, DigestRun, User
from storage.repositories.base import SYNCING, Repository


class Schedule(Repository):
    async def due_syncs(self, now: datetime, limit: int) -> Sequence[int]:
        """Connections whose nightly sync is due and not leased, the longest waiting first."""
        rows = await self.session.scalars(
            select(Connection.id)
            .where(
                Connection.status.in_(SYNCING),  # ERROR: a bank failing for a day is retried
                Connection.next_sync_at.is_not(None),
                Connection.next_sync_at <= now,
                or_(Connection.sync_lease_until.is_(None), Connection.sync_lease_until < now),
            )
            .order_by(Connection.next_sync_at)
            .limit(limit)
        )
        return rows.all()

    async def lease_sync(self, connection_id: int, now: datetime, until: datetime) -> bool:
        """Take the sync's lease unless another instance holds one that has not run out."""
        return (
            await self._changed(
                update(Connection)
                .where(
                    Connection.id == connection_id,
                    or_(Connection.sync_lease_until.is_(None), Connection.sync_lease_until < now),
                )
                .values(sync_lease_until=until)
            )
            == 1
        )

    async def release_sync(self, connection_id: int) -> None:
        await self.session.execute(
            update(Connection)
            .where(Connection.id == connection_id)
            .values(sync_lease_until=None)
            .execution_options(synchronize_session=False)
        )

    async def users(self) -> Sequence[User]:
        return (await self.session.scalars(select(User))).all()

    async def unsent_digests(self, claimed_before: datetime) -> Sequence[DigestRun]:
        """Digests claimed before then and still not sent: their sender died."""
        rows = await self.session.scalars(
            select(DigestRun).where(
                DigestRun.sent_at.is_(None), DigestRun.claimed_at < claimed_before
            )
        )
        return rows.all()

    async def digest_days_since(self, first: date) -> set[tuple[int, date]]:
        """(user, local day) of every digest claimed for that day or after."""
        rows = await self.session.execute(
            select(DigestRun.user_id, DigestRun.local_date).where(DigestRun.local_date >= first)
        )
        return {(int(user_id), day) for user_id, day in rows.all()}

    async def claim_digest(self, user_id: int, day: date, now: datetime) -> int | None:
        """The new claim's id, or None when another instance claimed that day first (the
        unique key refused it; the unit of work then only rolls back)."""
        run = DigestRun(user_id=user_id, local_date=day, claimed_at=now)
        self.session.add(run)
        try:
            await self.session.flush()
        except IntegrityError:
            return None
        return run.id

    async def reclaim_digest(self, run_id: int, now: datetime, claimed_before: datetime) -> bool:
        return (
            await self._changed(
                update(DigestRun)
                .where(
                    DigestRun.id == run_id,
                    DigestRun.sent_at.is_(None),
                    DigestRun.claimed_at < claimed_before,
                )
                .values(claimed_at=now)
            )
            == 1
        )

    async def digest_sent(self, run_id: int, at: datetime, message_id: int | None) -> None:
        await self.session.execute(
            update(DigestRun)
            .where(DigestRun.id == run_id)
            .values(sent_at=at, message_id=message_id)
            .execution_options(synchronize_session=False)
        )
