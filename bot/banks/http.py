"""The one HTTP path of the bank providers: timeouts, retries with backoff, typed errors.

Every aggregator connector sends its requests through `ProviderHttp.request`, so they share
one behaviour: a provider that hangs or refuses the connection is BankUnavailable; a 5xx,
or a 429 whose wait is short, is retried a bounded number of times with backoff (each try
counts in the provider's budget, so the bound is small); a 429 with a longer wait is
RateLimited with the instant the provider names. Other statuses are the caller's to read.
Nothing here logs a URL or a body: a SimpleFIN access URL carries its password.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from bot.banks.connector import BankUnavailable, RateLimited
from bot.domain.clock import Clock

Sleep = Callable[[float], Awaitable[None]]
WaitOf = Callable[[httpx.Response, datetime], "datetime | None"]
"""Reads from a 429 the instant the provider accepts calls again."""

RETRIES = 2
"""Extra tries after the first, for a 5xx or a short 429."""
BACKOFF_S = 0.5
"""The first retry's wait; each next one doubles it."""
SHORT_WAIT_S = 5.0
"""A 429 asking to wait at most this long is waited out; a longer one is RateLimited."""


def retry_after(response: httpx.Response, now: datetime) -> datetime | None:
    """The instant a 429 names in its Retry-After header (seconds or an HTTP date)."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return now + timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def json_object(response: httpx.Response, what: str) -> dict[str, object]:
    """A provider's answer as the JSON object it must be; anything else is a provider we
    cannot read right now (BankUnavailable, `what` saying whose and when)."""
    try:
        body = response.json()
    except ValueError:
        raise BankUnavailable(f"{what}: the answer is not JSON") from None
    if not isinstance(body, dict):
        raise BankUnavailable(f"{what}: the answer is not a JSON object")
    return body


class ProviderHttp:
    """An httpx client bound to one provider's base URL, with the shared retry rules.

    `transport` lets a test or the playground route requests elsewhere; by default it is
    httpx's own. `sleep` is the backoff's wait (tests pass one that does not sleep).
    `wait_of` reads a 429's wait (Retry-After by default; GoCardless also says it in words).
    """

    def __init__(
        self,
        provider: str,
        base_url: str,
        clock: Clock,
        *,
        timeout: float = 20.0,
        retries: int = RETRIES,
        backoff: float = BACKOFF_S,
        sleep: Sleep = asyncio.sleep,
        transport: httpx.AsyncBaseTransport | None = None,
        wait_of: WaitOf = retry_after,
    ) -> None:
        self.provider = provider
        self._wait_of = wait_of
        self._clock = clock
        self._retries = retries
        self._backoff = backoff
        self._sleep = sleep
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout),
            transport=transport,
            follow_redirects=False,
        )

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        auth: httpx.Auth | tuple[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request (relative to the base URL, or absolute); retried as above."""
        wait = self._backoff
        for attempt in range(self._retries + 1):
            last = attempt == self._retries
            try:
                response = await self._client.request(
                    method, url, headers=headers, json=json, params=params, auth=auth
                )
            except httpx.TimeoutException:
                raise BankUnavailable(f"{self.provider}: no answer in time") from None
            except httpx.TransportError:
                if last:
                    raise BankUnavailable(f"{self.provider}: cannot be reached") from None
                await self._sleep(wait)
                wait *= 2
                continue
            if response.status_code == 429:
                now = self._clock.now()
                until = self._wait_of(response, now)
                short = until is not None and (until - now).total_seconds() <= SHORT_WAIT_S
                if last or not short:
                    raise RateLimited(retry_at=until)
                assert until is not None
                await self._sleep(max((until - now).total_seconds(), wait))
                wait *= 2
                continue
            if response.status_code >= 500:
                if last:
                    raise BankUnavailable(f"{self.provider}: answered {response.status_code}")
                await self._sleep(wait)
                wait *= 2
                continue
            return response
        raise AssertionError("unreachable: the last try returns or raises")

    async def aclose(self) -> None:
        await self._client.aclose()
