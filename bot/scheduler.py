"""When things run: staggered daily syncs and one digest per user and local day (DESIGN §7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.clock import Clock
from bot.domain import ConnectionStatus
from storage.models import Connection, DigestRun, User
from storage.uow import Database

SYNC_TZ = ZoneInfo("Europe/Paris")
SYNC_WINDOW_START = time(1, 0)
SYNC_WINDOW_MINUTES = 300
SYNC_LEASE = timedelta(minutes=15)
DIGEST_RESEND_AFTER = timedelta(minutes=10)
NOTICE_HOURS = (time(8, 0), time(21, 0))
"""Local hours when the nightly sync's warnings and consent reminders are sent."""


def sync_slot(connection_id: int, after: datetime) -> datetime:
    """The next nightly slot of a connection, spread over 01:00–06:00 Paris time by its id."""
    offset = timedelta(minutes=(connection_id * 37) % SYNC_WINDOW_MINUTES)
    local = after.astimezone(SYNC_TZ)
    for days in (0, 1, 2):
        day = local.date() + timedelta(days=days)
        slot = datetime.combine(day, SYNC_WINDOW_START, SYNC_TZ) + offset
        if slot > local:
            return slot.astimezone(after.tzinfo)
    raise AssertionError("unreachable")


def is_daytime(moment: datetime, timezone: str) -> bool:
    """Whether a message that can wait (a warning, a reminder) may be sent now: not at night."""
    local = moment.astimezone(ZoneInfo(timezone)).time()
    return NOTICE_HOURS[0] <= local < NOTICE_HOURS[1]


def local_digest_moment(user: User, day: date) -> datetime:
    hours, minutes = (int(part) for part in user.digest_time.split(":"))
    return datetime.combine(day, time(hours, minutes), ZoneInfo(user.timezone))


@dataclass(frozen=True, slots=True)
class DigestClaim:
    run_id: int
    telegram_id: int
    chat_id: int
    language: str


class Scheduler:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def claim_syncs(self, limit: int = 20) -> list[int]:
        """Connections due for their nightly sync, leased so that one instance runs each."""
        now = self.clock.now()
        async with self.db.writing() as uow:
            due = (
                await uow.session.scalars(
                    select(Connection.id)
                    .where(
                        # ERROR: a bank failing for a day is still retried
                        Connection.status.in_((ConnectionStatus.ACTIVE, ConnectionStatus.ERROR)),
                        Connection.next_sync_at.is_not(None),
                        Connection.next_sync_at <= now,
                        or_(
                            Connection.sync_lease_until.is_(None), Connection.sync_lease_until < now
                        ),
                    )
                    .order_by(Connection.next_sync_at)
                    .limit(limit)
                )
            ).all()
            claimed = []
            for connection_id in due:
                result = await uow.session.execute(
                    update(Connection)
                    .where(
                        Connection.id == connection_id,
                        or_(
                            Connection.sync_lease_until.is_(None), Connection.sync_lease_until < now
                        ),
                    )
                    .values(sync_lease_until=now + SYNC_LEASE)
                )
                if result.rowcount == 1:  # type: ignore[attr-defined]
                    claimed.append(connection_id)
            await uow.commit()
        return claimed

    async def finish_sync(self, connection_id: int, *, retry_in: timedelta | None = None) -> None:
        now = self.clock.now()
        async with self.db.writing() as uow:
            connection = await uow.connections.get(connection_id)
            if connection is not None:
                connection.sync_lease_until = None
                connection.next_sync_at = (
                    now + retry_in if retry_in else sync_slot(connection_id, now)
                )
                await uow.commit()

    async def release_sync(self, connection_id: int) -> None:
        """Give the lease back; when it runs next was decided by the sync itself."""
        async with self.db.writing() as uow:
            await uow.session.execute(
                update(Connection)
                .where(Connection.id == connection_id)
                .values(sync_lease_until=None)
                .execution_options(synchronize_session=False)
            )
            await uow.commit()

    async def claim_digests(self) -> list[DigestClaim]:
        """Users whose digest time has come today: a DigestRun row is the claim (unique per day).

        A claim left unsent for ten minutes is taken again, so a crash costs at most one
        duplicate, never a lost digest.
        """
        now = self.clock.now()
        claims: list[DigestClaim] = []
        async with self.db.reading() as uow:
            users = (await uow.session.scalars(select(User))).all()
            stale = (
                await uow.session.scalars(
                    select(DigestRun).where(
                        and_(
                            DigestRun.sent_at.is_(None),
                            DigestRun.claimed_at < now - DIGEST_RESEND_AFTER,
                        )
                    )
                )
            ).all()
            recent = {
                (run.user_id, run.local_date)
                for run in (
                    await uow.session.scalars(
                        select(DigestRun).where(
                            DigestRun.local_date >= now.date() - timedelta(days=1)
                        )
                    )
                ).all()
            }
        for user in users:
            today = now.astimezone(ZoneInfo(user.timezone)).date()
            if (user.id, today) in recent or now < local_digest_moment(user, today):
                continue
            run_id = await self._claim(user.id, today, now)
            if run_id is not None:
                claims.append(DigestClaim(run_id, user.telegram_id, user.chat_id, user.language))
        by_id = {user.id: user for user in users}
        for run in stale:
            if await self._reclaim(run.id, now) and run.user_id in by_id:
                user = by_id[run.user_id]
                claims.append(DigestClaim(run.id, user.telegram_id, user.chat_id, user.language))
        return claims

    async def _claim(self, user_id: int, day: date, now: datetime) -> int | None:
        try:
            async with self.db.writing() as uow:
                run = DigestRun(user_id=user_id, local_date=day, claimed_at=now)
                uow.session.add(run)
                await uow.flush()
                await uow.commit()
                return run.id
        except IntegrityError:
            return None

    async def _reclaim(self, run_id: int, now: datetime) -> bool:
        async with self.db.writing() as uow:
            result = await uow.session.execute(
                update(DigestRun)
                .where(
                    DigestRun.id == run_id,
                    DigestRun.sent_at.is_(None),
                    DigestRun.claimed_at < now - DIGEST_RESEND_AFTER,
                )
                .values(claimed_at=now)
            )
            await uow.commit()
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def mark_sent(self, run_id: int, message_id: int | None) -> None:
        async with self.db.writing() as uow:
            run = await uow.session.get(DigestRun, run_id)
            if run is not None:
                run.sent_at = self.clock.now()
                run.message_id = message_id
                await uow.commit()
