"""Importing bank files as use cases: no Telegram, a real database, generated and golden files."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.domain.clock import FixedClock
from bot.domain.states import EntryKind, ReviewState
from bot.files.importer import FileError, Problem
from bot.services.connect import Services
from bot.services.errors import InvalidInput, NotFound
from bot.services.file_reading import parse_balance
from bot.services.import_views import (
    AskAccount,
    AskBalance,
    AskColumn,
    AskSameLine,
    BalanceSet,
    BalanceSkipped,
    ColumnRole,
    FileDone,
    FileStep,
    Imported,
)
from bot.services.imports import FileImports
from bot.services.rules import Rules
from storage.models import (
    BankAccount,
    BankTransaction,
    JournalEntry,
    JournalLine,
    LedgerAccount,
)
from storage.uow import Database
from tests.files.make_csv_mt940 import csv_statement
from tests.files.make_ofx_camt import Account, Style, Txn, ofx_statement, ofx_text
from tests.support.connecting import connect_all

ALICE, BOB = 3001, 3002
GOLDEN = Path(__file__).resolve().parents[1] / "files" / "golden"
DAY = date(2024, 1, 5)


def golden(name: str) -> bytes:
    return next(GOLDEN.glob(f"*/{name}")).read_bytes()


def ofx(
    lines: Sequence[tuple[date, int, str, str]],
    *,
    balance: int = 100_000,
    acct: str = "00012345678",
) -> bytes:
    """An OFX statement of (day, amount, label, FITID) lines."""
    txns = tuple(Txn(day, minor, label, None, fitid, label) for day, minor, label, fitid in lines)
    days = [line[0] for line in lines] or [DAY]
    account = Account(False, acct, None, "EUR", balance, min(days), max(days), txns)
    return ofx_text([account], Style()).encode("cp1252")


@pytest.fixture
async def imports(services: Services, db: Database, clock: FixedClock) -> FileImports:
    await services.meet(ALICE, ALICE, "fr")
    await services.meet(BOB, BOB, "en")
    return FileImports(db, clock)


async def count(db: Database, model: Any, *where: Any) -> int:
    async with db.reading() as uow:
        return int(
            await uow.session.scalar(select(func.count()).select_from(model).where(*where)) or 0
        )


async def into(
    imports: FileImports, step: FileStep, account: int | None = None, who: int = ALICE
) -> Imported:
    assert isinstance(step, AskAccount), step
    return await imports.import_into(who, step.token, step.statement.index, account)


async def import_new(imports: FileImports, name: str, data: bytes) -> Imported:
    return await into(imports, await imports.read(ALICE, name, data))


async def test_a_file_imported_twice_adds_nothing_the_second_time(
    imports: FileImports, db: Database
) -> None:
    first = await import_new(imports, "fr_bank.ofx", golden("fr_bank.ofx"))
    assert (first.summary.new, first.summary.known, first.summary.created) == (30, 0, True)
    assert isinstance(first.next, FileDone)
    again = await imports.read(ALICE, "fr_bank.ofx", golden("fr_bank.ofx"))
    assert isinstance(again, AskAccount)
    assert again.options[0].matches and again.options[0].id == await only_file_account(db)
    second = await into(imports, again, again.options[0].id)
    assert (second.summary.new, second.summary.known) == (0, 30)
    assert await count(db, BankTransaction) == 30


async def only_file_account(db: Database) -> int:
    async with db.reading() as uow:
        ids = (
            await uow.session.scalars(
                select(BankAccount.id).where(BankAccount.institution_id == "file")
            )
        ).all()
    assert len(ids) == 1
    return ids[0]


async def test_two_overlapping_files_give_the_union(imports: FileImports, db: Database) -> None:
    lines = [(DAY + timedelta(days=i), -1000 - i, f"CB SHOP {i}", f"F{i}") for i in range(10)]
    await import_new(imports, "a.ofx", ofx(lines[:6]))
    step = await imports.read(ALICE, "b.ofx", ofx(lines[3:]))
    assert isinstance(step, AskAccount)
    done = await into(imports, step, step.options[0].id)
    assert (done.summary.new, done.summary.known) == (4, 3)
    assert await count(db, BankTransaction) == 10


async def test_a_file_over_a_connected_feed_adds_nothing_twice(
    services: Services, imports: FileImports, db: Database
) -> None:
    connection = await connect_all(services, ALICE, date(2026, 11, 1))
    await services.import_connection(ALICE, connection)
    async with db.reading() as uow:
        account = (await uow.session.scalars(select(BankAccount).order_by(BankAccount.id))).first()
        assert account is not None
        stored = (
            await uow.session.scalars(
                select(BankTransaction)
                .where(
                    BankTransaction.bank_account_id == account.id,
                    BankTransaction.pending.is_(False),
                )
                .order_by(BankTransaction.booking_date)
                .limit(12)
            )
        ).all()
    before = await count(db, BankTransaction)
    shifted = [
        (row.booking_date + timedelta(days=i % 2), row.amount_minor, f"OTHER WORDS {i}", f"X{i}")
        for i, row in enumerate(stored)
    ]
    step = await imports.read(ALICE, "feed.ofx", ofx(shifted))
    assert isinstance(step, AskAccount)
    assert account.id in {option.id for option in step.options}
    done = await into(imports, step, account.id)
    assert done.summary.new == 0
    assert done.summary.known + done.summary.ambiguous == len(stored)
    assert await count(db, BankTransaction) == before


async def test_an_ambiguous_line_is_asked_about_and_never_guessed(
    imports: FileImports, db: Database
) -> None:
    two = [(DAY, -350, "CB CAFE DE LA GARE", "A1"), (DAY, -350, "CB CAFE DE LA GARE", "A2")]
    first = await import_new(imports, "a.ofx", ofx(two))
    assert first.summary.new == 2
    step = await imports.read(ALICE, "b.ofx", ofx([(DAY, -350, "PAIEMENT CARTE 0412", "B1")]))
    assert isinstance(step, AskAccount)
    done = await into(imports, step, step.options[0].id)
    assert (done.summary.new, done.summary.known, done.summary.ambiguous) == (0, 0, 1)
    asked = done.next
    assert isinstance(asked, AskSameLine)
    assert len(asked.candidates) == 2 and asked.line.label == "PAIEMENT CARTE 0412"
    assert await count(db, BankTransaction) == 2
    with pytest.raises(NotFound):
        await imports.same_line(ALICE, asked.token, asked.key, 999_999)
    answered = await imports.same_line(ALICE, asked.token, asked.key, asked.candidates[0].id)
    assert not answered.added and isinstance(answered.next, FileDone)
    assert await count(db, BankTransaction) == 2


async def test_a_line_said_to_be_new_is_stored_and_filed(
    imports: FileImports, db: Database
) -> None:
    two = [(DAY, -350, "CB CAFE DE LA GARE", "A1"), (DAY, -350, "CB CAFE DE LA GARE", "A2")]
    await import_new(imports, "a.ofx", ofx(two))
    step = await imports.read(ALICE, "b.ofx", ofx([(DAY, -350, "PAIEMENT CARTE 0412", "B1")]))
    assert isinstance(step, AskAccount)
    asked = (await into(imports, step, step.options[0].id)).next
    assert isinstance(asked, AskSameLine)
    answered = await imports.same_line(ALICE, asked.token, asked.key, None)
    assert answered.added
    assert await count(db, BankTransaction, BankTransaction.raw_label == "PAIEMENT CARTE 0412") == 1
    with pytest.raises(NotFound):  # answered once
        await imports.same_line(ALICE, asked.token, asked.key, None)


async def test_a_matching_line_keeps_the_users_decision(imports: FileImports, db: Database) -> None:
    lines = [(DAY + timedelta(days=i), -1000 - i, f"CB SHOP {i}", f"F{i}") for i in range(5)]
    await import_new(imports, "a.ofx", ofx(lines))
    async with db.writing() as uow:
        line = (
            await uow.session.scalars(select(BankTransaction).order_by(BankTransaction.id))
        ).first()
        assert line is not None
        some = await uow.ledger.by_code(line.book_id, "6064")
        assert some is not None
        await uow.lines.mark_all_accepted([line.id], some.id, imports.clock.now())
        await uow.commit()
    renamed = [(day + timedelta(days=1), minor, "OTHER", f"G{n}") for n, (day, minor, _, _) in
               enumerate(lines)]  # fmt: skip
    step = await imports.read(ALICE, "b.ofx", ofx(renamed))
    assert isinstance(step, AskAccount)
    done = await into(imports, step, step.options[0].id)
    assert (done.summary.new, done.summary.known) == (0, 5)
    async with db.reading() as uow:
        again = await uow.session.get(BankTransaction, line.id)
        assert again is not None and again.review_state == ReviewState.ACCEPTED
        assert again.suggested_account_id == some.id


async def test_the_first_file_posts_a_balanced_opening_entry(
    imports: FileImports, db: Database
) -> None:
    done = await import_new(imports, "fr_bank.ofx", golden("fr_bank.ofx"))
    assert done.summary.file_balance is not None
    account_id = await only_file_account(db)
    async with db.reading() as uow:
        entry = await uow.journal.live_opening(account_id)
        assert entry is not None and entry.kind == EntryKind.OPENING
        lines = await uow.journal.lines_of(entry.id)
        assert sum(line.amount_minor for line in lines) == 0
        account = await uow.bank_accounts.get(account_id)
        assert account is not None and account.balance_minor == done.summary.file_balance.minor
        total = await uow.lines.booked_total_since(account_id, account.import_start)
        bank_side = sum(
            ln.amount_minor for ln in lines if ln.ledger_account_id == account.ledger_account_id
        )
        assert bank_side == account.balance_minor - total
        assert entry.entry_date == account.import_start - timedelta(days=1)
    assert done.summary.auto_accepted == 0 and done.summary.ledger_balance.minor == bank_side


async def test_a_csv_without_balance_asks_for_it_and_asks_again_after_a_skip(
    imports: FileImports, db: Database
) -> None:
    done = await import_new(imports, "en_bom.csv", golden("en_bom.csv"))
    asked = done.next
    assert isinstance(asked, AskBalance) and asked.on == date(2024, 1, 28)
    assert imports.awaiting_balance(ALICE) == asked.bank_account_id
    skipped = await imports.skip_balance(ALICE, asked.token, asked.bank_account_id)
    assert isinstance(skipped, BalanceSkipped) and isinstance(skipped.next, FileDone)
    assert imports.awaiting_balance(ALICE) is None
    assert await count(db, JournalEntry, JournalEntry.kind == EntryKind.OPENING) == 0
    step = await imports.read(ALICE, "en_bom.csv", golden("en_bom.csv"))
    assert isinstance(step, AskAccount) and step.options[0].matches
    again = await into(imports, step, step.options[0].id)
    assert again.summary.new == 0
    asked = again.next
    assert isinstance(asked, AskBalance)
    with pytest.raises(InvalidInput):
        await imports.set_balance(ALICE, asked.bank_account_id, "about a thousand")
    assert imports.awaiting_balance(ALICE) == asked.bank_account_id  # asked again
    done_balance = await imports.set_balance(ALICE, asked.bank_account_id, "1 234,56 €")
    assert isinstance(done_balance, BalanceSet) and done_balance.balance.minor == 123_456
    assert isinstance(done_balance.next, FileDone)
    assert await count(db, JournalEntry, JournalEntry.kind == EntryKind.OPENING) == 1


def test_a_balance_is_read_in_the_users_locale() -> None:
    assert parse_balance("1 234,56", "fr", "EUR") == 123_456
    assert parse_balance("1\u202f234,56 €", "fr", "EUR") == 123_456
    assert parse_balance("-12,5", "fr", "EUR") == -1250
    assert parse_balance("1,234.56", "en", "EUR") == 123_456
    assert parse_balance("£-3.10", "en", "GBP") == -310
    for typed in ("", "abc", "1,234.56", "12,345", "1e9", "nan", "9" * 30):
        with pytest.raises(InvalidInput):
            parse_balance(typed, "fr", "EUR")
    with pytest.raises(InvalidInput):
        parse_balance("1 234,56", "en", "EUR")


async def test_a_damaged_file_writes_nothing_and_keeps_nothing(
    imports: FileImports, db: Database
) -> None:
    accounts, ledgers = await count(db, BankAccount), await count(db, LedgerAccount)
    with pytest.raises(FileError) as raised:
        await imports.read(ALICE, "truncated.ofx", golden("truncated.ofx"))
    assert raised.value.problem is Problem.DAMAGED and raised.value.where
    with pytest.raises(FileError) as pdf:
        await imports.read(ALICE, "releve.pdf", b"%PDF-1.7 ...")
    assert pdf.value.problem is Problem.PDF
    assert imports.pending.current(ALICE) is None
    assert (await count(db, BankAccount), await count(db, LedgerAccount)) == (accounts, ledgers)


async def test_a_failure_while_importing_leaves_the_database_as_it_was(
    imports: FileImports, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledgers = await count(db, LedgerAccount)
    step = await imports.read(ALICE, "fr_bank.ofx", golden("fr_bank.ofx"))

    async def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("bot.services.imports.file_lines", broken)
    with pytest.raises(RuntimeError):
        await into(imports, step)
    assert await count(db, BankAccount) == 0 and await count(db, BankTransaction) == 0
    assert await count(db, LedgerAccount) == ledgers
    monkeypatch.undo()
    done = await into(imports, step)  # the file still waits for its answer
    assert done.summary.new == 30


async def test_a_multi_statement_file_goes_to_two_accounts(
    imports: FileImports, db: Database
) -> None:
    step = await imports.read(ALICE, "two.ofx", golden("multi_two_banks.ofx"))
    assert isinstance(step, AskAccount) and step.statement.count == 2
    first = await into(imports, step)
    second_step = first.next
    assert isinstance(second_step, AskAccount) and second_step.statement.index == 1
    assert first.summary.ledger.code == "5121"
    assert first.summary.bank_account_id not in {o.id for o in second_step.options}
    second = await into(imports, second_step)
    assert second.summary.ledger.code == "5122" and isinstance(second.next, FileDone)
    assert second_step.statement.account == "FR95 •••• 3299"
    assert await count(db, BankAccount, BankAccount.institution_id == "file") == 2
    assert await count(db, BankTransaction) == 37
    async with db.reading() as uow:
        external = (await uow.session.scalars(select(BankAccount.external_id))).all()
    assert all(e.startswith("file:") and "FR95" not in e and "12345678" not in e for e in external)


async def test_a_csv_layout_answered_once_is_remembered_for_the_next_file(
    imports: FileImports, db: Database
) -> None:
    data = golden("headerless.csv")
    step = await imports.read(ALICE, "releve.csv", data)
    assert isinstance(step, AskColumn) and step.role is ColumnRole.DATE and step.preview
    with pytest.raises(NotFound):  # a stale button for another question
        await imports.answer_column(ALICE, step.token, ColumnRole.LABEL, 2)
    step = await imports.answer_column(ALICE, step.token, ColumnRole.DATE, 0)
    assert isinstance(step, AskColumn) and step.role is ColumnRole.AMOUNT
    assert 0 not in {column.index for column in step.columns}
    step = await imports.answer_column(ALICE, step.token, ColumnRole.AMOUNT, 3)
    assert isinstance(step, AskColumn) and step.role is ColumnRole.LABEL
    step = await imports.answer_column(ALICE, step.token, ColumnRole.LABEL, 2)
    done = await into(imports, step)
    assert done.summary.new > 0
    account_id = await only_file_account(db)
    async with db.reading() as uow:
        account = await uow.bank_accounts.get(account_id)
        assert account is not None and account.file_layout is not None
    again = await imports.read(ALICE, "releve.csv", data)
    assert isinstance(again, AskAccount)
    assert again.options[0].id == account_id and again.options[0].matches
    assert (await into(imports, again, account_id)).summary.new == 0


async def test_columns_that_make_no_table_are_asked_again(imports: FileImports) -> None:
    step = await imports.read(ALICE, "releve.csv", golden("headerless.csv"))
    assert isinstance(step, AskColumn)
    for role, column in ((ColumnRole.DATE, 2), (ColumnRole.AMOUNT, 0), (ColumnRole.LABEL, 1)):
        assert isinstance(step, AskColumn)
        step = await imports.answer_column(ALICE, step.token, role, column)
    assert isinstance(step, AskColumn) and step.retry and step.role is ColumnRole.DATE


async def test_debit_and_credit_columns_can_be_chosen(imports: FileImports) -> None:
    step = await imports.read(ALICE, "releve.csv", golden("headerless.csv"))
    assert isinstance(step, AskColumn)
    step = await imports.answer_column(ALICE, step.token, ColumnRole.DATE, 0)
    assert isinstance(step, AskColumn)
    step = await imports.answer_column(ALICE, step.token, ColumnRole.AMOUNT, None)
    assert isinstance(step, AskColumn) and step.role is ColumnRole.DEBIT


async def test_another_users_token_or_account_is_refused(
    imports: FileImports, db: Database
) -> None:
    await import_new(imports, "fr_bank.ofx", golden("fr_bank.ofx"))
    alices = await only_file_account(db)
    step = await imports.read(BOB, "fr_bank.ofx", golden("fr_bank.ofx"))
    assert isinstance(step, AskAccount) and alices not in {o.id for o in step.options}
    with pytest.raises(NotFound):
        await imports.import_into(ALICE, step.token, 0, None)
    with pytest.raises(NotFound):
        await imports.import_into(BOB, step.token, 0, alices)
    with pytest.raises(NotFound):
        await imports.import_into(BOB, "forged", 0, None)
    assert await count(db, BankTransaction) == 30


async def test_big_files_are_read_off_the_loop_and_a_slow_read_is_too_large(
    db: Database, clock: FixedClock, services: Services
) -> None:
    await services.meet(ALICE, ALICE, "fr")
    slow = FileImports(db, clock, read_timeout=0.0)
    with pytest.raises(FileError) as raised:
        await slow.read(ALICE, "big.ofx", ofx_statement(2000, 1))
    assert raised.value.problem is Problem.TOO_LARGE
    step = await FileImports(db, clock).read(ALICE, "big.csv", csv_statement(3000, 2))
    assert isinstance(step, AskAccount) and step.statement.lines == 3000


async def test_journal_lines_balance_after_a_file(imports: FileImports, db: Database) -> None:
    await import_new(imports, "fr_bank.ofx", golden("fr_bank.ofx"))
    async with db.reading() as uow:
        totals = (
            await uow.session.execute(
                select(JournalLine.entry_id, func.sum(JournalLine.amount_minor)).group_by(
                    JournalLine.entry_id
                )
            )
        ).all()
    assert totals and all(total == 0 for _, total in totals)


async def test_a_transfer_between_two_files_accounts_is_paired_and_kept(
    imports: FileImports, db: Database
) -> None:
    """New lines of a file are plain values stored in bulk: the pairing filing decides on
    them after the insert is written back."""
    out = ofx([(DAY, -50_000, "VIR VERS LIVRET PRO", "T-OUT")], acct="00011111111")
    back = ofx([(DAY + timedelta(days=1), 50_000, "VIR DE COMPTE PRO", "T-IN")], acct="00022222222")
    await import_new(imports, "out.ofx", out)
    await import_new(imports, "in.ofx", back)
    async with db.reading() as uow:
        lines = (await uow.session.scalars(select(BankTransaction))).all()
        transfer = await uow.session.scalar(
            select(LedgerAccount.id).where(LedgerAccount.code == "580")
        )
    assert len(lines) == 2 and transfer is not None
    first, second = sorted(lines, key=lambda line: line.amount_minor)
    assert (first.transfer_peer_id, second.transfer_peer_id) == (second.id, first.id)
    assert {first.suggested_account_id, second.suggested_account_id} == {transfer}
    assert {first.suggestion_source, second.suggestion_source} == {"transfer"}


async def test_a_files_lines_a_rule_accepts_get_their_entries(
    imports: FileImports, db: Database, clock: FixedClock
) -> None:
    first = await import_new(imports, "a.ofx", ofx([(DAY, -1_999, "PRLV OVH SAS", "O-1")]))
    async with db.reading() as uow:
        line = await uow.session.scalar(select(BankTransaction.id))
        fees = await uow.session.scalar(
            select(LedgerAccount.id).where(LedgerAccount.code == "6226")
        )
    assert line is not None and fees is not None
    await Rules(db, clock).make(ALICE, line, fees, auto_accept=True)
    later = ofx([(DAY + timedelta(days=30), -1_999, "PRLV OVH SAS", "O-2")])
    step = await imports.read(ALICE, "b.ofx", later)
    assert isinstance(step, AskAccount)
    second = await into(imports, step, first.summary.bank_account_id)
    assert second.summary.auto_accepted == 1
    async with db.reading() as uow:
        stored = await uow.session.scalar(
            select(BankTransaction).where(BankTransaction.external_id.like("%O-2%"))
        )
    assert stored is not None and stored.review_state == ReviewState.ACCEPTED
    assert stored.journal_entry_id is not None
    assert await count(db, JournalEntry, JournalEntry.id == stored.journal_entry_id) == 1
