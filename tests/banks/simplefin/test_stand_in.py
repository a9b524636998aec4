"""The bridge stand-in answers raw requests as the protocol says (what the connector never sends
too), so end-to-end tests and the playground can trust it."""

from __future__ import annotations

import base64
from datetime import date

import httpx

from tests.banks.simplefin.conftest import TODAY
from tests.support.providers.simplefin import SimpleFinStandIn, Subscriber, at


async def claimed(bank: SimpleFinStandIn, user: Subscriber, client: httpx.AsyncClient) -> str:
    claim_url = base64.b64decode(bank.setup_token(user)).decode()
    return (await client.post(claim_url)).text


async def test_a_claim_without_content_length_is_length_required(
    bank: SimpleFinStandIn, user: Subscriber
) -> None:
    claim_url = base64.b64decode(bank.setup_token(user)).decode()

    async def strip_length(request: httpx.Request) -> None:
        del request.headers["Content-Length"]

    async with httpx.AsyncClient(event_hooks={"request": [strip_length]}) as client:
        assert (await client.post(claim_url)).status_code == 411
    async with httpx.AsyncClient() as client:  # the token was not spent by the refusal
        assert (await client.post(claim_url)).status_code == 200


async def test_without_version_the_answer_is_protocol_1(
    bank: SimpleFinStandIn, user: Subscriber
) -> None:
    async with httpx.AsyncClient() as client:
        access = await claimed(bank, user, client)
        body = (await client.get(f"{access}/accounts")).json()
    assert set(body) == {"errors", "accounts"}
    assert body["accounts"][0]["org"]["name"] == "First Bank"


async def test_balances_only_and_account_filter_the_answer(
    bank: SimpleFinStandIn, user: Subscriber
) -> None:
    async with httpx.AsyncClient() as client:
        access = await claimed(bank, user, client)
        body = (await client.get(
            f"{access}/accounts",
            params={"version": "2", "balances-only": "1", "account": "ACT-CARD"},
        )).json()
    assert [(a["id"], "transactions" in a) for a in body["accounts"]] == [("ACT-CARD", False)]
    assert body["connections"][0]["name"] == "First Bank"


async def test_pending_lines_only_come_when_asked(bank: SimpleFinStandIn, user: Subscriber) -> None:
    async with httpx.AsyncClient() as client:
        access = await claimed(bank, user, client)
        plain, with_pending = [
            (await client.get(f"{access}/accounts", params={"version": "2", **extra})).json()
            for extra in ({}, {"pending": "1"})
        ]
    assert [t["id"] for t in plain["accounts"][0]["transactions"]] == ["c1", "c2", "c3"]
    assert [t["id"] for t in with_pending["accounts"][0]["transactions"]][-1] == "c4"


async def test_a_range_over_90_days_is_a_400_with_a_gen_api_error(
    bank: SimpleFinStandIn, user: Subscriber
) -> None:
    async with httpx.AsyncClient() as client:
        access = await claimed(bank, user, client)
        answer = await client.get(
            f"{access}/accounts",
            params={"start-date": str(at(date(2026, 1, 1))), "end-date": str(at(TODAY))},
        )
    assert answer.status_code == 400
    assert answer.json()["errlist"][0]["code"] == "gen.api"


async def test_requests_without_credentials_are_403_and_not_counted_for_anyone(
    bank: SimpleFinStandIn, user: Subscriber
) -> None:
    async with httpx.AsyncClient() as client:
        answer = await client.get(f"{bank.url}/accounts")
    assert answer.status_code == 403
    assert answer.json()["errlist"][0]["code"] == "gen.auth"
    assert bank.calls["accounts"] == 1
    assert bank.accounts_requests(user) == 0
