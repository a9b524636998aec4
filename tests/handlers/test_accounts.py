"""/accounts, /refresh, /credentials, /disconnect, /deletemydata and the health messages,
through the real Application and the Bot API stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from telegram.ext import Application, CommandHandler, MessageHandler

import handlers
from bot.banks.connector import (
    AccountType,
    AuthMethod,
    Authorized,
    Capabilities,
    Challenge,
    ChallengeKind,
    ConnectorRegistry,
    Credentials,
    FetchedAccount,
    FetchedTransaction,
)
from bot.banks.demo.bank import DemoBank
from bot.banks.directory.search import Institution
from bot.domain.clock import FixedClock
from bot.domain.money import Money
from bot.domain.secret import Secret
from bot.domain.states import ConnectionStatus, ReviewState
from bot.services.connect import AccountChoice, ConnectRequest, Services
from handlers import callbacks as cb
from handlers import render, review
from storage.models import BankTransaction, Connection, PtbState, SyncRun, User
from tests.support.app import run_app, settings_for, stop_app
from tests.support.botapi import BotApiStandIn, StoredMessage
from tests.support.clock import advance_while_waited_on
from tests.support.connecting import connect_all, connect_as
from tests.support.player import Player

App = Application[Any, Any, Any, Any, Any, Any]
ALICE, BOB, CAROL = 801, 802, 803
START = date(2026, 11, 1)
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
async def app(standin: BotApiStandIn, tmp_path: Path, clock: FixedClock) -> AsyncIterator[App]:
    application = await run_app(settings_for(standin, tmp_path, demo_bank_password="demo"), clock)
    yield application
    await stop_app(application)


def services(app: App) -> Services:
    found = app.bot_data["runtime"].services
    assert isinstance(found, Services)
    return found


async def count(app: App, model: Any, *where: Any) -> int:
    async with services(app).db.reading() as uow:
        return int(
            await uow.session.scalar(select(func.count()).select_from(model).where(*where)) or 0
        )


async def connection(app: App, connection_id: int) -> Connection:
    async with services(app).db.reading() as uow:
        found = await uow.connections.get(connection_id)
    assert found is not None
    return found


def sign_in_wired(app: App) -> bool:
    """Typed sign-in details reach the sign-in flow only if its step handlers are tried before
    the review picker's catch-all text handler and the global /cancel (handlers/__init__.py)."""
    group = app.handlers[0]
    conversation = next(
        i
        for i, h in enumerate(group)
        if isinstance(h, MessageHandler) and h.callback.__name__ == "on_password"
    )
    catch_all = next(
        i
        for i, h in enumerate(group)
        if (isinstance(h, MessageHandler) and h.callback.__name__ == "on_typed")
        or (isinstance(h, CommandHandler) and h.callback is review.on_cancel)
    )
    return conversation < catch_all


def require_sign_in_wiring(app: App) -> None:
    """Typed sign-in details must reach /credentials before the review's text handler."""
    assert sign_in_wired(app), "signin.handlers() must come before the catch-alls"


# --- /accounts -------------------------------------------------------------------------------


async def test_accounts_shows_each_bank_its_accounts_and_the_actions(
    app: App, standin: BotApiStandIn
) -> None:
    connection_id = await connect_all(services(app), ALICE, START)
    await services(app).import_connection(ALICE, connection_id)
    p = Player(standin, ALICE, "fr")
    screen = await p.say("/accounts", expect="Demo Bank")
    text = screen.text or ""
    assert "✅ Active" in text and "Compte courant pro" in text and "512 Banque" in text
    assert "Dernière mise à jour : aujourd'hui à 12:00" in text and "••••" in text
    assert "Autorisation valable jusqu'au 27 mai 2027" in text
    labels = [label for row in screen.buttons() for label, _ in row]
    assert labels[0] == "🔄 Mettre à jour" and "🔌 Déconnecter" in labels
    await p.press("Dépannage", expect="Il me manque des opérations")


async def test_accounts_without_a_bank_points_to_connect(app: App, standin: BotApiStandIn) -> None:
    p = Player(standin, BOB, "en", name="Bob")
    await p.say("/accounts", expect="/connect to connect an account")


