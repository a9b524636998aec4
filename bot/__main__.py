"""`python -m bot`: run Pointage (long polling, or a webhook when PUBLIC_URL is set; without a
token, the playground); `python -m bot playground`: the chat page in the browser, no Telegram;
`python -m bot rotate-keys`: rotate the vault key; `python -m bot stats`: the banks users asked
for most; `python -m bot check-providers`: try each configured bank provider once."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import warnings

from pydantic import SecretStr, ValidationError
from telegram.error import InvalidToken, TelegramError

from bot.banks.registry import ProviderSetupError
from bot.config import Settings
from bot.web.webhook import WebhookSecretError
from storage.db import StorageError
from storage.vault import VaultError

log = logging.getLogger("bot")

BOTFATHER_LINE = (
    "No TELEGRAM_BOT_TOKEN: get one from @BotFather (/newbot) and put it in .env"
    " (see .env.example); until then, here is the playground."
)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
STARTUP_FAILURES = (
    TelegramError,
    StorageError,
    OSError,
    VaultError,
    WebhookSecretError,
    ProviderSetupError,
)
"""What stops the bot with one line of explanation rather than a traceback."""


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # httpx logs every request URL, and Bot API URLs carry the bot token; PTB logs whole
    # updates at DEBUG, and an update may carry a password typed during /connect.
    for noisy in ("httpx", "httpcore", "apscheduler", "telegram", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(max(logging.INFO, logging.getLogger().level))
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    # /connect's buttons carry their flow id, so per-chat tracking is what we want.
    warnings.filterwarnings("ignore", message="If 'per_message=False'")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Run Pointage.")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (the default)")
    commands.add_parser(
        "playground",
        help="try Pointage in the browser, against a local Bot API (no Telegram, own data)",
    )
    rotate = commands.add_parser(
        "rotate-keys",
        help="add a new active vault key and re-encrypt every stored secret under it",
    )
    rotate.add_argument(
        "--reseal-only",
        action="store_true",
        help="add no key: re-encrypt under the ring's current active key (the first one)",
    )
    commands.add_parser("stats", help="print the banks users asked for most, and how many users")
    commands.add_parser(
        "check-providers",
        help="call each configured bank provider once and say whether it works",
    )
    return parser.parse_args(argv)


async def run(settings: Settings, *, playground: bool = False) -> None:
    """Run until SIGTERM or SIGINT, then stop cleanly (bot.app.serve, bot.playground)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    try:
        if playground:
            from bot.playground import listening_note, run_playground

            host = settings.playground_address[0]

            def ready(url: str) -> None:
                print(f"Playground: open {url} ({listening_note(host)}; Ctrl-C stops it)")
                sys.stdout.flush()

            await run_playground(settings, stop, ready=ready)
        else:
            from bot.app import serve

            await serve(settings, stop)
    finally:
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        settings = Settings()
    except ValidationError as error:
        print(f"Invalid setting: {error}", file=sys.stderr)
        return 2
    no_token = (
        settings.telegram_bot_token is None or not settings.telegram_bot_token.get_secret_value()
    )
    playground = args.command == "playground" or (no_token and args.command in (None, "run"))
    quiet = playground and "log_level" not in settings.model_fields_set
    configure_logging("WARNING" if quiet else settings.log_level)  # the playground: one line
    if args.command == "rotate-keys":
        from bot.cli import rotate_keys_command

        return rotate_keys_command(settings, add_key=not args.reseal_only)
    if args.command == "stats":
        from bot.cli import stats_command

        return stats_command(settings)
    if args.command == "check-providers":
        from bot.cli import check_providers_command

        return check_providers_command(settings)
    if no_token and args.command != "playground":
        print(BOTFATHER_LINE, file=sys.stderr)
    try:
        asyncio.run(run(settings, playground=playground))
    except STARTUP_FAILURES as error:
        log.critical("Pointage stopped: %s", _why(error, settings.telegram_bot_token))
        if isinstance(error, OSError) and playground:
            log.critical("Is the port taken? Set LISTEN=127.0.0.1:<another port>")
        return 1
    return 0


def _why(error: BaseException, token: SecretStr | None) -> str:
    """One line an operator can act on, without secrets."""
    if isinstance(error, InvalidToken):
        return "Telegram refused the bot token: check TELEGRAM_BOT_TOKEN"
    text = str(error).splitlines()[0] if str(error) else ""
    if token is not None and token.get_secret_value():
        text = text.replace(token.get_secret_value(), "<token>")
    return f"{type(error).__name__}: {text}"[:300]


if __name__ == "__main__":
    raise SystemExit(main())
