"""Reviewing bank lines: the digest, accept, recategorize, exclude, rules, undo and reopen."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Row, Select, and_, case, func, select, union_all

from bot.charts import TEMPLATES, AccountKind
from bot.clock import Clock
from bot.domain import ReviewState
from bot.filing import accept_line
from bot.ledger import DraftLine, reversal_of
from bot.money import Money
from bot.views import (
    CategoryChoices,
    Decision,
    DigestView,
    LedgerAccountView,
    ReviewLine,
    RuleView,
)
from storage.models import (
    BankAccount,
    BankTransaction,
    Book,
    BookMember,
    JournalLine,
    LedgerAccount,
    Rule,
    User,
)
from storage.uow import Database, UnitOfWork

PAGE_SIZE = 6
AUTO_SUMMARY_HOURS = 24
CATEGORY_KINDS = (
    AccountKind.EXPENSE,
    AccountKind.INCOME,
    AccountKind.VAT,
    AccountKind.TAX,
    AccountKind.OWNER,
    AccountKind.TRANSFER,
    AccountKind.EQUITY,
    AccountKind.RECEIVABLE,
    AccountKind.PAYABLE,
    AccountKind.SUSPENSE,
)
SYNONYMS = {
    "resto": ("6257", "6256", "6000"),
    "restaurant": ("6257", "6256"),
    "repas": ("6257", "6256"),
    "tel": ("626",),
    "telephone": ("626",),
    "internet": ("626",),
    "mobile": ("626",),
    "loyer": ("6132",),
    "essence": ("6061", "6251"),
    "carburant": ("6061", "6251"),
    "assurance": ("616",),
    "logiciel": ("6135", "6068"),
    "abonnement": ("6135", "6068"),
    "train": ("6251",),
    "avion": ("6251",),
    "taxi": ("6251",),
    "hotel": ("6256", "6251"),
    "urssaf": ("645", "646"),
    "impot": ("63511", "444", "44551"),
    "tva": ("44551", "44566", "44571"),
    "perso": ("108",),
}


class NotFound(Exception):
    """The line, rule or account is gone or belongs to another book; nothing changes."""


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def _ledger_view(account: LedgerAccount) -> LedgerAccountView:
    return LedgerAccountView(account.id, account.code, account.name, account.kind)


def _int_map(rows: Sequence[Any]) -> dict[int, int]:
    return {int(key): int(value) for key, value in rows}


_LINE_COLUMNS = (
    BankTransaction.id,
    BankTransaction.book_id,
    BankTransaction.booking_date,
    BankTransaction.amount_minor,
    BankTransaction.currency,
    BankTransaction.payee,
    BankTransaction.raw_label,
    BankTransaction.pending,
    BankTransaction.review_state,
    BankTransaction.suggestion_source,
    BankTransaction.auto_accepted,
)
_ACCOUNT_COLUMNS = (
    LedgerAccount.id.label("account_id"),
    LedgerAccount.code.label("account_code"),
    LedgerAccount.name.label("account_name"),
    LedgerAccount.kind.label("account_kind"),
)


def _row_view(row: Row[Any]) -> ReviewLine:
    """A digest line from plain columns: a page needs no ORM objects."""
    account = (
        LedgerAccountView(row.account_id, row.account_code, row.account_name, row.account_kind)
        if row.account_id is not None
        else None
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


def anchor_of(moment: datetime) -> int:
    """Whole seconds, to fit a button: lines imported within that second still belong to it."""
    return int(moment.timestamp())


def _anchor_time(anchor: int) -> datetime:
    return datetime.fromtimestamp(anchor, UTC)


class Review:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def _book(self, uow: UnitOfWork, telegram_id: int) -> tuple[User, Book]:
        found = (
            await uow.session.execute(
                select(User, Book)
                .join(BookMember, BookMember.user_id == User.id)
                .join(Book, Book.id == BookMember.book_id)
                .where(User.telegram_id == telegram_id)
                .order_by(Book.id)
                .limit(1)
            )
        ).first()
        if found is None:
            raise NotFound("user")
        return found[0], found[1]

    async def _line(self, uow: UnitOfWork, book: Book, line_id: int) -> BankTransaction:
        line = await uow.lines.get_in_book(book.id, line_id)
        if line is None:
            raise NotFound("line")
        return line

    async def _accounts(
        self, uow: UnitOfWork, book: Book, ids: set[int | None] | None = None
    ) -> dict[int, LedgerAccount]:
        """The book's accounts, or only those named (a press needs two, not the whole chart)."""
        if ids is None:
            return {a.id: a for a in await uow.ledger.all_of(book.id)}
        wanted = [i for i in ids if i]
        rows = await uow.session.scalars(
            select(LedgerAccount).where(
                LedgerAccount.book_id == book.id, LedgerAccount.id.in_(wanted)
            )
        )
        return {a.id: a for a in rows.all()}

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
            account=_ledger_view(account) if account else None,
            source=line.suggestion_source,
            auto_accepted=line.auto_accepted,
        )

    # --- the digest ----------------------------------------------------------------------

    def new_anchor(self) -> int:
        return anchor_of(self.clock.now())

    async def digest(self, telegram_id: int, anchor: int, page: int = 0) -> DigestView:
        """Lines to review as of `anchor`; lines decided since then stay on their page, ticked."""
        async with self.db.reading() as uow:
            _, book = await self._book(uow, telegram_id)
            return await self._digest(uow, book, anchor, page)

    async def daily_digests(
        self, telegram_ids: Sequence[int], anchor: int
    ) -> dict[int, DigestView]:
        """First pages for many users at once: a handful of queries per 500 users, not per user."""
        views: dict[int, DigestView] = {}
        async with self.db.reading() as uow:
            for start in range(0, len(telegram_ids), 500):
                chunk = telegram_ids[start : start + 500]
                books = _int_map(
                    (
                        await uow.session.execute(
                            select(User.telegram_id, BookMember.book_id)
                            .join(BookMember, BookMember.user_id == User.id)
                            .where(User.telegram_id.in_(chunk))
                            .order_by(BookMember.book_id.desc())
                        )
                    ).all()
                )
                pages = await self._pages(uow, list(set(books.values())), anchor, 0)
                views.update((tid, pages[book_id]) for tid, book_id in books.items())
        return views

    async def _digest(self, uow: UnitOfWork, book: Book, anchor: int, page: int) -> DigestView:
        return (await self._pages(uow, [book.id], anchor, page))[book.id]

    async def _pages(
        self, uow: UnitOfWork, book_ids: Sequence[int], anchor: int, page: int
    ) -> dict[int, DigestView]:
        """Each query walks an index range (lines to review, lines decided or imported since),
        never the books' whole history: a press redraws its page in well under a millisecond
        of SQLite time, however many lines wait."""
        at = _anchor_time(anchor)
        until = at + timedelta(seconds=1)
        session = uow.session
        line = BankTransaction
        waiting = (
            await session.execute(
                select(
                    line.book_id,
                    func.count(),
                    func.sum(case((line.imported_at >= until, 1), else_=0)),
                )
                .where(line.book_id.in_(book_ids), line.review_state == ReviewState.TO_REVIEW)
                .group_by(line.book_id)
            )
        ).all()
        to_review = {int(book_id): int(count) for book_id, count, _ in waiting}
        late = {int(book_id): int(count or 0) for book_id, _, count in waiting}
        decided = and_(
            line.reviewed_at >= at,
            line.auto_accepted.is_(False),
            line.review_state.in_([ReviewState.ACCEPTED, ReviewState.EXCLUDED]),
        )
        automatic = and_(line.auto_accepted.is_(True), line.review_state == ReviewState.ACCEPTED)
        recent = (
            await session.execute(
                select(
                    line.book_id,
                    line.currency,
                    func.sum(case((decided, 1), else_=0)),
                    func.sum(case((automatic, 1), else_=0)),
                    func.sum(case((automatic, line.amount_minor), else_=0)),
                )
                .where(
                    line.book_id.in_(book_ids),
                    line.reviewed_at >= at - timedelta(hours=AUTO_SUMMARY_HOURS),
                    line.reviewed_at < until,
                    line.imported_at < until,
                )
                .group_by(line.book_id, line.currency)
            )
        ).all()
        shown = {b: to_review.get(b, 0) - late.get(b, 0) for b in book_ids}
        auto: dict[int, list[tuple[int, Money]]] = {b: [] for b in book_ids}
        for book_id, currency, n_decided, n_auto, total in recent:
            shown[book_id] += int(n_decided or 0)
            if n_auto:
                auto[book_id].append((int(n_auto), Money(int(total or 0), currency)))
        pages = {b: max(1, math.ceil(shown[b] / PAGE_SIZE)) for b in book_ids}
        if len(book_ids) == 1:
            page = min(max(page, 0), pages[book_ids[0]] - 1)
        rows = await self._page_rows(uow, book_ids, at, page)
        views = {}
        for book_id in book_ids:
            counted = sorted(auto[book_id], key=lambda item: -item[0])
            views[book_id] = DigestView(
                anchor=anchor,
                page=page,
                pages=pages[book_id],
                lines=tuple(rows.get(book_id, ())),
                to_review=to_review.get(book_id, 0),
                auto_count=sum(n for n, _ in counted),
                auto_totals=tuple(total for _, total in counted),
            )
        return views

    async def _page_rows(
        self, uow: UnitOfWork, book_ids: Sequence[int], at: datetime, page: int
    ) -> dict[int, list[ReviewLine]]:
        """The page's lines, newest first: those to review, then merged in by date those
        decided since `at`; one book pages with LIMIT/OFFSET, many books rank with a window."""
        line = BankTransaction
        until = at + timedelta(seconds=1)
        columns = (line.id, line.book_id, line.booking_date, line.imported_at)
        waiting = select(*columns).where(
            line.book_id.in_(book_ids),
            line.review_state == ReviewState.TO_REVIEW,
            line.imported_at < until,
        )
        decided = select(*columns).where(
            line.book_id.in_(book_ids),
            line.reviewed_at >= at,
            line.auto_accepted.is_(False),
            line.review_state.in_([ReviewState.ACCEPTED, ReviewState.EXCLUDED]),
            line.imported_at < until,
        )
        ids: Select[tuple[int]]
        if len(book_ids) == 1:
            both_in_order = union_all(waiting, decided)
            ordered = both_in_order.selected_columns
            one_page = (
                both_in_order.order_by(
                    ordered.booking_date.desc(), ordered.imported_at.desc(), ordered.id.desc()
                )
                .limit(PAGE_SIZE)
                .offset(page * PAGE_SIZE)
                .subquery()
            )
            ids = select(one_page.c.id)
        else:
            both = union_all(waiting, decided).subquery()
            position = (
                func.row_number()
                .over(
                    partition_by=both.c.book_id,
                    order_by=(
                        both.c.booking_date.desc(),
                        both.c.imported_at.desc(),
                        both.c.id.desc(),
                    ),
                )
                .label("position")
            )
            ranked = select(both.c.id, position).subquery()
            ids = select(ranked.c.id).where(ranked.c.position <= PAGE_SIZE)
        found = (
            await uow.session.execute(
                select(*_LINE_COLUMNS, *_ACCOUNT_COLUMNS)
                .outerjoin(LedgerAccount, LedgerAccount.id == line.suggested_account_id)
                .where(line.id.in_(ids))
                .order_by(line.booking_date.desc(), line.imported_at.desc(), line.id.desc())
            )
        ).all()
        by_book: dict[int, list[ReviewLine]] = {}
        for row in found:
            by_book.setdefault(row.book_id, []).append(_row_view(row))
        return by_book

    # --- decisions ---------------------------------------------------------------------

    async def accept(
        self, telegram_id: int, line_id: int, *, anchor: int | None = None, page: int = 0
    ) -> Decision:
        """Accept the suggestion; with an anchor, the redrawn page comes in the same transaction."""
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
        async with self.db.writing() as uow:
            _, book = await self._book(uow, telegram_id)
            line = await self._line(uow, book, line_id)
            accounts = await self._accounts(uow, book, {account_id, line.suggested_account_id})
            if account_id is not None and account_id not in accounts:
                raise NotFound("account")
            bank_account = await uow.session.get(BankAccount, line.bank_account_id)
            assert bank_account is not None
            changed = await accept_line(uow, line, bank_account, now, account_id=account_id)
            view = await self._digest(uow, book, anchor, page) if anchor is not None else None
            await uow.commit()
        offer = None
        if changed and account_id is not None and line.payee:
            offer = _ledger_view(accounts[account_id])
        return Decision(changed, self._view(line, accounts), offer, view)

    async def accept_page(self, telegram_id: int, anchor: int, page: int) -> int:
        """Accept every line of the page that has a real suggestion (not the suspense account)."""
        now = self.clock.now()
        accepted = 0
        async with self.db.writing() as uow:
            _, book = await self._book(uow, telegram_id)
            view = await self._digest(uow, book, anchor, page)
            suspense = TEMPLATES[book.chart_template].suspense_code
            for shown in view.lines:
                if shown.state != ReviewState.TO_REVIEW or shown.account is None:
                    continue
                if shown.account.code == suspense:
                    continue
                line = await self._line(uow, book, shown.id)
                bank_account = await uow.session.get(BankAccount, line.bank_account_id)
                assert bank_account is not None
                if await accept_line(uow, line, bank_account, now):
                    accepted += 1
            await uow.commit()
        return accepted

    async def exclude(self, telegram_id: int, line_id: int) -> Decision:
        """Not in the books at all (a duplicate, another business's line): no entry is posted."""
        now = self.clock.now()
        async with self.db.writing() as uow:
            _, book = await self._book(uow, telegram_id)
            line = await self._line(uow, book, line_id)
            changed = await uow.lines.mark_excluded(line.id, now)
            if changed:
                line.review_state = ReviewState.EXCLUDED
                line.reviewed_at = now
            accounts = await self._accounts(uow, book)
            await uow.commit()
        return Decision(changed, self._view(line, accounts))

    async def personal(self, telegram_id: int, line_id: int) -> Decision:
        async with self.db.reading() as uow:
            _, book = await self._book(uow, telegram_id)
            owner = await uow.ledger.by_code(book.id, TEMPLATES[book.chart_template].owner_code)
        if owner is None:
            raise NotFound("owner account")
        decision = await self._decide(telegram_id, line_id, owner.id)
        return Decision(decision.changed, decision.line)

    async def reopen(self, telegram_id: int, line_id: int) -> Decision:
        """Back to review; an accepted line's entry is reversed, never edited."""
        today = self.clock.now().date()
        async with self.db.writing() as uow:
            _, book = await self._book(uow, telegram_id)
            line = await self._line(uow, book, line_id)
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
            await uow.journal.mark_reversed(entry_id, reversal.id)
        line.review_state = ReviewState.TO_REVIEW
        line.journal_entry_id = None
        line.auto_accepted = False
        return True

    async def undo_auto(self, telegram_id: int, anchor: int) -> int:
        """Undo the lines the digest of `anchor` summarised as accepted automatically."""
        at = _anchor_time(anchor)
        async with self.db.writing() as uow:
            _, book = await self._book(uow, telegram_id)
            rows = (
                await uow.session.scalars(
                    select(BankTransaction).where(
                        BankTransaction.book_id == book.id,
                        BankTransaction.auto_accepted.is_(True),
                        BankTransaction.review_state == ReviewState.ACCEPTED,
                        BankTransaction.reviewed_at >= at - timedelta(hours=AUTO_SUMMARY_HOURS),
                        BankTransaction.reviewed_at < at + timedelta(seconds=1),
                    )
                )
            ).all()
            undone = 0
            for row in rows:
                if await self._reopen(uow, row, at.date()):
                    undone += 1
            await uow.commit()
        return undone

    async def recent_decisions(self, telegram_id: int, limit: int = 8) -> tuple[ReviewLine, ...]:
        async with self.db.reading() as uow:
            _, book = await self._book(uow, telegram_id)
            rows = (
                await uow.session.scalars(
                    select(BankTransaction)
                    .where(
                        BankTransaction.book_id == book.id,
                        BankTransaction.review_state.in_(
                            [ReviewState.ACCEPTED, ReviewState.EXCLUDED]
                        ),
                    )
                    .order_by(BankTransaction.reviewed_at.desc(), BankTransaction.id.desc())
                    .limit(limit)
                )
            ).all()
            accounts = await self._accounts(uow, book)
        return tuple(self._view(row, accounts) for row in rows)

    # --- the category picker -----------------------------------------------------------

    async def choices(self, telegram_id: int, line_id: int) -> CategoryChoices:
        """Best first (the suggestion, then where this payee was filed), then the most used."""
        async with self.db.reading() as uow:
            _, book = await self._book(uow, telegram_id)
            line = await self._line(uow, book, line_id)
            chart = TEMPLATES[book.chart_template]
            same_payee = await uow.session.execute(
                select(BankTransaction.suggested_account_id, func.count())
                .where(
                    BankTransaction.book_id == book.id,
                    BankTransaction.payee == line.payee,
                    BankTransaction.review_state == ReviewState.ACCEPTED,
                )
                .group_by(BankTransaction.suggested_account_id)
                .order_by(func.count().desc())
                .limit(3)
            )
            best_ids: list[int] = []
            for candidate in (line.suggested_account_id, *(a for a, _ in same_payee.all())):
                if candidate and candidate not in best_ids:
                    best_ids.append(int(candidate))
            frequent_rows = await uow.session.execute(
                select(JournalLine.ledger_account_id, func.count())
                .join(LedgerAccount, LedgerAccount.id == JournalLine.ledger_account_id)
                .where(
                    LedgerAccount.book_id == book.id, LedgerAccount.kind.in_(list(CATEGORY_KINDS))
                )
                .group_by(JournalLine.ledger_account_id)
                .order_by(func.count().desc())
                .limit(8)
            )
            frequent = [int(a) for a, _ in frequent_rows.all() if int(a) not in best_ids][:4]
            owner = await uow.ledger.by_code(book.id, chart.owner_code)
            accounts = await self._accounts(uow, book, {*best_ids, *frequent})
        best = [
            accounts[i]
            for i in best_ids
            if i in accounts and accounts[i].code != chart.suspense_code
        ]
        return CategoryChoices(
            line=self._view(line, accounts),
            best=tuple(_ledger_view(a) for a in best[:3]),
            frequent=tuple(_ledger_view(accounts[i]) for i in frequent if i in accounts),
            owner=_ledger_view(owner) if owner else None,
        )

    async def search_categories(
        self, telegram_id: int, query: str, limit: int = 8
    ) -> tuple[LedgerAccountView, ...]:
        """Accounts whose code or name matches a few letters ("resto", "tel", "loyer")."""
        folded = fold(query)[:40]
        if not folded:
            return ()
        async with self.db.reading() as uow:
            _, book = await self._book(uow, telegram_id)
            candidates = [a for a in await uow.ledger.all_of(book.id) if a.kind in CATEGORY_KINDS]
        words = folded.split()
        preferred = {
            code
            for word in words
            for key, codes in SYNONYMS.items()
            if key.startswith(word)
            for code in codes
        }
        scored: list[tuple[int, str, LedgerAccount]] = []
        for account in candidates:
            name = fold(account.name)
            if account.code in preferred:
                scored.append((0, account.code, account))
            elif all(word in name or account.code.startswith(word) for word in words):
                starts = any(part.startswith(words[0]) for part in name.split())
                scored.append((1 if starts else 2, account.code, account))
        scored.sort(key=lambda item: (item[0], item[1]))
        return tuple(_ledger_view(account) for _, _, account in scored[:limit])

    async def add_category(self, telegram_id: int, line_id: int, name: str) -> LedgerAccountView:
        """A new expense (money out) or income (money in) account, numbered after the chart's."""
        name = " ".join(name.split())
        if not 1 <= len(name) <= 60:
            raise ValueError("name length")
        async with self.db.writing() as uow:
            _, book = await self._book(uow, telegram_id)
            line = await self._line(uow, book, line_id)
            income = line.amount_minor > 0
            codes = await uow.ledger.codes(book.id)
            base = (
                ("7588" if income else "6588")
                if book.chart_template == "fr_pcg"
                else ("4890" if income else "6990")
            )
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
        return _ledger_view(account)

    # --- rules ---------------------------------------------------------------------------

    async def make_rule(
        self, telegram_id: int, line_id: int, account_id: int, *, auto_accept: bool = False
    ) -> int:
        """ "Always file <payee> under <account>": applied at once to the lines still to review.

        An auto-accept rule also accepts those lines; the next summary lists them with an undo.
        """
        now = self.clock.now()
        async with self.db.writing() as uow:
            _, book = await self._book(uow, telegram_id)
            line = await self._line(uow, book, line_id)
            accounts = await self._accounts(uow, book)
            if account_id not in accounts or not line.payee:
                raise NotFound("account")
            rule = await uow.rules.add(
                Rule(
                    book_id=book.id,
                    payee=line.payee,
                    direction="in" if line.amount_minor > 0 else "out",
                    account_id=account_id,
                    auto_accept=auto_accept,
                )
            )
            waiting = (
                await uow.session.scalars(
                    select(BankTransaction).where(
                        BankTransaction.book_id == book.id,
                        BankTransaction.review_state == ReviewState.TO_REVIEW,
                        BankTransaction.payee == line.payee,
                    )
                )
            ).all()
            applied = 0
            for other in waiting:
                if (other.amount_minor > 0) == (line.amount_minor > 0):
                    other.suggested_account_id = account_id
                    other.suggestion_source = "rule"
                    other.suggestion_confidence = 1.0
                    other.suggestion_rule_id = rule.id
                    applied += 1
                    if auto_accept and not other.pending:
                        bank_account = await uow.session.get(BankAccount, other.bank_account_id)
                        assert bank_account is not None
                        await accept_line(uow, other, bank_account, now, auto=True)
            await uow.commit()
        return applied

    async def rules(self, telegram_id: int) -> tuple[RuleView, ...]:
        async with self.db.reading() as uow:
            _, book = await self._book(uow, telegram_id)
            accounts = await self._accounts(uow, book)
            hits = await uow.rules.hits(book.id)
            rules = await uow.rules.all_of(book.id)
        return tuple(
            RuleView(
                id=rule.id,
                payee=rule.payee,
                label_contains=rule.label_contains,
                account=_ledger_view(accounts[rule.account_id]),
                auto_accept=rule.auto_accept,
                enabled=rule.enabled,
                hits=hits.get(rule.id, 0),
            )
            for rule in rules
            if rule.account_id in accounts
        )

    async def toggle_rule(self, telegram_id: int, rule_id: int) -> None:
        async with self.db.writing() as uow:
            _, book = await self._book(uow, telegram_id)
            rule = await uow.rules.get_in_book(book.id, rule_id)
            if rule is None:
                raise NotFound("rule")
            rule.enabled = not rule.enabled
            await uow.commit()

    async def delete_rule(self, telegram_id: int, rule_id: int) -> None:
        async with self.db.writing() as uow:
            _, book = await self._book(uow, telegram_id)
            rule = await uow.rules.get_in_book(book.id, rule_id)
            if rule is None:
                raise NotFound("rule")
            await uow.rules.delete(rule)
            await uow.commit()
