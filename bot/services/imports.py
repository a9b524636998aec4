"""Importing a bank file: read it, ask which bank account each statement is, store the new
lines as a sync does (categorised, filed, the opening balance kept true), and ask about the
lines that could be either of two stored ones.

Each statement is one unit of work: a failure leaves the database as it was. Between the
questions the file waits in memory (pending_files), never in the database.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Sequence
from datetime import date, timedelta

from bot.charts import TEMPLATES, AccountKind
from bot.domain.clock import Clock, today_in
from bot.domain.matching import DATE_SLACK_DAYS, Incoming, Known, Matching, match
from bot.domain.money import Money
from bot.domain.views import LedgerAccountView, mask_iban
from bot.files.csv_layout import Detection, Layout, LayoutUnsure
from bot.files.importer import AccountKind as FileAccountKind
from bot.files.importer import FileError, Statement
from bot.services import sync
from bot.services.access import acting_user
from bot.services.cooperative import Slices
from bot.services.errors import NotFound
from bot.services.file_questions import FileQuestions, remembered_layouts
from bot.services.file_reading import (
    FILE_INSTITUTION,
    READ_TIMEOUT_S,
    balance_moment,
    file_account_id,
    layout_json,
    parse_balance,
    read_file,
    shown_account,
)
from bot.services.filing import BookFiling, file_lines, load_filing, suggest_lines
from bot.services.full_collections import full_collections_held
from bot.services.import_views import (
    BalanceSet,
    FileStep,
    Imported,
    LineAnswered,
    LineInfo,
    StatementImported,
)
from bot.services.lines import bank_row, incoming
from bot.services.pending_files import Ambiguous, Columns, PendingFile, PendingFiles
from bot.services.users import auto_accept_threshold
from storage.models import BankAccount, Book, LedgerAccount
from storage.uow import Database, UnitOfWork

log = logging.getLogger(__name__)

SLACK = timedelta(days=DATE_SLACK_DAYS)


class FileImports(FileQuestions):
    """The use cases of bank files, for the acting user's book."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        pending: PendingFiles | None = None,
        *,
        read_timeout: float = READ_TIMEOUT_S,
    ) -> None:
        self.db = db
        self.clock = clock
        self.pending = pending or PendingFiles(clock)
        self.read_timeout = read_timeout

    # --- reading -----------------------------------------------------------------------

    async def read(self, telegram_id: int, filename: str, data: bytes) -> FileStep:
        """Read a file and keep it for the user's answers; FileError when it cannot be read
        (nothing is kept then). The first question comes back."""
        async with self.db.reading() as uow:
            user = await acting_user(uow, telegram_id)
            book = await uow.books.first_for(user.id)
            remembered = remembered_layouts(await uow.bank_accounts.with_file_layout(book.id))
        try:
            with full_collections_held():
                parsed = await read_file(filename, data, within=self.read_timeout)
        except LayoutUnsure as unsure:
            pending = await self._with_remembered(
                telegram_id, filename, data, unsure.detection, remembered
            )
        else:
            pending = PendingFile(telegram_id, parsed.format, parsed.statements, parsed.layout)
            if parsed.layout is not None:
                wanted = parsed.layout.to_dict()
                pending.suggested = next(
                    (id_ for id_, layout in remembered if layout.to_dict() == wanted), None
                )
        log.info("bank file read: %s, %d statements", pending.format, len(pending.statements))
        self.pending.put(pending)
        return await self._next(pending)

    async def _with_remembered(
        self,
        telegram_id: int,
        filename: str,
        data: bytes,
        detection: Detection,
        remembered: Sequence[tuple[int, Layout]],
    ) -> PendingFile:
        """A CSV whose columns are a guess: read with the layout an account remembers when one
        reads it, else ask the user its columns."""
        for account_id, layout in remembered:
            try:
                parsed = await read_file(filename, data, layout, self.read_timeout)
            except FileError:
                continue
            if any(statement.lines for statement in parsed.statements):
                pending = PendingFile(telegram_id, parsed.format, parsed.statements, layout)
                pending.suggested = account_id
                return pending
        return PendingFile(telegram_id, "CSV", (), columns=Columns(filename, data, detection))

    # --- importing a statement -----------------------------------------------------------

    async def import_into(
        self, telegram_id: int, token: str, statement: int, bank_account_id: int | None
    ) -> Imported:
        """Import one statement of the file into a bank account of the book (None: a new one,
        with its own bank ledger account), in one unit of work."""
        pending = self.pending.get(telegram_id, token)
        if (
            pending.columns is not None
            or not 0 <= statement < len(pending.statements)
            or statement in pending.imported
            or statement in pending.busy
        ):
            raise NotFound("statement")
        pending.busy.add(statement)
        try:
            with full_collections_held():
                summary, ambiguous, account_id, unknown = await self._store(
                    telegram_id, pending, statement, bank_account_id
                )
        finally:
            pending.busy.discard(statement)
        pending.imported[statement] = account_id
        for found in ambiguous:
            pending.add_ambiguous(found)
        if unknown and summary.file_balance is None and account_id not in pending.balances:
            pending.balances.append(account_id)
        return Imported(summary, await self._next(pending))

    async def _store(
        self, telegram_id: int, pending: PendingFile, index: int, bank_account_id: int | None
    ) -> tuple[StatementImported, list[Ambiguous], int, bool]:
        """The statement's summary, its lines to ask about, its account, and whether that
        account's balance is still unknown."""
        statement = pending.statements[index]
        seen = await asyncio.to_thread(incoming, statement.lines)
        start, end = _window(statement, today_in(self.clock))
        filing, opening_id = await self._filing(telegram_id)
        now = self.clock.now()
        async with self.db.reading() as uow:  # what needs no writer is done before taking it
            user = await acting_user(uow, telegram_id)
            book = await uow.books.first_for(user.id)
            known: list[Known] = []
            if bank_account_id is not None:
                chosen = await uow.bank_accounts.get_in_book(book.id, bank_account_id)
                if chosen is None or chosen.currency != statement.currency:
                    raise NotFound("bank account")
                known = await uow.lines.known_in_window(chosen.id, start - SLACK, end + SLACK)
        matching, repeats = await asyncio.to_thread(_match, seen, known)
        rows = []
        slices = Slices()
        for i in matching.new:  # 80,000 new rows take longer than the loop may be held
            await slices.tick()
            rows.append(bank_row(book.id, statement.lines[i], seen[i], now))
        asked = {i: seen[i] for i in matching.ambiguous}
        del seen  # a large file's lines, which every full collection would walk (a stall)
        suggested = await suggest_lines(filing, rows)
        async with self.db.writing() as uow:
            created = bank_account_id is None
            if bank_account_id is None:
                account = await self._new_account(uow, book, pending.format, statement, start)
            else:
                found = await uow.bank_accounts.get_in_book(book.id, bank_account_id)
                if found is None or found.currency != statement.currency:
                    raise NotFound("bank account")
                account = found
            taken = await uow.lines.known_external_ids(
                account.id, (row.external_id for row in rows)
            )
            if taken:  # stored meanwhile, by an import of the same lines
                kept = [
                    (row, s)
                    for row, s in zip(rows, suggested, strict=True)
                    if row.external_id not in taken
                ]
                rows, suggested = [row for row, _ in kept], [s for _, s in kept]
            stored_meanwhile = len(matching.new) - len(rows)
            for row in rows:
                await slices.tick()
                row.bank_account_id = account.id
            await uow.lines.add_new(rows)
            accepted = await file_lines(uow, filing, rows, {account.id: account}, now, suggested)
            await uow.lines.record_filing(rows)
            account.import_start = min(account.import_start, start)
            if statement.balance is not None:
                on = statement.balance_date or end
                if account.balance_at is None or on >= account.balance_at.date():
                    sync.record_balance(account, statement.balance, balance_moment(on, now))
            if pending.layout is not None:
                account.file_layout = layout_json(pending.layout, now)
            await self._settle(uow, account, opening_id)
            ledger = await uow.ledger.in_book(book.id, account.ledger_account_id)
            assert ledger is not None
            balance = await uow.journal.balance(ledger.id)
            by_id = {line.id: line for line in known}
            ambiguous = [
                Ambiguous(
                    account.id,
                    statement.lines[i],
                    asked[i].external_id,
                    asked[i].fingerprint,
                    tuple(_info(by_id[line_id], account.currency) for line_id in ids),
                )
                for i, ids in sorted(matching.ambiguous.items())
            ]
            await uow.commit()
            new = len(rows)
        summary = StatementImported(
            index=index,
            count=len(pending.statements),
            bank_account_id=account.id,
            account_name=account.name,
            iban_masked=account.iban_masked,
            ledger=LedgerAccountView.of(ledger),
            created=created,
            new=new,
            known=len(matching.known) + repeats + stored_meanwhile,
            ambiguous=len(ambiguous),
            auto_accepted=accepted,
            start=start if statement.lines or statement.start else None,
            end=end if statement.lines or statement.end else None,
            file_balance=statement.balance,
            ledger_balance=Money(balance, account.currency),
        )
        return summary, ambiguous, account.id, account.balance_minor is None

    async def _filing(self, telegram_id: int) -> tuple[BookFiling, int | None]:
        """Rules and memory, read before taking the writer (as a sync does)."""
        async with self.db.reading() as uow:
            user = await acting_user(uow, telegram_id)
            book = await uow.books.first_for(user.id)
            filing = await load_filing(uow, book, auto_accept_threshold(user))
            opening = await uow.ledger.by_code(book.id, TEMPLATES[book.chart_template].opening_code)
        return filing, opening.id if opening is not None else None

    async def _settle(self, uow: UnitOfWork, account: BankAccount, opening_id: int | None) -> None:
        if opening_id is not None:
            await sync.settle_opening_balance(
                uow,
                account,
                opening_ledger_id=opening_id,
                today=today_in(self.clock),
                memo=account.name,
            )

    @staticmethod
    async def _new_account(
        uow: UnitOfWork, book: Book, format_: str, statement: Statement, start: date
    ) -> BankAccount:
        """A file-fed bank account and its own bank ledger account (5121, 5122…)."""
        hint = statement.account
        shown = shown_account(hint)
        name = f"{format_} {shown or start.strftime('%Y-%m')}"
        card = hint.kind is FileAccountKind.CREDIT_CARD
        code = TEMPLATES[book.chart_template].next_bank_code(await uow.ledger.codes(book.id))
        ledger = await uow.ledger.add(
            LedgerAccount(
                book_id=book.id,
                code=code,
                name=name[:60],
                kind=AccountKind.CREDIT_CARD if card else AccountKind.BANK,
            )
        )
        external = file_account_id(hint) or f"file:{secrets.token_hex(12)}"
        if await uow.bank_accounts.find(book.id, FILE_INSTITUTION, external) is not None:
            external = f"{external}:{secrets.token_hex(4)}"  # the user said: another account
        return await uow.bank_accounts.add(
            BankAccount(
                book_id=book.id,
                connection_id=None,
                institution_id=FILE_INSTITUTION,
                external_id=external,
                name=name[:160],
                account_type=hint.kind.value,
                iban_masked=mask_iban(hint.iban),
                currency=statement.currency,
                ledger_account_id=ledger.id,
                import_start=start,
                connected=False,
            )
        )

    # --- the lines to ask about ------------------------------------------------------------

    async def same_line(
        self, telegram_id: int, token: str, key: int, stored_line_id: int | None
    ) -> LineAnswered:
        """The file's line is that stored line (nothing is written: the stored line keeps
        the user's decision), or None: a new line, stored and filed like the others."""
        pending = self.pending.get(telegram_id, token)
        found = pending.ambiguous.get(key)
        if found is None:
            raise NotFound("question")
        if stored_line_id is not None:
            if stored_line_id not in {line.id for line in found.candidates}:
                raise NotFound("line")
            del pending.ambiguous[key]
            return LineAnswered(False, await self._next(pending))
        del pending.ambiguous[key]
        try:
            added = await self._add_line(telegram_id, found)
        except BaseException:
            pending.ambiguous[key] = found
            raise
        return LineAnswered(added, await self._next(pending))

    async def _add_line(self, telegram_id: int, found: Ambiguous) -> bool:
        filing, opening_id = await self._filing(telegram_id)
        now = self.clock.now()
        seen = Incoming(
            found.external_id,
            found.fingerprint,
            found.line.booking_date,
            found.line.amount.minor,
            found.line.label,
        )
        async with self.db.writing() as uow:
            user = await acting_user(uow, telegram_id)
            book = await uow.books.first_for(user.id)
            account = await uow.bank_accounts.get_in_book(book.id, found.bank_account_id)
            if account is None:
                raise NotFound("bank account")
            if await uow.lines.known_external_ids(account.id, [found.external_id]):
                return False
            rows = [bank_row(book.id, found.line, seen, now)]
            rows[0].bank_account_id = account.id
            suggested = await suggest_lines(filing, rows)
            await uow.lines.add_new(rows)
            await file_lines(uow, filing, rows, {account.id: account}, now, suggested)
            await uow.lines.record_filing(rows)
            await self._settle(uow, account, opening_id)
            await uow.commit()
        return True

    # --- the balance a file does not give ----------------------------------------------------

    async def set_balance(self, telegram_id: int, bank_account_id: int, typed: str) -> BalanceSet:
        """The balance the bank showed at the end of the account's last imported day, typed in
        the user's locale; InvalidInput for anything else (asked again)."""
        pending = self.pending.current(telegram_id)
        if pending is None or bank_account_id not in pending.balances:
            raise NotFound("question")
        _, opening_id = await self._filing(telegram_id)
        async with self.db.writing() as uow:
            user = await acting_user(uow, telegram_id)
            book = await uow.books.first_for(user.id)
            account = await uow.bank_accounts.get_in_book(book.id, bank_account_id)
            if account is None:
                raise NotFound("bank account")
            balance = Money(parse_balance(typed, user.language, account.currency), account.currency)
            _, last = await uow.lines.date_range(account.id)
            now = self.clock.now()
            sync.record_balance(account, balance, balance_moment(last or now.date(), now))
            await self._settle(uow, account, opening_id)
            ledger_balance = await uow.journal.balance(account.ledger_account_id)
            await uow.commit()
        pending.balances.remove(bank_account_id)
        return BalanceSet(
            account.name,
            balance,
            Money(ledger_balance, account.currency),
            await self._next(pending),
        )


def _window(statement: Statement, today: date) -> tuple[date, date]:
    """The days the statement covers: as it says, else its lines' first and last."""
    days = [line.booking_date for line in statement.lines]
    fallback = statement.balance_date or today
    start = statement.start or (min(days) if days else fallback)
    end = statement.end or (max(days) if days else fallback)
    return min(start, end), max(start, end)


def _match(seen: Sequence[Incoming], known: Sequence[Known]) -> tuple[Matching, int]:
    """The matching, in indexes of `seen`; a line repeating an id earlier in the file is
    counted as known (a file listing one line twice)."""
    first: dict[str, int] = {}
    for index, line in enumerate(seen):
        first.setdefault(line.external_id, index)
    unique = sorted(first.values())
    found = match([seen[i] for i in unique], known)
    return (
        Matching(
            new=[unique[i] for i in found.new],
            known=[unique[i] for i in found.known],
            ambiguous={unique[i]: ids for i, ids in found.ambiguous.items()},
        ),
        len(seen) - len(unique),
    )


def _info(line: Known, currency: str) -> LineInfo:
    return LineInfo(line.id, line.booking_date, Money(line.amount_minor, currency), line.label)
