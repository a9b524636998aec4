"""Rigs for the sign-in through each provider's stand-in, no Telegram: a stand-in, its connector
and its bank, and the walk through the one sign-in machine (tests/services/test_sign_in_providers.py
and test_provider_sync.py)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, ClassVar, Protocol

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select

from bot.banks.connector import Connector, ConnectorRegistry
from bot.banks.directory.institution import Institution
from bot.banks.directory.search import Directory
from bot.banks.enablebanking import EnableBanking
from bot.banks.gocardless import GoCardlessConnector
from bot.banks.simplefin import SimpleFin
from bot.domain.clock import FixedClock, today_in
from bot.domain.secret import Secret
from bot.services.connect import Services
from bot.services.connect_flow import ConnectFlow, FlowStore, Step
from bot.services.connections import Connections
from bot.services.sign_in import (
    Ask,
    ChooseAccounts,
    ChooseLedger,
    ChoosePeriod,
    Confirm,
    Connected,
    Consent,
    Next,
    Prompt,
    SignIn,
)
from storage.models import BankAccount, BankTransaction, Connection
from storage.uow import Database
from storage.vault import KeyRing, Vault
from tests.support.connecting import ALICE
from tests.support.providers import enablebanking as eb
from tests.support.providers import gocardless as gc
from tests.support.providers import simplefin as sf

PROVIDERS = ["enablebanking", "gocardless", "simplefin"]
LANDING = "https://pointage.test/consent"
"""Where the banks send the user back; answered in-process (pointage.test is no real host)."""
EB_APP_ID = "5f6b2a1c-0d3e-4f59-9a7b-8c1d2e3f4a5b"
IBAN = "FR7630006000011234567890189"


# --- lines seeded into a stand-in, whatever its format ------------------------------------------


@dataclass(frozen=True)
class Seed:
    """One line at the bank: a signed amount ("-12.30"), its day and label; `ref` is the bank's
    own id of the line, None when the provider gives it none (an id is then derived)."""

    amount: str
    day: date
    label: str
    pending: bool = False
    ref: str | None = None


class Rig(Protocol):
    """A provider's stand-in with one bank holding one account, and its connector."""

    name: str
    polls: ClassVar[bool]
    """The machine asks the provider whether the consent is done (no landing to paste)."""

    @property
    def connector(self) -> Connector: ...

    @property
    def institution(self) -> Institution: ...

    async def authorize(self, machine: SignIn, flow: ConnectFlow) -> Next:
        """The provider's part of the sign-in, from the bank screen: what the machine shows
        once the bank has let us in (the accounts)."""
        ...

    def add(self, seed: Seed) -> object:
        """Put the line at the bank; what `remove` takes."""
        ...

    def remove(self, handle: object) -> None: ...

    def set_balance(self, amount: str) -> None: ...

    def hang_transactions(self) -> None:
        """Calls for the account's lines get no answer (the account list still does)."""
        ...

    def hang(self) -> None:
        """No call gets an answer."""
        ...

    def release(self) -> None:
        """Calls are answered again."""
        ...

    def secrets(self, authorized: Secret) -> list[str]:
        """What must never be stored in clear: session ids, requisitions, access URLs."""
        ...


class Browser:
    """httpx as the user's browser: opens a consent link and follows the bank's redirects to our
    landing address, which it answers itself."""

    def __init__(self) -> None:
        self.landed: list[str] = []

    def _landing(self, request: httpx.Request) -> httpx.Response:
        self.landed.append(str(request.url))
        return httpx.Response(200, text="Vous pouvez revenir dans Telegram")

    async def open(self, link: str) -> str:
        mounts = {"https://pointage.test": httpx.MockTransport(self._landing)}
        async with httpx.AsyncClient(follow_redirects=True, mounts=mounts) as client:
            response = await client.get(link)
        response.raise_for_status()
        return str(response.url)


async def no_wait(seconds: float) -> None:
    return None


def key_pem(key: rsa.RSAPrivateKey) -> Secret:
    text = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return Secret(text)


