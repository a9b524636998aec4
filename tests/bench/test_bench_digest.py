"""The digest bench prints the loop's stall, and the ticker it shares sees a blocked loop."""

from __future__ import annotations

import asyncio
import time

import pytest

from bench import digest
from bench.stall import StallTicker

KEYS = ("users", "build_s", "baseline_s", "per_user_ms", "ratio", "max_loop_stall_ms")


def test_the_digest_bench_prints_every_name_with_a_number(
    capsys: pytest.CaptureFixture[str],
) -> None:
    asyncio.run(digest.main(users=40, lines=3, repeat=1))
    values = dict(line.split("=", 1) for line in capsys.readouterr().out.splitlines())
    assert set(KEYS) <= set(values)
    assert all(float(values[key]) >= 0 for key in KEYS)
    assert int(values["users"]) == 40


async def test_the_ticker_reads_a_blocking_step_as_its_stall() -> None:
    async with StallTicker() as ticker:
        await asyncio.sleep(0.02)
        time.sleep(0.15)  # holds the loop, as a step that never yields would
        await asyncio.sleep(0.02)
    assert 100 <= ticker.max_ms < 1_000
    assert ticker.ticks >= 2


async def test_a_reset_forgets_the_stall_seen_before() -> None:
    async with StallTicker() as ticker:
        time.sleep(0.4)
        await asyncio.sleep(0.02)
        assert ticker.max_ms >= 300
        ticker.reset()
        await asyncio.sleep(0.05)
    assert ticker.max_ms < 300
