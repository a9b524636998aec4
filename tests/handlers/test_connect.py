"""/connect through the real Application and the Bot API stand-in."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from telegram.ext import Application

from bot.banks.connector import ConnectorRegistry
from bot.banks.demo.bank import DemoBank
from bot.config import Settings
from bot.domain.clock import FixedClock
from handlers import callbacks as cb
from storage.models import (
    BankAccount,
    BankRequest,
    BankTransaction,
    Connection,
    LedgerAccount,
    User,
)
from storage.uow import Database
from tests.support.app import run_app, settings_for, stop_app
from tests.support.botapi import BotApiStandIn, StoredMessage
from tests.support.flows import PASSWORD, assert_secrets_deleted, sign_in, walk_to_summary
from tests.support.player import Player

App = Application[Any, Any, Any, Any, Any, Any]


def services_db(app: App) -> Database:
    return app.bot_data["runtime"].services.db  # type: ignore[no-any-return]


async def test_connect_in_french_imports_and_deletes_every_secret(
    app: App, standin: BotApiStandIn, tmp_path: Path
) -> None:
    p = Player(standin, 501, "fr")
    await p.say("/start", expect="Bonjour")
    summary = await walk_to_summary(p, "fr")
    assert "Compte courant pro" in summary and "512 Banque" in summary and "€" in summary
    assert_secrets_deleted(standin, p.chat_id)
    async with services_db(app).reading() as uow:
        lines = await uow.session.scalar(select(func.count()).select_from(BankTransaction))
        connection = await uow.session.scalar(select(Connection))
    assert lines and lines > 10 and f"{lines} opérations importées" in summary.replace("\u202f", "")
    assert connection is not None and connection.secret_blob is not None
    await stop_app(app)
    for path in tmp_path.glob("pointage.db*"):
        assert PASSWORD.encode() not in path.read_bytes()


async def test_connect_in_english_uses_the_english_chart(app: App, standin: BotApiStandIn) -> None:
    p = Player(standin, 502, "en", name="Bob")
    summary = await walk_to_summary(p, "en")
    assert "transactions imported" in summary and "1200" in summary


async def test_wrong_password_then_right_one(app: App, standin: BotApiStandIn) -> None:
    p = Player(standin, 503, "fr")
    await sign_in(p, password="wrong")
    await p.wait_for("Identifiant ou mot de passe incorrect", 0, 10)
    await p.say("demo", expect="Mot de passe")
    await p.say(PASSWORD, expect="Code de sécurité")


async def test_wrong_code_asks_again(app: App, standin: BotApiStandIn) -> None:
    p = Player(standin, 504, "fr")
    await sign_in(p)
    await p.wait_for("Code de sécurité", 0, 10)
    await p.say("000000", expect="Code de sécurité incorrect")
    await p.say("123456", expect="Choisissez les comptes")


async def test_bank_outage_is_said_plainly_and_saves_nothing(
    app: App, standin: BotApiStandIn
) -> None:
    p = Player(standin, 505, "en")
    await sign_in(p, "en", username="demo-down")
    await p.wait_for("isn't answering", 0, 10)
    async with services_db(app).reading() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Connection)) == 0


async def test_no_account_ticked_is_refused_with_an_answer(
    app: App, standin: BotApiStandIn
) -> None:
    p = Player(standin, 506, "fr")
    await sign_in(p)
    await p.wait_for("Code de sécurité", 0, 10)
    screen = await p.say("123456", expect="Choisissez les comptes")
    answer = await p.press_data(screen.message_id, screen.button("Continuer"))
    assert "au moins un compte" in answer


async def test_add_a_new_bank_ledger_account_while_connecting(
    app: App, standin: BotApiStandIn
) -> None:
    p = Player(standin, 507, "fr")
    await sign_in(p)
    await p.wait_for("Code de sécurité", 0, 10)
    await p.say("123456", expect="Choisissez les comptes")
    await p.press("Livret", expect="☑️")
    await p.press("Continuer", expect="Type de compte")
    await p.press("Ajouter", expect="Nom du nouveau compte")
    await p.say("Livret <pro> & co", expect="Période d'importation")
    async with services_db(app).reading() as uow:
        added = await uow.session.scalar(select(LedgerAccount).where(LedgerAccount.code == "5121"))
    assert added is not None and added.name == "Livret <pro> & co"


async def test_a_group_chat_is_sent_to_a_private_chat(app: App, standin: BotApiStandIn) -> None:
    user = standin.user(508, language_code="fr")
    standin.send_text(user, "/connect", chat_id=-100508, chat_type="group")
    await standin.wait_for_bot_text(-100508, "conversation privée")


@pytest.mark.parametrize("command", ["/review", "/settings", "/rules"])
async def test_every_private_only_command_answers_in_a_group_with_a_link(
    app: App, standin: BotApiStandIn, command: str
) -> None:
    user = standin.user(509, language_code="fr")
    standin.send_text(user, f"{command}@{app.bot.username}", chat_id=-100509, chat_type="group")
    said = await standin.wait_for_bot_text(-100509, "conversation privée")
    assert (said.text or "").startswith(f"{command} se fait")
    links = [e.get("url") for e in said.entities if e.get("type") == "text_link"]
    assert links == [f"https://t.me/{app.bot.username}"]


async def test_stale_button_of_an_earlier_flow_gets_a_polite_answer(
    app: App, standin: BotApiStandIn
) -> None:
    p = Player(standin, 509, "fr")
    await p.say("/connect", expect="Recherchez votre banque")
    old = await p.say("demo", expect="Résultats pour")
    old_data = old.button("Demo")
    await p.say("/connect", expect="Recherchez votre banque")
    answer = await p.press_data(old.message_id, old_data)
    assert "plus actif" in answer
    forged = await p.press_data(old.message_id, "1b:zzzzzz:demo")
    assert "plus actif" in forged
    garbage = await p.press_data(old.message_id, "not-our-data")
    assert "plus actif" in garbage


async def test_cant_find_my_bank_records_the_request(app: App, standin: BotApiStandIn) -> None:
    p = Player(standin, 510, "fr")
    await p.say("/connect", expect="Recherchez votre banque")
    await p.say("Banque Imaginaire du Jura", expect="Banque Imaginaire du Jura")
    await p.press("Je ne trouve pas", expect="demande pour")
    async with services_db(app).reading() as uow:
        request = await uow.session.scalar(select(BankRequest))
    assert (
        request is not None
        and request.query == "Banque Imaginaire du Jura"
        and request.country == "FR"
    )


def labels_of(message: StoredMessage) -> list[str]:
    return [text for row in message.buttons() for text, _ in row]


async def test_country_can_be_changed_from_the_search(app: App, standin: BotApiStandIn) -> None:
    p = Player(standin, 511, "en")
    await p.say("/connect", expect="Country: United Kingdom")
    in_the_uk = await p.say("sparkasse", expect="(United Kingdom)")
    assert not [label for label in labels_of(in_the_uk) if "Sparkasse" in label]
    first_page = await p.press("Country", expect="Which country")
    assert "Germany" not in labels_of(first_page) and "Austria" in labels_of(first_page)
    second_page = await p.press("More", expect="Germany")
    assert "Austria" not in labels_of(second_page)
    in_germany = await p.press("Germany", expect="(Germany)")
    assert "sparkasse" in (in_germany.text or "")
    assert [label for label in labels_of(in_germany) if "Sparkasse" in label]
    await p.say("/connect", expect="Country: Germany")
    async with services_db(app).reading() as uow:
        country = await uow.session.scalar(select(User.country).where(User.telegram_id == 511))
    assert country == "DE"


def bank_on_the_clock(app: App, clock: FixedClock) -> None:
    """The demo bank takes a second a call, counted on the test's clock, not in real time."""
    slow = DemoBank(clock, latency=1.0, password=PASSWORD, sleep=clock.sleep)
    app.bot_data["runtime"].services.connectors = ConnectorRegistry([slow])