async def test_management_commands_are_refused_in_a_group(app: App, standin: BotApiStandIn) -> None:
    user = standin.user(ALICE, language_code="fr")
    standin.send_text(user, "/deletemydata", chat_id=-100801, chat_type="group")
    await standin.wait_for_bot_text(-100801, "conversation privée")


# --- /refresh ----------------------------------------------------------------------------------


async def test_refresh_shows_progress_in_place_then_how_many_are_new(
    app: App, standin: BotApiStandIn, clock: FixedClock
) -> None:
    connection_id = await connect_all(services(app), ALICE, START)
    await services(app).import_connection(ALICE, connection_id)
    clock.advance(timedelta(days=3))
    p = Player(standin, ALICE, "fr")
    done = await p.say("/refresh", expect="/review pour les passer en revue")
    assert "✅ Demo Bank : " in (done.text or "") and "nouvelles opérations" in (done.text or "")
    edits = [
        params
        for method, params in standin.calls
        if method == "editMessageText" and params.get("message_id") == done.message_id
    ]
    assert len(edits) >= 2 and "mise à jour en cours" in str(edits[0].get("text"))


async def test_a_second_refresh_joins_the_one_running(
    standin: BotApiStandIn, tmp_path: Path, clock: FixedClock
) -> None:
    settings = settings_for(standin, tmp_path, demo_bank_password="demo")
    application = await run_app(settings, clock)
    try:
        await connect_all(services(application), ALICE, START)
        slow = DemoBank(clock, latency=0.3, sleep=clock.sleep)  # 0.3 s a call, on the clock
        services(application).connectors = ConnectorRegistry([slow])
        p = Player(standin, ALICE, "fr")
        await p.say("/refresh", expect="mise à jour en cours")
        joined = await p.say("/refresh", expect="déjà en cours")
        await standin.wait_for(lambda: clock.sleepers == 1 or None)  # the first is at the bank

        def results() -> list[StoredMessage]:
            return [m for m in standin.bot_messages(p.chat_id) if "/review" in (m.text or "")]

        await advance_while_waited_on(clock, lambda: len(results()) == 2, timedelta(seconds=0.3))
        first, second = results()
        assert first.text == second.text and second.message_id == joined.message_id
        assert await count(application, SyncRun) == 1
    finally:
        await stop_app(application)


async def test_a_bank_limiting_calls_says_when_the_next_refresh_is_possible(
    app: App, standin: BotApiStandIn
) -> None:
    await connect_as(services(app), ALICE, "demo-limited")
    p = Player(standin, ALICE, "fr")
    await p.say("/refresh", expect="prochaine possible aujourd'hui à 13:00")
    await p.say("/accounts", expect="Prochaine mise à jour possible aujourd'hui à 13:00")


# --- /credentials --------------------------------------------------------------------------------


async def test_credentials_wrong_then_right_password_replaces_the_secret(
    app: App, standin: BotApiStandIn
) -> None:
    require_sign_in_wiring(app)
    connection_id = await connect_as(services(app), ALICE, "demo-expired")
    p = Player(standin, ALICE, "fr")
    await p.say("/refresh", expect="Action requise")
    before = await connection(app, connection_id)
    assert before.status == ConnectionStatus.NEEDS_REAUTH
    await p.press("Modifier les identifiants", expect="Identifiant (celui du site")
    await p.say("demo", expect="Mot de passe")
    await p.say("not-the-password", expect="Identifiant ou mot de passe incorrect")
    unchanged = await connection(app, connection_id)
    assert unchanged.secret_blob == before.secret_blob and unchanged.status == before.status
    await p.say("demo", expect="Mot de passe")
    await p.say("demo", expect="Code de sécurité")
    await p.say("123456", expect="mis à jour")
    after = await connection(app, connection_id)
    assert after.status == ConnectionStatus.ACTIVE and after.secret_blob != before.secret_blob
    typed = [m for m in standin.messages(p.chat_id) if not m.from_bot]
    secrets = [m for m in typed if m.text in {"demo", "not-the-password", "123456"}]
    assert len(secrets) == 5 and all(m.deleted for m in secrets)
    await p.press("Mettre à jour", expect="nouvelles opérations")


