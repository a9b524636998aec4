"""The issue's cross-provider cases, through each provider's stand-in, the real sign-in machine
and the import: a pending line booked under a new id and amount, two identical lines on one day,
a 24-month request against a 90-day bank, and a provider that hangs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select

from bot.banks.connector import BankUnavailable, call_timeout, set_call_timeout
from bot.banks.directory.search import Directory
from bot.domain.clock import FixedClock
from bot.domain.periods import period_by_key
from bot.domain.secret import Secret
from bot.domain.states import ReviewState
from bot.services.connect import AccountChoice, ConnectRequest, Services
from bot.services.connect_flow import Step
from bot.services.review import Review
from bot.services.sign_in import Confirm, Connected, SignIn, Unavailable
from storage.models import BankAccount, Connection, SyncRun
from storage.uow import Database
from tests.support.connecting import ALICE
from tests.support.provider_rigs import (
    PROVIDERS,
    Rig,
    Seed,
    SimpleFinRig,
    at_the_bank,
    choose_period,
    connect_through,
    connection_row,
    days_ago,
    lines_of,
    open_rig,
    services_for,
    sign_in_machine,
)

HANG_LIMIT = 1.0
"""Seconds a connector call may take in the hang cases: far above a local stand-in's answer."""


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def history_days() -> int:
    """How far back the stand-in's bank keeps lines (a test parametrizes it to say otherwise)."""
    return 730


@pytest.fixture(params=PROVIDERS)
async def rig(
    request: pytest.FixtureRequest, clock: FixedClock, key: rsa.RSAPrivateKey, history_days: int
) -> AsyncIterator[Rig]:
    async with open_rig(str(request.param), clock, key, history_days=history_days) as opened:
        yield opened


@pytest.fixture
def services(db: Database, clock: FixedClock, directory: Directory, rig: Rig) -> Services:
    return services_for(db, clock, directory, rig)


@pytest.fixture
def machine(services: Services) -> SignIn:
    return sign_in_machine(services)


@pytest.fixture
def short_timeout() -> Iterator[None]:
    before = call_timeout()
    set_call_timeout(HANG_LIMIT)
    yield
    set_call_timeout(before)


async def sync_runs(db: Database, connection_id: int) -> list[SyncRun]:
    async with db.reading() as uow:
        rows = await uow.session.scalars(
            select(SyncRun).where(SyncRun.connection_id == connection_id).order_by(SyncRun.id)
        )
        return list(rows.all())


async def the_account(db: Database, connection_id: int) -> BankAccount:
    async with db.reading() as uow:
        (account,) = await uow.bank_accounts.of_connection(connection_id)
    return account


# --- a pending line books under a new id, with another amount -----------------------------------


@pytest.mark.parametrize("decided", [False, True], ids=["undecided", "accepted"])
async def test_a_pending_line_booked_under_a_new_id_and_amount_stays_one_line(
    machine: SignIn,
    services: Services,
    rig: Rig,
    db: Database,
    clock: FixedClock,
    decided: bool,
) -> None:
    """A restaurant's card hold of 40.00 books the next day as 46.00 (the tip) under the bank's
    new id: the pending line is booked in place, with the booked amount and the user's
    decision; never a second line beside a superseded one."""
    hold = rig.add(Seed("-40.00", days_ago(clock, 1), "RESTAURANT LE ZINC", pending=True))
    rig.add(Seed("-42.00", days_ago(clock, 3), "PRLV EDF ENTREPRISES", ref="edf-11"))
    done, _ = await connect_through(machine, services, rig)
    await services.import_connection(ALICE, done.connection_id)
    (pending,) = [line for line in await lines_of(db, done.connection_id) if line.pending]
    if decided:
        async with db.reading() as uow:
            receptions = await uow.ledger.by_code(pending.book_id, "6257")
        assert receptions is not None
        assert (await Review(db, clock).file_under(ALICE, pending.id, receptions.id)).changed

    rig.remove(hold)
    clock.advance(timedelta(days=1))
    rig.add(Seed("-46.00", days_ago(clock, 0), "RESTAURANT LE ZINC", ref="zinc-0042"))
    await services.sync_connection(done.connection_id)

    zinc = [line for line in await lines_of(db, done.connection_id) if "ZINC" in line.raw_label]
    assert [(line.id, line.pending, line.amount_minor) for line in zinc] == [
        (pending.id, False, -4600)
    ]
    (booked,) = zinc
    assert booked.external_id == "zinc-0042" and booked.booking_date == days_ago(clock, 0)
    runs = await sync_runs(db, done.connection_id)
    assert (runs[-1].new_lines, runs[-1].updated_lines, runs[-1].removed_lines) == (0, 1, 0)
    if not decided:
        assert booked.review_state == ReviewState.TO_REVIEW and booked.journal_entry_id is None
        return
    assert booked.review_state == ReviewState.ACCEPTED and booked.journal_entry_id is not None
    async with db.reading() as uow:
        entry = await uow.journal.lines_of(booked.journal_entry_id)
    assert sorted(line.amount_minor for line in entry) == [-4600, 4600]