async def test_cancel_while_connecting_stops_the_flow(
    app: App, standin: BotApiStandIn, clock: FixedClock
) -> None:
    bank_on_the_clock(app, clock)
    p = Player(standin, 512, "fr")
    await sign_in(p)
    await p.wait_for("Connexion en cours", 0, 10)
    await p.say("hello", expect="Connexion en cours… /cancel")
    await p.say("/cancel", expect="annulée")
    await standin.wait_for(lambda: clock.sleepers == 1 or None)  # the sign-in is at the bank
    clock.advance(timedelta(seconds=1))
    await stop_app(app)  # waits for the sign-in in flight and whatever it would show
    assert clock.sleepers == 0
    assert "Code de sécurité" not in (p.screen().text or "")
    assert not [m for m in standin.bot_messages(p.chat_id) if "Code de sécurité" in (m.text or "")]


async def test_two_users_connect_at_the_same_time(
    standin: BotApiStandIn, tmp_path: Path, clock: FixedClock
) -> None:
    app = await run_app(settings_for(standin, tmp_path, demo_bank_latency=0.3), clock)
    try:
        alice, bob = Player(standin, 513, "fr"), Player(standin, 514, "en", name="Bob")
        results = await asyncio.gather(walk_to_summary(alice, "fr"), walk_to_summary(bob, "en"))
        assert "opérations importées" in results[0] and "transactions imported" in results[1]
        async with services_db(app).reading() as uow:
            accounts = await uow.session.scalar(select(func.count()).select_from(BankAccount))
        assert accounts == 2
    finally:
        await stop_app(app)