async def test_credentials_cancel_changes_nothing(app: App, standin: BotApiStandIn) -> None:
    require_sign_in_wiring(app)
    connection_id = await connect_all(services(app), ALICE, START)
    before = await connection(app, connection_id)
    p = Player(standin, ALICE, "fr")
    await p.say("/credentials", expect="Identifiant")
    await p.say("demo", expect="Mot de passe")
    await p.say("/cancel", expect="Modification annulée")
    await p.say("bonjour", expect="Je n'ai pas compris")  # text goes to the others again
    assert (await connection(app, connection_id)).secret_blob == before.secret_blob


@pytest.mark.parametrize(
    ("persona", "told"),
    [
        ("demo-locked", "accès est bloqué. Rien n'a changé"),
        ("demo-down", "ne répond pas pour le moment. Rien n'a changé"),
    ],
)
async def test_credentials_refused_by_the_bank_say_why_and_change_nothing(
    app: App, standin: BotApiStandIn, persona: str, told: str
) -> None:
    require_sign_in_wiring(app)
    connection_id = await connect_all(services(app), ALICE, START)
    before = await connection(app, connection_id)
    p = Player(standin, ALICE, "fr")
    await p.say("/credentials", expect="Identifiant")
    await p.say(persona, expect="Mot de passe")
    await p.say("demo", expect=told)
    after = await connection(app, connection_id)
    assert (after.secret_blob, after.status) == (before.secret_blob, before.status)


# --- /disconnect -----------------------------------------------------------------------------


async def test_disconnect_after_confirming_keeps_lines_reviewable(
    app: App, standin: BotApiStandIn
) -> None:
    connection_id = await connect_all(services(app), ALICE, START)
    await services(app).import_connection(ALICE, connection_id)
    lines = await count(app, BankTransaction)
    p = Player(standin, ALICE, "fr")
    await p.say("/disconnect", expect="Déconnecter ne veut pas dire supprimer")
    done = await p.press("Oui, déconnecter", expect="est déconnectée")
    assert "restent à passer en revue : /review" in (done.text or "")
    row = await connection(app, connection_id)
    assert row.status == ConnectionStatus.DISCONNECTED and row.secret_blob is None
    assert await count(app, BankTransaction) == lines
    digest = await p.say("/review", expect="À passer en revue")
    answer = await p.press_data(digest.message_id, digest.button("1 ✅"))
    assert "Validée" in answer
    await p.say("/accounts", expect="⛔ Déconnectée")
    refreshed = await p.say("/refresh", expect="1 banque déconnectée : Demo Bank")
    assert "/connect pour la reconnecter" in (refreshed.text or "")


async def test_cancelling_a_disconnect_changes_nothing(app: App, standin: BotApiStandIn) -> None:
    connection_id = await connect_all(services(app), ALICE, START)
    p = Player(standin, ALICE, "fr")
    await p.say("/accounts", expect="Demo Bank")
    await p.press("Déconnecter", expect="Déconnecter ne veut pas dire supprimer")
    await p.press("Annuler", expect="Rien n'a changé")
    assert (await connection(app, connection_id)).status == ConnectionStatus.ACTIVE


# --- /deletemydata -------------------------------------------------------------------------------


async def test_deletemydata_asks_then_erases_and_start_meets_a_new_user(
    app: App, standin: BotApiStandIn
) -> None:
    connection_id = await connect_all(services(app), ALICE, START)
    await services(app).import_connection(ALICE, connection_id)
    await connect_all(services(app), BOB, START)
    p = Player(standin, ALICE, "fr")
    await p.say("/deletemydata", expect="Effacer toutes vos données")
    await p.press("Oui, tout effacer", expect="Toutes vos données sont effacées")
    async with services(app).db.reading() as uow:
        telegram_ids = set((await uow.session.scalars(select(User.telegram_id))).all())
    assert telegram_ids == {BOB}
    assert await count(app, Connection) == 1 and await count(app, BankTransaction) == 0
    await p.say("/start", expect="Bonjour")
    await p.say("/accounts", expect="Aucune banque connectée")
    nobody = Player(standin, 809, "en")
    await nobody.say("/deletemydata", expect="nothing to erase")
    assert await count(app, User) == 2


# --- buttons of someone else ------------------------------------------------------------------


