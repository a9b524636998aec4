"""The Enable Banking API calls the connector makes, each signed and read the same way.

Paths and bodies follow the API reference: ``GET /application``, ``GET /aspsps``,
``POST /auth``, ``POST /sessions``, ``DELETE /sessions/{id}``,
``GET /accounts/{uid}/balances`` and ``GET /accounts/{uid}/transactions``. Every answer
other than a 2xx becomes a typed error (errors.py); a 2xx whose body is not a JSON object is
BankUnavailable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from bot.banks.enablebanking.errors import failure
from bot.banks.enablebanking.signing import RequestSigner
from bot.banks.http import ProviderHttp, json_object

JSON = dict[str, Any]


class EnableBankingApi:
    """One method per endpoint; the session id and account uids go in paths, never in logs."""

    def __init__(self, http: ProviderHttp, signer: RequestSigner) -> None:
        self._http = http
        self._signer = signer

    async def application(self) -> JSON:
        return await self._call("GET", "/application", during="application")

    async def aspsps(self, country: str) -> JSON:
        params = {"country": country, "service": "AIS"}
        return await self._call("GET", "/aspsps", params=params, during="aspsps")

    async def start_authorization(self, body: JSON) -> JSON:
        return await self._call("POST", "/auth", json=body, during="auth")

    async def create_session(self, code: str) -> JSON:
        return await self._call("POST", "/sessions", json={"code": code}, during="sessions")

    async def delete_session(self, session_id: str) -> JSON:
        return await self._call("DELETE", f"/sessions/{_segment(session_id)}", during="revoke")

    async def balances(self, account_uid: str) -> JSON:
        path = f"/accounts/{_segment(account_uid)}/balances"
        return await self._call("GET", path, during="balances")

    async def transactions(self, account_uid: str, params: Mapping[str, str]) -> JSON:
        path = f"/accounts/{_segment(account_uid)}/transactions"
        return await self._call("GET", path, params=params, during="transactions")

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _call(
        self,
        method: str,
        path: str,
        *,
        during: str,
        params: Mapping[str, str] | None = None,
        json: JSON | None = None,
    ) -> JSON:
        headers = {"Authorization": self._signer.authorization(), "Accept": "application/json"}
        response = await self._http.request(method, path, headers=headers, params=params, json=json)
        if not response.is_success:
            raise failure(response, during)
        return json_object(response, f"enablebanking: {during}")


def _segment(value: str) -> str:
    """An id as one path segment, whatever it holds."""
    return quote(value, safe="")
