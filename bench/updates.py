"""Button presses per second through the real Application, against a bare PTB handler.

`python -m bench.updates [--presses N] [--repeat R]` pushes N presses (accept and
recategorize, alternating), one at a time, through Pointage (SQLite, the Bot API stand-in,
no rate limiter) and, in the same run, through a bare PTB handler that makes the same Bot API
calls (answer the query, edit the message) with the same payloads, captured from our run,
but without database or rendering. Prints medians of R runs: presses_per_s, baseline_per_s,
overhead_ms (our mean minus the baseline's, per press), p99_ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes

from bot.domain.clock import SystemClock
from handlers import callbacks as cb
from tests.support.app import run_app, settings_for, stop_app
from tests.support.botapi import BotApiStandIn
from tests.support.connecting import connect_all

USER = 4242


DONE = {"answercallbackquery", "editmessagetext"}


class Screen(NamedTuple):
    """What one press of ours sent: the answer's text, and the edited text and keyboard."""

    answer: str | None
    text: str
    keyboard: InlineKeyboardMarkup | None


async def _one_press(
    standin: BotApiStandIn, user: Any, message_id: int, data: str
) -> tuple[float, Screen]:
    """Milliseconds from the press to both the answer and the edit reaching the stand-in,
    and what they carried."""
    start = len(standin.calls)
    started = time.perf_counter()
    standin.press(user, message_id, data)
    while not _answered_and_edited(standin, start):  # noqa: ASYNC110 - polling is the measure
        await asyncio.sleep(0.0002)
    elapsed = (time.perf_counter() - started) * 1000
    sent = {name.lower(): params for name, params in standin.calls[start:]}
    answer, edit = sent["answercallbackquery"], sent["editmessagetext"]
    markup = edit.get("reply_markup")
    if isinstance(markup, str):
        markup = json.loads(markup)
    keyboard = InlineKeyboardMarkup.de_json(markup, None) if markup else None
    return elapsed, Screen(answer.get("text"), str(edit["text"]), keyboard)


def _answered_and_edited(standin: BotApiStandIn, start: int) -> bool:
    """Only the calls made since the press are looked at, so waiting costs the same at the
    200th press as at the first."""
    return {name.lower() for name, _ in standin.calls[start:]} >= DONE


async def ours(presses: int) -> tuple[list[float], list[Screen]]:
    standin = BotApiStandIn()
    await standin.start()
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(standin, Path(tmp), demo_bank_password="demo")
        app = await run_app(settings, SystemClock())  # type: ignore[arg-type]
        try:
            runtime = app.bot_data["runtime"]
            connection = await connect_all(
                runtime.services, USER, date.today().replace(day=1).replace(month=1)
            )
            await runtime.services.import_connection(USER, connection)
            review = runtime.review
            anchor = review.new_anchor()
            first = await review.digest(USER, anchor)
            plan: list[cb.Button] = []
            for page in range(first.pages):
                for line in (await review.digest(USER, anchor, page)).lines:
                    plan.append(cb.AcceptLine(line.id, anchor, page))
                    plan.append(cb.ChangeLine(line.id, anchor, page))
            plan = [b for i, b in enumerate(plan) if (i % 4 in (0, 3))][:presses]
            user = standin.user(USER, language_code="fr")
            message = await app.bot.send_message(USER, "digest")
            timed = [await _one_press(standin, user, message.message_id, b.pack()) for b in plan]
            return [ms for ms, _ in timed], [screen for _, screen in timed]
        finally:
            await stop_app(app)
            await standin.stop()


async def baseline(screens: list[Screen]) -> list[float]:
    """The same presses through a bare handler that sends, without any database or rendering,
    exactly what ours sent: the same answer, the same HTML text and the same keyboard. The
    difference is then what Pointage adds, not the size of its messages."""
    standin = BotApiStandIn()
    await standin.start()

    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None
        screen = screens[int(query.data[1:])]
        await query.answer(screen.answer)
        await query.edit_message_text(
            screen.text, parse_mode=ParseMode.HTML, reply_markup=screen.keyboard
        )

    app = standin.configure(ApplicationBuilder()).build()
    app.add_handler(CallbackQueryHandler(on_press))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        user = standin.user(USER, language_code="fr")
        message = await app.bot.send_message(USER, "digest")
        timed = [
            await _one_press(standin, user, message.message_id, f"x{i}")
            for i in range(len(screens))
        ]
        return [ms for ms, _ in timed]
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await standin.stop()


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def main(presses: int, repeat: int) -> None:
    rates, base_rates, overheads, tails = [], [], [], []
    for _ in range(repeat):
        mine, screens = await ours(presses)
        bare = await baseline(screens)
        rates.append(1000 / statistics.mean(mine))
        base_rates.append(1000 / statistics.mean(bare))
        overheads.append(statistics.mean(mine) - statistics.mean(bare))
        tails.append(p99(mine))
    print(f"presses={len(mine)}")
    print(f"presses_per_s={statistics.median(rates):.1f}")
    print(f"baseline_per_s={statistics.median(base_rates):.1f}")
    print(f"overhead_ms={statistics.median(overheads):.2f}")
    print(f"p99_ms={statistics.median(tails):.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--presses", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.presses, args.repeat))
