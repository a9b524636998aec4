"""What a user is told when their update fails: plainly, and never with a traceback."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application

from bot.i18n import t
from storage.uow import WriterTimeout
from tests.support.botapi import BotApiStandIn
from tests.support.player import Player

App = Application[Any, Any, Any, Any, Any, Any]
ERIN = 821


def typed(app: App, text: str) -> Update:
    user = {"id": ERIN, "is_bot": False, "first_name": "Erin", "language_code": "fr"}
    message = {"message_id": 1, "date": 0, "chat": {"id": ERIN, "type": "private"}}
    return Update.de_json(
        {"update_id": 9, "message": {**message, "from": user, "text": text}}, app.bot
    )


async def test_a_busy_writer_is_told_as_busy_not_as_a_failure(
    app: App, standin: BotApiStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    p = Player(standin, ERIN, "fr")
    await p.say("/start", expect="Bonjour")
    caplog.set_level(logging.WARNING)
    since = len(standin.calls)
    await app.process_error(typed(app, "ok"), WriterTimeout())
    said = await p.wait_for("grosse importation", since, 10.0)
    assert said.text == t("fr", "error.busy")
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_any_other_failure_says_nothing_was_saved(
    app: App, standin: BotApiStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    p = Player(standin, ERIN, "fr")
    await p.say("/start", expect="Bonjour")
    since = len(standin.calls)
    await app.process_error(typed(app, "ok"), RuntimeError("boom"))
    said = await p.wait_for("Rien n'a été enregistré", since, 10.0)
    assert "boom" not in (said.text or "") and "Traceback" not in (said.text or "")
