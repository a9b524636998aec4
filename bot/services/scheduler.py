"""When things run: staggered daily syncs and one digest per user and local day (DESIGN §7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.clock import Clock
from storage.models import User
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

    async def next_digest_after(self, moment: datetime) -> datetime | None:
        """The first daily summary time of any user after `moment`; None without users."""
        async with self.db.reading() as uow:
            users = await uow.schedule.users()
        moments = []
        for user in users:
            today = moment.astimezone(ZoneInfo(user.timezone)).date()
            next_one = local_digest_moment(user, today)
            if next_one <= moment:
                next_one = local_digest_moment(user, today + timedelta(days=1))
            moments.append(next_one)
        return min(moments).astimezone(moment.tzinfo) if moments else None

    async def claim_syncs(self, limit: int = 20) -> list[int]:
        """Connections due for their nightly sync, leased so that one instance runs each."""
        now = self.clock.now()
        async with self.db.writing() as uow:
            claimed = [
                connection_id
                for connection_id in await uow.schedule.due_syncs(now, limit)
                if await uow.schedule.lease_sync(connection_id, now, now + SYNC_LEASE)
            ]
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
            await uow.schedule.release_sync(connection_id)
            await uow.commit()

    async def claim_digests(self) -> list[DigestClaim]:
        """Users whose digest time has come today: a DigestRun row is the claim (unique per day).

        A claim left unsent for ten minutes is taken again, so a crash costs at most one
        duplicate, never a lost digest.
        """
        now = self.clock.now()
        claims: list[DigestClaim] = []
        async with self.db.reading() as uow:
            users = await uow.schedule.users()
            stale = await uow.schedule.unsent_digests(now - DIGEST_RESEND_AFTER)
            recent = await uow.schedule.digest_days_since(now.date() - timedelta(days=1))
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
        async with self.db.writing() as uow:
            run_id = await uow.schedule.claim_digest(user_id, day, now)
            if run_id is not None:
                await uow.commit()
            return run_id

    async def _reclaim(self, run_id: int, now: datetime) -> bool:
        async with self.db.writing() as uow:
            taken = await uow.schedule.reclaim_digest(run_id, now, now - DIGEST_RESEND_AFTER)
            await uow.commit()
            return taken

    async def mark_sent(self, run_id: int, message_id: int | None) -> None:
        async with self.db.writing() as uow:
            await uow.schedule.digest_sent(run_id, self.clock.now(), message_id)
            await uow.commit()
