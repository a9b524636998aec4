"""The one sign-in machine and the first import through each provider's stand-in, no Telegram:
Enable Banking's consent with the landing address pasted, GoCardless' consent polled, SimpleFIN's
setup token."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select

from bot.banks.directory.search import Directory
from bot.domain.clock import FixedClock
from bot.domain.secret import Secret
from bot.domain.states import ReviewState
from bot.services.connect import Services
from bot.services.connect_flow import Step
from bot.services.sign_in import (
    Ask,
    Prompt,
    SignIn,
)
from storage.models import Connection
from storage.uow import Database
from tests.support.connecting import ALICE
from tests.support.provider_rigs import (
    PROVIDERS,
    Rig,
    Seed,
    SimpleFinRig,
    at_the_bank,
    connect_through,
    connection_row,
    database_bytes,
    days_ago,
    lines_of,
    open_rig,
    services_for,
    sign_in_machine,
)


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(params=PROVIDERS)
async def rig(
    request: pytest.FixtureRequest, clock: FixedClock, key: rsa.RSAPrivateKey
) -> AsyncIterator[Rig]:
    async with open_rig(str(request.param), clock, key) as opened:
        yield opened


@pytest.fixture
def services(db: Database, clock: FixedClock, directory: Directory, rig: Rig) -> Services:
    return services_for(db, clock, directory, rig)


@pytest.fixture
def machine(services: Services) -> SignIn:
    return sign_in_machine(services)


async def test_a_connection_through_the_provider_imports_its_lines_to_review(
    machine: SignIn, services: Services, rig: Rig, db: Database, clock: FixedClock, backend: str
) -> None:
    rig.add(Seed("-42.00", days_ago(clock, 12), "PRLV EDF ENTREPRISES", ref="edf-11"))
    rig.add(Seed("1800.00", days_ago(clock, 5), "VIR ACME FACTURE 17", ref="acme-17"))
    rig.add(Seed("-19.99", days_ago(clock, 0), "CB LIBRAIRIE DU PORT", pending=True))
    done, authorized = await connect_through(machine, services, rig)
    assert done.bank == rig.institution.name
    summary = await services.import_connection(ALICE, done.connection_id)

    lines = await lines_of(db, done.connection_id)
    assert [(line.amount_minor, line.pending) for line in lines] == [
        (-4200, False),
        (180000, False),
        (-1999, True),
    ]
    assert {line.review_state for line in lines} == {ReviewState.TO_REVIEW}
    assert summary.imported == 3 and summary.accounts[0].pending == 1
    stored = await connection_row(db, done.connection_id)
    assert stored.connector == rig.name and stored.last_error is None
    assert stored.secret_blob is not None and stored.last_sync_at == clock.now()
    if backend == "sqlite":
        on_disk = database_bytes(db)
        assert b"PRLV EDF" in on_disk  # the search finds what is stored in clear
        hidden = rig.secrets(authorized)
        assert hidden and all(len(secret) >= 8 for secret in hidden)
        for secret in [*hidden, authorized.reveal()]:
            assert secret.encode() not in on_disk


@pytest.mark.parametrize("rig", ["simplefin"], indirect=True)
async def test_a_setup_token_claimed_already_is_refused_and_asked_again(
    machine: SignIn, services: Services, rig: Rig, db: Database
) -> None:
    """The bridge answers a second claim with 403: the token may have been stolen."""
    assert isinstance(rig, SimpleFinRig)
    done, _ = await connect_through(machine, services, rig)
    flow = await at_the_bank(machine, services, rig)
    machine.ask_setup_token(flow)
    again = await machine.password(flow, Secret(rig.tokens[0]))
    assert again == Ask(Prompt.BAD_SETUP_TOKEN) and flow.step is Step.PASSWORD
    assert flow.authorized is None and machine.flows.is_current(flow)
    assert rig.bank.calls["claim"] == 2  # the token that was no token never reached the bridge
    async with db.reading() as uow:
        stored = (await uow.session.scalars(select(Connection.id))).all()
    assert stored == [done.connection_id]