def _unsigned(amount: str) -> str:
    return amount.removeprefix("-")


@dataclass
class EnableBankingRig:
    bank: eb.EnableBankingStandIn
    account: eb.StandInAccount
    connector: EnableBanking
    history_days: int
    name: str = "enablebanking"
    polls: ClassVar[bool] = False

    @property
    def institution(self) -> Institution:
        return Institution(
            "eb-exemple",
            "Banque Exemple",
            "FR",
            "EXMPFRPP",
            self.name,
            self.history_days,
            None,
            provider_id="FR:Banque Exemple",
        )

    async def authorize(self, machine: SignIn, flow: ConnectFlow) -> Next:
        consent = await machine.open_consent(flow)
        assert isinstance(consent, Consent) and consent.paste and not consent.waiting
        assert flow.step is Step.CONSENT
        assert await machine.code(flow, "") == Consent(consent.link, waiting=True, paste=True)
        landed = await Browser().open(consent.link)
        assert landed.startswith(LANDING) and "code=" in landed
        return await machine.code(flow, landed)

    def add(self, seed: Seed) -> object:
        day = "transaction_date" if seed.pending else "booking_date"
        fields: dict[str, Any] = {
            "status": "PDNG" if seed.pending else "BOOK",
            day: seed.day.isoformat(),
            "remittance_information": [seed.label],
        }
        if seed.ref is not None:
            fields["entry_reference"] = seed.ref
        indicator = "DBIT" if seed.amount.startswith("-") else "CRDT"
        row = eb.transaction(_unsigned(seed.amount), indicator, **fields)
        self.account.transactions.append(row)
        return row

    def remove(self, handle: object) -> None:
        self.account.transactions.remove(handle)  # type: ignore[arg-type]

    def set_balance(self, amount: str) -> None:
        self.account.balances = [("CLBD", amount)]

    def hang_transactions(self) -> None:
        self.bank.hang("GET /accounts/{account_id}/transactions")

    def hang(self) -> None:
        self.bank.hang()

    def release(self) -> None:
        self.bank.release()

    def secrets(self, authorized: Secret) -> list[str]:
        return list(self.bank.sessions)


@dataclass
class GoCardlessRig:
    bank: gc.GoCardlessStandIn
    account: gc.BankAccount
    connector: GoCardlessConnector
    history_days: int
    name: str = "gocardless"
    polls: ClassVar[bool] = True

    @property
    def institution(self) -> Institution:
        return Institution(
            "gc-sandbox",
            "Sandbox Finance",
            "FR",
            "SFIN0000",
            self.name,
            self.history_days,
            None,
            provider_id="SANDBOXFINANCE_SFIN0000",
        )

    async def authorize(self, machine: SignIn, flow: ConnectFlow) -> Next:
        consent = await machine.open_consent(flow)
        assert isinstance(consent, Consent) and not consent.paste and not consent.waiting
        assert await machine.code(flow, "") == Consent(consent.link, waiting=True)
        await Browser().open(consent.link)
        return await machine.code(flow, "")  # polled: the bot is never told

    def add(self, seed: Seed) -> object:
        extra = {} if seed.ref is None else {"transactionId": seed.ref}
        entry = gc.transaction(seed.amount, seed.day, seed.label, **extra)
        (self.account.pending if seed.pending else self.account.booked).append(entry)
        return entry

    def remove(self, handle: object) -> None:
        for kept in (self.account.booked, self.account.pending):
            if handle in kept:
                kept.remove(handle)

    def set_balance(self, amount: str) -> None:
        self.account.balance = amount

    def hang_transactions(self) -> None:
        self.bank.hang("/transactions/")

    def hang(self) -> None:
        self.bank.hang()

    def release(self) -> None:
        self.bank.release()

    def secrets(self, authorized: Secret) -> list[str]:
        requisitions = list(self.bank.requisitions.values())
        return [r.id for r in requisitions] + [r.agreement for r in requisitions]


