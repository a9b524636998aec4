"""The operator's GoCardless access token: obtained with the secret id and key, refreshed
before it expires, kept in memory only (never stored, never logged)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.banks.connector import BankUnavailable, ProviderMisconfigured
from bot.banks.gocardless.errors import unexpected
from bot.banks.http import ProviderHttp, json_object
from bot.domain.clock import Clock
from bot.domain.secret import Secret

log = logging.getLogger(__name__)

NEW = "/api/v2/token/new/"
REFRESH = "/api/v2/token/refresh/"
MARGIN = timedelta(minutes=5)
"""A token this close to its expiry is renewed first, so no call carries a dying one."""


@dataclass(frozen=True, slots=True)
class Held:
    value: Secret
    until: datetime

    def usable(self, now: datetime) -> bool:
        return now < self.until - MARGIN


class TokenKeeper:
    """Hands out a valid access token: refreshes it (30-day refresh token) before the 24-hour
    access token runs out, and asks for a new pair when the refresh token is gone too."""

    def __init__(
        self, http: ProviderHttp, secret_id: Secret, secret_key: Secret, clock: Clock
    ) -> None:
        self._http = http
        self._secret_id = secret_id
        self._secret_key = secret_key
        self._clock = clock
        self._lock = asyncio.Lock()
        self._access: Held | None = None
        self._refresh: Held | None = None

    def __repr__(self) -> str:
        return "TokenKeeper(***)"

    async def headers(self) -> dict[str, str]:
        async with self._lock:
            now = self._clock.now()
            if self._access is None or not self._access.usable(now):
                await self._renew(now)
            assert self._access is not None
            return {"Authorization": f"Bearer {self._access.value.reveal()}"}

    def forget(self, refused: dict[str, str]) -> None:
        """The API refused this access token (revoked, or its clock ahead of ours): the next
        call asks for another one."""
        held = self._access
        if held is not None and refused.get("Authorization") == f"Bearer {held.value.reveal()}":
            self._access = None

    async def obtain(self) -> timedelta:
        """A new token pair now, whatever is held (the configuration check); its lifetime."""
        async with self._lock:
            now = self._clock.now()
            await self._obtain(now)
            assert self._access is not None
            return self._access.until - now

    async def _renew(self, now: datetime) -> None:
        refresh = self._refresh
        if refresh is not None and refresh.usable(now) and await self._refreshed(refresh, now):
            return
        await self._obtain(now)

    async def _obtain(self, now: datetime) -> None:
        body = {"secret_id": self._secret_id.reveal(), "secret_key": self._secret_key.reveal()}
        response = await self._http.request("POST", NEW, json=body)
        if response.status_code in (401, 403):
            log.error(
                "gocardless: the secret id and key were refused (%s): check the operator's "
                "Bank Account Data user secrets in the configuration",
                response.status_code,
            )
            raise ProviderMisconfigured("gocardless: user secrets refused")
        if response.status_code != 200:
            raise unexpected(response, "token/new")
        data = json_object(response, "gocardless: token")
        self._access = _held(data, "access", now)
        self._refresh = _held(data, "refresh", now)

    async def _refreshed(self, refresh: Held, now: datetime) -> bool:
        response = await self._http.request(
            "POST", REFRESH, json={"refresh": refresh.value.reveal()}
        )
        if response.status_code != 200:
            self._refresh = None
            return False
        self._access = _held(json_object(response, "gocardless: token"), "access", now)
        return True


def _held(data: dict[str, object], name: str, now: datetime) -> Held:
    value, lifetime = data.get(name), data.get(f"{name}_expires")
    if not isinstance(value, str) or not value or not isinstance(lifetime, int):
        raise BankUnavailable("gocardless: token answer incomplete")
    return Held(Secret(value), now + timedelta(seconds=lifetime))