async def test_two_holds_booked_for_other_amounts_are_never_guessed_between(
    machine: SignIn, services: Services, rig: Rig, db: Database, clock: FixedClock
) -> None:
    """Two fuel holds of 1.00 at one station book as 45.30 and 38.10: which is which cannot be
    told, so both booked lines come in new and both holds leave the review list."""
    holds = [
        rig.add(Seed("-1.00", days_ago(clock, 1), "TOTAL STATION A7", pending=True))
        for _ in range(2)
    ]
    done, _ = await connect_through(machine, services, rig)
    await services.import_connection(ALICE, done.connection_id)
    for hold in holds:
        rig.remove(hold)
    clock.advance(timedelta(days=1))
    rig.add(Seed("-45.30", days_ago(clock, 0), "TOTAL STATION A7", ref="fuel-1"))
    rig.add(Seed("-38.10", days_ago(clock, 0), "TOTAL STATION A7", ref="fuel-2"))
    await services.sync_connection(done.connection_id)

    lines = await lines_of(db, done.connection_id)
    assert sorted((line.amount_minor, line.pending, line.review_state) for line in lines) == [
        (-4530, False, ReviewState.TO_REVIEW),
        (-3810, False, ReviewState.TO_REVIEW),
        (-100, True, ReviewState.SUPERSEDED),
        (-100, True, ReviewState.SUPERSEDED),
    ]


# --- two identical lines on one day -------------------------------------------------------------


async def test_two_identical_lines_on_one_day_stay_two_and_a_second_sync_adds_none(
    machine: SignIn, services: Services, rig: Rig, db: Database, clock: FixedClock
) -> None:
    """Two coffees of 3.20 at the same café on the same day, without an id from the bank
    (SimpleFIN's bridge always gives one): two lines, however many times they are fetched."""
    for _ in range(2):
        rig.add(Seed("-3.20", days_ago(clock, 1), "CB CAFE DU COIN"))
    done, _ = await connect_through(machine, services, rig)
    first = await services.import_connection(ALICE, done.connection_id)
    assert first.imported == 2
    clock.advance(timedelta(days=1))
    again = await services.sync_connection(done.connection_id)
    assert again.imported == 0
    lines = await lines_of(db, done.connection_id)
    assert [(line.amount_minor, line.review_state) for line in lines] == [
        (-320, ReviewState.TO_REVIEW),
        (-320, ReviewState.TO_REVIEW),
    ]
    assert len({line.external_id for line in lines}) == 2
    runs = await sync_runs(db, done.connection_id)
    assert [run.new_lines for run in runs] == [2, 0] and runs[-1].error is None


# --- a 24-month request against a 90-day bank ---------------------------------------------------


@pytest.mark.parametrize("history_days", [90])
async def test_a_90_day_bank_is_offered_no_24_month_import(
    machine: SignIn, services: Services, rig: Rig, db: Database, clock: FixedClock
) -> None:
    rig.add(Seed("-75.00", days_ago(clock, 100), "ASSURANCE MMA"))
    rig.add(Seed("-42.00", days_ago(clock, 10), "PRLV EDF ENTREPRISES", ref="edf-11"))
    flow = await at_the_bank(machine, services, rig)
    await rig.authorize(machine, flow)
    periods = await choose_period(machine, services, flow)
    assert [p.key for p in periods.choices] == ["d90"]
    assert await machine.pick_period(flow, "m24") is None and flow.step is Step.PERIOD
    confirm = await machine.pick_period(flow, "d90")
    assert isinstance(confirm, Confirm) and confirm.start == days_ago(clock, 89)
    done = await machine.confirm(flow)
    assert isinstance(done, Connected)
    summary = await services.import_connection(ALICE, done.connection_id)
    assert summary.imported == 1 and summary.accounts[0].first_date == days_ago(clock, 10)
    assert (await the_account(db, done.connection_id)).import_start == days_ago(clock, 89)


