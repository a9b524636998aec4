"""/rules through the real Application: list, disable, enable, delete, someone else's rule
(in a group: tests/handlers/test_connect.py, with every private-only command)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from telegram.ext import Application

from bot.domain.clock import FixedClock
from bot.i18n import t
from handlers import callbacks as cb
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
