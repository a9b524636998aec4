"""Signing in to the demo bank and connecting it through the services: no Telegram."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bot.banks.connector import Authorized, Challenge, FetchedAccount
from bot.banks.demo.signin import DEMO_PASSWORD
from bot.domain.secret import Secret
from bot.services.connect import AccountChoice, ConnectRequest, Services

ALICE, BOB = 1001, 2002
PASSWORD = DEMO_PASSWORD
CODE = "123456"
START = date(2026, 11, 1)
"""Where the imports of `connect_as` start."""


async def sign_in(
    services: Services, password: str = PASSWORD, code: str = CODE
) -> tuple[Authorized, list[FetchedAccount]]:
    demo = services.directory.get("demo")
    assert demo is not None
    step = await services.login(demo, Secret("demo"), Secret(password))
    assert isinstance(step, Challenge)
    done = await services.answer_challenge(demo, step, code)
    assert isinstance(done, Authorized)
    return done, await services.bank_accounts_at(demo, done)


async def connect_all(
    services: Services,
    telegram_id: int,
    start: date,
    password: str = PASSWORD,
    code: str = CODE,
    *,
    institution: str = "demo",
) -> int:
    """A connection feeding every demo account; another `institution` id stands for another
    bank (the demo's accounts there are other accounts: a book feeds each from one place)."""
    await services.meet(telegram_id, telegram_id, "fr")
    authorized, accounts = await sign_in(services, password, code)
    bank = next(a for a in await services.bank_ledger_accounts(telegram_id) if a.code == "512")
    demo = services.directory.get("demo")
    assert demo is not None
    request = ConnectRequest(
        replace(demo, id=institution),
        authorized,
        tuple(AccountChoice(a, bank.id) for a in accounts),
        start,
    )
    connection = await services.connect(telegram_id, request)
    return connection.id


async def connect_as(services: Services, telegram_id: int, username: str) -> int:
    """A connection signed in as one of the demo bank's personas (same accounts as `demo`)."""
    await services.meet(telegram_id, telegram_id, "fr")
    demo = services.directory.get("demo")
    assert demo is not None
    step = await services.login(demo, Secret(username), Secret("demo"))
    assert isinstance(step, Challenge)
    persona = await services.answer_challenge(demo, step, "123456")
    assert isinstance(persona, Authorized)
    _, accounts = await sign_in(services)
    bank_ledger = next(
        a for a in await services.bank_ledger_accounts(telegram_id) if a.code == "512"
    )
    request = ConnectRequest(
        demo, persona, tuple(AccountChoice(a, bank_ledger.id) for a in accounts), START
    )
    return (await services.connect(telegram_id, request)).id
