"""Managing connections as use cases: no Telegram, a real database, the demo bank's personas."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.banks.connector import (
    AccountType,
    BankUnavailable,
    ConnectorRegistry,
    FetchedAccount,
)
from bot.banks.demo.bank import DemoBank
from bot.banks.directory.search import Directory
from bot.domain.clock import FixedClock
from bot.domain.money import Money
from bot.domain.secret import Secret
from bot.domain.states import ConnectionStatus, ReviewState
from bot.services.connect import Services
from bot.services.connection_views import OtherAccounts
from bot.services.connections import Connections
from bot.services.errors import NotFound
from bot.services.health import Health, classify, retry_delay
from bot.services.notices import NoticeKind
from bot.services.scheduler import Scheduler
from storage.models import (
    BankAccount,
    BankRequest,
    BankTransaction,
    Book,
    BookMember,
    Connection,
    DigestRun,
    JournalEntry,
    LedgerAccount,
    PtbState,
    Rule,
    SyncRun,
    User,
)
from storage.uow import Database
from storage.vault import KeyRing, Vault
from tests.support.connecting import START, connect_all, connect_as, sign_in

ALICE, BOB = 1001, 2002
ATTENTION = (NoticeKind.REAUTH, NoticeKind.FAILING)
PARIS = ZoneInfo("Europe/Paris")
EVERY_NOTICE = (NoticeKind.REAUTH, NoticeKind.FAILING, NoticeKind.EXPIRING)


class CountingDemoBank(DemoBank):
    """The demo bank, counting revocations; `refuse_revoke` makes them fail."""

    def __init__(self, clock: FixedClock, **kwargs: Any) -> None:
        super().__init__(clock, **kwargs)
        self.revoked = 0
        self.refuse_revoke = False

    async def revoke(self, secret: Secret) -> None:
        if self.refuse_revoke:
            raise BankUnavailable("down")
        await super().revoke(secret)
        self.revoked += 1


@pytest.fixture
def bank(clock: FixedClock) -> CountingDemoBank:
    return CountingDemoBank(clock)


@pytest.fixture
def services(
    db: Database, clock: FixedClock, directory: Directory, bank: CountingDemoBank
) -> Services:
    ring = KeyRing.parse("k1:" + "A" * 43 + "=")
    return Services(db, Vault(ring), ConnectorRegistry([bank]), directory, clock)


@pytest.fixture
def connections(services: Services) -> Connections:
    return Connections(services)


async def connection_row(db: Database, connection_id: int) -> Connection:
    async with db.reading() as uow:
        found = await uow.connections.get(connection_id)
    assert found is not None
    return found


async def count(db: Database, model: Any, *where: Any) -> int:
    async with db.reading() as uow:
        return int(
            await uow.session.scalar(select(func.count()).select_from(model).where(*where)) or 0
        )


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment given in Paris time, in UTC as the clock gives it."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS).astimezone(UTC)


# --- classification ------------------------------------------------------------------------


def test_failures_are_classified_by_what_the_user_can_do() -> None:
    assert classify("bad_credentials") is Health.NEEDS_REAUTH
    assert classify("consent_expired") is Health.NEEDS_REAUTH
    assert classify("account_locked") is Health.NEEDS_REAUTH
    assert classify("rate_limited") is Health.RATE_LIMITED
    assert classify("bank_unavailable") is Health.RETRYING
    assert classify("error") is Health.RETRYING


def test_retries_back_off_from_a_quarter_hour_to_four_hours() -> None:
    delays = [retry_delay(timedelta(minutes=m)) for m in (0, 15, 30, 60, 120, 240, 600)]
    assert [d.total_seconds() / 60 for d in delays] == [15, 15, 30, 60, 120, 240, 240]


# --- /accounts -------------------------------------------------------------------------------


async def test_overview_shows_each_bank_with_its_accounts_and_nothing_of_others(
    services: Services, connections: Connections
) -> None:
    connection_id = await connect_all(services, ALICE, START)
    await connections.refresh(ALICE, connection_id)
    view = await connections.overview(ALICE)
    (card,) = view.connections
    assert card.institution_name == "Demo Bank" and card.status == ConnectionStatus.ACTIVE
    assert card.last_sync_at is not None and card.consent_expires == date(2027, 5, 27)
    assert [a.name for a in card.accounts] == ["Compte courant pro", "Livret pro", "Carte Business"]
    current = card.accounts[0]
    assert current.iban_masked and "••••" in current.iban_masked
    assert current.balance is not None and current.ledger is not None
    assert current.ledger.code == "512" and current.connected
    await services.meet(BOB, BOB, "en")
    assert (await connections.overview(BOB)).connections == ()


# --- /refresh ----------------------------------------------------------------------------------


async def test_a_second_refresh_joins_the_running_one(
    db: Database, clock: FixedClock, directory: Directory
) -> None:
    ring = KeyRing.parse("k1:" + "A" * 43 + "=")
    slow = DemoBank(clock, latency=0.05)
    services = Services(db, Vault(ring), ConnectorRegistry([slow]), directory, clock)
    connections = Connections(services)
    connection_id = await connect_all(services, ALICE, START)
    first = asyncio.create_task(connections.refresh(ALICE, connection_id))
    while not connections.is_running(connection_id):
        await asyncio.sleep(0.01)
    second = await connections.refresh(ALICE, connection_id)
    assert await first == second and second.health is Health.OK and second.new_lines > 50
    assert await count(db, SyncRun) == 1
    again = await connections.refresh(ALICE, connection_id)
    assert again.new_lines == 0 and await count(db, SyncRun) == 2


async def test_a_rate_limited_bank_says_when_and_is_not_called_before(
    services: Services, connections: Connections, db: Database, clock: FixedClock
) -> None:
    connection_id = await connect_as(services, ALICE, "demo-limited")
    outcome = await connections.refresh(ALICE, connection_id)
    assert outcome.health is Health.RATE_LIMITED
    assert outcome.retry_at == clock.now() + timedelta(hours=1)
    runs = await count(db, SyncRun)
    clock.advance(timedelta(minutes=10))
    again = await connections.refresh(ALICE, connection_id)
    assert again.health is Health.RATE_LIMITED and again.retry_at == outcome.retry_at
    assert await count(db, SyncRun) == runs  # the bank was not asked again
    row = await connection_row(db, connection_id)
    assert row.next_sync_at == outcome.retry_at and row.status == ConnectionStatus.ACTIVE


async def test_another_user_can_neither_see_nor_touch_my_connection(
    services: Services, connections: Connections, db: Database
) -> None:
    connection_id = await connect_all(services, ALICE, START)
    await services.meet(BOB, BOB, "en")
    before = await connection_row(db, connection_id)
    authorized, _ = await sign_in(services)
    for attempt in (
        connections.refresh(BOB, connection_id),
        connections.targets(BOB, connection_id),
        connections.sign_in_target(BOB, connection_id),
        connections.replace_secret(BOB, connection_id, authorized),
        connections.disconnect(BOB, connection_id),
    ):
        with pytest.raises(NotFound):
            await attempt
    after = await connection_row(db, connection_id)
    assert (after.status, after.secret_blob) == (before.status, before.secret_blob)
    assert await count(db, SyncRun) == 0


# --- health of the nightly sync ---------------------------------------------------------------


async def test_a_sync_failing_three_ways_tells_exactly_what_it_should(
    services: Services, connections: Connections, db: Database, clock: FixedClock
) -> None:
    """Consent expired: one message. Bank down: silent retries, one message after a day.
    Rate limited: rescheduled after the allowed time, never a message."""
    expired = await connect_as(services, ALICE, "demo-expired")
    flaky = await connect_as(services, BOB, "demo-flaky")
    limited = await connect_as(services, 3003, "demo-limited")
    night = paris(date(2026, 11, 29), 3)
    clock.set(night)
    outcomes = {cid: await connections.sync(cid) for cid in (expired, flaky, limited)}
    assert outcomes[expired].health is Health.NEEDS_REAUTH
    assert outcomes[flaky].health is Health.RETRYING
    assert outcomes[flaky].retry_at == night + timedelta(minutes=15)
    assert outcomes[limited].health is Health.RATE_LIMITED
    assert outcomes[limited].retry_at == night + timedelta(hours=1)
    assert await connections.claim_notices(EVERY_NOTICE) == []  # 3 a.m.: it waits for the day

    clock.set(paris(date(2026, 11, 29), 9))
    notices = await connections.claim_notices(EVERY_NOTICE)
    assert [(n.kind, n.connection_id, n.error) for n in notices] == [
        (NoticeKind.REAUTH, expired, "consent_expired")
    ]
    assert notices[0].chat_id == ALICE and notices[0].language == "fr"
    assert await connections.claim_notices(EVERY_NOTICE) == []

    scheduler = Scheduler(db, clock)
    seen: set[int] = set()
    told: list[tuple[NoticeKind, int, timedelta]] = []
    while clock.now() < night + timedelta(hours=31):  # hour by hour, as the jobs run
        clock.advance(timedelta(hours=1))
        for cid in await scheduler.claim_syncs():
            seen.add(cid)
            assert (await connections.sync(cid)).health is not Health.NEEDS_REAUTH
            await scheduler.release_sync(cid)
        for notice in await connections.claim_notices(EVERY_NOTICE):
            told.append((notice.kind, notice.connection_id, clock.now() - night))
    assert seen == {flaky, limited}  # refused credentials are never tried again
    assert [(kind, cid) for kind, cid, _ in told] == [(NoticeKind.FAILING, flaky)]
    assert told[0][2] >= timedelta(days=1)
    row = await connection_row(db, flaky)
    assert row.status == ConnectionStatus.ERROR and row.failing_since == night
    runs = await count(db, SyncRun, SyncRun.connection_id == flaky)
    assert 8 <= runs <= 14  # backed off, not every hour
    assert (await connection_row(db, limited)).attention_sent_at is None


async def test_a_bank_that_comes_back_is_active_again_and_may_be_told_again_later(
    services: Services, connections: Connections, db: Database, clock: FixedClock
) -> None:
    connection_id = await connect_as(services, ALICE, "demo-flaky")
    start = paris(date(2026, 11, 29), 10)
    clock.set(start)
    await connections.sync(connection_id)
    clock.set(start + timedelta(days=1, minutes=5))
    await connections.sync(connection_id)
    (notice,) = await connections.claim_notices(ATTENTION)
    assert notice.kind is NoticeKind.FAILING and notice.since == start
    fixed = await connection_row(db, connection_id)
    authorized, _ = await sign_in(services)  # the bank fixed itself: `demo` works
    await connections.replace_secret(ALICE, connection_id, authorized)
    outcome = await connections.sync(connection_id)
    row = await connection_row(db, connection_id)
    assert outcome.health is Health.OK and fixed.status == ConnectionStatus.ERROR
    assert row.status == ConnectionStatus.ACTIVE and row.failing_since is None
    assert row.attention_sent_at is None and row.last_error is None


async def test_seven_days_then_one_day_before_the_consent_ends_a_reminder_each(
    services: Services, connections: Connections, clock: FixedClock
) -> None:
    connection_id = await connect_all(services, ALICE, START)
    expires = date(2027, 5, 27)
    clock.set(paris(expires - timedelta(days=8), 10))
    assert await connections.claim_notices(EVERY_NOTICE) == []
    clock.set(paris(expires - timedelta(days=7), 7))
    assert await connections.claim_notices(EVERY_NOTICE) == []  # 7 a.m.: too early
    clock.set(paris(expires - timedelta(days=7), 10))
    (reminder,) = await connections.claim_notices(EVERY_NOTICE)
    assert (reminder.kind, reminder.connection_id, reminder.expires) == (
        NoticeKind.EXPIRING,
        connection_id,
        expires,
    )
    clock.advance(timedelta(days=1))
    assert await connections.claim_notices(EVERY_NOTICE) == []
    clock.set(paris(expires - timedelta(days=1), 10))
    (last,) = await connections.claim_notices(EVERY_NOTICE)
    assert (last.kind, last.connection_id) == (NoticeKind.EXPIRING, connection_id)
    clock.advance(timedelta(hours=3))
    assert await connections.claim_notices(EVERY_NOTICE) == []


async def test_a_notice_that_could_not_be_sent_is_claimed_again(
    services: Services, connections: Connections, clock: FixedClock
) -> None:
    connection_id = await connect_as(services, ALICE, "demo-expired")
    assert (await connections.sync(connection_id)).health is Health.NEEDS_REAUTH
    (claimed,) = await connections.claim_notices(ATTENTION)
    await connections.release(claimed)
    clock.advance(timedelta(minutes=1))
    (again,) = await connections.claim_notices(ATTENTION)
    assert again.connection_id == claimed.connection_id == connection_id
    assert await connections.claim_notices(ATTENTION) == []


async def test_a_bank_too_slow_to_answer_is_retried_like_one_that_is_down(
    services: Services, db: Database, clock: FixedClock
) -> None:
    connection_id = await connect_all(services, ALICE, START)
    services.connectors = ConnectorRegistry([DemoBank(clock, latency=30.0)])
    outcome = await Connections(services, sync_timeout=0.05).sync(connection_id)
    assert outcome.health is Health.RETRYING and outcome.error == "bank_unavailable"
    row = await connection_row(db, connection_id)
    assert row.failing_since == clock.now() and row.next_sync_at == outcome.retry_at


# --- /credentials --------------------------------------------------------------------------------


async def test_new_sign_in_details_replace_the_secret_under_the_active_key(
    services: Services, connections: Connections, db: Database
) -> None:
    connection_id = await connect_as(services, ALICE, "demo-expired")
    assert (await connections.sync(connection_id)).health is Health.NEEDS_REAUTH
    before = await connection_row(db, connection_id)
    assert before.status == ConnectionStatus.NEEDS_REAUTH and before.secret_key_id == "k1"
    services.vault = Vault(KeyRing.parse("k2:" + "C" * 43 + "=,k1:" + "A" * 43 + "="))
    target = await connections.sign_in_target(ALICE, connection_id)
    assert target.institution.connector == "demo"
    authorized, _ = await sign_in(services)
    assert await connections.replace_secret(ALICE, connection_id, authorized) == "Demo Bank"
    after = await connection_row(db, connection_id)
    assert after.status == ConnectionStatus.ACTIVE and after.secret_key_id == "k2"
    assert after.secret_blob != before.secret_blob and after.next_sync_at is not None
    assert (after.last_error, after.attention_sent_at) == (None, None)
    assert (await connections.sync(connection_id)).health is Health.OK


async def test_sign_in_details_opening_other_accounts_change_nothing(
    services: Services, connections: Connections, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    connection_id = await connect_all(services, ALICE, START)
    before = await connection_row(db, connection_id)
    authorized, _ = await sign_in(services)
    stranger = FetchedAccount(
        "other-1", "Autre", AccountType.CHECKING, None, "EUR", Money(0, "EUR")
    )

    async def other_accounts(*_: object) -> list[FetchedAccount]:
        return [stranger]

    monkeypatch.setattr(services, "bank_accounts_at", other_accounts)
    with pytest.raises(OtherAccounts):
        await connections.replace_secret(ALICE, connection_id, authorized)
    assert (await connection_row(db, connection_id)).secret_blob == before.secret_blob


# --- /disconnect -----------------------------------------------------------------------------


async def test_disconnecting_keeps_accounts_and_lines_and_destroys_the_secret(
    services: Services,
    connections: Connections,
    db: Database,
    clock: FixedClock,
    bank: CountingDemoBank,
) -> None:
    connection_id = await connect_all(services, ALICE, START)
    await connections.refresh(ALICE, connection_id)
    lines = await count(db, BankTransaction)
    to_review = await count(
        db, BankTransaction, BankTransaction.review_state == ReviewState.TO_REVIEW
    )
    result = await connections.disconnect(ALICE, connection_id)
    assert not result.already and result.revoked and bank.revoked == 1
    assert result.to_review == to_review > 0
    row = await connection_row(db, connection_id)
    assert row.status == ConnectionStatus.DISCONNECTED
    assert (row.secret_blob, row.secret_key_id, row.next_sync_at) == (None, None, None)
    assert await count(db, BankAccount, BankAccount.connected.is_(True)) == 0
    assert await count(db, BankAccount) == 3 and await count(db, BankTransaction) == lines
    assert (await connections.refresh(ALICE, connection_id)).health is Health.GONE
    clock.advance(timedelta(days=2))
    assert await Scheduler(db, clock).claim_syncs() == []
    again = await connections.disconnect(ALICE, connection_id)
    assert again.already and bank.revoked == 1


async def test_a_bank_refusing_to_revoke_does_not_stop_the_disconnect(
    services: Services, connections: Connections, db: Database, bank: CountingDemoBank
) -> None:
    connection_id = await connect_all(services, ALICE, START)
    bank.refuse_revoke = True
    result = await connections.disconnect(ALICE, connection_id)
    assert not result.revoked
    assert (await connection_row(db, connection_id)).secret_blob is None


async def test_reconnecting_relinks_the_same_accounts_and_imports_nothing_twice(
    services: Services, connections: Connections, db: Database
) -> None:
    first = await connect_all(services, ALICE, START)
    await connections.refresh(ALICE, first)
    lines = await count(db, BankTransaction)
    await connections.disconnect(ALICE, first)
    second = await connect_all(services, ALICE, START)
    outcome = await connections.refresh(ALICE, second)
    assert second != first and outcome.health is Health.OK and outcome.new_lines == 0
    assert await count(db, BankTransaction) == lines
    assert await count(db, BankAccount) == 3
    assert await count(db, BankAccount, BankAccount.connection_id == second) == 3
    view = await connections.overview(ALICE)
    assert [c.id for c in view.connections] == [second]  # the old one has nothing left to show


# --- /deletemydata -------------------------------------------------------------------------------


async def test_erasing_a_user_removes_all_their_rows_and_none_of_anyone_elses(
    services: Services, connections: Connections, db: Database, bank: CountingDemoBank
) -> None:
    alice_connection = await connect_all(services, ALICE, START)
    await connections.refresh(ALICE, alice_connection)
    await connections.refresh(BOB, await connect_all(services, BOB, START))
    await services.request_bank(ALICE, "Banque de Nulle Part", "FR")
    async with db.writing() as uow:
        alice = await uow.users.by_telegram_id(ALICE)
        assert alice is not None
        book = await uow.books.first_for(alice.id)
        ledger = await uow.ledger.by_code(book.id, "6064")
        assert ledger is not None
        uow.session.add(Rule(book_id=book.id, payee="CARREFOUR", account_id=ledger.id))
        uow.session.add(DigestRun(user_id=alice.id, local_date=START, claimed_at=datetime.now(UTC)))
        for kind, key in (
            ("conversation", f'["connect",{ALICE},{ALICE}]'),
            ("conversation", f'["credentials",{BOB},{BOB}]'),
            ("user_data", str(ALICE)),
            ("connect_flow", str(ALICE)),
            ("connect_flow", str(BOB)),
        ):
            uow.session.add(PtbState(kind=kind, key=key, data="{}"))
        await uow.commit()
    bob_book = (await services.meet(BOB, BOB, "en")).book_id
    bob_lines = await count(db, BankTransaction, BankTransaction.book_id == bob_book)
    bob_entries = await count(db, JournalEntry, JournalEntry.book_id == bob_book)
    result = await connections.erase(ALICE)
    assert result.existed and result.connections == 1 and result.revoked == 1
    assert await count(db, User) == 1 and await count(db, Book) == 1
    assert await count(db, BookMember) == 1 and await count(db, Connection) == 1
    assert await count(db, BankRequest) == 0 and await count(db, DigestRun) == 0
    assert await count(db, Rule) == 0 and await count(db, SyncRun) == 1
    assert await count(db, BankAccount) == 3
    assert await count(db, LedgerAccount) == await _chart_size(db)
    assert await count(db, BankTransaction) == bob_lines > 0
    assert await count(db, JournalEntry) == bob_entries > 0
    async with db.reading() as uow:
        keys = set((await uow.session.execute(select(PtbState.kind, PtbState.key))).tuples())
    assert keys == {("conversation", f'["credentials",{BOB},{BOB}]'), ("connect_flow", str(BOB))}
    assert (await services.meet(ALICE, ALICE, "fr")).is_new
    assert not (await connections.erase(9999)).existed


async def _chart_size(db: Database) -> int:
    async with db.reading() as uow:
        bob = await uow.users.by_telegram_id(BOB)
        assert bob is not None
        book = await uow.books.first_for(bob.id)
        return len(await uow.ledger.all_of(book.id))


async def test_destroyed_secrets_are_nowhere_in_the_database_files(
    services: Services, connections: Connections, db: Database, backend: str, tmp_path: Path
) -> None:
    if backend != "sqlite":
        pytest.skip("database files are SQLite's")
    first = await connect_all(services, ALICE, START)
    await connections.refresh(ALICE, first)
    destroyed = [(await connection_row(db, first)).secret_blob]
    await connections.disconnect(ALICE, first)
    second = await connect_all(services, ALICE, START)
    await connections.refresh(ALICE, second)
    destroyed.append((await connection_row(db, second)).secret_blob)
    assert _found(tmp_path, destroyed[1])  # still stored: the search does find live bytes
    await connections.erase(ALICE)
    for blob in destroyed:
        assert blob and not _found(tmp_path, blob)


def _found(directory: Path, blob: bytes | None) -> bool:
    assert blob
    return any(blob in path.read_bytes() for path in directory.glob("pointage.db*"))
