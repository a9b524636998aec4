"""One summary per user and local day; nightly sync slots; leases."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.domain.clock import FixedClock
from bot.services.connect import Services
from bot.services.scheduler import Scheduler, sync_slot
from storage.models import DigestRun
from storage.uow import Database
from tests.support.connecting import ALICE, BOB, connect_all


def test_sync_slots_spread_over_the_night_in_paris() -> None:
    after = datetime(2026, 11, 28, 11, 0, tzinfo=UTC)
    slots = {sync_slot(n, after) for n in range(1, 50)}
    assert len(slots) > 30
    assert all(
        datetime(2026, 11, 29, 0, 0, tzinfo=UTC) <= s < datetime(2026, 11, 29, 5, 0, tzinfo=UTC)
        for s in slots
    )


async def test_a_digest_is_claimed_once_per_local_day(
    services: Services, db: Database, clock: FixedClock
) -> None:
    await services.meet(ALICE, ALICE, "fr")
    await services.meet(BOB, BOB, "en")
    await services.update_settings(BOB, digest_time="20:00")
    scheduler = Scheduler(db, clock)
    claims = await scheduler.claim_digests()
    assert [c.telegram_id for c in claims] == [ALICE]
    assert await scheduler.claim_digests() == []
    restarted = Scheduler(db, clock)
    assert await restarted.claim_digests() == []


async def test_an_unsent_claim_is_sent_again_after_ten_minutes(
    services: Services, db: Database, clock: FixedClock
) -> None:
    await services.meet(ALICE, ALICE, "fr")
    scheduler = Scheduler(db, clock)
    (claim,) = await scheduler.claim_digests()
    clock.advance(timedelta(minutes=5))
    assert await scheduler.claim_digests() == []
    clock.advance(timedelta(minutes=6))
    (again,) = await scheduler.claim_digests()
    assert again.run_id == claim.run_id
    await scheduler.mark_sent(claim.run_id, 42)
    clock.advance(timedelta(minutes=11))
    assert await scheduler.claim_digests() == []
    async with db.reading() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(DigestRun)) == 1


async def test_due_syncs_are_leased_to_one_runner(
    services: Services, db: Database, clock: FixedClock
) -> None:
    connection_id = await connect_all(services, ALICE, date(2026, 11, 1))
    scheduler = Scheduler(db, clock)
    assert await scheduler.claim_syncs() == []
    clock.advance(timedelta(days=1))
    assert await scheduler.claim_syncs() == [connection_id]
    assert await scheduler.claim_syncs() == []
    await scheduler.finish_sync(connection_id)
    assert await scheduler.claim_syncs() == []


async def test_the_next_summary_time_is_the_first_users_after_now(
    services: Services, db: Database, clock: FixedClock
) -> None:
    scheduler = Scheduler(db, clock)
    assert await scheduler.next_digest_after(clock.now()) is None
    await services.meet(ALICE, ALICE, "fr")
    await services.meet(BOB, BOB, "en")
    await services.update_settings(ALICE, digest_time="20:00")
    await services.update_settings(BOB, digest_time="07:00")
    now = clock.now()  # noon in Paris
    found = await scheduler.next_digest_after(now)
    assert found is not None and found > now
    assert found.astimezone(ZoneInfo("Europe/Paris")).time() == time(20, 0)
    later = await scheduler.next_digest_after(found)
    assert later is not None and later.astimezone(ZoneInfo("Europe/Paris")).time() == time(7, 0)
