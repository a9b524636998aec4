"""The real Application, in-process, against the Bot API stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot.config import Settings
from bot.domain.clock import FixedClock
from tests.support.app import run_app, settings_for, stop_app
from tests.support.botapi import BotApiStandIn
from tests.support.databases import copy_sqlite_template


@pytest.fixture(autouse=True)
def migrated_data_dir(request: pytest.FixtureRequest) -> None:
    """A test that has a data folder finds the session's migrated database in it, so the
    bot's own `migrate_to_head` at start finds the schema at head and does nothing."""
    if "tmp_path" in request.fixturenames:
        template: Path = request.getfixturevalue("sqlite_template")
        copy_sqlite_template(template, request.getfixturevalue("tmp_path"))


@pytest.fixture
def app_settings(standin: BotApiStandIn, tmp_path: Path) -> Settings:
    return settings_for(standin, tmp_path)


@pytest.fixture
async def app(
    app_settings: Settings, clock: FixedClock
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    application = await run_app(app_settings, clock)
    yield application
    await stop_app(application)
