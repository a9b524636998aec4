"""The real Application built from settings, started and stopped against the Bot API stand-in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot.app import build_application
from bot.config import Settings
from bot.domain.clock import FixedClock
from tests.support.botapi import BotApiStandIn

VAULT_KEYS = "k1:" + "B" * 43 + "="


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
