"""The bridge's error list: logged in one line, kept as notices, raised when it hides data."""

from __future__ import annotations

import logging
from datetime import date

import httpx
import pytest

from bot.banks.connector import BankUnavailable, ConsentExpired
from bot.banks.simplefin import SimpleFin
from bot.banks.simplefin.answers import read_account_set
from bot.banks.simplefin.verdicts import listing_failure
from bot.domain.clock import FixedClock
from bot.domain.secret import Secret
from tests.banks.simplefin.conftest import TODAY, claim
from tests.support.providers.simplefin import SimpleFinStandIn, Subscriber, at


async def test_a_bank_to_log_in_again_whose_accounts_are_missing_is_consent_expired(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    secret = await claim(simplefin, bank, user)
    user.connections[0].needs_auth = True
    with pytest.raises(ConsentExpired):
        await simplefin.list_accounts(secret)
    with pytest.raises(ConsentExpired):
        await simplefin.fetch_transactions(secret, "ACT-CHK", TODAY, TODAY)


async def test_a_listing_missing_one_banks_accounts_is_refused_not_cut_short(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    second = user.connection("Second Bank")
    user.account(second, "Savings", id="ACT-SAV", balance="10.00")
    second.needs_auth = True
    secret = await claim(simplefin, bank, user)
    with pytest.raises(ConsentExpired):
        await simplefin.list_accounts(secret)
    # the first bank's accounts still answer for their lines
    assert await simplefin.fetch_transactions(secret, "ACT-CARD", date(2026, 11, 15), TODAY)


async def test_an_account_the_bridge_failed_to_read_is_bank_unavailable_the_others_answer(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    secret = await claim(simplefin, bank, user)
    user.accounts[1].failing = True
    with pytest.raises(BankUnavailable):
        await simplefin.fetch_transactions(secret, "ACT-CARD", date(2026, 11, 1), TODAY)
    lines = await simplefin.fetch_transactions(secret, "ACT-CHK", date(2026, 11, 1), TODAY)
    assert [t.external_id for t in lines] == ["c1", "c2", "c3", "c4"]
    assert bank.calls["accounts"] == 1


async def test_an_incomplete_listing_is_bank_unavailable_rather_than_partial_lines(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    secret = await claim(simplefin, bank, user)
    user.accounts[0].incomplete = True
    with pytest.raises(BankUnavailable):
        await simplefin.fetch_transactions(secret, "ACT-CHK", date(2026, 11, 1), TODAY)


async def test_bridge_messages_are_logged_in_one_line_and_kept_as_notices(
    simplefin: SimpleFin,
    bank: SimpleFinStandIn,
    user: Subscriber,
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = await claim(simplefin, bank, user)
    user.errors.append({"code": "gen.", "msg": "Bridge maintenance\ntonight <b>"})
    caplog.set_level(logging.INFO, logger="bot.banks.simplefin")
    lines = await simplefin.fetch_transactions(secret, "ACT-CHK", date(2026, 11, 1), TODAY)
    assert len(lines) == 4  # a general message next to whole data does not stop the fetch
    said = [r for r in caplog.records if r.name.startswith("bot.banks.simplefin")]
    assert [r.getMessage() for r in said] == [
        "simplefin bridge says: gen. Bridge maintenance tonight <b>"
    ]
    assert simplefin.notices(secret) == ("Bridge maintenance tonight <b>",)
    assert simplefin.notices(Secret("another access")) == ()


async def test_notices_follow_the_latest_answer(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber, clock: FixedClock
) -> None:
    from datetime import timedelta

    secret = await claim(simplefin, bank, user)
    user.errors.append({"code": "gen.", "msg": "Slow bank"})
    await simplefin.list_accounts(secret)
    user.errors.clear()
    clock.advance(timedelta(minutes=10))
    await simplefin.list_accounts(secret)
    assert simplefin.notices(secret) == ()


async def test_a_refused_request_logs_the_bridges_api_message_and_is_bank_unavailable(
    clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    body = {"errlist": [{"code": "gen.api", "msg": "bad start-date"}], "accounts": []}
    transport = httpx.MockTransport(lambda request: httpx.Response(400, json=body))
    connector = SimpleFin(clock, transport=transport)
    caplog.set_level(logging.INFO, logger="bot.banks.simplefin")
    with pytest.raises(BankUnavailable):
        await connector.list_accounts(Secret("https://u:p@bridge.example/simplefin"))
    assert "gen.api bad start-date" in caplog.text
    await connector.aclose()


def test_a_protocol_1_answer_reads_its_error_strings_and_org_accounts() -> None:
    answer = read_account_set(
        b'{"errors": ["You must reauthenticate."], "accounts": [{"org": {"domain": "b.com",'
        b' "sfin-url": "https://sfin.b.com"}, "id": "1", "name": "Savings", "currency": "USD",'
        b' "balance": "100.23", "balance-date": 978366153, "transactions": [{"id": "t",'
        b' "posted": 793090572, "amount": "-33293.43", "description": "Bait"}]}]}'
    )
    assert answer.messages() == ("You must reauthenticate.",)
    assert [(a.id, a.conn_id, len(a.lines)) for a in answer.accounts] == [("1", None, 1)]
    assert listing_failure(answer) is None  # the accounts are there: the message is a notice


def test_a_protocol_1_answer_with_only_errors_is_a_failure() -> None:
    answer = read_account_set(b'{"errors": ["Bank is down"], "accounts": []}')
    assert isinstance(listing_failure(answer), BankUnavailable)


def test_the_deprecated_strings_repeating_errlist_are_read_once() -> None:
    answer = read_account_set(
        b'{"errlist": [{"code": "con.auth", "msg": "Log in again", "conn_id": "C"}],'
        b' "errors": ["Log in again"], "connections": [], "accounts": []}'
    )
    assert [(e.code, e.conn_id) for e in answer.errors] == [("con.auth", "C")]


@pytest.mark.parametrize(
    "body",
    [
        b"<html>",
        b"[]",
        b'{"accounts": [{"id": "1"}]}',
        b'{"accounts": [{"id": "1", "name": "A", "currency": "USD", "balance": "x"}]}',
        b'{"accounts": [{"id": "1", "name": "A", "currency": "USD", "balance": "1",'
        b' "transactions": [{"id": "t", "posted": "soon", "amount": "1", "description": ""}]}]}',
    ],
)
def test_a_malformed_answer_is_bank_unavailable(body: bytes) -> None:
    with pytest.raises(BankUnavailable):
        read_account_set(body)


async def test_an_amount_the_currency_cannot_hold_is_bank_unavailable(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    secret = await claim(simplefin, bank, user)
    user.accounts[0].line("odd", posted=at(TODAY), amount="-1.005", description="Odd")
    with pytest.raises(BankUnavailable):
        await simplefin.fetch_transactions(secret, "ACT-CHK", TODAY, TODAY)
