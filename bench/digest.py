"""Building every daily summary: `python -m bench.digest [--users N] [--lines L] [--repeat R]`.

Seeds N users (each with a book, the French chart, one bank account and L new lines to
review) in a fresh SQLite database, then builds every user's digest page through the same
code the daily job uses, and, as the same-run baseline, runs one bare query per user that
reads the same lines. Prints medians of R runs: build_s, baseline_s, per_user_ms, ratio, and
max_loop_stall_ms: the event loop's worst stall during the build, as the 5 ms ticker of
bench/stall.py sees it (goals: build_s <= 10 and max_loop_stall_ms <= 100 for 10,000 users).
The build runs after gc.freeze(), as the bot runs once started.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import insert, select

from bench.stall import StallTicker
from bot.charts import TEMPLATES
from bot.domain.clock import FixedClock
from bot.domain.states import MemberRole, ReviewState
from bot.services.cooperative import Slices
from bot.services.review import PAGE_SIZE, Review
from handlers import render
from storage.db import make_engine
from storage.migrate import migrate_to_head
from storage.models import (
    BankAccount,
    BankTransaction,
    Book,
    BookMember,
    LedgerAccount,
    User,
)
from storage.uow import Database

NOW = datetime(2026, 11, 28, 7, 0, tzinfo=UTC)
PAYEES = ["CARREFOUR", "SNCF", "ORANGE", "URSSAF", "TOTALENERGIES", "AMAZON", "OVH", "LA POSTE"]


async def seed(db: Database, users: int, lines: int, *, first: int = 1) -> None:
    """Users `first` … `first + users - 1`, telegram id 10,000,000 + n, each with a book of
    the French chart, one bank account and `lines` lines to review."""
    chart = TEMPLATES["fr_pcg"]
    rng = random.Random(7)
    ids = range(first, first + users)
    async with db.engine.begin() as conn:
        await conn.execute(
            insert(User),
            [
                {
                    "id": n,
                    "telegram_id": 10_000_000 + n,
                    "chat_id": 10_000_000 + n,
                    "language": "fr",
                    "country": "FR",
                    "timezone": "Europe/Paris",
                    "digest_time": "08:00",
                    "created_at": NOW,
                }
                for n in ids
            ],
        )
        await conn.execute(
            insert(Book),
            [
                {
                    "id": n,
                    "name": "Pointage",
                    "currency": "EUR",
                    "chart_template": chart.key,
                    "auto_accept": False,
                    "created_at": NOW,
                }
                for n in ids
            ],
        )
        await conn.execute(
            insert(BookMember),
            [{"book_id": n, "user_id": n, "role": MemberRole.OWNER} for n in ids],
        )
        per_book = len(chart.accounts)
        await conn.execute(
            insert(LedgerAccount),
            [
                {
                    "id": (n - 1) * per_book + i + 1,
                    "book_id": n,
                    "code": a.code,
                    "name": a.name,
                    "kind": a.kind,
                }
                for n in ids
                for i, a in enumerate(chart.accounts)
            ],
        )
        bank_index = next(i for i, a in enumerate(chart.accounts) if a.code == chart.bank_code)
        await conn.execute(
            insert(BankAccount),
            [
                {
                    "id": n,
                    "book_id": n,
                    "institution_id": "demo",
                    "external_id": "demo-cc",
                    "name": "Compte courant pro",
                    "account_type": "checking",
                    "currency": "EUR",
                    "ledger_account_id": (n - 1) * per_book + bank_index + 1,
                    "import_start": date(2026, 9, 1),
                    "connected": True,
                }
                for n in ids
            ],
        )
        rows = []
        for n in ids:
            for k in range(lines):
                payee = rng.choice(PAYEES)
                rows.append(
                    {
                        "book_id": n,
                        "bank_account_id": n,
                        "external_id": f"x{k}",
                        "fingerprint": f"f{k}",
                        "booking_date": date(2026, 11, 27) - timedelta(days=k % 5),
                        "amount_minor": -rng.randint(100, 90_000),
                        "currency": "EUR",
                        "raw_label": f"CB {payee} 27/11",
                        "payee": payee,
                        "pending": k < 2,
                        "review_state": ReviewState.TO_REVIEW,
                        "suggested_account_id": (n - 1) * per_book + 1 + rng.randrange(per_book),
                        "suggestion_source": "known",
                        "suggestion_confidence": 0.8,
                        "auto_accepted": False,
                        "seen_in_digest": False,
                        "imported_at": NOW - timedelta(hours=5),
                    }
                )
        for start in range(0, len(rows), 20_000):
            await conn.execute(insert(BankTransaction), rows[start : start + 20_000])


async def build_all(review: Review, users: int, anchor: int) -> int:
    """What the daily job does: first pages a chunk of users at a time, each rendered to its
    message, then dropped; the rendering yields as the services' loops do (and steps aside
    for users' updates, as they do)."""
    ids = [10_000_000 + n for n in range(1, users + 1)]
    size = 0
    slices = Slices()
    async for chunk in review.daily_digests(ids, anchor):
        for _, view in chunk:
            size += len(render.digest(view, "fr", daily=True).text)
            await slices.tick()
    return size


async def bare_reads(db: Database, users: int) -> int:
    read = 0
    for n in range(1, users + 1):
        async with db.reading() as uow:
            rows = (
                await uow.session.execute(
                    select(BankTransaction.id, BankTransaction.amount_minor, BankTransaction.payee)
                    .where(
                        BankTransaction.book_id == n,
                        BankTransaction.review_state == ReviewState.TO_REVIEW,
                    )
                    .order_by(BankTransaction.booking_date.desc())
                    .limit(PAGE_SIZE)
                )
            ).all()
            read += len(rows)
    return read


class Run(NamedTuple):
    build_s: float
    baseline_s: float
    stall_ms: float


async def one_run(users: int, lines: int) -> Run:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        await migrate_to_head(engine)
        db = Database(engine)
        await seed(db, users, lines)
        review = Review(db, FixedClock(NOW))
        anchor = review.new_anchor()
        gc.collect()
        gc.freeze()  # as the bot does once started (bot/app.py), so full collections are short
        try:
            async with StallTicker() as ticker:
                started = time.perf_counter()
                await build_all(review, users, anchor)
                build = time.perf_counter() - started
        finally:
            gc.unfreeze()
        started = time.perf_counter()
        await bare_reads(db, users)
        baseline = time.perf_counter() - started
        await db.dispose()
    return Run(build, baseline, ticker.max_ms)


async def main(users: int, lines: int, repeat: int) -> None:
    runs = [await one_run(users, lines) for _ in range(repeat)]
    build = statistics.median(run.build_s for run in runs)
    baseline = statistics.median(run.baseline_s for run in runs)
    stall = statistics.median(run.stall_ms for run in runs)
    print(f"users={users}")
    print(f"build_s={build:.2f}")
    print(f"baseline_s={baseline:.2f}")
    print(f"per_user_ms={build / users * 1000:.3f}")
    print(f"ratio={build / baseline:.2f}")
    print(f"max_loop_stall_ms={stall:.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.users, args.lines, args.repeat))