async def test_cancel_without_a_flow_says_so(app: App, standin: BotApiStandIn) -> None:
    p = Player(standin, 515, "en")
    await p.say("/cancel", expect="Nothing to cancel")


DOTENV = {
    "PUBLIC_URL": "https://bot.example.com",
    "DATABASE_URL": "sqlite:////nowhere/else.db",
    "DEMO_BANK_LATENCY": "7",
    "CONVERSATION_TIMEOUT": "42",
    "RATE_LIMITER": "true",
}


def test_settings_fixture_never_reads_a_dotenv(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in DOTENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("".join(f"{k}={v}\n" for k, v in DOTENV.items()))
    read = Settings()
    assert (read.public_url, read.demo_bank_latency, read.conversation_timeout) == (
        "https://bot.example.com",
        7.0,
        42.0,
    ), "a .env in the working folder is read by default"
    settings: Settings = request.getfixturevalue("app_settings")
    assert settings.public_url is None and not settings.webhook_mode
    assert settings.database_url is None and settings.data_dir == tmp_path
    assert (settings.demo_bank_latency, settings.conversation_timeout) == (0.0, 900.0)
    assert settings.rate_limiter is False


@pytest.mark.parametrize("data", [cb.PickBank("abcdef", "demo").pack()])
async def test_a_button_pressed_with_no_flow_at_all(
    app: App, standin: BotApiStandIn, data: str
) -> None:
    p = Player(standin, 516, "en")
    await p.say("/start", expect="Hello")
    answer = await p.press_data(p.screen().message_id, data)
    assert "no longer active" in answer


async def test_a_group_bank_asks_for_the_region_then_offers_a_request(
    app: App, standin: BotApiStandIn
) -> None:
    p = Player(standin, 517, "fr")
    await p.say("/connect", expect="Recherchez votre banque")
    await p.say("credit agricol", expect="Résultats pour")
    await p.press("Crédit Agricole", expect="caisse régionale")
    await p.press("Provence", expect="ne peut pas encore être connectée")
    await p.press("Demander sa prise en charge", expect="demande pour")
    async with services_db(app).reading() as uow:
        request = await uow.session.scalar(select(BankRequest))
    assert request is not None and "Provence" in request.query


async def test_an_abandoned_flow_times_out_politely(
    standin: BotApiStandIn, tmp_path: Path, clock: FixedClock
) -> None:
    app = await run_app(settings_for(standin, tmp_path, conversation_timeout=0.5), clock)
    try:
        p = Player(standin, 518, "fr")
        await p.say("/connect", expect="Recherchez votre banque")
        await p.say("demo", expect="Résultats pour")
        await p.wait_for("abandonnée faute de réponse", 0, 5)
        screen = p.screen()
        answer = await p.press_data(screen.message_id, cb.PickBank("000000", "demo").pack())
        assert "plus actif" in answer
        assert app.bot_data["runtime"].flows.get(518) is None
    finally:
        await stop_app(app)


async def test_a_failure_inside_a_handler_is_told_plainly(
    app: App, standin: BotApiStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = app.bot_data["runtime"].services

    def broken(query: str, country: str) -> list[object]:
        raise RuntimeError("directory exploded")

    monkeypatch.setattr(services, "search_banks", broken)
    p = Player(standin, 519, "en")
    await p.say("/connect", expect="Search for your bank")
    message = await p.say("demo", expect="Something went wrong")
    assert "Traceback" not in (message.text or "") and "exploded" not in (message.text or "")
