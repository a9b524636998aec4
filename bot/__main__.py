"""`python -m bot`: run Pointage (long polling)."""

from __future__ import annotations

import logging
import sys

from pydantic import ValidationError

from bot.config import Settings

BOTFATHER_HELP = (
    "Pointage needs a Telegram bot token.\n"
    "1. In Telegram, open @BotFather and send /newbot; it gives you a token.\n"
    "2. Put it in a .env file (TELEGRAM_BOT_TOKEN=123456:ABC...) or export TELEGRAM_BOT_TOKEN.\n"
    "See .env.example for every setting."
)


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # httpx logs every request URL, and Bot API URLs carry the bot token; PTB logs whole
    # updates at DEBUG, and an update may carry a password typed during /connect.
    for noisy in ("httpx", "httpcore", "apscheduler", "aiosqlite", "telegram"):
        logging.getLogger(noisy).setLevel(max(logging.INFO, logging.getLogger().level))
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    try:
        settings = Settings()
    except ValidationError as error:
        print(f"Invalid setting: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    if settings.telegram_bot_token is None or not settings.telegram_bot_token.get_secret_value():
        print(BOTFATHER_HELP, file=sys.stderr)
        return 2
    from bot.app import build_application

    app = build_application(settings)
    app.run_polling(allowed_updates=["message", "callback_query"], drop_pending_updates=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
