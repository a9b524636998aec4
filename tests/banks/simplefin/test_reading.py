"""GET /accounts with Basic auth: accounts, lines in the window (end-date exclusive), pending."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.banks.connector import AccountType, ConsentExpired, FetchedAccount, Unsupported
from bot.banks.simplefin import PaymentRequired, SimpleFin
from bot.banks.simplefin.windows import day_start
from bot.domain.money import Money
from bot.domain.secret import Secret
from tests.banks.simplefin.conftest import TODAY, access_url_parts, claim
from tests.support.providers.simplefin import SimpleFinStandIn, Subscriber, at

UTC_ZONE = ZoneInfo("UTC")


async def test_accounts_are_read_with_the_access_urls_basic_credentials(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    secret = await claim(simplefin, bank, user)
    accounts = await simplefin.list_accounts(secret)
    assert accounts == [
        FetchedAccount("ACT-CHK", "Everyday Checking", AccountType.CHECKING, None, "USD",
                       Money(152075, "USD")),
        FetchedAccount("ACT-CARD", "Rewards Visa Card", AccountType.CARD, None, "USD",
                       Money(-31020, "USD")),
    ]
    asked = bank.received[-1]
    assert asked.user == access_url_parts(secret)[0]
    assert asked.query["version"] == ["2"]
    assert asked.query["pending"] == ["1"]


async def test_wrong_basic_credentials_are_refused_as_consent_expired(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    secret = await claim(simplefin, bank, user)
    _, password = access_url_parts(secret)
    forged = Secret(secret.reveal().replace(f":{password}@", ":not-the-password@"))
    with pytest.raises(ConsentExpired):
        await simplefin.list_accounts(forged)
    assert bank.calls["accounts"] == 1
    assert bank.accounts_requests(user) == 0  # the bridge did not take it for the user's


async def test_an_access_the_user_disabled_is_consent_expired(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    secret = await claim(simplefin, bank, user)
    bank.disable(user)
    with pytest.raises(ConsentExpired) as refused:
        await simplefin.fetch_transactions(secret, "ACT-CHK", TODAY, TODAY)
    assert not isinstance(refused.value, PaymentRequired)


async def test_a_lapsed_subscription_is_payment_required_a_kind_of_consent_expired(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    secret = await claim(simplefin, bank, user)
    user.paid = False
    with pytest.raises(PaymentRequired) as lapsed:
        await simplefin.list_accounts(secret)
    assert lapsed.value.code == ConsentExpired.code


async def test_a_stored_secret_that_is_not_an_access_url_is_consent_expired_without_a_call(
    simplefin: SimpleFin, bank: SimpleFinStandIn
) -> None:
    with pytest.raises(ConsentExpired):
        await simplefin.list_accounts(Secret(f"{bank.url}/no-credentials"))
    assert bank.calls["accounts"] == 0


async def test_a_line_posted_on_until_is_included_and_one_the_day_after_is_not(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    secret = await claim(simplefin, bank, user)
    until = date(2026, 11, 20)
    checking = user.accounts[0]
    checking.line("last-second", posted=at(until, 0) + 86_399, amount="-1.00", description="On")
    checking.line("next-day", posted=at(until + timedelta(days=1), 0), amount="-2.00",
                  description="After")
    lines = await simplefin.fetch_transactions(secret, "ACT-CHK", date(2026, 11, 2), until)
    assert [t.external_id for t in lines] == ["c1", "c2", "last-second"]
    asked = bank.received[-1].query
    assert asked["start-date"] == [str(day_start(date(2026, 11, 2), UTC_ZONE))]
    assert asked["end-date"] == [str(day_start(date(2026, 11, 21), UTC_ZONE))]


async def test_a_line_posted_the_day_before_since_is_left_out(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    secret = await claim(simplefin, bank, user)
    lines = await simplefin.fetch_transactions(
        secret, "ACT-CHK", date(2026, 11, 3), date(2026, 11, 27)
    )
    assert [t.external_id for t in lines] == ["c2", "c3"]


async def test_lines_carry_their_amount_label_and_booking_date(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    secret = await claim(simplefin, bank, user)
    [line] = await simplefin.fetch_transactions(
        secret, "ACT-CARD", date(2026, 11, 1), date(2026, 11, 30)
    )
    assert (line.booking_date, line.amount, line.label, line.pending) == (
        date(2026, 11, 15), Money(-31020, "USD"), "Laptop stand", False,
    )


async def test_a_pending_line_with_posted_zero_is_dated_when_it_happened(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    secret = await claim(simplefin, bank, user)
    lines = await simplefin.fetch_transactions(secret, "ACT-CHK", date(2026, 11, 27), TODAY)
    assert [(t.external_id, t.booking_date, t.pending) for t in lines] == [
        ("c3", date(2026, 11, 27), False),
        ("c4", TODAY, True),
    ]


async def test_a_pending_line_that_happened_before_the_window_is_left_out(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    secret = await claim(simplefin, bank, user)
    user.accounts[0].line("old-hold", posted=0, transacted_at=at(date(2026, 11, 10)),
                          amount="-9.99", description="Hold", pending=True)
    lines = await simplefin.fetch_transactions(secret, "ACT-CHK", date(2026, 11, 20), TODAY)
    assert "old-hold" not in {t.external_id for t in lines}
    assert {"c2", "c3", "c4"} == {t.external_id for t in lines}


async def test_a_line_without_description_is_labelled_by_its_payee(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    secret = await claim(simplefin, bank, user)
    user.accounts[1].line("v2", posted=at(date(2026, 11, 16)), amount="-5.00", description=" ",
                          payee="Corner\x07 Shop")
    lines = await simplefin.fetch_transactions(
        secret, "ACT-CARD", date(2026, 11, 16), date(2026, 11, 16)
    )
    assert [t.label for t in lines] == ["Corner Shop"]


async def test_a_custom_currency_account_is_left_out_and_cannot_be_fetched(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    miles = user.account(user.connections[0], "Air Miles", id="ACT-MILES",
                         currency="https://www.example.com/flight-miles", balance="12000")
    miles.line("m1", posted=at(date(2026, 11, 3)), amount="500", description="Flight")
    secret = await claim(simplefin, bank, user)
    assert "ACT-MILES" not in {a.external_id for a in await simplefin.list_accounts(secret)}
    with pytest.raises(Unsupported):
        await simplefin.fetch_transactions(secret, "ACT-MILES", date(2026, 11, 1), TODAY)


async def test_an_account_the_bridge_does_not_know_is_unsupported(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    secret = await claim(simplefin, bank, user)
    with pytest.raises(Unsupported):
        await simplefin.fetch_transactions(secret, "ACT-GONE", TODAY, TODAY)


async def test_a_window_longer_than_90_days_is_asked_in_pieces_the_bridge_accepts(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    secret = await claim(simplefin, bank, user)
    user.accounts[0].line("spring", posted=at(date(2026, 4, 1)), amount="-1.00",
                          description="Old")
    lines = await simplefin.fetch_transactions(secret, "ACT-CHK", date(2026, 3, 1), TODAY)
    assert [t.external_id for t in lines] == ["spring", "c1", "c2", "c3", "c4"]
    windows = [r.query for r in bank.received if r.endpoint == "accounts"]
    assert len(windows) == 4  # 273 days: three of 90 days and one of 3
    assert all(
        int(q["end-date"][0]) - int(q["start-date"][0]) <= 90 * 86_400 for q in windows
    )


async def test_a_window_that_ends_before_it_starts_is_empty_without_a_call(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    secret = await claim(simplefin, bank, user)
    assert await simplefin.fetch_transactions(secret, "ACT-CHK", TODAY, TODAY - timedelta(1)) == []
    assert bank.calls["accounts"] == 0
