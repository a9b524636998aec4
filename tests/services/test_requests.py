"""`python -m bot stats`: the banks asked for through "I can't find my bank", most users first."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from bot.banks.connector import ConnectorRegistry
from bot.banks.directory.search import Directory
from bot.domain.clock import FixedClock
from bot.services.connect import Services
from bot.services.requests import RequestedBank, most_requested
from storage.db import make_engine
from storage.migrate import migrate_to_head
from storage.uow import Database
from storage.vault import KeyRing, Vault


async def ask(services: Services, telegram_id: int, *queries: str) -> None:
    await services.meet(telegram_id, telegram_id, "fr")
    for query in queries:
        await services.request_bank(telegram_id, query, "FR")


async def test_banks_are_ranked_by_users_however_their_name_was_typed(
    services: Services, db: Database
) -> None:
    await ask(services, 1, "Boursorama", "boursorama ", "Qonto")
    await ask(services, 2, "BOURSORAMA")
    await ask(services, 3, "Qonto", "Crédit Mutuel")
    await ask(services, 4, "Credit mutuel", "Shine")
    ranked = await most_requested(db)
    assert ranked[:3] == [
        RequestedBank("Boursorama", users=2, requests=3),
        RequestedBank("Crédit Mutuel", users=2, requests=2),
        RequestedBank("Qonto", users=2, requests=2),
    ]
    assert ranked[3] == RequestedBank("Shine", users=1, requests=1)
    assert await most_requested(db, limit=1) == ranked[:1]


async def test_the_command_prints_them_for_the_operator(tmp_path: Path, clock: FixedClock) -> None:
    data_dir = tmp_path / "data"
    db = Database(make_engine(f"sqlite:///{data_dir / 'pointage.db'}"))
    await migrate_to_head(db.engine)
    ring = KeyRing.parse("k1:" + "A" * 43 + "=")
    services = Services(db, Vault(ring), ConnectorRegistry([]), Directory(), clock)
    await ask(services, 7, "Revolut")
    await ask(services, 8, "revolut", "N26")
    await db.dispose()
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "DATABASE_", "VAULT_", "PUBLIC_", "WEBHOOK_"))
    }
    environment.update({"DATA_DIR": str(data_dir), "LOG_LEVEL": "WARNING"})
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "stats",
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    lines = out.decode().splitlines()
    assert lines[1].split() == ["2", "2", "Revolut"] and lines[2].split() == ["1", "1", "N26"]
