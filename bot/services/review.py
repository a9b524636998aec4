"""Reviewing bank lines: the digest, accept, recategorize, exclude, the picker, undo, reopen."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from bot.categorize.conditions import PastLine, RuleCondition, offer_condition
from bot.categorize.learned import purchase_date
from bot.charts import CATEGORY_KINDS, TEMPLATES, AccountKind
from bot.domain.clock import Clock
from bot.domain.ledger import DraftLine, reversal_of
from bot.domain.money import Money
from bot.domain.states import ReviewState
from bot.domain.text import fold
from bot.domain.views import (
    CategoryChoices,
    Decision,
    DigestView,
    LedgerAccountView,
    ReviewLine,
)
from bot.services.access import book_of, line_of
from bot.services.cooperative import Slices
from bot.services.errors import InvalidInput, NotFound
from bot.services.filing import Fileable, accept, accept_all
from bot.services.learning import forget
from storage.models import (
    BankTransaction,
    LedgerAccount,
)
from storage.repositories import BookRef, LineRow, LineToDecide
from storage.uow import Database, UnitOfWork

PAGE_SIZE = 6
AUTO_SUMMARY_HOURS = 24
DAILY_CHUNK = 500
"""Users whose daily summaries are built together: a handful of queries for each chunk."""


def _row_view(row: LineRow) -> ReviewLine:
    account = None
    if row.account_id is not None:
        assert row.account_code is not None and row.account_name is not None
        assert row.account_kind is not None
        account = LedgerAccountView(
            row.account_id, row.account_code, row.account_name, row.account_kind
        )
    return ReviewLine(
        id=row.id,
        booking_date=row.booking_date,
        amount=Money(row.amount_minor, row.currency),
        payee=row.payee or row.raw_label,
        label=row.raw_label,
        pending=row.pending,
        state=row.review_state,
        account=account,
        source=row.suggestion_source,
        auto_accepted=row.auto_accepted,
    )


async def _add_lines(
    lines: dict[int, list[ReviewLine]], rows: Sequence[LineRow], slices: Slices
) -> None:
    for row in rows:
        await slices.tick()
        lines[row.book_id].append(_row_view(row))


def _past(label: str, minor: int, booked: date, account_id: int) -> PastLine:
    return PastLine(abs(minor), purchase_date(label, booked), account_id)


def anchor_of(moment: datetime) -> int:
    """Whole seconds, to fit a button: lines imported within that second still belong to it."""
    return int(moment.timestamp())


def _anchor_time(anchor: int) -> datetime:
    return datetime.fromtimestamp(anchor, UTC)


class Review:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def _pressed(
        self, uow: UnitOfWork, telegram_id: int, line_id: int
    ) -> tuple[LineToDecide, BookRef]:
        """The pressed line (BankLines.to_decide) and its book; NotFound for a line that is
        not in one of this user's books."""
        pressed = await uow.lines.to_decide(telegram_id, line_id)
        if pressed is None:
            raise NotFound("line")
        return pressed, BookRef(pressed.line.book_id, pressed.chart_template)

    async def _accounts(
        self, uow: UnitOfWork, book: BookRef, ids: set[int | None] | None = None
    ) -> dict[int, LedgerAccount]:
        """The book's accounts, or only those named (a press needs two, not the whole chart)."""
        if ids is None:
            return {a.id: a for a in await uow.ledger.all_of(book.id)}
        wanted = [i for i in ids if i]
        return {a.id: a for a in await uow.ledger.of_ids(book.id, wanted)}

    @staticmethod
    def _view(line: BankTransaction, accounts: dict[int, LedgerAccount]) -> ReviewLine:
        account = accounts.get(line.suggested_account_id or 0)
        return ReviewLine(
            id=line.id,
            booking_date=line.booking_date,
            amount=Money(line.amount_minor, line.currency),
            payee=line.payee or line.raw_label,
            label=line.raw_label,
            pending=line.pending,
            state=line.review_state,
            account=LedgerAccountView.of(account) if account else None,
            source=line.suggestion_source,
            auto_accepted=line.auto_accepted,
        )

    # --- the digest ----------------------------------------------------------------------

    def new_anchor(self) -> int:
        return anchor_of(self.clock.now())

    async def digest(self, telegram_id: int, anchor: int, page: int = 0) -> DigestView:
        """Lines to review as of `anchor`; lines decided since then stay on their page, ticked."""
        async with self.db.reading() as uow:
            book = await book_of(uow, telegram_id)
            return await self._digest(uow, book, anchor, page)

    async def daily_digests(
        self, telegram_ids: Sequence[int], anchor: int, *, chunk: int = DAILY_CHUNK
    ) -> AsyncIterator[list[tuple[int, DigestView]]]:
        """First pages, (telegram id, view) in the order given, for each user with a book: a
        chunk at a time, each in its own read with a handful of queries, for the caller to
        send and drop, so 10,000 users' views are never all held at once."""
        wanted = list(dict.fromkeys(telegram_ids))
        for start in range(0, len(wanted), chunk):
            some = wanted[start : start + chunk]
            async with self.db.reading() as uow:
                books = await uow.books.of_telegram_users(some)
                if not books:
                    continue
                pages = await self._pages(uow, list(set(books.values())), anchor, 0)
            yield [(tid, pages[books[tid]]) for tid in some if tid in books]

    async def _digest(self, uow: UnitOfWork, book: BookRef, anchor: int, page: int) -> DigestView:
        return (await self._pages(uow, [book.id], anchor, page))[book.id]

    async def _pages(
        self, uow: UnitOfWork, book_ids: Sequence[int], anchor: int, page: int
    ) -> dict[int, DigestView]:
        at = _anchor_time(anchor)
        until = at + timedelta(seconds=1)
        waiting, recent = await uow.digest.counts(
            book_ids, at, until, since=at - timedelta(hours=AUTO_SUMMARY_HOURS)
        )
        shown = {b: waiting[b].lines - waiting[b].late if b in waiting else 0 for b in book_ids}
        auto: dict[int, list[tuple[int, Money]]] = {b: [] for b in book_ids}
        for summary in recent:
            shown[summary.book_id] += summary.decided
            if summary.automatic:
                total = Money(summary.automatic_minor, summary.currency)
                auto[summary.book_id].append((summary.automatic, total))
        pages = {b: max(1, math.ceil(shown[b] / PAGE_SIZE)) for b in book_ids}
        lines: dict[int, list[ReviewLine]] = {b: [] for b in book_ids}
        slices = Slices()
        if len(book_ids) == 1:
            page = min(max(page, 0), pages[book_ids[0]] - 1)
            rows = await uow.digest.page(book_ids[0], at, until, page * PAGE_SIZE, PAGE_SIZE)
            await _add_lines(lines, rows, slices)
        else:
            async for rows in uow.digest.first_pages(book_ids, at, until, PAGE_SIZE):
                await _add_lines(lines, rows, slices)
        empty = await uow.books.empty([b for b in book_ids if not lines[b] and not auto[b]])
        views = {}
        for book_id in book_ids:
            await slices.tick()
            counted = sorted(auto[book_id], key=lambda item: -item[0])
            views[book_id] = DigestView(
                anchor=anchor,
                page=page,
                pages=pages[book_id],
                lines=tuple(lines[book_id]),
                to_review=waiting[book_id].lines if book_id in waiting else 0,
                auto_count=sum(n for n, _ in counted),
                auto_totals=tuple(total for _, total in counted),
                nothing_yet=book_id in empty,
            )
        return views

    # --- decisions ---------------------------------------------------------------------

    async def accept(
        self, telegram_id: int, line_id: int, *, anchor: int | None = None, page: int = 0
    ) -> Decision:
        """Accept the suggestion; with an anchor, the page redrawn after it."""
        return await self._decide(telegram_id, line_id, None, anchor=anchor, page=page)

    async def file_under(self, telegram_id: int, line_id: int, account_id: int) -> Decision:
        """Recategorize and accept; offers a rule when the payee is known."""
        return await self._decide(telegram_id, line_id, account_id)

    async def _decide(
        self,
        telegram_id: int,
        line_id: int,
        account_id: int | None,
        *,
        anchor: int | None = None,
        page: int = 0,
    ) -> Decision:
        now = self.clock.now()
        async with self.db.reading() as uow:  # the writer is taken for the writes alone
            pressed, book = await self._pressed(uow, telegram_id, line_id)
            found = await uow.ledger.view(book.id, account_id) if account_id is not None else None
        line = _row_view(pressed.line)
        chosen = line.account
        if account_id is not None:
            if found is None:
                raise NotFound("account")
            chosen = LedgerAccountView(found.id, found.code, found.name, found.kind)
        target = account_id or pressed.suggested_account_id
        suspense = TEMPLATES[book.chart_template].suspense_code
        if account_id is None and (chosen is None or chosen.code == suspense):
            return Decision(False, line, needs_category=True)
        accepted = None
        if target is not None and pressed.line.review_state == ReviewState.TO_REVIEW:
            async with self.db.writing() as uow:
                filed = Fileable.of(pressed.line, pressed.bank_ledger_id)
                accepted = await accept(uow, filed, target, now)
                if accepted is not None:  # else it was decided meanwhile: nothing is kept
                    await uow.commit()
        # The redrawn page is read once the writer is let go: every other accept waits while
        # it is held, and under a steady flow of presses that queue, not a read's cost, is
        # what a press waits for.
        view = None
        if anchor is not None:
            async with self.db.reading() as uow:
                view = await self._digest(uow, book, anchor, page)
        if accepted is None:
            return Decision(False, line, None, view)
        line = replace(line, state=ReviewState.ACCEPTED, account=chosen)
        if account_id is None or not pressed.line.payee:
            return Decision(True, line, None, view)
        condition = await self._offer_condition(book, pressed.line, account_id)
        return Decision(True, line, chosen, view, rule_condition=condition)

    async def _offer_condition(
        self, book: BookRef, line: LineRow, account_id: int
    ) -> RuleCondition:
        """The condition the payee's history calls for on a rule filing it under `account_id`."""
        async with self.db.reading() as uow:
            past = await uow.rules.payee_lines(
                book.id, line.payee, money_in=line.amount_minor > 0, besides=line.id, limit=40
            )
        return offer_condition(
            [
                _past(row.raw_label, row.amount_minor, row.booking_date, row.account_id)
                for row in past
            ],
            _past(line.raw_label, line.amount_minor, line.booking_date, account_id),
        )

    async def accept_page(self, telegram_id: int, anchor: int, page: int) -> int:
        """Accept every line of the page that has a real suggestion (not the suspense account)."""
        now = self.clock.now()
        async with self.db.reading() as uow:  # the page is read before the writer is taken
            book = await book_of(uow, telegram_id)
            view = await self._digest(uow, book, anchor, page)
        suspense = TEMPLATES[book.chart_template].suspense_code
        wanted = [
            shown.id
            for shown in view.lines
            if shown.state == ReviewState.TO_REVIEW
            and shown.account is not None
            and shown.account.code != suspense
        ]
        async with self.db.writing() as uow:
            chosen = [
                (Fileable.of(pressed.line, pressed.bank_ledger_id), pressed.suggested_account_id)
                for pressed in await uow.lines.to_decide_many(book.id, wanted)
                if pressed.suggested_account_id is not None
            ]
            accepted = len(await accept_all(uow, chosen, now))
            await uow.commit()
        return accepted

    async def exclude(self, telegram_id: int, line_id: int) -> Decision:
        """Not in the books at all (a duplicate, another business's line): no entry is posted."""
        now = self.clock.now()
        async with self.db.writing() as uow:
            book = await book_of(uow, telegram_id)
            line = await line_of(uow, book, line_id)
            changed = await uow.lines.mark_excluded(line.id, now)
            if changed:
                line.review_state = ReviewState.EXCLUDED
                line.reviewed_at = now
            accounts = await self._accounts(uow, book)
            await uow.commit()
        return Decision(changed, self._view(line, accounts))

    async def personal(self, telegram_id: int, line_id: int) -> Decision:
        async with self.db.reading() as uow:
            book = await book_of(uow, telegram_id)
            owner = await uow.ledger.by_code(book.id, TEMPLATES[book.chart_template].owner_code)
        if owner is None:
            raise NotFound("owner account")
        decision = await self._decide(telegram_id, line_id, owner.id)
        return Decision(decision.changed, decision.line)

    async def reopen(self, telegram_id: int, line_id: int) -> Decision:
        """Back to review; an accepted line's entry is reversed, never edited."""
        today = self.clock.now().date()
        async with self.db.writing() as uow:
            book = await book_of(uow, telegram_id)
            line = await line_of(uow, book, line_id)
            changed = await self._reopen(uow, line, today)
            accounts = await self._accounts(uow, book)
            await uow.commit()
        return Decision(changed, self._view(line, accounts))

    async def _reopen(self, uow: UnitOfWork, line: BankTransaction, today: object) -> bool:
        state = line.review_state
        if state not in (ReviewState.ACCEPTED, ReviewState.EXCLUDED):
            return False
        entry_id = line.journal_entry_id
        if not await uow.lines.reopen(line.id, state):
            return False
        if state == ReviewState.ACCEPTED:
            await forget(uow, line.book_id)
        if entry_id is not None:
            lines = await uow.journal.lines_of(entry_id)
            reversal = await uow.journal.post(
                line.book_id,
                reversal_of(
                    entry_id,
                    (
                        DraftLine(j.ledger_account_id, Money(j.amount_minor, j.currency))
                        for j in lines
                    ),
                    line.booking_date,
                    memo=line.payee,
                ),
            )
            await uow.journal.mark_reversed(entry_id, reversal)
        line.review_state = ReviewState.TO_REVIEW
        line.journal_entry_id = None
        line.auto_accepted = False
        return True

    async def undo_auto(self, telegram_id: int, anchor: int) -> int:
        """Undo the lines the digest of `anchor` summarised as accepted automatically."""
        at = _anchor_time(anchor)
        async with self.db.writing() as uow:
            book = await book_of(uow, telegram_id)
            rows = await uow.lines.auto_accepted_between(
                book.id,
                at - timedelta(hours=AUTO_SUMMARY_HOURS),
                at + timedelta(seconds=1),
            )
            undone = 0
            for row in rows:
                if await self._reopen(uow, row, at.date()):
                    undone += 1
            await uow.commit()
        return undone

    async def recent_decisions(self, telegram_id: int, limit: int = 8) -> tuple[ReviewLine, ...]:
        async with self.db.reading() as uow:
            book = await book_of(uow, telegram_id)
            rows = await uow.lines.recently_decided(book.id, limit)
            accounts = await self._accounts(uow, book)
        return tuple(self._view(row, accounts) for row in rows)

    # --- the category picker -----------------------------------------------------------

    async def check_line(self, telegram_id: int, line_id: int) -> None:
        """NotFound unless the line is in one of this user's books: a press names a line
        before anything is armed for it."""
        async with self.db.reading() as uow:
            await self._pressed(uow, telegram_id, line_id)

    async def choices(self, telegram_id: int, line_id: int) -> CategoryChoices:
        """Best first (the suggestion, then where this payee was filed), then the most used."""
        async with self.db.reading() as uow:
            pressed, book = await self._pressed(uow, telegram_id, line_id)
            chart = TEMPLATES[book.chart_template]
            found = await uow.picker.choices(
                book.id, pressed.line.payee, chart.owner_code, payee_size=3, used_size=8
            )
        accounts = {
            a.id: LedgerAccountView(a.id, a.code, a.name, a.kind)
            for a in (*found.same_payee, *found.most_used)
        }
        line = _row_view(pressed.line)
        if line.account is not None:
            accounts[line.account.id] = line.account
        best_ids = list(dict.fromkeys(a.id for a in (line.account, *found.same_payee) if a))
        frequent = [a.id for a in found.most_used if a.id not in best_ids][:4]
        best = [accounts[i] for i in best_ids if accounts[i].code != chart.suspense_code]
        return CategoryChoices(
            line=line,
            best=tuple(best[:3]),
            frequent=tuple(accounts[i] for i in frequent),
            owner=None if found.owner is None else LedgerAccountView(*found.owner),
        )

    async def search_categories(
        self, telegram_id: int, query: str, limit: int = 8
    ) -> tuple[LedgerAccountView, ...]:
        """Accounts whose code or name matches a few letters ("resto", "tel", "loyer")."""
        folded = fold(query)[:40]
        if not folded:
            return ()
        async with self.db.reading() as uow:
            book = await book_of(uow, telegram_id)
            candidates = [a for a in await uow.ledger.all_of(book.id) if a.kind in CATEGORY_KINDS]
            chart = TEMPLATES[book.chart_template]
        words = folded.split()
        preferred = chart.preferred(words)
        scored: list[tuple[int, str, LedgerAccount]] = []
        slices = Slices()
        for account in candidates:
            await slices.tick()
            name = fold(account.name)
            if account.code in preferred:
                scored.append((0, account.code, account))
            elif all(word in name or account.code.startswith(word) for word in words):
                starts = any(part.startswith(words[0]) for part in name.split())
                scored.append((1 if starts else 2, account.code, account))
        scored.sort(key=lambda item: (item[0], item[1]))
        return tuple(LedgerAccountView.of(account) for _, _, account in scored[:limit])

    async def add_category(self, telegram_id: int, line_id: int, name: str) -> LedgerAccountView:
        """A new expense (money out) or income (money in) account, numbered after the chart's."""
        name = " ".join(name.split())
        if not 1 <= len(name) <= 60:
            raise InvalidInput("name length")
        async with self.db.writing() as uow:
            book = await book_of(uow, telegram_id)
            line = await line_of(uow, book, line_id)
            income = line.amount_minor > 0
            codes = await uow.ledger.codes(book.id)
            chart = TEMPLATES[book.chart_template]
            base = chart.new_income_base if income else chart.new_expense_base
            code = next(f"{base}{n}" for n in range(1, 10_000) if f"{base}{n}" not in codes)
            account = await uow.ledger.add(
                LedgerAccount(
                    book_id=book.id,
                    code=code,
                    name=name,
                    kind=AccountKind.INCOME if income else AccountKind.EXPENSE,
                )
            )
            await uow.commit()
        return LedgerAccountView.of(account)

    # --- rules ---------------------------------------------------------------------------
