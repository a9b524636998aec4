"""Connect and import as a use case: no Telegram, a real database, the demo bank."""

from __future__ import annotations

import logging
from contextlib import AbstractAsyncContextManager
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.banks.connector import (
    BadCredentials,
    ConnectorRegistry,
)
from bot.banks.demo.bank import DemoBank
from bot.charts import AccountKind
from bot.domain.clock import FixedClock
from bot.domain.secret import Secret
from bot.domain.states import EntryKind, ReviewState
from bot.services import users
from bot.services.connect import Services
from bot.services.errors import NotFound
from storage.models import (
    BankAccount,
    BankRequest,
    BankTransaction,
    Base,
    Connection,
    JournalEntry,
)
from storage.uow import Database, UnitOfWork
from storage.vault import Sealed, SecretSlot
from tests.support.connecting import ALICE, BOB, PASSWORD, connect_all, sign_in


async def test_first_contact_seeds_a_french_chart_once(services: Services) -> None:
    first = await services.meet(ALICE, ALICE, "fr-FR")
    again = await services.meet(ALICE, ALICE, "fr-FR")
    assert first.is_new and not again.is_new and first.book_id == again.book_id
    assert first.language == "fr" and first.country == "FR"
    banks = await services.bank_ledger_accounts(ALICE)
    assert any(a.code == "512" and a.name == "Banque" for a in banks)


async def test_english_users_get_the_generic_chart_and_the_uk(services: Services) -> None:
    user = await services.meet(BOB, BOB, "en")
    assert user.country == "GB"
    assert all(
        a.kind in {AccountKind.BANK, AccountKind.SAVINGS, AccountKind.CREDIT_CARD, AccountKind.CASH}
        for a in await services.bank_ledger_accounts(BOB)
    )


async def test_wrong_password_is_refused_before_any_code(services: Services) -> None:
    demo = services.directory.get("demo")
    assert demo is not None
    with pytest.raises(BadCredentials):
        await services.login(demo, Secret("demo"), Secret("nope"))


async def test_added_bank_account_gets_the_next_512_code(services: Services) -> None:
    await services.meet(ALICE, ALICE, "fr")
    first = await services.add_bank_ledger_account(ALICE, "  Qonto  ")
    second = await services.add_bank_ledger_account(ALICE, "Shine")
    assert (first.code, first.name, second.code) == ("5121", "Qonto", "5122")


async def test_import_brings_exactly_the_demo_lines_of_the_window(
    services: Services, clock: FixedClock
) -> None:
    start = date(2026, 8, 31)
    connection_id = await connect_all(services, ALICE, start)
    summary = await services.import_connection(ALICE, connection_id)
    bank = DemoBank(clock)
    authorized, accounts = await sign_in(services)
    expected = 0
    for account in accounts:
        expected += len(
            await bank.fetch_transactions(
                authorized.secret, account.external_id, start, date(2026, 11, 28)
            )
        )
    assert summary.imported == expected > 100
    assert all(a.first_date is not None and a.first_date >= start for a in summary.accounts)


async def test_importing_twice_adds_nothing(services: Services, db: Database) -> None:
    connection_id = await connect_all(services, ALICE, date(2026, 8, 31))
    await services.import_connection(ALICE, connection_id)
    again = await services.import_connection(ALICE, connection_id)
    assert again.imported == 0
    async with db.reading() as uow:
        openings = await uow.session.scalar(
            select(func.count()).where(JournalEntry.kind == EntryKind.OPENING)
        )
    assert openings == 3


async def ledger_matches_bank_once_lines_are_accepted(db: Database) -> None:
    async with db.reading() as uow:
        accounts = (await uow.session.scalars(select(BankAccount))).all()
        for account in accounts:
            assert account.balance_minor is not None
            booked = await uow.lines.booked_total_since(account.id, account.import_start)
            opening = await uow.journal.live_opening(account.id)
            assert opening is not None
            assert opening.entry_date == account.import_start - timedelta(days=1)
            opening_lines = await uow.journal.lines_of(opening.id)
            bank_side = sum(
                line.amount_minor
                for line in opening_lines
                if line.ledger_account_id == account.ledger_account_id
            )
            assert bank_side + booked == account.balance_minor


async def test_opening_balance_makes_the_ledger_equal_the_bank(
    services: Services, db: Database
) -> None:
    connection_id = await connect_all(services, ALICE, date(2026, 8, 31))
    await services.import_connection(ALICE, connection_id)
    await ledger_matches_bank_once_lines_are_accepted(db)
    async with db.reading() as uow:
        states = set((await uow.session.scalars(select(BankTransaction.review_state))).all())
        with_entry = await uow.session.scalar(
            select(func.count()).where(BankTransaction.journal_entry_id.is_not(None))
        )
    assert states == {ReviewState.TO_REVIEW} and with_entry == 0


