"""The real Application, in-process, against the Bot API stand-in."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot.app import build_application
from bot.config import Settings
from bot.domain.clock import FixedClock
from tests.conftest import copy_sqlite_template
from tests.support.botapi import BotApiStandIn

VAULT_KEYS = "k1:" + "B" * 43 + "="


@pytest.fixture(autouse=True)
def migrated_data_dir(request: pytest.FixtureRequest) -> None:
    """A test that has a data folder finds the session's migrated database in it, so the
    bot's own `migrate_to_head` at start finds the schema at head and does nothing."""
    if "tmp_path" in request.fixturenames:
        template: Path = request.getfixturevalue("sqlite_template")
        copy_sqlite_template(template, request.getfixturevalue("tmp_path"))


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandIn]:
    server = BotApiStandIn()
    await server.start()
    yield server
    await server.stop()


def settings_for(standin: BotApiStandIn, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "telegram_bot_token": standin.token,
        "telegram_api_url": standin.url,
        "data_dir": tmp_path,
        "vault_keys": VAULT_KEYS,
        "rate_limiter": False,
        "demo_bank_password": "S3cret-Pass!word",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


async def run_app(
    settings: Settings, clock: FixedClock
) -> Application[Any, Any, Any, Any, Any, Any]:
    app = build_application(settings, clock=clock)
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    return app


async def stop_app(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    if not app.running:
        return
    assert app.updater is not None
    await app.updater.stop()
    await app.stop()
    await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)


async def advance_while_waited_on(
    clock: FixedClock,
    done: Callable[[], bool],
    step: timedelta = timedelta(seconds=1),
    timeout: float = 10.0,
) -> None:
    """Move the clock on by `step` whenever something sleeps on it, until `done()`."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + timeout
    while not done():
        if loop.time() > give_up:
            raise AssertionError(f"not done after {timeout} s ({clock.sleepers} sleeping)")
        if clock.sleepers:
            clock.advance(step)
        await asyncio.sleep(0.005)


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