@dataclass
class SimpleFinRig:
    bank: sf.SimpleFinStandIn
    user: sf.Subscriber
    account: sf.Account
    connector: SimpleFin
    history_days: int
    name: str = "simplefin"
    polls: ClassVar[bool] = False
    tokens: list[str] = field(default_factory=list)
    _ids: Iterator[int] = field(default_factory=itertools.count)

    @property
    def institution(self) -> Institution:
        return Institution(
            "simplefin", "SimpleFIN Bridge", "US", None, self.name, self.history_days, None
        )

    async def authorize(self, machine: SignIn, flow: ConnectFlow) -> Next:
        assert machine.by_setup_token(flow) and not machine.by_consent(flow)
        assert machine.ask_setup_token(flow) == Ask(Prompt.SETUP_TOKEN)
        refused = await machine.password(flow, Secret("not a setup token"))
        assert refused == Ask(Prompt.BAD_SETUP_TOKEN) and flow.step is Step.PASSWORD
        return await machine.password(flow, Secret(self.setup_token()))

    def setup_token(self) -> str:
        token = self.bank.setup_token(self.user)
        self.tokens.append(token)
        return token

    def add(self, seed: Seed) -> object:
        posted = 0 if seed.pending else sf.at(seed.day)
        return self.account.line(
            seed.ref or f"TRN-{next(self._ids)}",
            posted=posted,
            transacted_at=sf.at(seed.day),
            amount=seed.amount,
            description=seed.label,
            pending=seed.pending,
        )

    def remove(self, handle: object) -> None:
        self.account.lines.remove(handle)  # type: ignore[arg-type]

    def set_balance(self, amount: str) -> None:
        self.account.balance = amount

    def hang_transactions(self) -> None:
        self.bank.hang = True  # one request answers for accounts and lines alike

    def hang(self) -> None:
        self.bank.hang = True

    def release(self) -> None:
        self.bank.hang = False  # requests left hanging end with the stand-in

    def secrets(self, authorized: Secret) -> list[str]:
        userinfo = authorized.reveal().split("://", 1)[1].split("@", 1)[0]
        return [*userinfo.split(":", 1), *self.tokens]


@asynccontextmanager
async def open_rig(
    name: str, clock: FixedClock, key: rsa.RSAPrivateKey, *, history_days: int = 730
) -> AsyncIterator[Rig]:
    """The provider's stand-in with one bank keeping `history_days` of lines (SimpleFIN's
    bridge keeps its own 90), and a connector to it, closed at the end."""
    if name == "enablebanking":
        async with eb.EnableBankingStandIn(
            key.public_key(), EB_APP_ID, redirect_urls=[LANDING], clock=clock
        ) as bank:
            bank.add_aspsp("Banque Exemple", "FR", bic="EXMPFRPP")
            account = bank.add_account(
                "Banque Exemple",
                "FR",
                eb.StandInAccount(IBAN, details="Compte courant", balances=[("CLBD", "1500.00")]),
            )
            signed = EnableBanking(
                application_id=EB_APP_ID,
                private_key=key_pem(key),
                redirect_url=LANDING,
                clock=clock,
                base_url=bank.url,
                timeout=5.0,
                sleep=no_wait,
            )
            try:
                yield EnableBankingRig(bank, account, signed, history_days)
            finally:
                await signed.aclose()
    elif name == "gocardless":
        async with gc.GoCardlessStandIn(clock=clock) as stand_in:
            stand_in.add_institution(
                "SANDBOXFINANCE_SFIN0000",
                "Sandbox Finance",
                bic="SFIN0000",
                transaction_total_days=history_days,
            )
            held = stand_in.add_account(
                gc.BankAccount("SANDBOXFINANCE_SFIN0000", IBAN, "1500.00", name="Compte courant")
            )
            connector = GoCardlessConnector(
                secret_id=Secret(gc.SECRET_ID),
                secret_key=Secret(gc.SECRET_KEY),
                redirect_url=f"{LANDING}/gocardless",
                clock=clock,
                base_url=stand_in.url,
                timeout=5.0,
                user_language="fr",
                sleep=no_wait,
            )
            try:
                yield GoCardlessRig(stand_in, held, connector, history_days)
            finally:
                await connector.aclose()
    else:
        async with sf.SimpleFinStandIn(clock) as bridge:
            user = bridge.subscriber()
            checking = user.account(
                user.connection("First Bank"),
                "Everyday Checking",
                id="ACT-CHK",
                balance="1500.00",
            )
            simplefin = SimpleFin(
                clock, bridge_url=bridge.url, allow_http=True, timeout=5.0, sleep=no_wait
            )
            try:
                yield SimpleFinRig(bridge, user, checking, simplefin, min(history_days, 90))
            finally:
                await simplefin.aclose()


