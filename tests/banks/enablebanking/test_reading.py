"""Pure readings: the redirect the user brings back, bank ids, and lines' edge cases."""

from __future__ import annotations

from datetime import date

import httpx

from bot.banks.connector import ConsentExpired, ProviderMisconfigured
from bot.banks.enablebanking.errors import failure
from bot.banks.enablebanking.lines import read_lines
from bot.banks.enablebanking.redirect import read_redirect
from bot.banks.enablebanking.values import parse_institution_id
from bot.domain.money import Money
from tests.support.providers.enablebanking import transaction

NOV = (date(2026, 11, 1), date(2026, 11, 30))


def test_the_redirect_is_read_from_a_url_a_query_or_a_query_with_its_mark() -> None:
    for answer in (
        "https://pointage.test/cb?state=s1&code=c1#done",
        "?state=s1&code=c1",
        "  state=s1&code=c1  ",
    ):
        redirect = read_redirect(answer)
        assert (redirect.state, redirect.code, redirect.error) == ("s1", "c1", None)


def test_a_refusal_redirect_carries_its_error_and_no_code() -> None:
    redirect = read_redirect(
        "https://pointage.test/cb?state=s1&error=access_denied&error_description=No"
    )
    assert (redirect.code, redirect.error, redirect.description) == (None, "access_denied", "No")
    assert "c1" not in repr(read_redirect("?code=c1"))


def test_a_bank_id_is_its_country_then_its_name() -> None:
    assert parse_institution_id("FR:Crédit Agricole: Centre-Est") == (
        "Crédit Agricole: Centre-Est",
        "FR",
    )
    assert parse_institution_id("BNP Paribas") is None
    assert parse_institution_id("FRA:BNP") is None


def test_a_hold_is_pending_and_dated_by_its_value_date_when_not_booked() -> None:
    row = transaction("9.99", "DBIT", status="HOLD", value_date="2026-11-12")
    [line] = read_lines([row], "EUR", *NOV)
    assert (line.pending, line.booking_date, line.amount) == (
        True,
        date(2026, 11, 12),
        Money(-999, "EUR"),
    )


def test_a_signed_amount_still_takes_its_sign_from_the_indicator() -> None:
    rows = [
        transaction("-12.00", "DBIT", booking_date="2026-11-03"),
        transaction("-5.00", "CRDT", booking_date="2026-11-03"),
    ]
    assert [line.amount.minor for line in read_lines(rows, "EUR", *NOV)] == [-1200, 500]


def test_lines_without_a_date_or_in_another_currency_are_left_out() -> None:
    rows = [
        transaction("1.00", "DBIT"),
        transaction("1.00", "DBIT", booking_date="2026-11-03", currency="USD"),
    ]
    assert read_lines(rows, "EUR", *NOV) == []


def test_the_error_code_decides_before_the_status() -> None:
    expired = httpx.Response(401, json={"code": 401, "error": "EXPIRED_SESSION"})
    refused = httpx.Response(401, json={"code": 401, "message": "Unauthorized"})
    assert isinstance(failure(expired, "transactions"), ConsentExpired)
    assert isinstance(failure(refused, "transactions"), ProviderMisconfigured)
