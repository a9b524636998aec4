"""A bank that does not answer in time: the user is told so, with a button to try again."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot.banks.connector import DEFAULT_CALL_TIMEOUT, call_timeout, set_call_timeout
from bot.domain.clock import FixedClock
from bot.services.connect import Services
from tests.support.app import run_app, settings_for, stop_app
from tests.support.botapi import BotApiStandIn
from tests.support.connecting import connect_all
from tests.support.player import Player

App = Application[Any, Any, Any, Any, Any, Any]
SHORT = 0.3  # the demo bank's "demo-slow" user takes 3 s a call: to the bot, a bank that hangs


@pytest.fixture
async def app(standin: BotApiStandIn, tmp_path: Path, clock: FixedClock) -> AsyncIterator[App]:
    settings = settings_for(standin, tmp_path, demo_bank_password="demo", bank_call_timeout_s=SHORT)
    application = await run_app(settings, clock)
    try:
        yield application
        await stop_app(application)
    finally:
        set_call_timeout(DEFAULT_CALL_TIMEOUT)  # a process-wide setting: leave it as found


def services(app: App) -> Services:
    found = app.bot_data["runtime"].services
    assert isinstance(found, Services)
    return found


def no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert all(r.exc_info is None and r.levelno < logging.ERROR for r in caplog.records)
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.banks.connector"]
    assert lines == [f"connector demo: no answer in time (limit {SHORT:g}s)"]


async def test_connect_to_a_bank_that_hangs_says_so_and_try_again_signs_in_anew(
    app: App, standin: BotApiStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    assert call_timeout() == SHORT
    caplog.set_level(logging.INFO)
    p = Player(standin, 901, "en")
    await p.say("/connect", expect="Search for your bank")
    await p.say("demo", expect="Results for")
    await p.press("Demo", expect="sign-in details")
    await p.press("Continue", expect="Username")
    await p.say("demo-slow", expect="Password")
    told = await p.say("demo", expect="isn't answering", timeout=SHORT + 5)
    assert [label for row in told.buttons() for label, _ in row] == ["🔄 Try again"]
    no_traceback(caplog)
    await p.press("Try again", expect="Username")
    await p.say("demo", expect="Password")
    await p.say("demo", expect="Security code")


async def test_credentials_at_a_bank_that_hangs_say_so_and_try_again_asks_anew(
    app: App, standin: BotApiStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    await connect_all(services(app), 902, date(2026, 11, 1))
    caplog.set_level(logging.INFO)
    p = Player(standin, 902, "fr")
    await p.say("/credentials", expect="Identifiant")
    await p.say("demo-slow", expect="Mot de passe")
    told = await p.say("demo", expect="ne répond pas pour le moment", timeout=SHORT + 5)
    assert [label for row in told.buttons() for label, _ in row] == ["🔄 Réessayer"]
    no_traceback(caplog)
    await p.press("Réessayer", expect="Identifiant")
    await p.say("demo", expect="Mot de passe")
    await p.say("demo", expect="Code de sécurité")
