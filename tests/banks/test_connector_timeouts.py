"""A bank that never answers: every connector call ends, in time, as "bank unavailable"."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import date
from typing import ClassVar, NoReturn

import pytest
from pydantic import ValidationError

from bot.banks.connector import (
    DEFAULT_CALL_TIMEOUT,
    AuthStep,
    BankUnavailable,
    Capabilities,
    Challenge,
    ChallengeKind,
    ConnectorRegistry,
    Credentials,
    FetchedAccount,
    FetchedTransaction,
    WrongCode,
    call_timeout,
    guarded,
    set_call_timeout,
)
from bot.banks.demo.bank import DemoBank
from bot.config import Settings
from bot.domain.secret import Secret
from bot.services.connect import Services
from tests.support.connecting import connect_all, sign_in

TINY = 0.05


@pytest.fixture
def tiny_timeout() -> Iterator[None]:
    set_call_timeout(TINY)
    yield
    set_call_timeout(DEFAULT_CALL_TIMEOUT)


async def _hang() -> NoReturn:
    await asyncio.Event().wait()  # never set: the bank does not answer
    raise AssertionError("unreachable")


class SilentBank:
    """The demo bank's name and capabilities, but no call ever answers."""

    name: ClassVar[str] = DemoBank.name
    capabilities: ClassVar[Capabilities] = DemoBank.capabilities

    async def begin_auth(self, institution_id: str, credentials: Credentials | None) -> AuthStep:
        await _hang()

    async def continue_auth(self, challenge: Challenge, answer: str) -> AuthStep:
        await _hang()

    async def list_accounts(self, secret: Secret) -> list[FetchedAccount]:
        await _hang()

    async def fetch_transactions(
        self, secret: Secret, account_id: str, since: date, until: date
    ) -> list[FetchedTransaction]:
        await _hang()

    async def revoke(self, secret: Secret) -> None:
        await _hang()


def connector_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "bot.banks.connector"]


async def test_a_call_that_never_answers_ends_as_bank_unavailable_in_one_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    started = time.monotonic()
    with pytest.raises(BankUnavailable) as raised:
        await guarded("silent", _hang, within=TINY)
    assert time.monotonic() - started < 2
    assert raised.value.code == "bank_unavailable"
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    [record] = connector_records(caplog)
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert record.getMessage() == "connector silent: no answer in time (limit 0.05s)"


async def test_the_timeout_set_at_startup_applies_to_every_call(tiny_timeout: None) -> None:
    assert call_timeout() == TINY
    with pytest.raises(BankUnavailable):
        await asyncio.wait_for(guarded("silent", _hang), 2)


async def test_a_call_in_time_or_a_typed_error_is_left_as_it_is() -> None:
    async def quick() -> str:
        await asyncio.sleep(0)
        return "answer"

    async def refuses() -> NoReturn:
        raise WrongCode("wrong code")

    assert await guarded("demo", quick, within=1) == "answer"
    with pytest.raises(WrongCode):
        await guarded("demo", refuses, within=1)


def test_the_timeout_is_a_positive_setting_above_the_slow_demo_user() -> None:
    assert Settings(_env_file=None).bank_call_timeout_s == 30  # type: ignore[call-arg]
    assert DEFAULT_CALL_TIMEOUT > 3  # demo-slow takes 3 s a call
    quick = Settings(_env_file=None, bank_call_timeout_s=0.5)  # type: ignore[call-arg]
    assert quick.bank_call_timeout_s == 0.5
    with pytest.raises(ValidationError):
        Settings(_env_file=None, bank_call_timeout_s=0)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="positive"):
        set_call_timeout(0)


async def test_sign_in_code_accounts_and_import_each_end_when_the_bank_goes_silent(
    services: Services, tiny_timeout: None, caplog: pytest.LogCaptureFixture
) -> None:
    connection_id = await connect_all(services, 1001, date(2026, 11, 1))
    authorized, _ = await sign_in(services)
    demo = services.directory.get("demo")
    assert demo is not None
    services.connectors = ConnectorRegistry([SilentBank()])
    challenge = Challenge(ChallengeKind.CODE, Secret("state"))
    calls: list[Callable[[], Awaitable[object]]] = [
        lambda: services.login(demo, Secret("demo"), Secret("demo")),
        lambda: services.answer_challenge(demo, challenge, "123456"),
        lambda: services.bank_accounts_at(demo, authorized),
        lambda: services.import_connection(1001, connection_id),
    ]
    caplog.set_level(logging.INFO)
    for call in calls:
        with pytest.raises(BankUnavailable):
            await asyncio.wait_for(call(), 5)
    assert len(connector_records(caplog)) == len(calls)
    assert all(r.exc_info is None for r in caplog.records)
