"""The same-run baseline: a bare PTB handler that makes the same Bot API calls, with the same
payloads captured from Pointage's run, without any database or rendering."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import NamedTuple

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes

from bench.responsiveness.pointage import KINDS, App, stop_app
from bench.responsiveness.presses import Press, PressDesk, Presser
from tests.support.botapi import BotApiStandIn


class Screen(NamedTuple):
    """What one of Pointage's presses sent: the answer's text, the edit's text and keyboard."""

    answer: str | None
    text: str
    keyboard: InlineKeyboardMarkup | None


def screens_of(presses: Sequence[Press]) -> dict[str, Screen]:
    """One screen of each kind of press, from the first of that kind that was done."""
    screens: dict[str, Screen] = {}
    for press in presses:
        if press.kind in screens or press.edit is None or not press.done.is_set():
            continue
        markup = press.edit.get("reply_markup")
        keyboard = InlineKeyboardMarkup.de_json(markup, None) if isinstance(markup, dict) else None
        screens[press.kind] = Screen(press.answer_text, str(press.edit["text"]), keyboard)
    missing = set(KINDS) - set(screens)
    if missing:
        raise RuntimeError(f"no press of kind {sorted(missing)} finished: nothing to replay")
    return screens


class Bare(NamedTuple):
    standin: BotApiStandIn
    desk: PressDesk
    app: App
    pressers: list[Presser]


async def start(screens: dict[str, Screen], telegram_ids: Sequence[int]) -> Bare:
    """A bare handler answering each press with its kind's screen. Updates are processed
    concurrently (PTB's own simple processor), as Pointage serves users side by side."""

    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None
        screen = screens[query.data]
        await query.answer(screen.answer)
        await query.edit_message_text(
            screen.text, parse_mode=ParseMode.HTML, reply_markup=screen.keyboard
        )

    standin = BotApiStandIn()
    desk = PressDesk(standin)
    await standin.start()
    app = standin.configure(ApplicationBuilder()).concurrent_updates(True).build()
    app.add_handler(CallbackQueryHandler(on_press))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    pressers = []
    for telegram_id in telegram_ids:
        user = standin.user(telegram_id, language_code="fr")
        message = await app.bot.send_message(telegram_id, "Pointage")
        pressers.append(Presser(user, message.message_id, kinds_in_turn()))
    return Bare(standin, desk, app, pressers)


def kinds_in_turn() -> Callable[[], tuple[str, str]]:
    """The same order of kinds as Pointage's users press; the data is only the kind."""
    kinds = itertools.cycle(KINDS)

    def next_press() -> tuple[str, str]:
        kind = next(kinds)
        return kind, kind

    return next_press


async def stop(bare: Bare) -> None:
    try:
        await stop_app(bare.app)
    finally:
        await bare.standin.stop()