async def test_pressing_another_users_buttons_changes_nothing(
    app: App, standin: BotApiStandIn, clock: FixedClock
) -> None:
    alice_connection = await connect_all(services(app), ALICE, START)
    before = await connection(app, alice_connection)
    bob = Player(standin, BOB, "en", name="Bob")
    mine = await bob.say("/start", expect="Hello")
    for forged in (
        cb.RefreshConnection(alice_connection),
        cb.UpdateSignIn(alice_connection),
        cb.AskDisconnect(alice_connection, here=True),
        cb.ConfirmDisconnect(alice_connection),
    ):
        assert "no longer active" in await bob.press_data(mine.message_id, forged.pack())
    stale = cb.ConfirmErase(int((clock.now() - timedelta(hours=1)).timestamp()))
    assert "expired" in await bob.press_data(mine.message_id, stale.pack())
    after = await connection(app, alice_connection)
    assert (after.status, after.secret_blob) == (before.status, before.secret_blob)
    assert await count(app, SyncRun) == 0 and await count(app, User) == 2
    assert standin.unanswered_callbacks() == []


# --- connection health -------------------------------------------------------------------------


async def test_a_nightly_sync_failing_three_ways_sends_exactly_the_messages_described(
    app: App, standin: BotApiStandIn, clock: FixedClock
) -> None:
    players = {who: Player(standin, who, "fr") for who in (ALICE, BOB, CAROL)}  # chats open
    expired = await connect_as(services(app), ALICE, "demo-expired")
    await connect_as(services(app), BOB, "demo-flaky")
    await connect_as(services(app), CAROL, "demo-limited")
    night = datetime(2026, 11, 29, 0, 30, tzinfo=PARIS)
    clock.set(night)
    job = app.job_queue.get_jobs_by_name("sync")[0]  # type: ignore[union-attr]
    reminders = app.job_queue.get_jobs_by_name("reminders")[0]  # type: ignore[union-attr]
    while clock.now() < night + timedelta(hours=33):
        clock.advance(timedelta(minutes=30))
        await job.run(app)
        await reminders.run(app)
    alice = standin.bot_messages(ALICE)
    bob = standin.bot_messages(BOB)
    assert len(alice) == 1 and "Action requise" in (alice[0].text or "")
    assert "l'autorisation donnée à la banque a expiré" in (alice[0].text or "")
    assert alice[0].button("Modifier les identifiants") == cb.UpdateSignIn(expired).pack()
    assert len(bob) == 1 and "ne répond plus depuis" in (bob[0].text or "")
    assert standin.bot_messages(CAROL) == []
    assert await count(app, SyncRun, SyncRun.connection_id == expired) == 1
    await players[ALICE].press("Modifier les identifiants", expect="Identifiant (celui")


async def test_one_reminder_seven_days_before_the_consent_ends(
    app: App, standin: BotApiStandIn, clock: FixedClock
) -> None:
    Player(standin, ALICE, "fr")
    connection_id = await connect_all(services(app), ALICE, START)
    await services(app).import_connection(ALICE, connection_id)
    clock.set(datetime(2027, 5, 20, 10, 0, tzinfo=PARIS))
    reminders = app.job_queue.get_jobs_by_name("reminders")[0]  # type: ignore[union-attr]
    await reminders.run(app)
    await reminders.run(app)
    sent = standin.bot_messages(ALICE)
    assert len(sent) == 1 and "expire le 27 mai 2027" in (sent[0].text or "")
    assert sent[0].button("Renouveler") == cb.UpdateSignIn(connection_id).pack()


async def test_lines_to_review_are_counted_after_a_refresh(
    app: App, standin: BotApiStandIn
) -> None:
    connection_id = await connect_all(services(app), ALICE, START)
    p = Player(standin, ALICE, "fr")
    await p.say("/refresh", expect="/review")
    assert (
        await count(app, BankTransaction, BankTransaction.review_state == ReviewState.TO_REVIEW) > 0
    )
    assert (await connection(app, connection_id)).last_sync_at is not None


