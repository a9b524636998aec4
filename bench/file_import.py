"""What bench.import_ofx and bench.import_csv share: a bank file of N lines imported through
the services into a fresh SQLite database, as a user's upload is (read in a worker thread,
matched against the account's lines, categorised, filed and stored in one unit of work).

Per run, on a new database: the first import (`import_s` excludes categorisation, timed on
its own on the same lines as `categorize_s`), then the same file again (`reimport_s`, which
must add nothing). `peak_mb` is the process's peak resident size after our runs, before the
baseline runs; `max_loop_stall_ms` the worst lateness of a 5 ms ticker during the imports.
"""

from __future__ import annotations

import asyncio
import gc
import math
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.stall import StallTicker
from bot.banks.connector import ConnectorRegistry
from bot.banks.directory.search import Directory
from bot.domain.clock import FixedClock
from bot.files.registry import read
from bot.services.connect import Services
from bot.services.filing import load_filing, suggest_lines
from bot.services.import_views import AskAccount, AskBalance, FileDone, FileStep
from bot.services.imports import FileImports
from bot.services.lines import bank_row, incoming
from storage.db import make_engine
from storage.migrate import migrate_to_head
from storage.uow import Database
from storage.vault import KeyRing, Vault

USER = 4242
NOW = datetime(2026, 1, 15, 11, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Run:
    import_s: float
    categorize_s: float
    reimport_s: float
    stall_ms: float
    added: int
    readded: int


async def one_run(filename: str, data: bytes) -> Run:
    with tempfile.TemporaryDirectory() as folder:
        db = Database(make_engine(f"sqlite:///{Path(folder) / 'bench.db'}"))
        try:
            await migrate_to_head(db.engine)
            clock = FixedClock(NOW)
            ring = KeyRing.parse("k1:" + "A" * 43 + "=")
            services = Services(db, Vault(ring), ConnectorRegistry([]), Directory(), clock)
            await services.meet(USER, USER, "fr")
            imports = FileImports(db, clock)
            gc.collect()
            gc.freeze()  # as the bot does once started (bot/app.py): collections skip set-up
            async with StallTicker() as ticker:
                started = time.perf_counter()
                account_id, added = await import_file(imports, filename, data, None)
                first_s = time.perf_counter() - started
                started = time.perf_counter()
                _, readded = await import_file(imports, filename, data, account_id)
                reimport_s = time.perf_counter() - started
            categorize_s = await time_categorize(db, filename, data)
        finally:
            await db.dispose()
            gc.unfreeze()
    return Run(first_s - categorize_s, categorize_s, reimport_s, ticker.max_ms, added, readded)


async def import_file(
    imports: FileImports, filename: str, data: bytes, into: int | None
) -> tuple[int, int]:
    """Upload, then answer the account question: a new account, or `into`."""
    step: FileStep = await imports.read(USER, filename, data)
    assert isinstance(step, AskAccount), step
    imported = await imports.import_into(USER, step.token, 0, into)
    assert isinstance(imported.next, (FileDone, AskBalance)), imported.next
    return imported.summary.bank_account_id, imported.summary.new


async def time_categorize(db: Database, filename: str, data: bytes) -> float:
    """The suggestions for the same lines alone, as the import computes them."""
    statement = read(filename, data).statements[0]
    async with db.reading() as uow:
        user = await uow.users.by_telegram_id(USER)
        assert user is not None
        book = await uow.books.first_for(user.id)
        filing = await load_filing(uow, book, 0.9)
    seen = incoming(statement.lines)
    rows = [bank_row(book.id, line, seen[i], NOW) for i, line in enumerate(statement.lines)]
    started = time.perf_counter()
    await suggest_lines(filing, rows)
    return time.perf_counter() - started


def timed(reader: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        reader()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def measure(filename: str, data: bytes, repeat: int) -> tuple[list[Run], float]:
    runs = [await one_run(filename, data) for _ in range(repeat)]
    return runs, peak_mb()


def report(n: int, runs: list[Run], peak: float, baseline_name: str, baseline_s: float) -> None:
    import_s = statistics.median(run.import_s for run in runs)
    assert all(run.added == n and run.readded == 0 for run in runs), runs
    print(f"n={n}")
    print(f"{baseline_name}={baseline_s:.3f}")
    print(f"import_s={import_s:.3f}")
    print(f"categorize_s={statistics.median(run.categorize_s for run in runs):.3f}")
    print(f"speedup={baseline_s / import_s:.3g}")
    print(f"reimport_s={statistics.median(run.reimport_s for run in runs):.3f}")
    print(f"peak_mb={peak:.0f}")
    print(f"max_loop_stall_ms={statistics.median(run.stall_ms for run in runs):.1f}")


def run(
    filename: str,
    data: bytes,
    n: int,
    repeat: int,
    baseline: tuple[str, Callable[[], object]],
    *,
    skip_baseline: bool = False,
) -> None:
    """Our runs first (peak_mb is ours), then the baseline's; `skip_baseline` prints nan for
    it, for sizes where ofxparse takes minutes."""
    runs, peak = asyncio.run(measure(filename, data, repeat))
    name, reader = baseline
    report(n, runs, peak, name, math.nan if skip_baseline else timed(reader, repeat))
