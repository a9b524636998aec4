"""End to end: the real `python -m bot` process, played by users through the Bot API stand-in."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import date
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select

from storage.db import make_engine
from storage.models import BankTransaction, LedgerAccount
from storage.uow import Database
from tests.support.botapi import BotApiStandIn
from tests.support.flows import (
    PASSWORD,
    assert_secrets_deleted,
    demo_lines_in_90_days,
    walk_to_summary,
)
from tests.support.player import Player
from tests.support.processes import free_port, start_bot, stop_bot

PROJECT = Path(__file__).resolve().parents[2]


async def test_a_user_connects_the_demo_bank_in_french_and_another_in_english(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    data_dir, log = tmp_path / "data", tmp_path / "bot.log"
    data_dir.mkdir()
    process = await start_bot(standin, data_dir, log)
    try:
        french, english = Player(standin, 701, "fr"), Player(standin, 702, "en", name="Bob")
        await french.say("/start", expect="Bonjour")
        fr_summary = await walk_to_summary(french, "fr")
        en_summary = await walk_to_summary(english, "en")
        expected = await demo_lines_in_90_days()
        assert f"{expected} opérations importées" in fr_summary
        assert f"{expected} transactions imported" in en_summary
        for player in (french, english):
            assert_secrets_deleted(standin, player.chat_id)
        assert ("default", "fr") in standin.commands and ("default", "") in standin.commands
    finally:
        returncode = await stop_bot(process)
    assert returncode == 0

    logs = log.read_bytes()
    assert b"Traceback" not in logs
    assert PASSWORD.encode() not in logs and standin.token.encode() not in logs
    for path in data_dir.iterdir():
        assert PASSWORD.encode() not in path.read_bytes(), path.name
    assert (data_dir / "vault.keys").stat().st_mode & 0o077 == 0

    db = Database(make_engine(f"sqlite:///{data_dir / 'pointage.db'}"))
    async with db.reading() as uow:
        codes = set((await uow.session.scalars(select(LedgerAccount.code))).all())
        lines = await uow.session.scalar(select(func.count()).select_from(BankTransaction))
        first = await uow.session.scalar(select(func.min(BankTransaction.booking_date)))
    await db.dispose()
    assert {"512", "471", "108", "890", "1200"} <= codes
    assert lines == 2 * await demo_lines_in_90_days()
    assert first is not None and first >= date.today().replace(year=date.today().year - 1)


@pytest.mark.parametrize(
    ("args", "token"),
    [([], None), (["playground"], "123456:A-REAL-LOOKING-TOKEN")],
    ids=["no-token", "playground-command"],
)
async def test_without_a_token_the_bot_says_how_to_get_one_and_opens_the_playground(
    tmp_path: Path, args: list[str], token: str | None
) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "DATABASE_", "VAULT_", "LISTEN", "PUBLIC_"))
    }
    port = free_port()
    data_dir = tmp_path / "data"
    env |= {"DATA_DIR": str(data_dir), "LISTEN": f"127.0.0.1:{port}"}
    if token is not None:
        env["TELEGRAM_BOT_TOKEN"] = token
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=str(tmp_path),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
        assert line.startswith(f"Playground: open http://127.0.0.1:{port} ".encode()), line
        assert b"127.0.0.1 only" in line
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/playground/api/state") as response,
        ):
            assert response.status == 200
            assert "Camille (fr)" in [chat["label"] for chat in (await response.json())["chats"]]
    finally:
        process.send_signal(signal.SIGINT)
        _, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, err.decode(errors="replace")[-2000:]
    assert (b"@BotFather" in err) is (token is None)
    assert b"Traceback" not in err
    assert (data_dir / "playground" / "pointage.db").exists()
    assert not (data_dir / "pointage.db").exists()
