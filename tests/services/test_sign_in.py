"""The one sign-in flow without Telegram: /connect and /credentials through the same steps,
against the demo bank and a real database."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from bot.banks.connector import AccountType, Challenge, ChallengeKind, FetchedAccount
from bot.banks.directory.institution import Institution
from bot.domain.money import Money
from bot.domain.secret import Secret
from bot.domain.states import ConnectionStatus
from bot.services.connect import Services
from bot.services.connect_flow import ConnectFlow, FlowStore, Purpose, Step
from bot.services.connections import Connections
from bot.services.sign_in import (
    Ask,
    Bank,
    ChooseAccounts,
    ChooseLedger,
    ChoosePeriod,
    Confirm,
    Connected,
    Failed,
    Prompt,
    Renewed,
    SignIn,
    Unavailable,
)
from storage.uow import Database
from storage.vault import KeyRing, Vault
from tests.support.connecting import ALICE, CODE, PASSWORD, START, connect_all

pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture
def machine(services: Services) -> SignIn:
    return SignIn(services, Connections(services), FlowStore())


def at(flow: ConnectFlow) -> Step:
    """The flow's step now (a call, so that the type checker reads it afresh each time)."""
    return flow.step


async def signed_in(machine: SignIn, flow: ConnectFlow, message_id: int = 100) -> object:
    """Username, password and code at the demo bank; what comes after them."""
    assert machine.username(flow, Secret("demo"), message_id) == Ask(Prompt.PASSWORD)
    step = await machine.password(flow, Secret(PASSWORD))
    assert isinstance(step, Ask) and step.prompt is Prompt.CODE and at(flow) is Step.CODE
    return await machine.code(flow, CODE)


async def at_the_bank(machine: SignIn, services: Services) -> tuple[ConnectFlow, Bank]:
    await services.meet(ALICE, ALICE, "fr")
    flow = machine.begin(ALICE, "FR", ALICE)
    bank = await machine.pick_bank(flow, "demo")
    assert isinstance(bank, Bank) and at(flow) is Step.BANK
    assert machine.ask_username(flow) == Ask(Prompt.USERNAME)
    return flow, bank


async def secret_of(db: Database, connection_id: int) -> bytes | None:
    async with db.reading() as uow:
        connection = await uow.connections.get(connection_id)
    assert connection is not None
    return connection.secret_blob


async def test_a_new_connection_walks_every_step_to_the_confirmation(
    machine: SignIn, services: Services
) -> None:
    flow, bank = await at_the_bank(machine, services)
    assert bank.existing is None
    accounts = await signed_in(machine, flow)
    assert accounts == ChooseAccounts() and at(flow) is Step.ACCOUNTS and flow.username is None
    assert await machine.accounts_chosen(flow) is None  # nothing ticked yet
    assert await machine.toggle(flow, 0, 0) == ChooseAccounts()
    ledger = await machine.accounts_chosen(flow)
    assert isinstance(ledger, ChooseLedger) and ledger.current is None and ledger.index == 0
    bank_512 = next(o for o in ledger.options if o.code == "512")
    period = await machine.pick_ledger(flow, 0, bank_512.id)
    assert isinstance(period, ChoosePeriod) and at(flow) is Step.PERIOD
    confirm = await machine.pick_period(flow, period.choices[0].key)
    assert isinstance(confirm, Confirm) and at(flow) is Step.CONFIRM
    assert confirm.start == period.choices[0].start(services.today(), 90)
    done = await machine.confirm(flow)
    assert isinstance(done, Connected) and machine.flows.get(ALICE) is None
    summary = await services.import_connection(ALICE, done.connection_id)
    assert [a.ledger.code for a in summary.accounts] == ["512"]


async def test_wrong_password_asks_again_and_a_bank_down_waits_on_the_bank(
    machine: SignIn, services: Services
) -> None:
    flow, _ = await at_the_bank(machine, services)
    machine.username(flow, Secret("demo"), 1)
    refused = await machine.password(flow, Secret("not-it"))
    assert refused == Ask(Prompt.BAD_CREDENTIALS) and at(flow) is Step.USERNAME
    assert flow.username is None
    machine.username(flow, Secret("demo-down"), 2)
    assert await machine.password(flow, Secret(PASSWORD)) == Unavailable()
    assert at(flow) is Step.BANK and machine.flows.is_current(flow)
    machine.ask_username(flow)
    machine.username(flow, Secret("demo-locked"), 3)
    assert await machine.password(flow, Secret(PASSWORD)) == Failed("account_locked")
    assert machine.flows.get(ALICE) is None


async def test_a_wrong_code_asks_for_the_code_again(machine: SignIn, services: Services) -> None:
    flow, _ = await at_the_bank(machine, services)
    machine.username(flow, Secret("demo"), 1)
    await machine.password(flow, Secret(PASSWORD))
    again = await machine.code(flow, "000000")
    assert isinstance(again, Ask) and again.prompt is Prompt.WRONG_CODE
    assert at(flow) is Step.CODE and flow.challenge is not None


