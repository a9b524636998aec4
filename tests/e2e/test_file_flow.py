"""End to end through the real bot process: send the bank's file, choose the account, read the
summary, review a line; a damaged file gets a clear message and writes nothing; a file of two
accounts asks for each; a CSV's columns are asked with buttons once, then remembered."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from storage.db import make_engine
from storage.models import BankAccount, BankTransaction
from storage.uow import Database
from tests.support.botapi import BotApiStandIn, StoredMessage
from tests.support.player import Player
from tests.support.processes import start_bot, stop_bot

GOLDEN = Path(__file__).resolve().parents[1] / "files" / "golden" / "ofx"


async def upload(p: Player, name: str, data: bytes, expect: str) -> StoredMessage:
    since = len(p.standin.calls)
    p.standin.send_document(p.user, name, data)
    return await p.wait_for(expect, since, 30.0)


@asynccontextmanager
async def bot_process(standin: BotApiStandIn, tmp_path: Path) -> AsyncIterator[Path]:
    """The bot in its own process on a SQLite file; yields its data folder. It must stop
    cleanly with no traceback in its log."""
    data_dir, log = tmp_path / "data", tmp_path / "bot.log"
    data_dir.mkdir()
    process = await start_bot(standin, data_dir, log)
    try:
        yield data_dir
    finally:
        returncode = await stop_bot(process)
    assert returncode == 0
    assert b"Traceback" not in log.read_bytes()


async def count_in(data_dir: Path, model: Any, *where: Any) -> int:
    """Rows of `model` in the stopped bot's database."""
    db = Database(make_engine(f"sqlite:///{data_dir / 'pointage.db'}"))
    try:
        async with db.reading() as uow:
            found = await uow.session.scalar(select(func.count()).select_from(model).where(*where))
    finally:
        await db.dispose()
    return int(found or 0)


async def test_a_bank_file_sent_to_the_bot_process_is_imported_and_reviewed(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    async with bot_process(standin, tmp_path) as data_dir:
        p = Player(standin, 811, "fr")
        await p.say("/start", expect="Bonjour")
        statement = (GOLDEN / "fr_bank.ofx").read_bytes()
        await upload(p, "releve.ofx", statement, "À quel compte bancaire")
        done = await p.press("Nouveau compte", expect="30 nouvelles opérations")
        assert "Passez-les en revue" in (done.text or "")
        digest = await p.say("/review", expect="À passer en revue")
        assert any("✅" in label for row in digest.buttons() for label, _ in row)
        damaged = (GOLDEN / "truncated.ofx").read_bytes()
        said = await upload(p, "autre.ofx", damaged, "abîmé")
        assert "rien n'a été importé" in (said.text or "")
    assert await count_in(data_dir, BankTransaction) == 30
    assert await count_in(data_dir, BankAccount) == 1


async def test_a_file_of_two_accounts_and_a_csv_asked_once_through_the_bot_process(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    async with bot_process(standin, tmp_path) as data_dir:
        p = Player(standin, 812, "en")
        await p.say("/start", expect="Hello")
        two = (GOLDEN / "multi_two_banks.ofx").read_bytes()
        await upload(p, "two.ofx", two, "Statement 1/2")
        second = await p.press("New account", expect="Statement 2/2")
        assert "30 new transactions" in (second.text or "")
        done = await p.press("New account", expect="Go through them with /review")
        assert "7 new transactions" in (done.text or "")
        csv = (GOLDEN.parent / "csv" / "headerless.csv").read_bytes()
        question = await upload(p, "export.csv", csv, "holds the date")
        assert "01/01/2024" in (question.text or "")
        await p.press("A", expect="holds the amount")
        await p.press("D", expect="holds the description")
        await p.press("C", expect="Which bank account")
        await p.press("New account", expect="What balance did your bank show")
        await p.press("Skip", expect="won't match the bank")
        again = await upload(p, "export.csv", csv, "Which bank account")
        assert "holds the date" not in (again.text or "")
        await p.press("✅", expect="0 new transactions")
    assert await count_in(data_dir, BankAccount, BankAccount.institution_id == "file") == 3
