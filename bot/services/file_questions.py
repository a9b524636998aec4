"""The questions a bank file asks before and after its import: its CSV columns, the bank
account of each statement, the lines that could be either of two stored ones, the balance
it does not give; and the next one to ask."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.clock import Clock
from bot.domain.views import LedgerAccountView, mask_iban
from bot.files.csv_layout import Layout
from bot.files.importer import FileError, Problem
from bot.services.access import acting_user
from bot.services.errors import NotFound
from bot.services.file_reading import (
    FILE_INSTITUTION,
    file_account_id,
    layout_of,
    read_file,
    shown_account,
)
from bot.services.import_views import (
    AccountOption,
    AskAccount,
    AskBalance,
    AskColumn,
    AskSameLine,
    BalanceSkipped,
    ColumnChoice,
    ColumnRole,
    FileDone,
    FileStep,
    LineInfo,
    StatementInfo,
)
from bot.services.pending_files import Columns, PendingFile, PendingFiles
from storage.models import BankAccount
from storage.uow import Database

NEXT_ROLE = {
    ColumnRole.DATE: ColumnRole.AMOUNT,
    ColumnRole.AMOUNT: ColumnRole.LABEL,
    ColumnRole.DEBIT: ColumnRole.CREDIT,
    ColumnRole.CREDIT: ColumnRole.LABEL,
}


class FileQuestions:
    """The questions of `FileImports`, which sets what is declared here."""

    db: Database
    clock: Clock
    pending: PendingFiles
    read_timeout: float

    async def answer_column(
        self, telegram_id: int, token: str, role: ColumnRole, column: int | None
    ) -> FileStep:
        """The column holding `role`; None on the amount question: a debit and a credit column.
        FileError when the file, read with the chosen columns, is still unreadable."""
        pending = self.pending.get(telegram_id, token)
        asked = pending.columns
        if asked is None or role is not asked.asking:
            raise NotFound("question")
        if column is None:
            if role is not ColumnRole.AMOUNT:
                raise NotFound("question")
            asked.asking = ColumnRole.DEBIT
            return self._ask_column(pending, asked)
        if column not in {choice.index for choice in _free_columns(asked)}:
            raise NotFound("column")
        asked.chosen[role] = column
        following = NEXT_ROLE.get(role)
        if following is not None:
            asked.asking = following
            return self._ask_column(pending, asked)
        chosen = asked.chosen
        try:
            layout = asked.detection.answer(
                date=chosen[ColumnRole.DATE],
                label=(chosen[ColumnRole.LABEL],),
                amount=chosen.get(ColumnRole.AMOUNT),
                debit=chosen.get(ColumnRole.DEBIT),
                credit=chosen.get(ColumnRole.CREDIT),
            )
            parsed = await read_file(asked.filename, asked.data, layout, self.read_timeout)
            if not any(statement.lines for statement in parsed.statements):
                raise ValueError("no line read with these columns")
        except (ValueError, FileError) as error:
            if isinstance(error, FileError) and error.problem is Problem.TOO_LARGE:
                self.pending.drop(telegram_id, token)
                raise
            asked.chosen.clear()
            asked.asking = ColumnRole.DATE
            return self._ask_column(pending, asked, retry=True)
        pending.statements, pending.layout, pending.columns = parsed.statements, layout, None
        self.pending.put(pending)  # the bytes are let go
        return await self._next(pending)

    def lines_in(self, telegram_id: int, token: str, statement: int) -> int:
        """How many lines a statement waiting for its account has (no I/O)."""
        return len(self._waiting(telegram_id, token, statement).statements[statement].lines)

    async def account_question(self, telegram_id: int, token: str, statement: int) -> AskAccount:
        """The account question of a statement again (another page of accounts)."""
        pending = self._waiting(telegram_id, token, statement)
        return await self._ask_account(pending, statement)

    def _waiting(self, telegram_id: int, token: str, statement: int) -> PendingFile:
        pending = self.pending.get(telegram_id, token)
        if (
            pending.columns is not None
            or not 0 <= statement < len(pending.statements)
            or statement in pending.imported
        ):
            raise NotFound("statement")
        return pending

    def awaiting_balance(self, telegram_id: int) -> int | None:
        """The bank account whose balance the user is asked to type, if any (no I/O: a
        message filter asks it)."""
        pending = self.pending.current(telegram_id)
        if pending is None or pending.columns is not None or pending.ambiguous:
            return None
        return pending.balances[0] if pending.balances else None

    async def skip_balance(
        self, telegram_id: int, token: str, bank_account_id: int
    ) -> BalanceSkipped:
        """No balance now: it is asked again with the account's next file."""
        pending = self.pending.get(telegram_id, token)
        if bank_account_id not in pending.balances:
            raise NotFound("question")
        pending.balances.remove(bank_account_id)
        async with self.db.reading() as uow:
            account = await uow.bank_accounts.get(bank_account_id)
            name = account.name if account is not None else ""
        return BalanceSkipped(name, await self._next(pending))

    async def _next(self, pending: PendingFile) -> FileStep:
        if pending.columns is not None:
            return self._ask_column(pending, pending.columns)
        if pending.ambiguous:
            key = min(pending.ambiguous)
            found = pending.ambiguous[key]
            line = found.line
            return AskSameLine(
                pending.token,
                key,
                LineInfo(0, line.booking_date, line.amount, line.label),
                found.candidates,
                left=len(pending.ambiguous),
            )
        if pending.balances:
            async with self.db.reading() as uow:
                account = await uow.bank_accounts.get(pending.balances[0])
                if account is not None:
                    _, last = await uow.lines.date_range(account.id)
                    return AskBalance(
                        pending.token, account.id, account.name, last, account.currency
                    )
            pending.balances.pop(0)
            return await self._next(pending)
        for index in range(len(pending.statements)):
            if index not in pending.imported:
                return await self._ask_account(pending, index)
        self.pending.drop(pending.telegram_id, pending.token)
        return FileDone()

    @staticmethod
    def _ask_column(pending: PendingFile, asked: Columns, *, retry: bool = False) -> AskColumn:
        return AskColumn(
            pending.token, asked.asking, _free_columns(asked), asked.detection.preview, retry
        )

    async def _ask_account(self, pending: PendingFile, index: int) -> AskAccount:
        statement = pending.statements[index]
        hint = statement.account
        wanted = file_account_id(hint)
        masked = mask_iban(hint.iban)
        used = set(pending.imported.values())
        async with self.db.reading() as uow:
            user = await acting_user(uow, pending.telegram_id)
            book = await uow.books.first_for(user.id)
            accounts = [
                a
                for a in await uow.bank_accounts.of_books([book.id])
                if a.currency == statement.currency and a.id not in used
            ]
            ledgers = {
                a.id: a
                for a in await uow.ledger.of_ids(book.id, {a.ledger_account_id for a in accounts})
            }
        options = [
            AccountOption(
                a.id,
                a.name,
                a.iban_masked,
                LedgerAccountView.of(ledgers[a.ledger_account_id]),
                matches=(a.institution_id == FILE_INSTITUTION and a.external_id == wanted)
                or (masked is not None and a.iban_masked == masked)
                or a.id == pending.suggested,
            )
            for a in accounts
            if a.ledger_account_id in ledgers
        ]
        options.sort(key=lambda option: (not option.matches, option.id))
        lines = statement.lines
        info = StatementInfo(
            index=index,
            count=len(pending.statements),
            format=pending.format,
            account=shown_account(hint),
            currency=statement.currency,
            lines=len(lines),
            start=statement.start or (min(line.booking_date for line in lines) if lines else None),
            end=statement.end or (max(line.booking_date for line in lines) if lines else None),
            balance=statement.balance,
        )
        return AskAccount(pending.token, info, tuple(options))


def remembered_layouts(accounts: Sequence[BankAccount]) -> list[tuple[int, Layout]]:
    """The layouts accounts remember, the most recently used first."""
    found = []
    for account in accounts:
        stored = layout_of(account.file_layout)
        if stored is not None:
            found.append((stored[1], account.id, stored[0]))
    found.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [(account_id, layout) for _, account_id, layout in found]


def _free_columns(asked: Columns) -> tuple[ColumnChoice, ...]:
    taken = set(asked.chosen.values())
    return tuple(
        ColumnChoice(column.index, column.name)
        for column in asked.detection.columns
        if column.index not in taken
    )
