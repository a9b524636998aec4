"""The GoCardless Bank Account Data connector: a consent link per bank, then accounts and
transactions read with the operator's token (see the package docstring)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Mapping
from datetime import date, timedelta
from typing import ClassVar
from urllib.parse import parse_qs, quote, urlsplit

import httpx

from bot.banks.connector import (
    AuthMethod,
    Authorized,
    AuthStep,
    BankUnavailable,
    Capabilities,
    Challenge,
    ChallengeKind,
    ConsentExpired,
    ConsentRefused,
    Credentials,
    FetchedAccount,
    FetchedTransaction,
    ProviderInstitution,
    Unsupported,
)
from bot.banks.gocardless.accounts import account_from
from bot.banks.gocardless.consent import (
    LINKED,
    MAX_HISTORY_DAYS,
    PENDING,
    LinkedConsent,
    PendingConsent,
    access_days,
    agreement_terms,
    consent_end,
    days,
    history_days,
    status_error,
)
from bot.banks.gocardless.errors import ErrorAnswer, account_error, gocardless_wait, unexpected
from bot.banks.gocardless.tokens import TokenKeeper
from bot.banks.gocardless.transactions import lines_from
from bot.banks.http import ProviderHttp, Sleep, json_object
from bot.domain.clock import Clock, today_in
from bot.domain.secret import Secret

DEFAULT_BASE_URL = "https://bankaccountdata.gocardless.com"
INSTITUTIONS = "/api/v2/institutions/"
AGREEMENTS = "/api/v2/agreements/enduser/"
REQUISITIONS = "/api/v2/requisitions/"
ACCOUNTS = "/api/v2/accounts/"


class GoCardlessConnector:
    """GoCardless Bank Account Data (ex-Nordigen), for operators who hold user secrets."""

    name: ClassVar[str] = "gocardless"
    capabilities: ClassVar[Capabilities] = Capabilities(
        auth=AuthMethod.CONSENT_LINK,
        max_history_days=MAX_HISTORY_DAYS,
        reports_pending=True,
        calls_per_day=4,
        consent_polling=True,
    )

    def __init__(
        self,
        *,
        secret_id: Secret,
        secret_key: Secret,
        redirect_url: str,
        clock: Clock,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 20.0,
        user_language: str = "EN",
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._clock = clock
        self._redirect_url = redirect_url
        self._user_language = user_language.upper()
        self._http = ProviderHttp(
            self.name,
            base_url,
            clock,
            timeout=timeout,
            sleep=sleep,
            transport=transport,
            wait_of=gocardless_wait,
        )
        self._tokens = TokenKeeper(self._http, secret_id, secret_key, clock)

    def __repr__(self) -> str:
        return "GoCardlessConnector(***)"

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- consent ---------------------------------------------------------------------------

    async def begin_auth(self, institution_id: str, credentials: Credentials | None) -> AuthStep:
        """Agree on the institution's longest terms, then create the requisition whose link
        the user opens; the bank's redirect comes back with `?ref=<reference>`."""
        institution = await self._institution(institution_id)
        response = await self._call(
            "POST", AGREEMENTS, json=agreement_terms(institution_id, institution)
        )
        if response.status_code not in (200, 201):
            raise unexpected(response, "agreement")
        agreement = json_object(response, "gocardless")
        reference = secrets.token_urlsafe(18)
        response = await self._call(
            "POST",
            REQUISITIONS,
            json={
                "redirect": self._redirect_url,
                "institution_id": institution_id,
                "reference": reference,
                "agreement": _id(agreement),
                "user_language": self._user_language,
            },
        )
        if response.status_code not in (200, 201):
            raise unexpected(response, "requisition")
        requisition = json_object(response, "gocardless")
        link = requisition.get("link")
        if not isinstance(link, str) or not link:
            raise BankUnavailable("gocardless: requisition without a link")
        pending = PendingConsent(
            requisition=_id(requisition),
            agreement=_id(agreement),
            institution=institution_id,
            reference=reference,
            history_days=days(agreement.get("max_historical_days"), history_days(institution)),
        )
        return Challenge(
            kind=ChallengeKind.LINK, state=pending.seal(), link=link, reference=reference
        )

    async def continue_auth(self, challenge: Challenge, answer: str) -> AuthStep:
        """Read the requisition: linked gives the secret, in flight is ConsentPending.

        `answer` is "" (polling) or the redirect URL; only its `ref` (which must be this
        consent's) and whether it carries an `error` are read.
        """
        if challenge.kind is not ChallengeKind.LINK:
            raise ConsentExpired("gocardless: not a consent link")
        pending = PendingConsent.open(challenge.state)
        redirect = parse_qs(urlsplit(answer.strip()).query) if answer.strip() else {}
        if redirect.get("ref", [pending.reference])[0] != pending.reference:
            raise ConsentRefused("gocardless: the redirect belongs to another consent")
        requisition = await self._read(REQUISITIONS, pending.requisition, "requisition")
        status = _status(requisition)
        if status != LINKED:
            if status in PENDING and "error" in redirect:
                raise ConsentRefused("gocardless: the user came back from the bank with an error")
            raise status_error(status)
        accounts = requisition.get("accounts")
        ids = tuple(a for a in accounts if isinstance(a, str)) if isinstance(accounts, list) else ()
        if not ids:
            raise ConsentRefused("gocardless: no account was shared")
        agreement = await self._read(AGREEMENTS, pending.agreement, "agreement")
        linked = LinkedConsent(
            requisition=pending.requisition,
            agreement=pending.agreement,
            institution=pending.institution,
            accounts=ids,
            history_days=pending.history_days,
        )
        expires = consent_end(
            agreement.get("accepted"), agreement.get("access_valid_for_days"), self._clock.now()
        )
        return Authorized(secret=linked.seal(), consent_expires=expires)

    async def revoke(self, secret: Secret) -> None:
        """Delete the requisition (and with it its agreement); already gone is fine."""
        linked = LinkedConsent.open(secret)
        response = await self._call("DELETE", _path(REQUISITIONS, linked.requisition))
        if response.status_code not in (200, 204, 404):
            raise unexpected(response, "requisition delete")

    # --- accounts --------------------------------------------------------------------------

    async def list_accounts(self, secret: Secret) -> list[FetchedAccount]:
        """Details and balances of each linked account (two of the day's budgets, never the
        transactions one). The IBAN is how a renewed consent's new ids are matched."""
        linked = LinkedConsent.open(secret)
        found = []
        for account_id in linked.accounts:
            details = await self._account(account_id, "details")
            balances = await self._account(account_id, "balances")
            found.append(account_from(account_id, details, balances))
        return found

    async def fetch_transactions(
        self, secret: Secret, account_id: str, since: date, until: date
    ) -> list[FetchedTransaction]:
        """Booked and pending lines from `since` to `until`, within the agreed history."""
        linked = LinkedConsent.open(secret)
        if account_id not in linked.accounts:
            raise Unsupported("gocardless: account not in this consent")
        today = today_in(self._clock)
        first = max(since, today - timedelta(days=linked.history_days))
        last = min(until, today)
        if first > last:
            return []
        answer = await self._account(
            account_id,
            "transactions",
            params={"date_from": first.isoformat(), "date_to": last.isoformat()},
        )
        return lines_from(answer, first, last, today)

    # --- institutions (InstitutionSource) --------------------------------------------------

    async def institutions(self, country: str) -> list[ProviderInstitution]:
        response = await self._call("GET", INSTITUTIONS, params={"country": country.lower()})
        if response.status_code == 400:
            return []
        if response.status_code != 200:
            raise unexpected(response, "institutions")
        try:
            listed = response.json()
        except ValueError:
            raise BankUnavailable("gocardless: institutions unreadable") from None
        return [
            ProviderInstitution(
                id=entry["id"],
                name=entry["name"],
                country=country.upper(),
                bic=entry.get("bic") or None,
                max_history_days=history_days(entry),
                max_consent_days=access_days(entry),
            )
            for entry in (listed if isinstance(listed, list) else [])
            if isinstance(entry, dict)
            and isinstance(entry.get("id"), str)
            and isinstance(entry.get("name"), str)
        ]

    async def check(self) -> str:
        lifetime = await self._tokens.obtain()
        hours = int(lifetime.total_seconds() // 3600)
        return f"GoCardless Bank Account Data: user secrets accepted, token valid {hours} h"

    # --- plumbing --------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json: object = None,
        params: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """One authorised request; an access token the API refuses is replaced once."""
        headers = await self._tokens.headers()
        response = await self._http.request(method, path, headers=headers, json=json, params=params)
        if response.status_code == 401 and not ErrorAnswer.of(response).consent_gone:
            self._tokens.forget(headers)
            headers = await self._tokens.headers()
            response = await self._http.request(
                method, path, headers=headers, json=json, params=params
            )
        return response

    async def _institution(self, institution_id: str) -> dict[str, object]:
        response = await self._call("GET", _path(INSTITUTIONS, institution_id))
        if response.status_code in (400, 404):
            raise Unsupported("gocardless: unknown institution")
        if response.status_code != 200:
            raise unexpected(response, "institution")
        return json_object(response, "gocardless")

    async def _read(self, collection: str, item_id: str, what: str) -> dict[str, object]:
        response = await self._call("GET", _path(collection, item_id))
        if response.status_code != 200:
            raise account_error(response, what)
        return json_object(response, "gocardless")

    async def _account(
        self, account_id: str, scope: str, params: Mapping[str, str] | None = None
    ) -> dict[str, object]:
        response = await self._call("GET", f"{_path(ACCOUNTS, account_id)}{scope}/", params=params)
        if response.status_code != 200:
            raise account_error(response, scope)
        return json_object(response, "gocardless")


def _path(collection: str, item_id: str) -> str:
    return f"{collection}{quote(item_id, safe='')}/"


def _id(data: Mapping[str, object]) -> str:
    value = data.get("id")
    if not isinstance(value, str) or not value:
        raise BankUnavailable("gocardless: answer without an id")
    return value


def _status(requisition: Mapping[str, object]) -> str:
    """The short status ("LN"); older answers nested it as {"short": ...}."""
    status = requisition.get("status")
    if isinstance(status, dict):
        status = status.get("short")
    return status if isinstance(status, str) else ""
