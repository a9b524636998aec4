"""The user's rules: "always file <payee> under <account>" (on weekdays, at the weekend, up to
or from an amount), applied at once, listed, switched off and deleted."""

from __future__ import annotations

from bot.categorize.conditions import BLANKET, Days, RuleCondition
from bot.categorize.learned import purchase_date
from bot.domain.clock import Clock
from bot.domain.views import LedgerAccountView, RuleView
from bot.services.access import book_of, line_of
from bot.services.errors import NotFound
from bot.services.filing import accept_lines
from storage.models import Rule
from storage.uow import Database


class Rules:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def make(
        self,
        telegram_id: int,
        line_id: int,
        account_id: int,
        *,
        auto_accept: bool = False,
        condition: RuleCondition = BLANKET,
    ) -> int:
        """ "Always file <payee> under <account>" when `condition` holds: applied at once to
        the lines still to review that it covers.

        An auto-accept rule also accepts those lines; the next summary lists them with an undo.
        """
        now = self.clock.now()
        async with self.db.writing() as uow:
            book = await book_of(uow, telegram_id)
            line = await line_of(uow, book, line_id)
            accounts = {a.id: a for a in await uow.ledger.all_of(book.id)}
            if account_id not in accounts or not line.payee:
                raise NotFound("account")
            rule = await uow.rules.add(
                Rule(
                    book_id=book.id,
                    payee=line.payee,
                    direction="in" if line.amount_minor > 0 else "out",
                    account_id=account_id,
                    auto_accept=auto_accept,
                    days=condition.days.value if condition.days is not None else None,
                    min_minor=condition.min_minor,
                    max_minor=condition.max_minor,
                )
            )
            waiting = await uow.lines.waiting_from_payee(book.id, line.payee)
            applied = [
                other
                for other in waiting
                if (other.amount_minor > 0) == (line.amount_minor > 0)
                and condition.holds(
                    abs(other.amount_minor), purchase_date(other.raw_label, other.booking_date)
                )
            ]
            for other in applied:
                other.suggested_account_id = account_id
                other.suggestion_source = "rule"
                other.suggestion_confidence = 1.0
                other.suggestion_rule_id = rule.id
            if auto_accept:
                ledger_ids = await uow.bank_accounts.ledger_ids(book.id)
                sure = [(other, account_id) for other in applied if not other.pending]
                await accept_lines(uow, sure, ledger_ids, now, auto=True)
            await uow.commit()
        return len(applied)

    async def of(self, telegram_id: int) -> tuple[RuleView, ...]:
        async with self.db.reading() as uow:
            book = await book_of(uow, telegram_id)
            accounts = {a.id: a for a in await uow.ledger.all_of(book.id)}
            hits = await uow.rules.hits(book.id)
            rules = await uow.rules.all_of(book.id)
            banked = await uow.bank_accounts.of_books([book.id])
        currency = banked[0].currency if banked else "EUR"
        return tuple(
            RuleView(
                id=rule.id,
                payee=rule.payee,
                label_contains=rule.label_contains,
                account=LedgerAccountView.of(accounts[rule.account_id]),
                auto_accept=rule.auto_accept,
                enabled=rule.enabled,
                hits=hits.get(rule.id, 0),
                condition=RuleCondition(
                    Days(rule.days) if rule.days else None, rule.min_minor, rule.max_minor
                ),
                currency=currency,
            )
            for rule in rules
            if rule.account_id in accounts
        )

    async def toggle(self, telegram_id: int, rule_id: int) -> None:
        async with self.db.writing() as uow:
            book = await book_of(uow, telegram_id)
            rule = await uow.rules.get_in_book(book.id, rule_id)
            if rule is None:
                raise NotFound("rule")
            rule.enabled = not rule.enabled
            await uow.commit()

    async def delete(self, telegram_id: int, rule_id: int) -> None:
        async with self.db.writing() as uow:
            book = await book_of(uow, telegram_id)
            rule = await uow.rules.get_in_book(book.id, rule_id)
            if rule is None:
                raise NotFound("rule")
            await uow.rules.delete(rule)
            await uow.commit()
