"""Long lists of user data page through the real Application: every screen fits Telegram's
100 buttons and a phone's rows, and every item is reachable."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from telegram.ext import Application

from bot.banks.connector import FetchedAccount
from bot.charts import AccountKind
from bot.domain.clock import FixedClock
from bot.domain.states import ReviewState
from bot.i18n import t
from handlers import callbacks as cb
from storage.models import BankAccount, BankTransaction, LedgerAccount, Rule
from tests.support.app import run_app, settings_for, stop_app
from tests.support.botapi import BotApiStandIn, StoredMessage
from tests.support.connecting import connect_all
from tests.support.player import Player

App = Application[Any, Any, Any, Any, Any, Any]
MAX_ROWS = 10
"""About eight rows of items, plus navigation and actions."""
NEXT = t("fr", "btn.next")


@pytest.fixture
async def app(standin: BotApiStandIn, tmp_path: Path, clock: FixedClock) -> AsyncIterator[App]:
    application = await run_app(settings_for(standin, tmp_path, demo_bank_password="demo"), clock)
    yield application
    await stop_app(application)


def services(app: App) -> Any:
    return app.bot_data["runtime"].services


def assert_fits(message: StoredMessage) -> None:
    rows = message.buttons()
    assert sum(len(row) for row in rows) <= 100
    assert len(rows) <= MAX_ROWS, [[label for label, _ in row] for row in rows]
    assert all(len(row) <= 3 for row in rows)
    assert all(len(data.encode()) <= 64 for row in rows for _, data in row)


def pressed(message: StoredMessage, kind: type[cb.Button]) -> list[Any]:
    """The buttons of one kind on a screen, as the codec reads them."""
    found = []
    for row in message.buttons():
        for _, data in row:
            button = cb.parse(data)
            if isinstance(button, kind):
                found.append(button)
    return found


async def every_page(p: Player, first: StoredMessage) -> list[StoredMessage]:
    """The screen, then each next page (pressed through the bot) until the last, as shown
    then: a stored message is live, and later edits show up in it."""
    screens = [replace(first)]
    shown = first
    while any(label == NEXT for row in shown.buttons() for label, _ in row):
        shown = await p.press(NEXT, expect=f"Page {len(screens) + 1}/")
        assert shown.message_id == first.message_id, "a page is drawn in place"
        screens.append(replace(shown))
    for screen in screens:
        assert_fits(screen)
    return screens


async def sign_in(p: Player) -> StoredMessage:
    await p.say("/connect", expect="Recherchez votre banque")
    await p.say("demo", expect="Résultats pour")
    await p.press("Demo", expect="identifiants")
    await p.press("Continuer", expect="Identifiant")
    await p.say("demo", expect="Mot de passe")
    p.send("demo")
    await p.wait_for("Code de sécurité", 0, 10)
    return await p.say("123456", expect="Choisissez les comptes")


async def test_connect_finishes_with_120_ledger_accounts_in_the_chart(
    app: App, standin: BotApiStandIn
) -> None:
    user = 901
    await services(app).meet(user, user, "fr")
    for n in range(120):
        await services(app).add_bank_ledger_account(user, f"Banque {n:03}")
    options = await services(app).bank_ledger_accounts(user)
    assert len(options) > 120
    p = Player(standin, user, "fr")
    await sign_in(p)
    await p.press("Compte courant", expect="☑️")
    first = await p.press("Continuer", expect="Type de compte")
    screens = await every_page(p, first)
    offered = [b.ledger for s in screens for b in pressed(s, cb.PickLedger)]
    assert sorted(offered) == sorted(o.id for o in options), "each one once, on some page"
    assert len(screens) == -(-len(options) // 16)
    last = options[-1]
    last_page = standin.message(p.chat_id, first.message_id)
    data = next(
        d for row in last_page.buttons() for label, d in row if label.startswith(last.code + " ")
    )
    since = len(standin.calls)
    standin.press(p.user, last_page.message_id, data)
    await p.wait_for("Période d'importation", since, 10)
    await p.press("90", expect="depuis le")
    done = await p.press("Connecter", expect="opérations importées", timeout=20)
    assert last.label in (done.text or "")
    async with services(app).db.reading() as uow:
        linked = await uow.session.scalar(select(BankAccount.ledger_account_id))
    assert linked == last.id


async def test_a_page_out_of_range_shows_the_last_one(app: App, standin: BotApiStandIn) -> None:
    user = 902
    await services(app).meet(user, user, "fr")
    for n in range(20):
        await services(app).add_bank_ledger_account(user, f"Banque {n:03}")
    p = Player(standin, user, "fr")
    await sign_in(p)
    await p.press("Compte courant", expect="☑️")
    first = await p.press("Continuer", expect="Type de compte")
    count = -(-len(await services(app).bank_ledger_accounts(user)) // 16)
    assert count > 1
    flow = app.bot_data["runtime"].flows.get(user)
    since = len(standin.calls)
    standin.press(p.user, first.message_id, cb.LedgerPage(flow.flow_id, 0, 99_999).pack())
    shown = await p.wait_for(f"Page {count}/{count}", since, 10)
    assert pressed(shown, cb.PickLedger) and not any(NEXT in str(row) for row in shown.buttons())


async def test_many_accounts_at_the_bank_are_ticked_page_by_page(
    app: App, standin: BotApiStandIn
) -> None:
    """The demo bank has three accounts: the flow is given forty (as a big bank lists them)."""
    user = 903
    p = Player(standin, user, "fr")
    await sign_in(p)
    flow = app.bot_data["runtime"].flows.get(user)
    real = flow.accounts[0]
    flow.accounts = [
        real,
        *(replace(real, external_id=f"x-{n}", name=f"Compte {n:02}") for n in range(1, 40)),
    ]
    assert all(isinstance(a, FetchedAccount) for a in flow.accounts)
    first = await p.press("Compte courant", expect="☑️")
    screens = await every_page(p, first)
    toggles = [b.index for s in screens for b in pressed(s, cb.ToggleAccount)]
    assert toggles == list(range(40))
    shown = await p.press("Compte 39", expect="2 cochés")
    assert flow.selected == [0, 39]
    assert "☑️ 40. Compte 39" in str(shown.buttons()) and "Page 5/5" in (shown.text or "")


async def test_many_rules_page_and_a_toggle_redraws_its_own_page(
    app: App, standin: BotApiStandIn
) -> None:
    user = 904
    book = (await services(app).meet(user, user, "fr")).book_id
    async with services(app).db.writing() as uow:
        account = await uow.session.scalar(
            select(LedgerAccount.id).where(
                LedgerAccount.book_id == book, LedgerAccount.code == "626"
            )
        )
        assert account is not None
        for n in range(30):
            await uow.rules.add(Rule(book_id=book, payee=f"PAYEE {n:02}", account_id=account))
        await uow.commit()
    p = Player(standin, user, "fr")
    first = await p.say("/rules", expect="Vos règles")
    screens = await every_page(p, first)
    assert len(screens) == 4
    listed = [b.rule for s in screens for b in pressed(s, cb.ToggleRule)]
    async with services(app).db.reading() as uow:
        ids = list(await uow.session.scalars(select(Rule.id).order_by(Rule.position, Rule.id)))
    assert listed == ids
    assert "29. PAYEE 28" in (screens[-1].text or "")
    await p.press(t("fr", "btn.prev"), expect="Page 3/4")
    shown = await p.press("17 ⏸", expect="17 ▶️ Activer")
    assert "Page 3/4" in (shown.text or "") and "PAYEE 16 → " in (shown.text or "")


async def test_many_connections_page_in_accounts_credentials_and_disconnect(
    app: App, standin: BotApiStandIn
) -> None:
    user = 905
    connections = [
        await connect_all(services(app), user, date(2026, 11, 1), institution=f"demo-{n}")
        for n in range(18)
    ]
    p = Player(standin, user, "fr")
    overview = await p.say("/accounts", expect="vos comptes connectés")
    cards = await every_page(p, overview)
    refreshed = [b.connection for s in cards for b in pressed(s, cb.RefreshConnection)]
    assert [c for c in refreshed if c] == connections
    assert all(cb.RefreshAll() in pressed(s, cb.RefreshAll) for s in cards)
    assert "18. " in (cards[-1].text or "")
    for command, kind in (("/credentials", cb.UpdateSignIn), ("/disconnect", cb.AskDisconnect)):
        question = await p.say(command, expect="quelle banque")
        asked = await every_page(p, question)
        assert len(asked) == 3
        assert [b.connection for s in asked for b in pressed(s, kind)] == connections
        assert all(pressed(s, cb.KeepAsIs) for s in asked)
        await p.say("/cancel", expect="annul")


async def test_a_picker_search_with_many_hits_pages_through_all_of_them(
    app: App, standin: BotApiStandIn
) -> None:
    user = 906
    connection = await connect_all(services(app), user, date(2026, 11, 1))
    await services(app).import_connection(user, connection)
    book = (await services(app).meet(user, user, "fr")).book_id
    async with services(app).db.writing() as uow:
        for n in range(30):
            await uow.ledger.add(
                LedgerAccount(
                    book_id=book, code=f"6288{n:02}", name=f"Zèbre {n}", kind=AccountKind.EXPENSE
                )
            )
        await uow.commit()
    async with services(app).db.reading() as uow:
        zebras = set(
            await uow.session.scalars(
                select(LedgerAccount.id).where(LedgerAccount.name.like("Z%bre %"))
            )
        )
    assert len(zebras) == 30
    p = Player(standin, user, "fr")
    digest = await p.say("/review", expect="À passer en revue")
    data = next(d for row in digest.buttons() for label, d in row if "✏️" in label)
    line = cb.parse_as(data, cb.ChangeLine).line
    since = len(standin.calls)
    standin.press(p.user, digest.message_id, data)
    await p.wait_for("Catégorie (compte)", since, 10)
    await p.press("Rechercher", expect="quelques lettres")
    found = await p.say("zebre", expect="Page 1/4")
    screens = await every_page(p, found)
    offered = [b.account for s in screens for b in pressed(s, cb.FileUnder)]
    assert len(offered) == 30 and set(offered) == zebras
    await p.press(t("fr", "btn.prev"), expect="Page 3/4")
    await p.press("Zèbre 2", expect="")
    async with services(app).db.reading() as uow:
        filed = await uow.session.get(BankTransaction, line)
    assert filed is not None and filed.review_state == ReviewState.ACCEPTED
    assert filed.suggested_account_id in zebras