def services_for(db: Database, clock: FixedClock, directory: Directory, rig: Rig) -> Services:
    ring = KeyRing.parse("k1:" + "A" * 43 + "=")
    return Services(db, Vault(ring), ConnectorRegistry([rig.connector]), directory, clock)


async def at_the_bank(machine: SignIn, services: Services, rig: Rig) -> ConnectFlow:
    """A /connect of Alice with the rig's bank picked (the directory does not know it)."""
    await services.meet(ALICE, ALICE, "fr")
    flow = machine.begin(ALICE, rig.institution.country, ALICE)
    flow.institution = rig.institution
    flow.step = Step.BANK
    return flow


async def choose_period(machine: SignIn, services: Services, flow: ConnectFlow) -> ChoosePeriod:
    """The bank's one account ticked and fed into 512."""
    assert await machine.toggle(flow, 0, 0) == ChooseAccounts()
    ledger = await machine.accounts_chosen(flow)
    assert isinstance(ledger, ChooseLedger) and ledger.index == 0
    bank_512 = next(o for o in ledger.options if o.code == "512")
    periods = await machine.pick_ledger(flow, 0, bank_512.id)
    assert isinstance(periods, ChoosePeriod) and flow.step is Step.PERIOD
    return periods


async def connect_through(
    machine: SignIn, services: Services, rig: Rig, period: str = "d90"
) -> tuple[Connected, Secret]:
    """The whole walk to a stored connection; the connection and the secret it holds."""
    flow = await at_the_bank(machine, services, rig)
    accounts = await rig.authorize(machine, flow)
    assert accounts == ChooseAccounts() and flow.step is Step.ACCOUNTS
    assert len(flow.accounts) == 1 and flow.authorized is not None
    authorized = flow.authorized.secret
    await choose_period(machine, services, flow)
    confirm = await machine.pick_period(flow, period)
    assert isinstance(confirm, Confirm)
    done = await machine.confirm(flow)
    assert isinstance(done, Connected) and machine.flows.get(ALICE) is None
    return done, authorized


def sign_in_machine(services: Services) -> SignIn:
    return SignIn(services, Connections(services), FlowStore())


async def lines_of(db: Database, connection_id: int) -> list[BankTransaction]:
    """The connection's stored lines, every state included, oldest first."""
    async with db.reading() as uow:
        rows = await uow.session.scalars(
            select(BankTransaction)
            .join(BankAccount, BankAccount.id == BankTransaction.bank_account_id)
            .where(BankAccount.connection_id == connection_id)
            .order_by(BankTransaction.booking_date, BankTransaction.id)
        )
        return list(rows.all())


async def connection_row(db: Database, connection_id: int) -> Connection:
    async with db.reading() as uow:
        found = await uow.connections.get(connection_id)
    assert found is not None
    return found


def database_bytes(db: Database) -> bytes:
    """The SQLite file and its WAL, as they are on disk."""
    path = Path(str(db.engine.url.database))
    return b"".join(p.read_bytes() for p in path.parent.glob(f"{path.name}*"))


def days_ago(clock: FixedClock, days: int) -> date:
    return today_in(clock) - timedelta(days=days)


# --- the walks ----------------------------------------------------------------------------------