class ConsentBank:
    """A bank reached through a consent link (as Enable Banking or GoCardless will be)."""

    name: ClassVar[str] = "consentbank"
    capabilities: ClassVar[Capabilities] = Capabilities(
        auth=AuthMethod.CONSENT_LINK, max_history_days=90, reports_pending=False
    )

    async def begin_auth(self, institution_id: str, credentials: Credentials | None) -> Challenge:
        return Challenge(ChallengeKind.LINK, Secret("state"), link="https://bank.example/ok")

    async def continue_auth(self, challenge: Challenge, answer: str) -> Authorized:
        return Authorized(Secret("consent-2"), consent_expires=date(2027, 2, 26))

    async def list_accounts(self, secret: Secret) -> list[FetchedAccount]:
        return [
            FetchedAccount("acc-1", "Compte", AccountType.CHECKING, None, "EUR", Money(0, "EUR"))
        ]

    async def fetch_transactions(
        self, secret: Secret, account_id: str, since: date, until: date
    ) -> list[FetchedTransaction]:
        return []

    async def revoke(self, secret: Secret) -> None:
        return None


async def test_credentials_renews_a_consent_through_its_link(
    app: App, standin: BotApiStandIn
) -> None:
    svc = services(app)
    svc.connectors = ConnectorRegistry([svc.connectors.get("demo"), ConsentBank()])
    await svc.meet(ALICE, ALICE, "fr")
    bank = Institution("consentbank-1", "Banque Consent", "FR", None, "consentbank", 90, None)
    ledger = next(a for a in await svc.bank_ledger_accounts(ALICE) if a.code == "512")
    account = (await ConsentBank().list_accounts(Secret("")))[0]
    old = Authorized(Secret("consent-1"), consent_expires=date(2026, 12, 1))
    request = ConnectRequest(bank, old, (AccountChoice(account, ledger.id),), START)
    connection_id = (await svc.connect(ALICE, request)).id
    p = Player(standin, ALICE, "fr")
    screen = await p.say("/credentials", expect="Renouveler l'autorisation")
    assert "https://bank.example/ok" in (screen.text or "")
    await p.press("J'ai autorisé", expect="mis à jour")
    row = await connection(app, connection_id)
    assert row.consent_expires == date(2027, 2, 26) and row.status == ConnectionStatus.ACTIVE


async def test_after_a_restart_credentials_ask_to_sign_in_again_then_finish(
    standin: BotApiStandIn, tmp_path: Path, clock: FixedClock
) -> None:
    """The /credentials flow is the one sign-in flow: kept without its secrets, it comes back
    after a restart asking for the username again, and what was typed is deleted."""
    settings = settings_for(standin, tmp_path, demo_bank_password="demo")
    first = await run_app(settings, clock)
    try:
        require_sign_in_wiring(first)
        connection_id = await connect_all(services(first), ALICE, START)
        before = await connection(first, connection_id)
        p = Player(standin, ALICE, "fr")
        await p.say("/credentials", expect="Identifiant")
        await p.say("alice-at-the-bank", expect="Mot de passe")
        async with services(first).db.reading() as uow:
            kept = (await uow.session.scalars(select(PtbState.data))).all()
        assert not any("alice-at-the-bank" in data for data in kept)
    finally:
        await stop_app(first)
    since = len(standin.calls)
    second = await run_app(settings, clock)
    try:
        await p.wait_for("Pointage a redémarré", since, 5)
        await p.say("demo", expect="Mot de passe")
        await p.say("demo", expect="Code de sécurité")
        await p.say("123456", expect="mis à jour")
        after = await connection(second, connection_id)
        assert after.secret_blob != before.secret_blob
        typed = [m for m in standin.messages(p.chat_id) if not m.from_bot]
        secrets = [m for m in typed if m.text in {"alice-at-the-bank", "demo", "123456"}]
        assert len(secrets) == 4 and all(m.deleted for m in secrets)
        await p.say("bonjour", expect="Je n'ai pas compris")  # the flow is over
    finally:
        await stop_app(second)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_help_lists_every_command_of_the_menu(lang: str) -> None:
    shown = render.help_screen(lang).text
    assert [c for c in handlers.COMMANDS if c != "start" and f"/{c}" not in shown] == []


def test_help_offers_the_troubleshooting_page() -> None:
    screen = render.help_screen("fr")
    assert "/deletemydata" in screen.text and "/credentials" in screen.text
    assert screen.keyboard is not None
    (button,) = screen.keyboard.inline_keyboard[0]
    assert button.text == "🛠 Dépannage des imports"
    assert button.callback_data == cb.ShowHelp("imports").pack()