async def test_reaching_further_back_reverses_and_reposts_the_opening(
    services: Services, db: Database
) -> None:
    first = await connect_all(services, ALICE, date(2026, 8, 31))
    await services.import_connection(ALICE, first)
    second = await connect_all(services, ALICE, date(2025, 11, 29))
    summary = await services.import_connection(ALICE, second)
    assert summary.imported > 0
    await ledger_matches_bank_once_lines_are_accepted(db)
    async with db.reading() as uow:
        reversals = await uow.session.scalar(
            select(func.count()).where(JournalEntry.kind == EntryKind.REVERSAL)
        )
        accounts = await uow.session.scalar(select(func.count()).select_from(BankAccount))
    assert reversals == 3 and accounts == 3


async def test_another_user_cannot_import_my_connection(services: Services) -> None:
    connection_id = await connect_all(services, ALICE, date(2026, 8, 31))
    await services.meet(BOB, BOB, "en")
    with pytest.raises(NotFound):
        await services.import_connection(BOB, connection_id)


SECRET_PASSWORD = "S3cret-Pass!word"
TYPED_CODE = " 123 456 "
"""The code as a user may type it (the bank ignores spaces): a string no demo line holds."""


async def every_stored_value(db: Database) -> str:
    """Every row of every table, as text, on either backend."""
    texts: list[str] = []
    async with db.reading() as uow:
        for table in Base.metadata.sorted_tables:
            for row in await uow.session.execute(select(table)):
                texts.extend(str(value) for value in row)
    return "\n".join(texts)


async def test_secret_is_sealed_and_the_password_is_nowhere_in_the_database(
    services: Services,
    db: Database,
    backend: str,
    tmp_path: Path,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    services.connectors = ConnectorRegistry([DemoBank(clock, password=SECRET_PASSWORD)])
    with pytest.raises(BadCredentials):
        await sign_in(services, PASSWORD)
    connection_id = await connect_all(
        services, ALICE, date(2026, 8, 31), SECRET_PASSWORD, TYPED_CODE
    )
    await services.import_connection(ALICE, connection_id)
    async with db.reading() as uow:
        connection = await uow.session.get(Connection, connection_id)
    assert connection is not None and connection.secret_blob and connection.secret_key_id == "k1"
    slot = SecretSlot("connections", "secret_blob", connection.id, connection.book_id)
    sealed = Sealed(connection.secret_key_id, connection.secret_blob)
    token = services.vault.open(sealed, slot).reveal()
    assert token.startswith("demo:v1:demo:"), "the bank's session token is what is kept"
    clear = [SECRET_PASSWORD, TYPED_CODE.strip(), "123456", token]
    assert token.encode() not in sealed.blob and len(sealed.blob) > len(token)
    stored = await every_stored_value(db)
    assert [c for c in clear if c in stored] == []
    assert [c for c in clear if c in caplog.text] == []
    if backend == "sqlite":
        files = list(tmp_path.glob("pointage.db*"))
        assert any(f.name.endswith("-wal") for f in files)
        contents = {path.name: path.read_bytes() for path in files}
        assert any(sealed.blob in content for content in contents.values())
        for name, content in contents.items():
            assert [c for c in clear if c.encode() in content] == [], name


async def test_cant_find_my_bank_is_recorded(services: Services, db: Database) -> None:
    await services.meet(ALICE, ALICE, "fr")
    await services.request_bank(ALICE, "Banque de Nulle Part", "FR")
    async with db.reading() as uow:
        request = await uow.session.scalar(select(BankRequest))
    assert request is not None and (request.query, request.country) == (
        "Banque de Nulle Part",
        "FR",
    )


async def test_only_the_most_recent_users_are_remembered(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(users, "KNOWN_USERS", 2)
    for telegram_id in (11, 12, 11, 13):  # 11 met again: 12 is the least recent
        await services.meet(telegram_id, telegram_id, "fr")
    assert services.remembered == 2
    reads: list[int] = []
    reading = services.db.reading

    def counted() -> AbstractAsyncContextManager[UnitOfWork]:
        reads.append(1)
        return reading()

    monkeypatch.setattr(services.db, "reading", counted)
    await services.meet(13, 13, "fr")
    await services.meet(11, 11, "fr")
    assert reads == []  # both remembered
    again = await services.meet(12, 12, "fr")  # forgotten: read again, not new
    assert reads == [1] and again.telegram_id == 12 and not again.is_new
    assert services.remembered == 2
