"""Messages sent once about a connection: sign in again, a bank failing for a day, consent
ending; each claimed before it is sent, released if it could not be."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from bot.domain.clock import Clock
from bot.domain.states import ConnectionStatus
from bot.services.connect import Services
from bot.services.health import TELL_AFTER
from bot.services.scheduler import is_daytime
from storage.models import Connection, User
from storage.uow import Database

EXPIRY_NOTICE_DAYS = 7
"""A consent's first reminder comes this many days before it expires…"""
LAST_NOTICE_DAYS = 1
"""…and its last one this many days before (a reminder already sent does not stop it)."""


class NoticeKind(StrEnum):
    REAUTH = "reauth"
    FAILING = "failing"
    EXPIRING = "expiring"


@dataclass(frozen=True, slots=True)
class Notice:
    """A message the user gets once: sign in again, a bank failing for a day, consent ending."""

    kind: NoticeKind
    connection_id: int
    institution_name: str
    chat_id: int
    language: str
    timezone: str
    claimed_at: datetime
    error: str | None = None
    since: datetime | None = None
    expires: date | None = None


class Notices:
    """The notice use cases of `Connections`, which sets what is declared here."""

    db: Database
    clock: Clock
    services: Services

    async def claim_notices(self, kinds: Collection[NoticeKind]) -> list[Notice]:
        """The warnings and reminders due now, each claimed so it is sent once.

        They wait for the user's daytime: the nightly sync finds problems at 3 a.m.
        """
        now = self.clock.now()
        today = self.services.today()
        found: list[tuple[NoticeKind, Connection, User]] = []
        async with self.db.reading() as uow:
            if {NoticeKind.REAUTH, NoticeKind.FAILING} & set(kinds):
                for connection, user in await uow.connections.awaiting_attention(now - TELL_AFTER):
                    kind = (
                        NoticeKind.REAUTH
                        if connection.status == ConnectionStatus.NEEDS_REAUTH
                        else NoticeKind.FAILING
                    )
                    if kind in kinds:
                        found.append((kind, connection, user))
            if NoticeKind.EXPIRING in kinds:
                last = today + timedelta(days=EXPIRY_NOTICE_DAYS)
                expiring = await uow.connections.consent_expiring(
                    today,
                    last,
                    last_notice_on=today + timedelta(days=LAST_NOTICE_DAYS),
                    reminded_before=_start_of(today),
                )
                for connection, user in expiring:
                    found.append((NoticeKind.EXPIRING, connection, user))
        due = [(k, c, u) for k, c, u in found if is_daytime(now, u.timezone)]
        if not due:
            return []
        notices = []
        async with self.db.writing() as uow:
            for kind, connection, user in due:
                if kind is NoticeKind.EXPIRING:
                    claimed = await uow.connections.claim_expiry_reminder(
                        connection.id, now, reminded_before=_last_notice_from(connection, today)
                    )
                else:
                    claimed = await uow.connections.claim_attention(connection.id, now)
                if claimed:
                    notices.append(
                        Notice(
                            kind=kind,
                            connection_id=connection.id,
                            institution_name=connection.institution_name,
                            chat_id=user.chat_id,
                            language=user.language,
                            timezone=user.timezone,
                            claimed_at=now,
                            error=connection.last_error,
                            since=connection.failing_since,
                            expires=connection.consent_expires,
                        )
                    )
            await uow.commit()
        return notices

    async def release(self, notice: Notice) -> None:
        """The notice could not be sent: let the next tick try again."""
        async with self.db.writing() as uow:
            await uow.connections.release_claims(notice.connection_id, notice.claimed_at)
            await uow.commit()


def _last_notice_from(connection: Connection, today: date) -> datetime | None:
    """For the last reminder of a consent (due from the start of today): the first one,
    sent days before, does not count against it."""
    expires = connection.consent_expires
    if expires is None or expires != today + timedelta(days=LAST_NOTICE_DAYS):
        return None
    return _start_of(today)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
