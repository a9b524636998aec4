"""The real bot as a process: `python -m bot` started against the stand-in, and stopped."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import Mapping
from pathlib import Path

from tests.support.botapi import BotApiStandIn
from tests.support.flows import PASSWORD


async def start_bot(
    standin: BotApiStandIn, data_dir: Path, log: Path
) -> asyncio.subprocess.Process:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "DATABASE_", "VAULT_", "DEMO_"))
    }
    env.update(standin.env)
    env.update({"DATA_DIR": str(data_dir), "DEMO_BANK_PASSWORD": PASSWORD, "LOG_LEVEL": "DEBUG"})
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=str(data_dir.parent),  # not the project: the package must be found when installed
        env=env,
        stdout=log.open("wb"),
        stderr=asyncio.subprocess.STDOUT,
    )
    await standin.wait_until_ready()
    return process


async def stop_bot(process: asyncio.subprocess.Process) -> int:
    process.terminate()
    return await asyncio.wait_for(process.wait(), timeout=20)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def launch(
    standin: BotApiStandIn,
    data_dir: Path,
    log: Path,
    *,
    ready: bool = True,
    env: Mapping[str, str] | None = None,
) -> asyncio.subprocess.Process:
    """Start `python -m bot` against the stand-in; its output is appended to `log`."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("TELEGRAM_", "DATABASE_", "VAULT_", "DEMO_", "PUBLIC_", "WEBHOOK_", "LISTEN")
        )
    }
    environment.update(standin.env)
    environment.update(
        {
            "DATA_DIR": str(data_dir),
            "DEMO_BANK_PASSWORD": PASSWORD,
            "LOG_LEVEL": "DEBUG",
            **(env or {}),
        }
    )
    data_dir.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=str(data_dir.parent),
            env=environment,
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
        )
    if ready:
        await standin.wait_until_ready()
    return process


async def stop(process: asyncio.subprocess.Process, how: signal.Signals) -> int:
    process.send_signal(how)
    return await asyncio.wait_for(process.wait(), timeout=30)
