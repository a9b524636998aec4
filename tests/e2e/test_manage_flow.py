"""End to end: a user keeps a connection alive, cuts it, comes back, then leaves for good.

connect → refresh → new sign-in details (a wrong then a right password) → disconnect →
review a line left from before → reconnect without duplicates → /deletemydata; after each
secret is destroyed, its ciphertext is found nowhere in the database files, WAL included.
"""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path

from sqlalchemy import func, select

from storage.db import make_engine
from storage.models import BankAccount, BankTransaction, Connection, User
from storage.uow import Database
from tests.support.botapi import BotApiStandIn
from tests.support.flows import PASSWORD, sign_in
from tests.support.player import Player
from tests.support.processes import start_bot, stop_bot

USER = 901


BUSY = "Connexion en cours… /cancel"
"""What /connect answers to input that arrives while its last bank call is still returning."""


def _shown_since(p: Player, since: int, markers: tuple[str, ...]) -> str | None:
    for method, params in p.standin.calls[since:]:
        if method in {"sendMessage", "editMessageText"} and params.get("chat_id") == p.chat_id:
            for marker in markers:
                if marker in str(params.get("text")):
                    return marker
    return None


async def say_when_settled(p: Player, text: str, expect: str) -> None:
    """Type `text`, again if /connect was still finishing its step (its screen shows before its
    non-blocking handler returns, and what arrives meanwhile is dropped: see the report)."""
    for _ in range(20):
        since = len(p.standin.calls)
        p.send(text)
        shown = await p.standin.wait_for(
            functools.partial(_shown_since, p, since, (expect, BUSY)), 15
        )
        if shown == expect:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"/connect never took {text!r}")


async def press_when_settled(p: Player, label: str, expect: str) -> None:
    for _ in range(20):
        message = p.with_button(label)
        since = len(p.standin.calls)
        if BUSY not in await p.press_data(message.message_id, message.button(label)):
            await p.wait_for(expect, since, 10)
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"/connect never took the press on {label!r}")


async def connect_demo(p: Player, *, again: bool = False) -> None:
    """/connect the demo bank's current account, 90 days, on 512 Banque; `again`, the account
    already fed 512 Banque, which the ledger step offers to keep."""
    await sign_in(p, "fr")
    await p.wait_for("Code de sécurité", 0, 10)
    await say_when_settled(p, "123456", "Choisissez les comptes")
    await press_when_settled(p, "Compte courant", "☑️")
    if again:
        await p.press("Continuer", expect="vont déjà dans 512 Banque")
        await p.press("Garder 512", expect="Période d'importation")
    else:
        await p.press("Continuer", expect="Type de compte")
        await p.press("512", expect="Période d'importation")
    await p.press("90", expect="depuis le")
    await p.press("Connecter", expect="est connectée", timeout=20)


async def secret_of(db: Database, connection_id: int) -> bytes:
    async with db.reading() as uow:
        connection = await uow.connections.get(connection_id)
    assert connection is not None and connection.secret_blob
    return bytes(connection.secret_blob)


async def newest_connection(db: Database) -> int:
    async with db.reading() as uow:
        found = await uow.session.scalar(select(func.max(Connection.id)))
    assert found is not None
    return int(found)


async def count(db: Database, model: type[object]) -> int:
    async with db.reading() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model)) or 0)


def stored_anywhere(data_dir: Path, blob: bytes) -> list[str]:
    return [p.name for p in data_dir.glob("pointage.db*") if blob in p.read_bytes()]


async def test_connect_refresh_resign_disconnect_reconnect_and_erase(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    data_dir, log = tmp_path / "data", tmp_path / "bot.log"
    data_dir.mkdir()
    process = await start_bot(standin, data_dir, log)
    db = Database(make_engine(f"sqlite:///{data_dir / 'pointage.db'}"))
    try:
        p = Player(standin, USER, "fr")
        await p.say("/start", expect="Bonjour")
        await connect_demo(p)
        first = await newest_connection(db)
        imported = await count(db, BankTransaction)

        refreshed = await p.say("/refresh", expect="✅ Demo Bank : ", timeout=20)
        lines = await count(db, BankTransaction)
        if lines == imported:  # a new day in Paris may bring lines between the two
            assert "Aucune nouvelle opération" in (refreshed.text or "")

        destroyed = [await secret_of(db, first)]
        await p.say("/credentials", expect="Modifier les identifiants")
        await p.say("demo", expect="Mot de passe")
        await p.say("wrong-password", expect="Identifiant ou mot de passe incorrect")
        assert await secret_of(db, first) == destroyed[0]
        await p.say("demo", expect="Mot de passe")
        await p.say(PASSWORD, expect="Code de sécurité")
        await p.say("123456", expect="mis à jour")
        assert stored_anywhere(data_dir, destroyed[0]) == []
        destroyed.append(await secret_of(db, first))
        typed = [m for m in standin.messages(p.chat_id) if not m.from_bot]
        assert all(m.deleted for m in typed if m.text in {PASSWORD, "wrong-password"})

        await p.say("/disconnect", expect="Déconnecter ne veut pas dire supprimer")
        done = await p.press("Oui, déconnecter", expect="est déconnectée", timeout=20)
        assert "restent à passer en revue" in (done.text or "")
        for blob in destroyed:
            assert stored_anywhere(data_dir, blob) == []

        digest = await p.say("/review", expect="À passer en revue")
        assert "Validée" in await p.press_data(digest.message_id, digest.button("1 ✅"))

        await connect_demo(p, again=True)
        again = await newest_connection(db)
        assert again != first
        assert await count(db, BankTransaction) == lines  # nothing imported twice
        assert await count(db, BankAccount) == 1
        destroyed.append(await secret_of(db, again))

        await p.say("/deletemydata", expect="Effacer toutes vos données")
        await p.press("Oui, tout effacer", expect="Toutes vos données sont effacées", timeout=20)
        assert await count(db, User) == 0 and await count(db, BankTransaction) == 0
        for blob in destroyed:
            assert stored_anywhere(data_dir, blob) == []
        p.send("/start")
        await standin.wait_for(
            lambda: (
                len([m for m in standin.bot_messages(USER) if "Bonjour" in (m.text or "")]) == 2
                or None
            )
        )
        assert await count(db, User) == 1  # a new user, met again from scratch
    finally:
        await db.dispose()
        returncode = await stop_bot(process)
    assert returncode == 0
    logs = log.read_bytes()
    assert b"Traceback" not in logs and PASSWORD.encode() not in logs
