"""The one sign-in flow through the real Application: what /connect, /credentials and
/disconnect users ran into (a twin connection, books split on reconnect, a first import
failure that contradicted itself)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from telegram.ext import Application

from bot.domain.states import ConnectionStatus
from bot.services.connect import Services
from handlers import callbacks as cb
from storage.models import Connection, SyncRun
from tests.support.botapi import BotApiStandIn
from tests.support.connecting import START, connect_all
from tests.support.flows import PASSWORD, sign_in
from tests.support.player import Player

App = Application[Any, Any, Any, Any, Any, Any]


def services(app: App) -> Services:
    found = app.bot_data["runtime"].services
    assert isinstance(found, Services)
    return found


async def connections(app: App) -> list[Connection]:
    async with services(app).db.reading() as uow:
        return list((await uow.session.scalars(select(Connection).order_by(Connection.id))).all())


async def to_the_bank(p: Player) -> None:
    await p.say("/connect", expect="Recherchez votre banque")
    await p.say("demo", expect="Résultats pour")
    await p.press("Demo", expect="déjà connectée (3 comptes)")


async def signed_in(p: Player, expect: str) -> None:
    await p.say("demo", expect="Mot de passe")
    await p.say(PASSWORD, expect="Code de sécurité")
    await p.say("123456", expect=expect)


async def test_a_bank_already_connected_gets_more_accounts_or_new_details_never_a_twin(
    app: App, standin: BotApiStandIn
) -> None:
    user = 701
    connection_id = await connect_all(services(app), user, START, PASSWORD)
    (before,) = await connections(app)
    p = Player(standin, user, "fr")

    await to_the_bank(p)
    await p.press("Ajouter des comptes", expect="Identifiant")
    await signed_in(p, expect="3 comptes déjà connectés")
    screen = p.screen()
    linked = [label for row in screen.buttons() for label, _ in row if label.startswith("🔗")]
    assert len(linked) == 3
    answer = await p.press_data(screen.message_id, screen.button("🔗"))
    assert "déjà connecté" in answer
    await p.say("/cancel", expect="annulée")

    await to_the_bank(p)
    await p.press("Modifier les identifiants", expect="Identifiant")
    await signed_in(p, expect="mis à jour")
    (after,) = await connections(app)
    assert after.id == connection_id and after.status == ConnectionStatus.ACTIVE
    assert after.secret_blob is not None and after.secret_blob != before.secret_blob


async def test_a_first_import_that_fails_keeps_the_connection_and_offers_a_retry(
    app: App, standin: BotApiStandIn
) -> None:
    p = Player(standin, 702, "fr")
    await sign_in(p, username="demo-flaky")
    await p.wait_for("Code de sécurité", 0, 10)
    await p.say("123456", expect="Choisissez les comptes")
    await p.press("Compte courant", expect="☑️")
    await p.press("Continuer", expect="Type de compte")
    await p.press("512", expect="Période d'importation")
    await p.press("90", expect="depuis le")
    failed = await p.press("Connecter", expect="premier import n'a pas abouti")
    text = failed.text or ""
    assert text.count("⚠️") == 1 and "/connect" not in text and "connexion est gardée" in text
    (connection,) = await connections(app)
    assert connection.status == ConnectionStatus.ACTIVE and connection.secret_blob is not None
    assert connection.last_error == "bank_unavailable"  # recorded by the import itself
    async with services(app).db.reading() as uow:
        runs = await uow.session.scalar(
            select(func.count()).select_from(SyncRun).where(SyncRun.error == "bank_unavailable")
        )
    assert runs == 1
    retry = cb.parse(failed.button("Réessayer"))
    assert retry == cb.RefreshConnection(connection.id)