async def test_a_bank_already_connected_is_offered_again_never_twice(
    machine: SignIn, services: Services, db: Database
) -> None:
    connection_id = await connect_all(services, ALICE, START)
    flow = machine.begin(ALICE, "FR", ALICE)
    bank = await machine.pick_bank(flow, "demo")
    assert isinstance(bank, Bank) and bank.existing is not None
    assert bank.existing.id == connection_id and len(bank.existing.bank_account_ids) == 3
    assert await machine.choose_purpose(flow, Purpose.ADD_ACCOUNTS)
    assert (flow.purpose, flow.connection_id) == (Purpose.ADD_ACCOUNTS, connection_id)
    machine.ask_username(flow)
    accounts = await signed_in(machine, flow)
    assert accounts == ChooseAccounts(0, frozenset({0, 1, 2}))  # all three already fed
    assert await machine.toggle(flow, 0, 0) is None and flow.selected == []


async def test_adding_accounts_keeps_one_connection(
    machine: SignIn, services: Services, db: Database
) -> None:
    """Accounts added to a connection land in it, with the new secret; no twin is made."""
    await services.meet(ALICE, ALICE, "fr")
    ledger = next(a for a in await services.bank_ledger_accounts(ALICE) if a.code == "512")
    flow, _ = await at_the_bank(machine, services)
    await signed_in(machine, flow)
    await machine.toggle(flow, 0, 0)
    await machine.accounts_chosen(flow)
    await machine.pick_ledger(flow, 0, ledger.id)
    periods = await machine.pick_period(flow, "d90")
    assert isinstance(periods, Confirm)
    first = await machine.confirm(flow)
    assert isinstance(first, Connected)
    before = await secret_of(db, first.connection_id)

    flow = machine.begin(ALICE, "FR", ALICE)
    await machine.pick_bank(flow, "demo")
    await machine.choose_purpose(flow, Purpose.ADD_ACCOUNTS)
    machine.ask_username(flow)
    assert await signed_in(machine, flow) == ChooseAccounts(0, frozenset({0}))
    await machine.toggle(flow, 1, 0)
    step = await machine.accounts_chosen(flow)
    assert isinstance(step, ChooseLedger) and step.index == 1
    await machine.pick_ledger(flow, 1, ledger.id)
    await machine.pick_period(flow, "d90")
    added = await machine.confirm(flow)
    assert isinstance(added, Connected) and added.connection_id == first.connection_id
    assert await secret_of(db, first.connection_id) not in (None, before)
    overview = await Connections(services).overview(ALICE)
    assert [len(c.accounts) for c in overview.connections] == [2]


async def test_a_reconnected_account_offers_its_ledger_account_first(
    machine: SignIn, services: Services
) -> None:
    connection_id = await connect_all(services, ALICE, START)
    await Connections(services).disconnect(ALICE, connection_id)
    flow = machine.begin(ALICE, "FR", ALICE)
    bank = await machine.pick_bank(flow, "demo")
    assert isinstance(bank, Bank) and bank.existing is None  # disconnected: a new connection
    machine.ask_username(flow)
    await signed_in(machine, flow)
    await machine.toggle(flow, 0, 0)
    step = await machine.accounts_chosen(flow)
    assert isinstance(step, ChooseLedger)
    assert step.current is not None and step.current.code == "512"


async def test_connecting_the_same_accounts_again_cuts_the_emptied_connection(
    services: Services, db: Database
) -> None:
    """Never a connection holding a secret and no accounts: the one they left is cut."""
    first = await connect_all(services, ALICE, START)
    second = await connect_all(services, ALICE, START)
    async with db.reading() as uow:
        old = await uow.connections.get(first)
        new = await uow.connections.get(second)
    assert old is not None and new is not None
    assert old.status == ConnectionStatus.DISCONNECTED and old.secret_blob is None
    assert new.status == ConnectionStatus.ACTIVE and new.secret_blob is not None


async def test_renewing_replaces_the_secret_of_the_same_connection(
    machine: SignIn, services: Services, db: Database
) -> None:
    connection_id = await connect_all(services, ALICE, START)
    before = await secret_of(db, connection_id)
    flow = await machine.renew(ALICE, ALICE, connection_id)
    assert flow.purpose is Purpose.RENEW and not machine.by_consent(flow)
    machine.ask_username(flow)
    done = await signed_in(machine, flow)
    assert done == Renewed("Demo Bank", connection_id) and machine.flows.get(ALICE) is None
    assert await secret_of(db, connection_id) not in (None, before)


