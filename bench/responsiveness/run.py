"""The phases of one run, the medians of several, and the printed lines."""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from telegram.warnings import PTBUserWarning

import bench.responsiveness as package
from bench.responsiveness import baseline, pointage
from bench.responsiveness.presses import Outcome, PressDesk, Presser, closed, offered, percentile
from bench.stall import StallTicker

NAMES = (
    ("quiet_press_p50_ms", "{:.1f}"),
    ("quiet_press_p99_ms", "{:.1f}"),
    ("quiet_max_loop_stall_ms", "{:.1f}"),
    ("busy_press_p50_ms", "{:.1f}"),
    ("busy_press_p99_ms", "{:.1f}"),
    ("busy_max_loop_stall_ms", "{:.1f}"),
    ("busy_digest_build_s", "{:.2f}"),
    ("busy_import_s", "{:.2f}"),
    ("saturation_presses_per_s", "{:.1f}"),
    ("baseline_quiet_press_p99_ms", "{:.1f}"),
    ("baseline_saturation_presses_per_s", "{:.1f}"),
)
WARM_UP_S = 1.0
"""A closed-loop round before measuring: first contacts, caches and connections."""


@dataclass(frozen=True)
class Sizes:
    users: int
    rate: float
    seconds: float
    digest_users: int
    digest_lines: int
    months: int


async def warm_up(desk: PressDesk, pressers: list[Presser], seconds: float) -> None:
    """Presses that are not measured, then, as the bot does once set up, gc.freeze()."""
    await closed(desk, pressers, min(WARM_UP_S, seconds))
    gc.collect()
    gc.freeze()


def note(log: TextIO, phase: str, outcome: Outcome) -> None:
    print(
        f"# {phase}: {len(outcome.samples_ms)} presses in {outcome.seconds:.1f} s, "
        f"{outcome.unfinished} unfinished",
        file=log,
    )


async def ours(sizes: Sizes, seed: int, log: TextIO) -> tuple[dict[str, float], Outcome, list[int]]:
    with tempfile.TemporaryDirectory() as tmp:
        bot = await pointage.start(
            Path(tmp), sizes.users, sizes.digest_users, sizes.digest_lines, sizes.months
        )
        telegram_ids = [presser.user.id for presser in bot.pressers]
        try:
            await warm_up(bot.desk, bot.pressers, sizes.seconds)
            async with StallTicker() as ticker:
                quiet = await offered(bot.desk, bot.pressers, sizes.rate, sizes.seconds, seed)
            quiet_stall = ticker.max_ms

            done = asyncio.Event()

            async def work() -> tuple[float, float]:
                try:
                    return await asyncio.gather(
                        pointage.timed_digests(bot), pointage.timed_import(bot)
                    )
                finally:
                    done.set()

            async with StallTicker() as ticker:
                busy_work = asyncio.create_task(work())
                busy = await offered(
                    bot.desk, bot.pressers, sizes.rate, sizes.seconds, seed + 1, stop=done
                )
                built, imported = await busy_work
            busy_stall = ticker.max_ms

            saturation = await closed(bot.desk, bot.pressers, sizes.seconds)
        finally:
            await pointage.stop(bot)
            gc.unfreeze()
    for phase, outcome in (("quiet", quiet), ("busy", busy), ("saturation", saturation)):
        note(log, phase, outcome)
    values = {
        "quiet_press_p50_ms": percentile(quiet.samples_ms, 0.50),
        "quiet_press_p99_ms": percentile(quiet.samples_ms, 0.99),
        "quiet_max_loop_stall_ms": quiet_stall,
        "busy_press_p50_ms": percentile(busy.samples_ms, 0.50),
        "busy_press_p99_ms": percentile(busy.samples_ms, 0.99),
        "busy_max_loop_stall_ms": busy_stall,
        "busy_digest_build_s": built,
        "busy_import_s": imported,
        "saturation_presses_per_s": saturation.per_s,
    }
    return values, quiet, telegram_ids


async def bare(
    sizes: Sizes, seed: int, quiet: Outcome, telegram_ids: list[int], log: TextIO
) -> dict[str, float]:
    """The same users, offered the same presses, against the bare handler."""
    handler = await baseline.start(baseline.screens_of(quiet.presses), telegram_ids)
    try:
        await warm_up(handler.desk, handler.pressers, sizes.seconds)
        quiet_bare = await offered(handler.desk, handler.pressers, sizes.rate, sizes.seconds, seed)
        saturation = await closed(handler.desk, handler.pressers, sizes.seconds)
    finally:
        await baseline.stop(handler)
        gc.unfreeze()
    note(log, "baseline quiet", quiet_bare)
    note(log, "baseline saturation", saturation)
    return {
        "baseline_quiet_press_p99_ms": percentile(quiet_bare.samples_ms, 0.99),
        "baseline_saturation_presses_per_s": saturation.per_s,
    }


async def one_run(sizes: Sizes, seed: int, log: TextIO) -> dict[str, float]:
    values, quiet, telegram_ids = await ours(sizes, seed, log)
    values |= await bare(sizes, seed, quiet, telegram_ids, log)
    return values


async def run(sizes: Sizes, repeat: int, out: TextIO, log: TextIO) -> None:
    print(f"# sizes: {sizes}; load average before: {os.getloadavg()}", file=log)
    runs = []
    for n in range(repeat):
        runs.append(await one_run(sizes, seed=1000 * (n + 1), log=log))
        print(f"# run {n + 1}: " + ", ".join(f"{k}={v:.1f}" for k, v in runs[-1].items()), file=log)
    print(f"# load average after: {os.getloadavg()}", file=log)
    for name, shown in NAMES:
        print(f"{name}={shown.format(statistics.median(r[name] for r in runs))}", file=out)


def main(argv: list[str], out: TextIO = sys.stdout, log: TextIO = sys.stderr) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.responsiveness",
        description=package.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--users", type=int, default=20, help="pressing users (20)")
    parser.add_argument("--rate", type=float, default=30.0, help="offered presses/s (30)")
    parser.add_argument(
        "--seconds", type=float, default=20.0, help="length of quiet and saturation (20)"
    )
    parser.add_argument("--digest-users", type=int, default=10_000, help="summaries (10000)")
    parser.add_argument("--digest-lines", type=int, default=20, help="lines per summary (20)")
    parser.add_argument("--months", type=int, default=24, help="the first import's months (24)")
    parser.add_argument("--repeat", type=int, default=3, help="runs, medians printed (3)")
    args = parser.parse_args(argv)
    sizes = Sizes(
        args.users, args.rate, args.seconds, args.digest_users, args.digest_lines, args.months
    )
    with warnings.catch_warnings():
        # The bot's conversations say so at build time; its tests filter it the same way.
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        asyncio.run(run(sizes, args.repeat, out, log))
    return 0
