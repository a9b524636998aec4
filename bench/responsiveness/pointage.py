"""Pointage's own Application in the bench's process: its database seeded, its users ready to
press, and the busy work (a first import, the daily summaries) that runs while they press."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from telegram.ext import Application

from bench.digest import build_all, seed
from bench.responsiveness.presses import PressDesk, Presser
from bot.app import build_application
from bot.banks.connector import Authorized, Challenge
from bot.banks.demo.signin import DEMO_CODE, DEMO_PASSWORD, DEMO_USERNAME
from bot.domain.clock import SystemClock
from bot.domain.periods import ImportPeriod
from bot.domain.secret import Secret
from bot.domain.states import ReviewState
from bot.services.connect import AccountChoice, ConnectRequest, Services
from bot.services.review import Review
from handlers import callbacks as cb
from handlers.context import Runtime
from storage.models import BankTransaction
from tests.support.app import settings_for
from tests.support.botapi import BotApiStandIn

App = Application[Any, Any, Any, Any, Any, Any]

ACCEPT, PICKER, PAGE = "accept", "picker", "page"
KINDS = (ACCEPT, PICKER, PAGE)
"""What each user presses, in turn: accept a line, open the picker of the next, page on."""
PRESS_LINES = 300
"""Lines to review per pressing user: more than a run accepts, so an accept always accepts."""
IMPORTER = 9_000_001
"""The telegram id of the user whose first import runs in the busy phase."""
DAILY_JOB = "digest"
"""The name of the bot's job that sends the daily summaries (handlers/jobs.py)."""


@dataclass
class Pointage:
    standin: BotApiStandIn
    desk: PressDesk
    app: App
    runtime: Runtime
    pressers: list[Presser]
    connection_id: int
    digest_users: int


async def start_app(standin: BotApiStandIn, data_dir: Path) -> App:
    """As tests/handlers/conftest.py runs it, on the system clock and without rate limiter."""
    settings = settings_for(standin, data_dir, demo_bank_password=DEMO_PASSWORD)
    app = build_application(settings, clock=SystemClock())
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    return app


async def stop_app(app: App) -> None:
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)


async def start(
    data_dir: Path, users: int, digest_users: int, digest_lines: int, months: int
) -> Pointage:
    """The bot on a SQLite file in `data_dir`; the daily summaries' users are 1 … N, the
    pressing users come after them; the importing user is connected, not yet imported."""
    standin = BotApiStandIn()
    desk = PressDesk(standin)
    await standin.start()
    app = await start_app(standin, data_dir)
    hold_daily_summaries(app)
    runtime = app.bot_data["runtime"]
    assert isinstance(runtime, Runtime)
    db = runtime.services.db
    await seed(db, digest_users, digest_lines)
    await seed(db, users, PRESS_LINES, first=digest_users + 1)
    connection_id = await connect_demo(runtime.services, IMPORTER, months)
    pressers = []
    for n in range(digest_users + 1, digest_users + users + 1):
        telegram_id = 10_000_000 + n
        user = standin.user(telegram_id, language_code="fr")
        message = await app.bot.send_message(telegram_id, "Pointage")
        lines = await lines_to_review(runtime.review, n)
        pressers.append(Presser(user, message.message_id, review_presses(runtime.review, lines)))
    return Pointage(standin, desk, app, runtime, pressers, connection_id, digest_users)


def hold_daily_summaries(app: App) -> None:
    """The bot's own daily job would send every seeded user's summary, 20 a second, from its
    first minute on; the busy phase builds them instead, as bench.digest does, unsent."""
    assert app.job_queue is not None
    jobs = app.job_queue.get_jobs_by_name(DAILY_JOB)
    if not jobs:
        raise RuntimeError(f"no {DAILY_JOB!r} job to hold: see handlers/jobs.py")
    for job in jobs:
        job.enabled = False


async def stop(pointage: Pointage) -> None:
    try:
        await stop_app(pointage.app)
    finally:
        await pointage.standin.stop()


async def connect_demo(services: Services, telegram_id: int, months: int) -> int:
    """The demo bank's accounts connected over `months` months, as /connect does."""
    await services.meet(telegram_id, telegram_id, "fr")
    demo = services.directory.get("demo")
    assert demo is not None
    step = await services.login(demo, Secret(DEMO_USERNAME), Secret(DEMO_PASSWORD))
    assert isinstance(step, Challenge)
    authorized = await services.answer_challenge(demo, step, DEMO_CODE)
    assert isinstance(authorized, Authorized)
    accounts = await services.bank_accounts_at(demo, authorized)
    bank = next(a for a in await services.bank_ledger_accounts(telegram_id) if a.code == "512")
    period = ImportPeriod("bench", days=0, months=months)
    start_day = period.start(services.today(), services.max_history_days(demo))
    choices = tuple(AccountChoice(account, bank.id) for account in accounts)
    connection = await services.connect(
        telegram_id, ConnectRequest(demo, authorized, choices, start_day)
    )
    return connection.id


async def lines_to_review(review: Review, book_id: int) -> list[int]:
    async with review.db.reading() as uow:
        rows = await uow.session.scalars(
            select(BankTransaction.id)
            .where(
                BankTransaction.book_id == book_id,
                BankTransaction.review_state == ReviewState.TO_REVIEW,
            )
            .order_by(BankTransaction.booking_date.desc(), BankTransaction.id.desc())
        )
        return list(rows.all())


def review_presses(review: Review, lines: list[int]) -> Callable[[], tuple[str, str]]:
    """Accept a line, open the picker of the next one, show page 2; then the same again.
    Each press is made as of now (a fresh anchor), so an accepted line leaves page 1 and
    every edit shows something new."""
    step = itertools.count()

    def next_press() -> tuple[str, str]:
        n = next(step)
        kind = KINDS[n % len(KINDS)]
        line = lines[(n // len(KINDS) + (kind == PICKER)) % len(lines)]
        anchor = review.new_anchor()
        if kind == ACCEPT:
            return cb.AcceptLine(line, anchor, 0).pack(), kind
        if kind == PICKER:
            return cb.ChangeLine(line, anchor, 0).pack(), kind
        return cb.ReviewPage(anchor, 1).pack(), kind

    return next_press


async def timed_import(pointage: Pointage) -> float:
    """Seconds of the importing user's first import, through the services."""
    started = time.perf_counter()
    await pointage.runtime.services.import_connection(IMPORTER, pointage.connection_id)
    return time.perf_counter() - started


async def timed_digests(pointage: Pointage) -> float:
    """Seconds to build and render the first pages of every daily summary, without sending."""
    review = pointage.runtime.review
    started = time.perf_counter()
    await build_all(review, pointage.digest_users, review.new_anchor())
    return time.perf_counter() - started