async def test_a_restart_asks_to_sign_in_again_then_returns_to_the_step(
    machine: SignIn, services: Services
) -> None:
    flow, _ = await at_the_bank(machine, services)
    await signed_in(machine, flow)
    await machine.toggle(flow, 0, 0)
    await machine.accounts_chosen(flow)
    restored = ConnectFlow.from_record(flow.record(), services.directory.get)
    assert restored is not None
    restored.after_restart()
    machine.flows._flows[ALICE] = restored
    assert at(restored) is Step.USERNAME and restored.resume_step is Step.LEDGER
    restored.restart_notice_id = 10
    typed_before = machine.username(restored, Secret("hunter2"), 9)  # meant for the lost step
    assert typed_before == Ask(Prompt.RESTARTED) and restored.username is None
    restored.restart_notice_id = 10
    back = await signed_in(machine, restored)
    assert isinstance(back, ChooseLedger) and back.index == 0 and restored.selected == [0]


def test_a_flow_record_keeps_what_it_renews_and_no_secret() -> None:
    flow = ConnectFlow(ALICE, "FR", purpose=Purpose.RENEW, connection_id=7)
    flow.username = Secret("alice-at-the-bank")
    flow.accounts = [
        FetchedAccount("x", "Compte", AccountType.CHECKING, None, "EUR", Money(0, "EUR"))
    ]
    record = flow.record()
    assert (record["purpose"], record["connection"]) == (2, 7)
    assert "alice-at-the-bank" not in str(record)
    old = {k: v for k, v in record.items() if k not in ("purpose", "connection")}
    kept = ConnectFlow.from_record(old, lambda _id: None)
    assert kept is not None and kept.purpose is Purpose.CONNECT  # a record from before


def test_a_flow_waiting_at_a_consent_still_waits_after_a_restart() -> None:
    """A consent link's challenge holds no credential: it is kept, and the flow resumes
    waiting at the same consent (the bank's return or a poll still finds it)."""
    bank = Institution("fr-qonto", "Qonto", "FR", None, "enablebanking", 90, None, "FR:Qonto")
    flow = ConnectFlow(ALICE, "FR", institution=bank, step=Step.CONSENT)
    flow.challenge = Challenge(
        ChallengeKind.LINK, Secret('{"state":"st-1"}'), link="https://bank/x", reference="st-1"
    )
    store = FlowStore()
    restored = ConnectFlow.from_record(flow.record(), {bank.id: bank}.get)
    assert restored is not None
    restored.after_restart()
    assert at(restored) is Step.CONSENT and not restored.relogin
    assert restored.challenge == flow.challenge
    store._flows[ALICE] = restored
    assert store.waiting_for("st-1") is restored and store.waiting_for("st-2") is None


def test_a_code_challenge_is_never_kept_on_the_shelf() -> None:
    flow = ConnectFlow(ALICE, "FR", step=Step.CODE)
    flow.challenge = Challenge(ChallengeKind.CODE, Secret("demo-login:alice"), hint="SMS")
    record = flow.record()
    assert record["consent"] is None and "demo-login:alice" not in str(record)


class MemoryShelf:
    def __init__(self) -> None:
        self.kept: dict[str, dict[str, Any]] = {}

    async def put(self, key: str, data: Mapping[str, Any]) -> None:
        self.kept[key] = json.loads(json.dumps(data))  # as the database keeps it: JSON

    async def remove(self, key: str) -> None:
        self.kept.pop(key, None)

    async def all(self) -> dict[str, dict[str, Any]]:
        return dict(self.kept)


@pytest.mark.parametrize("sealed", [True, False])
async def test_a_kept_consent_is_sealed_on_the_shelf_and_opened_at_restart(sealed: bool) -> None:
    bank = Institution("fr-qonto", "Qonto", "FR", None, "gocardless", 90, None, "QONTO_QNTOFRP1")
    vault = Vault(KeyRing.parse("k1:" + "D" * 43 + "=")) if sealed else None
    shelf = MemoryShelf()
    store = FlowStore(shelf, institutions={bank.id: bank}.get, vault=vault)
    flow = store.start(ALICE, "FR", institution=bank)
    flow.step = Step.CONSENT
    flow.challenge = Challenge(
        ChallengeKind.LINK,
        Secret('{"requisition":"req-7f3a"}'),
        link="https://bank.example/start/req-7f3a",
        reference="ref-1",
    )
    await store.save(flow)
    assert "req-7f3a" not in json.dumps(shelf.kept)  # the requisition opens the accounts
    later = FlowStore(shelf, institutions={bank.id: bank}.get, vault=vault)
    (restored,) = await later.restore()
    if sealed:
        assert restored.challenge == flow.challenge and at(restored) is Step.CONSENT
        assert later.waiting_for("ref-1") is restored
    else:  # nothing kept in clear: the consent is asked again
        assert restored.challenge is None and at(restored) is Step.USERNAME
