"""/connect with the bank providers, in the chat: the real Application against the Bot API
stand-in and each provider's stand-in. The user searches the bank, follows the consent link
with a plain HTTP client as a browser would (or pastes a SimpleFIN token), picks the account,
and the lines arrive in /review."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select
from telegram.ext import Application

from bot.domain.clock import FixedClock, today_in
from handlers import consent, jobs
from storage.models import BankTransaction, Connection
from tests.support.app import run_app, settings_for, stop_app
from tests.support.botapi import BotApiStandIn, StoredMessage
from tests.support.institutions import (
    APP_ID,
    ENABLEBANKING_REDIRECT,
    KNOWN_FRENCH_BANKS,
    NO_PROVIDER,
    enablebanking_settings,
    gocardless_id,
    gocardless_settings,
    seed_enablebanking,
    seed_gocardless,
    simplefin_settings,
)
from tests.support.player import Player
from tests.support.providers import gocardless as gc
from tests.support.providers.enablebanking import (
    EnableBankingStandIn,
    StandInAccount,
    transaction,
)
from tests.support.providers.simplefin import SimpleFinStandIn, at

App = Application[Any, Any, Any, Any, Any, Any]

IBAN = "FR7616958000013456789012345"
LANDING = "https://pointage.test"
GOCARDLESS_LANDING = "https://t.me"


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Browser:
    """httpx as the user's browser: opens the bank's link, follows its redirects, and ends on
    the page the bank sends the user to (answered here: no such host is reachable)."""

    def __init__(self) -> None:
        self.landed: list[str] = []

    def _land(self, request: httpx.Request) -> httpx.Response:
        self.landed.append(str(request.url))
        return httpx.Response(200, text="ok")

    async def open(self, link: str) -> str:
        mounts = {
            LANDING: httpx.MockTransport(self._land),
            GOCARDLESS_LANDING: httpx.MockTransport(self._land),
        }
        async with httpx.AsyncClient(follow_redirects=True, mounts=mounts) as client:
            await client.get(link)
        assert self.landed, "the bank did not send the browser back"
        return self.landed[-1]


async def started(
    settings_values: dict[str, Any], standin: BotApiStandIn, tmp_path: Path, clock: FixedClock
) -> App:
    settings = settings_for(standin, tmp_path, **settings_values)
    app = await run_app(settings, clock)
    lists = jobs.institution_lists(app)  # None without an aggregator (SimpleFIN alone)
    if lists is not None:
        await lists.refresh()  # the lists in the search now, not a second later
    return app


async def lines_of(app: App) -> list[str]:
    db = app.bot_data["runtime"].services.db
    async with db.reading() as uow:
        return list((await uow.session.scalars(select(BankTransaction.raw_label))).all())


def consent_screen(p: Player) -> StoredMessage:
    return p.with_button("J'ai autorisé")


async def choose_and_import(p: Player, account: str) -> str:
    await p.press(account, expect="☑️")
    await p.press("Continuer", expect="Type de compte")
    await p.press("512", expect="Période d'importation")
    await p.press("90", expect="depuis le")
    done = await p.press("Connecter", expect="importée", timeout=20)
    return done.text or ""


@pytest.fixture
async def enablebanking(
    key: rsa.RSAPrivateKey, clock: FixedClock
) -> AsyncIterator[EnableBankingStandIn]:
    today = today_in(clock)
    async with EnableBankingStandIn(
        key.public_key(), APP_ID, redirect_urls=[ENABLEBANKING_REDIRECT], clock=clock
    ) as bank:
        seed_enablebanking(bank, list(KNOWN_FRENCH_BANKS))
        bank.add_account(
            "Qonto",
            "FR",
            StandInAccount(
                IBAN,
                details="Compte pro Qonto",
                balances=[("CLBD", "1234.56")],
                transactions=[
                    transaction(
                        "42.00",
                        "DBIT",
                        booking_date=(today - timedelta(days=3)).isoformat(),
                        remittance_information=["CB CAFE DU COIN"],
                    ),
                    transaction(
                        "1500.00",
                        "CRDT",
                        booking_date=(today - timedelta(days=10)).isoformat(),
                        remittance_information=["VIR CLIENT DURAND SARL"],
                    ),
                ],
            ),
        )
        yield bank


async def test_enable_banking_in_french_the_landing_address_pasted_brings_the_lines(
    enablebanking: EnableBankingStandIn,
    key: rsa.RSAPrivateKey,
    standin: BotApiStandIn,
    tmp_path: Path,
    clock: FixedClock,
) -> None:
    settings = enablebanking_settings(enablebanking, key, tmp_path) | NO_PROVIDER
    app = await started(settings, standin, tmp_path, clock)
    try:
        p = Player(standin, 801, "fr")
        await p.say("/connect", expect="Recherchez votre banque")
        await p.say("Qonto", expect="Résultats pour")
        await p.press("Qonto", expect="mot de passe ne passe jamais par Pointage")
        await p.press("Continuer", expect="J'ai autorisé", timeout=15)
        screen = consent_screen(p)
        assert "reliés dans son espace" in (screen.text or "")  # the free plan, said plainly
        assert "copiez l'adresse" in (screen.text or "")  # no PUBLIC_URL: the user pastes
        landed = await Browser().open(screen.button("Qonto"))
        assert landed.startswith(ENABLEBANKING_REDIRECT) and "code=" in landed
        await p.say(landed, expect="Choisissez les comptes", timeout=15)
        pasted = next(m for m in standin.messages(p.chat_id) if m.text == landed)
        assert pasted.deleted  # it carried a one-time code
        summary = await choose_and_import(p, "Compte pro")
        assert "2 opérations importées" in summary.replace("\u202f", " ")
        await p.say("/review", expect="CAFE DU COIN")
        assert sorted(await lines_of(app)) == ["CB CAFE DU COIN", "VIR CLIENT DURAND SARL"]
    finally:
        await stop_app(app)


async def test_enable_banking_the_banks_return_continues_the_flow_by_itself(
    enablebanking: EnableBankingStandIn,
    key: rsa.RSAPrivateKey,
    standin: BotApiStandIn,
    tmp_path: Path,
    clock: FixedClock,
) -> None:
    """What our consent route does when the bank sends the user back (webhook mode): the
    query string reaches the flow that waits for its `state`, and the chat moves on."""
    settings = enablebanking_settings(enablebanking, key, tmp_path) | NO_PROVIDER
    app = await started(settings, standin, tmp_path, clock)
    try:
        runtime = app.bot_data["runtime"]
        await runtime.services.meet(802, 802, "en")
        await runtime.services.set_country(802, "FR")  # an English speaker banking in France
        p = Player(standin, 802, "en")
        await p.say("/connect", expect="Search for your bank")
        await p.say("Qonto", expect="Results for")
        await p.press("Qonto", expect="never goes through Pointage")
        await p.press("Continue", expect="I have authorised", timeout=15)
        landed = await Browser().open(p.with_button("I have authorised").button("Qonto"))
        query = landed.split("?", 1)[1]
        since = len(standin.calls)
        assert not await consent.consent_returned(app, "not-a-waiting-state", query)
        assert await consent.consent_returned(app, _param(query, "state"), query)
        await p.wait_for("Choose the accounts", since, timeout=15)
        # a second return of the same address finds no flow waiting any more
        assert not await consent.consent_returned(app, _param(query, "state"), query)
    finally:
        await stop_app(app)


def _param(query: str, name: str) -> str:
    return dict(part.split("=", 1) for part in query.split("&"))[name]


async def test_gocardless_the_consent_is_polled_until_the_bank_says_it_is_done(
    standin: BotApiStandIn,
    tmp_path: Path,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(consent, "POLL_EVERY_S", 0.2)
    today = today_in(clock)
    revolut = next(b for b in KNOWN_FRENCH_BANKS if b.name == "Revolut")
    async with gc.GoCardlessStandIn(clock=clock) as bank:
        seed_gocardless(bank, list(KNOWN_FRENCH_BANKS))
        bank.add_account(gc.BankAccount(gocardless_id(revolut), IBAN, "980.00", "Revolut Business"))
        bank.add_transaction(
            IBAN, gc.transaction("-19.90", today - timedelta(days=2), "FREE MOBILE")
        )
        app = await started(gocardless_settings(bank) | NO_PROVIDER, standin, tmp_path, clock)
        try:
            p = Player(standin, 803, "fr")
            await p.say("/connect", expect="Recherchez votre banque")
            await p.say("Revolut", expect="Résultats pour")
            await p.press("Revolut", expect="autoriser l'accès")
            await p.press("Continuer", expect="Pointage continue tout seul", timeout=15)
            since = len(standin.calls)
            await Browser().open(consent_screen(p).button("Revolut"))
            await p.wait_for("Choisissez les comptes", since, timeout=15)  # nobody pressed
            summary = await choose_and_import(p, "Revolut Business")
            assert "1 opération importée" in summary.replace("\u202f", " ")
            assert await lines_of(app) == ["FREE MOBILE"]
        finally:
            await stop_app(app)


async def test_simplefin_the_setup_token_is_deleted_and_a_used_one_asked_again(
    standin: BotApiStandIn, tmp_path: Path, clock: FixedClock
) -> None:
    today = today_in(clock)
    async with SimpleFinStandIn(clock) as bank:
        user = bank.subscriber()
        checking = user.account(
            user.connection("First Bank"), "Business Checking", balance="2500.00"
        )
        checking.line(
            "t1",
            posted=at(today - timedelta(days=4)),
            amount="-64.20",
            description="OFFICE DEPOT #1234",
        )
        used = bank.setup_token(user)
        fresh = bank.setup_token(user)
        app = await started(simplefin_settings(bank), standin, tmp_path, clock)
        try:
            runtime = app.bot_data["runtime"]
            await runtime.services.meet(804, 804, "en")
            await runtime.services.set_country(804, "US")
            async with httpx.AsyncClient() as client:  # someone claimed this one already
                claim_url = base64.b64decode(used).decode()
                assert (await client.post(claim_url)).status_code == 200
            p = Player(standin, 804, "en")
            await p.say("/connect", expect="Search for your bank")
            await p.say("SimpleFIN", expect="Results for")
            await p.press("SimpleFIN", expect="SimpleFIN setup token")
            await p.press("Continue", expect="Paste your SimpleFIN setup token")
            await p.say(used, expect="already used", timeout=15)
            await p.say(fresh, expect="Choose the accounts", timeout=15)
            for token in (used, fresh):
                assert next(m for m in standin.messages(p.chat_id) if m.text == token).deleted
            await p.press("Business Checking", expect="☑️")
            await p.press("Continue", expect="Account type")
            await p.press("1200", expect="Import period")
            await p.press("90", expect="from")
            await p.press("Connect", expect="imported", timeout=20)
            assert await lines_of(app) == ["OFFICE DEPOT #1234"]
            db = runtime.services.db
            async with db.reading() as uow:
                connections = await uow.session.scalar(select(func.count()).select_from(Connection))
            assert connections == 1
        finally:
            await stop_app(app)
        for path in tmp_path.glob("pointage.db*"):
            assert fresh.encode() not in path.read_bytes()