@pytest.mark.parametrize("history_days", [90])
@pytest.mark.parametrize("rig", ["gocardless", "simplefin"], indirect=True)
async def test_a_24_month_start_at_a_90_day_bank_imports_what_the_bank_keeps(
    machine: SignIn, services: Services, rig: Rig, db: Database, clock: FixedClock
) -> None:
    """A connection asking 24 months of a bank keeping 90 days (its start stored before the
    bank's limit was known): the import asks for what the provider can give, without error.
    (Enable Banking's stand-in keeps no history limit: it is left out.)"""
    rig.add(Seed("-75.00", days_ago(clock, 100), "ASSURANCE MMA"))
    rig.add(Seed("-42.00", days_ago(clock, 10), "PRLV EDF ENTREPRISES", ref="edf-11"))
    flow = await at_the_bank(machine, services, rig)
    await rig.authorize(machine, flow)
    assert flow.authorized is not None and flow.institution is not None
    bank_512 = next(a for a in await services.bank_ledger_accounts(ALICE) if a.code == "512")
    m24 = period_by_key("m24")
    assert m24 is not None
    start = m24.start(services.today())
    connection = await services.connect(
        ALICE,
        ConnectRequest(
            flow.institution,
            flow.authorized,
            (AccountChoice(flow.accounts[0], bank_512.id),),
            start,
        ),
    )
    clock.advance(timedelta(minutes=10))  # past the answers SimpleFIN's connector keeps
    asked_before = rig.bank.accounts_requests(rig.user) if isinstance(rig, SimpleFinRig) else 0
    summary = await services.import_connection(ALICE, connection.id)
    assert summary.imported == 1 and summary.accounts[0].first_date == days_ago(clock, 10)
    assert (await connection_row(db, connection.id)).last_error is None
    if isinstance(rig, SimpleFinRig):  # 24 a day at most: not one per 90 days of 24 months
        assert rig.bank.accounts_requests(rig.user) - asked_before == 1


# --- a provider that hangs ----------------------------------------------------------------------


@pytest.mark.usefixtures("short_timeout")
async def test_a_provider_that_hangs_in_a_sync_writes_nothing_then_a_sync_brings_it_all(
    machine: SignIn, services: Services, rig: Rig, db: Database, clock: FixedClock
) -> None:
    rig.add(Seed("-42.00", days_ago(clock, 3), "PRLV EDF ENTREPRISES", ref="edf-11"))
    done, _ = await connect_through(machine, services, rig)
    await services.import_connection(ALICE, done.connection_id)
    synced_at = (await connection_row(db, done.connection_id)).last_sync_at
    clock.advance(timedelta(days=1))
    rig.add(Seed("1800.00", days_ago(clock, 0), "VIR ACME FACTURE 17", ref="acme-17"))
    rig.set_balance("3300.00")
    rig.hang_transactions()

    with pytest.raises(BankUnavailable):
        await services.import_connection(ALICE, done.connection_id)

    assert [line.amount_minor for line in await lines_of(db, done.connection_id)] == [-4200]
    assert (await the_account(db, done.connection_id)).balance_minor == 150000
    stored = await connection_row(db, done.connection_id)
    assert stored.last_sync_at == synced_at and stored.last_error == BankUnavailable.code
    runs = await sync_runs(db, done.connection_id)
    assert [(run.new_lines, run.error) for run in runs] == [(1, None), (0, BankUnavailable.code)]

    rig.release()
    clock.advance(timedelta(minutes=10))
    summary = await services.import_connection(ALICE, done.connection_id)
    assert summary.imported == 1
    lines = await lines_of(db, done.connection_id)
    assert [line.amount_minor for line in lines] == [-4200, 180000]
    assert (await the_account(db, done.connection_id)).balance_minor == 330000


@pytest.mark.usefixtures("short_timeout")
async def test_a_provider_that_hangs_at_sign_in_leaves_the_flow_on_the_bank(
    machine: SignIn, services: Services, rig: Rig, db: Database
) -> None:
    flow = await at_the_bank(machine, services, rig)
    rig.hang()
    if isinstance(rig, SimpleFinRig):
        machine.ask_setup_token(flow)
        shown = await machine.password(flow, Secret(rig.setup_token()))
    else:
        shown = await machine.open_consent(flow)
    assert shown == Unavailable() and flow.step is Step.BANK and machine.flows.is_current(flow)
    assert flow.challenge is None and flow.authorized is None
    async with db.reading() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Connection)) == 0
