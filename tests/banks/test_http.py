"""The providers' shared HTTP path: retries, backoff, 429 waits and typed failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.banks.connector import BankUnavailable, RateLimited
from bot.banks.http import ProviderHttp, retry_after
from bot.domain.clock import FixedClock

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


class Script:
    """A transport answering from a list of statuses (or exceptions), recording the calls."""

    def __init__(self, *answers: int | Exception, headers: dict[str, str] | None = None) -> None:
        self.answers = list(answers)
        self.headers = headers or {}
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer, headers=self.headers, json={})


def client(script: Script, waits: list[float]) -> ProviderHttp:
    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    return ProviderHttp(
        "test", "http://provider.test", FixedClock(NOW), sleep=sleep,
        transport=httpx.MockTransport(script),
    )


async def test_a_5xx_is_retried_with_a_doubling_backoff() -> None:
    script, waits = Script(502, 503, 200), list[float]()
    response = await client(script, waits).request("GET", "/x")
    assert response.status_code == 200
    assert script.calls == 3
    assert waits == [0.5, 1.0]


async def test_a_5xx_that_lasts_is_bank_unavailable_after_the_bounded_tries() -> None:
    script, waits = Script(500, 500, 500, 200), list[float]()
    with pytest.raises(BankUnavailable):
        await client(script, waits).request("GET", "/x")
    assert script.calls == 3


async def test_a_4xx_is_the_callers_to_read_and_not_retried() -> None:
    script, waits = Script(401, 200), list[float]()
    response = await client(script, waits).request("GET", "/x")
    assert response.status_code == 401
    assert script.calls == 1


async def test_a_short_429_is_waited_out() -> None:
    script, waits = Script(429, 200, headers={"Retry-After": "2"}), list[float]()
    response = await client(script, waits).request("GET", "/x")
    assert response.status_code == 200
    assert waits == [2.0]


async def test_a_long_429_is_rate_limited_with_the_providers_instant() -> None:
    script, waits = Script(429, 200, headers={"Retry-After": "3600"}), list[float]()
    with pytest.raises(RateLimited) as raised:
        await client(script, waits).request("GET", "/x")
    assert raised.value.retry_at == NOW + timedelta(hours=1)
    assert script.calls == 1


async def test_a_timeout_is_bank_unavailable_at_once() -> None:
    script, waits = Script(httpx.ReadTimeout("slow"), 200), list[float]()
    with pytest.raises(BankUnavailable):
        await client(script, waits).request("GET", "/x")
    assert script.calls == 1


async def test_a_refused_connection_is_retried_then_bank_unavailable() -> None:
    refused = httpx.ConnectError("refused")
    script, waits = Script(refused, refused, refused), list[float]()
    with pytest.raises(BankUnavailable):
        await client(script, waits).request("GET", "/x")
    assert script.calls == 3


def test_retry_after_reads_seconds_and_http_dates() -> None:
    def of(value: str) -> datetime | None:
        return retry_after(httpx.Response(429, headers={"Retry-After": value}), NOW)

    assert of("30") == NOW + timedelta(seconds=30)
    assert of("Mon, 01 Jun 2026 13:00:00 GMT") == NOW + timedelta(hours=1)
    assert of("soon") is None
