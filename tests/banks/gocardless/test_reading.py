"""Reading GoCardless answers without a server: transactions, labels, balances and 429 waits."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from bot.banks.connector import BankUnavailable
from bot.banks.gocardless.accounts import booked_balance
from bot.banks.gocardless.errors import ErrorAnswer, gocardless_wait
from bot.banks.gocardless.transactions import label_of, lines_from
from bot.domain.money import Money

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 11, 0, tzinfo=UTC)


def answer(
    booked: list[dict[str, object]], pending: list[dict[str, object]] | None = None
) -> dict[str, object]:
    return {"transactions": {"booked": booked, "pending": pending or []}}


def line(amount: str = "-1.00", **fields: object) -> dict[str, object]:
    return {"transactionAmount": {"amount": amount, "currency": "EUR"}, **fields}


def test_the_banks_id_comes_first_then_gocardless_own() -> None:
    lines = lines_from(
        answer(
            [
                line(bookingDate="2026-11-20", transactionId="T1", internalTransactionId="I1"),
                line(bookingDate="2026-11-20", internalTransactionId="I2"),
            ]
        ),
        TODAY - timedelta(days=30),
        TODAY,
        TODAY,
    )
    assert [x.external_id for x in lines] == ["T1", "I2"]


def test_an_id_the_bank_repeats_is_told_apart() -> None:
    twice = [line(bookingDate="2026-11-20", transactionId="T1")] * 2
    lines = lines_from(answer(twice), TODAY - timedelta(days=30), TODAY, TODAY)
    assert [x.external_id for x in lines] == ["T1", "T1#2"]


def test_a_pending_line_without_dates_is_dated_today() -> None:
    lines = lines_from(answer([], [line()]), TODAY - timedelta(days=3), TODAY, TODAY)
    assert (lines[0].booking_date, lines[0].pending) == (TODAY, True)


def test_a_pending_line_never_takes_the_id_of_an_identical_booked_one() -> None:
    same = line(bookingDate="2026-11-27", remittanceInformationUnstructured="CB")
    lines = lines_from(answer([same], [same]), TODAY - timedelta(days=3), TODAY, TODAY)
    assert lines[0].external_id != lines[1].external_id


def test_the_booking_date_falls_back_on_the_value_date() -> None:
    lines = lines_from(
        answer([line(valueDateTime="2026-11-21T10:00:00Z")]),
        TODAY - timedelta(days=30),
        TODAY,
        TODAY,
    )
    assert lines[0].booking_date == date(2026, 11, 21)


def test_an_amount_with_more_decimals_than_its_currency_is_unreadable() -> None:
    with pytest.raises(BankUnavailable):
        lines_from(answer([line("-1.005", bookingDate="2026-11-20")]), TODAY, TODAY, TODAY)


@pytest.mark.parametrize(
    ("fields", "negative", "label"),
    [
        (
            {"creditorName": "EDF", "remittanceInformationUnstructured": "Facture 11"},
            True,
            "EDF — Facture 11",
        ),
        (
            {
                "debtorName": "ACME",
                "creditorName": "Moi",
                "remittanceInformationUnstructured": "VIR",
            },
            False,
            "ACME — VIR",
        ),
        (
            {"creditorName": "EDF", "remittanceInformationUnstructured": "PRLV EDF 11"},
            True,
            "PRLV EDF 11",
        ),
        (
            {"remittanceInformationUnstructuredArray": ["CB  CAFE", "DU COIN"]},
            True,
            "CB CAFE DU COIN",
        ),
        ({"additionalInformation": "FRAIS"}, True, "FRAIS"),
    ],
)
def test_a_label_names_the_counterparty_and_the_remittance(
    fields: dict[str, object], negative: bool, label: str
) -> None:
    assert label_of(fields, negative=negative) == label


def test_the_booked_balance_is_preferred_to_the_available_one() -> None:
    balances = {
        "balances": [
            {
                "balanceAmount": {"amount": "90.00", "currency": "EUR"},
                "balanceType": "interimAvailable",
            },
            {
                "balanceAmount": {"amount": "75.10", "currency": "EUR"},
                "balanceType": "closingBooked",
            },
        ]
    }
    assert booked_balance(balances, "EUR") == Money(7510, "EUR")


def limited(body: dict[str, object], **headers: str) -> httpx.Response:
    return httpx.Response(429, json=body, headers=headers)


def test_the_banks_daily_limit_waits_for_the_account_reset_header() -> None:
    response = limited(
        {
            "summary": "Couldn't update transactions",
            "detail": "Daily request limit set by the Institution has been exceeded.",
            "type": "RateLimitError",
        },
        HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_RESET="7200",
        HTTP_X_RATELIMIT_RESET="30",
    )
    assert gocardless_wait(response, NOW) == NOW + timedelta(hours=2)


def test_the_apis_own_limit_waits_the_seconds_its_detail_names() -> None:
    response = limited(
        {"summary": "Rate limit exceeded", "detail": "Please try again in 42 seconds"},
        HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_RESET="80000",
    )
    assert gocardless_wait(response, NOW) == NOW + timedelta(seconds=42)


def test_a_429_that_names_no_wait_has_no_instant() -> None:
    assert gocardless_wait(limited({"summary": "Rate limit exceeded"}), NOW) is None


def test_a_field_error_is_read_from_under_its_field() -> None:
    response = httpx.Response(
        400,
        json={"max_historical_days": {"summary": "Incorrect max_historical_days", "detail": "x"}},
    )
    assert ErrorAnswer.of(response).summary == "Incorrect max_historical_days"


def test_an_expired_agreement_is_told_from_a_refused_token() -> None:
    expired = httpx.Response(
        401,
        json={
            "summary": "End User Agreement (EUA) 9d2c… has expired",
            "detail": "EUA was valid for 90 days and expired.",
            "status_code": 401,
        },
    )
    refused = httpx.Response(
        401, json={"summary": "Invalid token", "detail": "Token is invalid or expired"}
    )
    assert ErrorAnswer.of(expired).consent_gone and not ErrorAnswer.of(refused).consent_gone
