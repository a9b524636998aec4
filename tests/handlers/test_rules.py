"""/rules through the real Application: list, disable, enable, delete, someone else's rule
(in a group: tests/handlers/test_connect.py, with every private-only command)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from telegram.ext import Application

from bot.categorize.conditions import BLANKET, Days, RuleCondition
from bot.charts import AccountKind
from bot.domain.clock import FixedClock
from bot.domain.money import Money
from bot.domain.states import ReviewState
from bot.domain.views import Decision, LedgerAccountView, ReviewLine, RuleView
from bot.i18n import t
from handlers import callbacks as cb
from handlers import render
from storage.models import LedgerAccount, Rule
from tests.support.app import run_app, settings_for, stop_app
from tests.support.botapi import BotApiStandIn
from tests.support.player import Player

App = Application[Any, Any, Any, Any, Any, Any]
ERIN, FRANK = 611, 612


@pytest.fixture
async def app(standin: BotApiStandIn, tmp_path: Path, clock: FixedClock) -> AsyncIterator[App]:
    application = await run_app(settings_for(standin, tmp_path), clock)
    yield application
    await stop_app(application)


async def rule_for(app: App, telegram_id: int, payee: str) -> int:
    services = app.bot_data["runtime"].services
    book = (await services.meet(telegram_id, telegram_id, "fr")).book_id
    async with services.db.writing() as uow:
        account = await uow.session.scalar(
            select(LedgerAccount.id).where(
                LedgerAccount.book_id == book, LedgerAccount.code == "626"
            )
        )
        assert account is not None
        rule = Rule(book_id=book, payee=payee, account_id=account)
        await uow.rules.add(rule)
        await uow.commit()
        return rule.id


async def rules_of(app: App, telegram_id: int) -> list[tuple[str | None, bool]]:
    services = app.bot_data["runtime"].services
    book = (await services.meet(telegram_id, telegram_id, "fr")).book_id
    async with services.db.reading() as uow:
        rows = await uow.session.execute(
            select(Rule.payee, Rule.enabled).where(Rule.book_id == book).order_by(Rule.id)
        )
        return [(payee, enabled) for payee, enabled in rows.all()]


async def test_a_rule_is_disabled_enabled_then_deleted_in_place(
    app: App, standin: BotApiStandIn
) -> None:
    await rule_for(app, ERIN, "ORANGE")
    p = Player(standin, ERIN, "fr")
    listed = await p.say("/rules", expect="Vos règles")
    assert "ORANGE" in (listed.text or "")
    off = await p.press("1 ⏸", expect="désactivée")
    assert off.message_id == listed.message_id and await rules_of(app, ERIN) == [("ORANGE", False)]
    await p.press("1 ▶️", expect="1 ⏸ Désactiver")
    assert await rules_of(app, ERIN) == [("ORANGE", True)]
    gone = await p.press("1 🗑", expect=t("fr", "rules.none"))
    assert gone.message_id == listed.message_id and await rules_of(app, ERIN) == []
    assert standin.unanswered_callbacks() == []


async def test_someone_elses_rule_is_answered_politely_and_kept(
    app: App, standin: BotApiStandIn
) -> None:
    erins = await rule_for(app, ERIN, "EDF")
    frank = Player(standin, FRANK, "en")
    mine = await frank.say("/rules", expect=t("en", "rules.none"))
    for forged in (cb.ToggleRule(erins), cb.DeleteRule(erins)):
        assert await frank.press_data(mine.message_id, forged.pack()) == t("en", "stale_button")
    assert await rules_of(app, ERIN) == [("EDF", True)]
    services = app.bot_data["runtime"].services
    async with services.db.reading() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Rule)) == 1


def _offer(condition: RuleCondition) -> Decision:
    account = LedgerAccountView(7, "6251", "Voyages et déplacements", AccountKind.EXPENSE)
    line = ReviewLine(
        id=42,
        booking_date=date(2026, 3, 9),
        amount=Money(-2_400, "EUR"),
        payee="UBER",
        label="PAIEMENT UBER TRIP",
        pending=False,
        state=ReviewState.ACCEPTED,
        account=account,
        source="memory",
        auto_accepted=False,
    )
    return Decision(True, line, account, rule_condition=condition)


@pytest.mark.parametrize(
    ("condition", "fr", "en"),
    [
        (RuleCondition(days=Days.WEEKDAYS), "UBER en semaine dans", "UBER on weekdays under"),
        (RuleCondition(days=Days.WEEKEND), "UBER le week-end dans", "UBER at weekends under"),
        (RuleCondition(max_minor=10_000), "UBER jusqu'à 100,00\xa0€", "UBER up to €100.00"),
        (RuleCondition(min_minor=10_000), "UBER à partir de 100,00\xa0€", "UBER from €100.00"),
    ],
)
def test_a_conditional_offer_says_its_condition_and_its_buttons_carry_it(
    condition: RuleCondition, fr: str, en: str
) -> None:
    for lang, words in (("fr", fr), ("en", en)):
        screen = render.rule_offer(_offer(condition), 1795855891, 0, lang)
        assert words in screen.text.replace("\u202f", "\xa0")
        assert screen.keyboard is not None
        pressed = [
            cb.parse(b.callback_data)
            for row in screen.keyboard.inline_keyboard
            for b in row
            if isinstance(b.callback_data, str)
        ]
        rules = [b for b in pressed if isinstance(b, cb.MakeRule)]
        assert len(rules) == 2 and all(b.condition == condition for b in rules)


def test_a_blanket_offer_reads_as_before() -> None:
    screen = render.rule_offer(_offer(BLANKET), 1795855891, 0, "fr")
    assert "Toujours classer UBER dans" in screen.text


def test_a_rule_button_from_before_conditions_is_stale() -> None:
    with pytest.raises(cb.BadButton):
        cb.parse("2ry:42:7:1795855891:0:1")


def test_the_rules_list_says_each_rules_condition() -> None:
    account = LedgerAccountView(7, "6251", "Voyages", AccountKind.EXPENSE)
    rules = [
        RuleView(1, "UBER", None, account, False, True, 3, RuleCondition(days=Days.WEEKDAYS)),
        RuleView(2, "AMAZON", None, account, False, True, 1, RuleCondition(min_minor=10_000)),
    ]
    fr = render.rules_list(rules, "fr").text.replace("\u202f", "\xa0")
    en = render.rules_list(rules, "en").text
    assert "UBER en semaine → 6251" in fr and "AMAZON à partir de 100,00\xa0€ → 6251" in fr
    assert "UBER on weekdays → 6251" in en and "AMAZON from €100.00 → 6251" in en
