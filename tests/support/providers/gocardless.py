"""A local GoCardless Bank Account Data stand-in: an aiohttp server answering like the published
API (tokens, institutions, end-user agreements, requisitions and their consent link, accounts
under the banks' 4-successful-calls-a-day-per-scope limit), errors in its documented shape.

    async with GoCardlessStandIn(clock=clock) as bank:
        bank.add_institution("SANDBOX_FR", "Banque Sandbox", transaction_total_days=540)
        bank.add_account(BankAccount("SANDBOX_FR", "FR7630006000011234567890189", "120.00"))
        bank.add_transaction("FR7630006000011234567890189", transaction("-4.50", day, "Café"))

The requisition's link is served here: a plain GET (a browser, or httpx following redirects)
links it, giving each bank account of the institution a NEW account id (as a renewal does),
and answers 302 to the redirect URL with ``?ref=<reference>``; a second GET is refused. Time is
the given clock's (tokens expire, budgets reset, agreements run out by it).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from bot.domain.clock import Clock, SystemClock

SECRET_ID = "stand-in-secret-id"
SECRET_KEY = "stand-in-secret-key"
ACCESS_SECONDS = 86_400
REFRESH_SECONDS = 2_592_000
WINDOW = timedelta(days=1)
SCOPES = ("balances", "details", "transactions")
SCOPE_NAMES = {"details": "account details", "balances": "balances", "transactions": "transactions"}
DETAILS = dict(iban="iban", currency="currency", name="name", cashAccountType="cash_account_type")
LIMIT_HEADER = "HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_"

JSON = dict[str, Any]


def transaction(amount: str, day: date, label: str = "", **extra: str) -> JSON:
    """One booked-on-`day` transaction as GoCardless lists it (Berlin Group); `extra` fields
    (transactionId="…", creditorName="…", currency="…") are added or replaced as given."""
    return {
        "bookingDate": day.isoformat(),
        "valueDate": day.isoformat(),
        "transactionAmount": {"amount": amount, "currency": extra.pop("currency", "EUR")},
        "remittanceInformationUnstructured": label,
    } | extra


@dataclass
class BankAccount:
    """An account at the bank, whichever consent reaches it (seed with add_account)."""

    institution: str
    iban: str
    balance: str = "0.00"
    name: str = "Compte courant"
    currency: str = "EUR"
    cash_account_type: str = "CACC"
    booked: list[JSON] = field(default_factory=list)
    pending: list[JSON] = field(default_factory=list)


@dataclass
class Agreement:
    id: str
    institution: str
    max_historical_days: int
    access_valid_for_days: int
    access_scope: list[str]
    created: datetime
    accepted: datetime | None = None
    expired: bool = False

    def json(self) -> JSON:
        terms = ("id", "max_historical_days", "access_valid_for_days", "access_scope")
        return {name: getattr(self, name) for name in terms} | {
            "created": self.created.isoformat(),
            "institution_id": self.institution,
            "accepted": self.accepted.isoformat() if self.accepted else None,
        }


@dataclass
class Requisition:
    id: str
    institution: str
    agreement: str
    reference: str
    redirect: str
    public: JSON
    """The fields the API shows as they were created (link, user_language, created…)."""
    status: str = "CR"
    accounts: list[str] = field(default_factory=list)
    link_used: bool = False


@dataclass
class Failure:
    status: int
    times: int
    path: str
    wait: int


class GoCardlessStandIn:
    """See the module docstring; `calls` counts requests by "METHOD /route/{template}/"."""

    def __init__(self, *, clock: Clock | None = None, account_limit: int = 4) -> None:
        self.clock: Clock = clock or SystemClock()
        self.account_limit = account_limit
        self.url = ""
        self.calls: Counter[str] = Counter()
        self.institutions: dict[str, JSON] = {}
        self.bank_accounts: list[BankAccount] = []
        self.agreements: dict[str, Agreement] = {}
        self.requisitions: dict[str, Requisition] = {}
        self._accounts: dict[str, tuple[BankAccount, Requisition]] = {}
        self._access: dict[str, datetime] = {}
        self._refresh: dict[str, datetime] = {}
        self._budgets: dict[tuple[str, str], tuple[datetime, int]] = {}
        self._failures: list[Failure] = []
        self._hang_path: str | None = None
        self._released = asyncio.Event()
        self._runner: web.AppRunner | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> GoCardlessStandIn:
        app = web.Application(middlewares=[self._front])
        api = "/api/v2"
        for method, path, handler in (
            ("POST", f"{api}/token/new/", self._token_new),
            ("POST", f"{api}/token/refresh/", self._token_refresh),
            ("GET", f"{api}/institutions/", self._institutions),
            ("GET", f"{api}/institutions/{{id}}/", self._institution),
            ("POST", f"{api}/agreements/enduser/", self._agreement_new),
            ("GET", f"{api}/agreements/enduser/{{id}}/", self._agreement_get),
            ("POST", f"{api}/requisitions/", self._requisition_new),
            ("GET", f"{api}/requisitions/{{id}}/", self._requisition_get),
            ("DELETE", f"{api}/requisitions/{{id}}/", self._requisition_delete),
            *(("GET", f"{api}/accounts/{{id}}/{scope}/", self._account_scope) for scope in SCOPES),
            ("GET", "/psd2/start/{requisition}/{institution}", self._link),
        ):
            app.router.add_route(method, path, handler)
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.release()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- seeding and steering ----------------------------------------------------------------

    def add_institution(
        self,
        institution_id: str,
        name: str,
        *,
        countries: tuple[str, ...] = ("FR",),
        bic: str = "",
        transaction_total_days: int = 730,
        max_access_valid_for_days: int = 180,
    ) -> None:
        self.institutions[institution_id] = {
            "id": institution_id,
            "name": name,
            "bic": bic,
            "transaction_total_days": str(transaction_total_days),
            "max_access_valid_for_days": str(max_access_valid_for_days),
            "countries": list(countries),
            "logo": f"https://cdn.example/{institution_id}.png",
        }

    def add_account(self, account: BankAccount) -> BankAccount:
        self.bank_accounts.append(account)
        return account

    def add_transaction(self, iban: str, entry: JSON, *, pending: bool = False) -> None:
        account = next(a for a in self.bank_accounts if a.iban == iban)
        (account.pending if pending else account.booked).append(entry)

    def by_reference(self, reference: str) -> Requisition:
        return next(r for r in self.requisitions.values() if r.reference == reference)

    def set_status(self, requisition_id: str, status: str) -> None:
        """Force a requisition's status (RJ, EX, SU, UA…) as the user or the bank would."""
        self.requisitions[requisition_id].status = status

    def expire(self, requisition_id: str) -> None:
        """Its agreement runs out now: status EX, account calls answer 401 (EUA expired)."""
        requisition = self.requisitions[requisition_id]
        self.agreements[requisition.agreement].expired = True

    def revoke_tokens(self) -> None:
        """Every access token handed out so far stops working (refresh tokens still do)."""
        self._access.clear()

    def fail(self, status: int, *, times: int = 1, path: str = "", wait: int = 0) -> None:
        """The next `times` requests whose path contains `path` answer `status` (a 429 says
        "try again in `wait` seconds", as GoCardless' own limit does)."""
        self._failures.append(Failure(status, times, path, wait))

    def hang(self, path: str = "") -> None:
        """Requests whose path contains `path` get no answer until release()."""
        self._hang_path = path
        self._released = asyncio.Event()

    def release(self) -> None:
        self._hang_path = None
        self._released.set()

    # --- the front door: counting, failures, tokens ------------------------------------------

    @web.middleware
    async def _front(self, request: web.Request, handler: Any) -> web.StreamResponse:
        route = request.match_info.route.resource
        self.calls[f"{request.method} {route.canonical if route else request.path}"] += 1
        if self._hang_path is not None and self._hang_path in request.path:
            await self._released.wait()
        failure = next((f for f in self._failures if f.path in request.path), None)
        if failure is not None:
            failure.times -= 1
            if failure.times <= 0:
                self._failures.remove(failure)
            return self._failed(failure)
        public = request.path.startswith(("/api/v2/token/", "/psd2/"))
        if not public and not self._authorised(request):
            return error(401, "Invalid token", "Token is invalid or expired")
        response: web.StreamResponse = await handler(request)
        return response

    def _failed(self, failure: Failure) -> web.Response:
        if failure.status != 429:
            summary = "Service unavailable" if failure.status >= 500 else "Bad request"
            return error(failure.status, summary, "Failure asked by the test.")
        detail = f"The rate limit is 100/minute. Please try again in {failure.wait} seconds"
        return error(429, "Rate limit exceeded", detail, HTTP_X_RATELIMIT_RESET=str(failure.wait))

    def _authorised(self, request: web.Request) -> bool:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        until = self._access.get(token)
        return scheme == "Bearer" and until is not None and self.clock.now() < until

    async def _token_new(self, request: web.Request) -> web.Response:
        body = await _body(request)
        if (body.get("secret_id"), body.get("secret_key")) != (SECRET_ID, SECRET_KEY):
            detail = "No active account found with the given credentials"
            return error(401, "Authentication failed", detail)
        refresh = secrets.token_urlsafe(32)
        self._refresh[refresh] = self.clock.now() + timedelta(seconds=REFRESH_SECONDS)
        pair = {"refresh": refresh, "refresh_expires": REFRESH_SECONDS}
        return web.json_response(self._new_access() | pair)

    async def _token_refresh(self, request: web.Request) -> web.Response:
        refresh = str((await _body(request)).get("refresh", ""))
        until = self._refresh.get(refresh)
        if until is None or self.clock.now() >= until:
            return error(401, "Invalid token", "Token is invalid or expired")
        return web.json_response(self._new_access())

    def _new_access(self) -> JSON:
        access = secrets.token_urlsafe(32)
        self._access[access] = self.clock.now() + timedelta(seconds=ACCESS_SECONDS)
        return {"access": access, "access_expires": ACCESS_SECONDS}

    # --- institutions, agreements, requisitions -----------------------------------------------

    async def _institutions(self, request: web.Request) -> web.Response:
        country = request.query.get("country", "").upper()
        return web.json_response(
            [i for i in self.institutions.values() if not country or country in i["countries"]]
        )

    async def _institution(self, request: web.Request) -> web.Response:
        found = self.institutions.get(request.match_info["id"])
        return web.json_response(found) if found else not_found()

    async def _agreement_new(self, request: web.Request) -> web.Response:
        body = await _body(request)
        institution = self.institutions.get(str(body.get("institution_id")))
        if institution is None:
            return field_error("institution_id", "Unknown Institution ID", "Get Institution IDs")
        terms: list[int] = []
        for name, most in (
            ("max_historical_days", min(int(institution["transaction_total_days"]), 730)),
            ("access_valid_for_days", min(int(institution["max_access_valid_for_days"]), 180)),
        ):
            days = _count(body.get(name, 90))
            if days is None or not 0 < days <= most:
                return field_error(name, f"Incorrect {name}", f"{name} must be > 0 and <= {most}")
            terms.append(days)
        scope = body.get("access_scope", list(SCOPES))
        if not isinstance(scope, list) or not scope or not set(scope) <= set(SCOPES):
            return field_error("access_scope", "Unknown value in access_scope", str(SCOPES))
        history, access = terms
        agreement = Agreement(
            str(uuid.uuid4()), institution["id"], history, access, scope, self.clock.now()
        )
        self.agreements[agreement.id] = agreement
        return web.json_response(agreement.json(), status=201)

    async def _agreement_get(self, request: web.Request) -> web.Response:
        found = self.agreements.get(request.match_info["id"])
        return web.json_response(found.json()) if found else not_found()

    async def _requisition_new(self, request: web.Request) -> web.Response:
        body = await _body(request)
        redirect = str(body.get("redirect", ""))
        if urlsplit(redirect).scheme not in ("http", "https") or not urlsplit(redirect).netloc:
            return field_error("redirect", "Invalid redirect URI", "Redirect URI must be valid")
        institution = str(body.get("institution_id", ""))
        if institution not in self.institutions:
            return field_error("institution_id", "Unknown Institution ID", "Get Institution IDs")
        agreement = self.agreements.get(str(body.get("agreement", "")))
        if agreement is None or agreement.institution != institution:
            return field_error("agreement", "Invalid EUA", "Please specify a valid agreement.")
        reference = str(body.get("reference") or uuid.uuid4())
        if any(r.reference == reference for r in self.requisitions.values()):
            return field_error("reference", "Client reference must be unique", reference)
        requisition_id = str(uuid.uuid4())
        public = {
            "id": requisition_id,
            "created": self.clock.now().isoformat(),
            "redirect": redirect,
            "institution_id": institution,
            "agreement": agreement.id,
            "reference": reference,
            "user_language": str(body.get("user_language", "EN")),
        }
        public["link"] = f"{self.url}/psd2/start/{requisition_id}/{institution}"
        requisition = Requisition(
            requisition_id, institution, agreement.id, reference, redirect, public
        )
        self.requisitions[requisition.id] = requisition
        return web.json_response(self._requisition_json(requisition), status=201)

    async def _requisition_get(self, request: web.Request) -> web.Response:
        found = self.requisitions.get(request.match_info["id"])
        return web.json_response(self._requisition_json(found)) if found else not_found()

    async def _requisition_delete(self, request: web.Request) -> web.Response:
        found = self.requisitions.pop(request.match_info["id"], None)
        if found is None:
            return not_found()
        self.agreements.pop(found.agreement, None)
        detail = f"Requisition {found.id} deleted with all its End User Agreements"
        return web.json_response({"summary": "Requisition deleted", "detail": detail})

    def _requisition_json(self, requisition: Requisition) -> JSON:
        agreement = self.agreements.get(requisition.agreement)
        expired = agreement is not None and self._expired(agreement)
        status = "EX" if expired else requisition.status
        return requisition.public | {"status": status, "accounts": list(requisition.accounts)}

    async def _link(self, request: web.Request) -> web.Response:
        """The user at GoCardless' consent screens and the bank, as one GET."""
        requisition = self.requisitions.get(request.match_info["requisition"])
        if requisition is None:
            return not_found()
        if requisition.link_used:
            return error(400, "RequisitionLinkReused", "This link has already been used.")
        requisition.link_used = True
        query = {"ref": requisition.reference}
        if requisition.status in ("CR", "GC", "UA", "SA", "GA"):
            requisition.status = "LN"
            self.agreements[requisition.agreement].accepted = self.clock.now()
            for account in self.bank_accounts:
                if account.institution == requisition.institution:
                    account_id = str(uuid.uuid4())
                    requisition.accounts.append(account_id)
                    self._accounts[account_id] = (account, requisition)
        else:
            query |= {"error": "UserSessionRejected", "details": "User session rejected."}
        joiner = "&" if urlsplit(requisition.redirect).query else "?"
        raise web.HTTPFound(f"{requisition.redirect}{joiner}{urlencode(query)}")

    # --- accounts -----------------------------------------------------------------------------

    async def _account_scope(self, request: web.Request) -> web.Response:
        account_id, scope = request.match_info["id"], request.path.rstrip("/").rsplit("/")[-1]
        found = self._accounts.get(account_id)
        if found is None:
            return not_found()
        account, requisition = found
        agreement = self.agreements.get(requisition.agreement)
        if agreement is None or requisition.id not in self.requisitions:
            return error(401, "AccountInactiveError", "Account has been deactivated.")
        if self._expired(agreement):
            summary = f"End User Agreement (EUA) {agreement.id} has expired"
            detail = f"EUA was valid for {agreement.access_valid_for_days} days and expired."
            return error(401, summary, f"{detail} The end user must reconnect their account.")
        if scope not in agreement.access_scope:
            return error(403, "AccountAccessForbidden", "Access to the account is forbidden.")
        if scope == "details":
            shown = {key: getattr(account, name) for key, name in DETAILS.items()}
            body: JSON = {"account": {"resourceId": account_id} | shown}
        elif scope == "balances":
            amount = {"amount": account.balance, "currency": account.currency}
            kinds = ("closingBooked", "interimAvailable")
            body = {"balances": [{"balanceAmount": amount, "balanceType": k} for k in kinds]}
        else:
            window = self._window(request, agreement.max_historical_days)
            if isinstance(window, web.Response):
                return window
            body = {"transactions": _between(account, *window)}
        return self._spend(account_id, scope, body)

    def _spend(self, account_id: str, scope: str, body: JSON) -> web.Response:
        """The bank's budget: `account_limit` successful calls per account and scope a day."""
        now = self.clock.now()
        start, used = self._budgets.get((account_id, scope), (now, 0))
        if now >= start + WINDOW:
            start, used = now, 0
        reset = str(int((start + WINDOW - now).total_seconds()))
        headers = {f"{LIMIT_HEADER}LIMIT": str(self.account_limit), f"{LIMIT_HEADER}RESET": reset}
        if used >= self.account_limit:
            headers[f"{LIMIT_HEADER}REMAINING"] = "0"
            detail = "Daily request limit set by the Institution has been exceeded."
            body = {"summary": f"Couldn't update {SCOPE_NAMES[scope]}", "detail": detail}
            body |= {"type": "RateLimitError", "status_code": 429}
            return web.json_response(body, status=429, headers=headers)
        self._budgets[(account_id, scope)] = (start, used + 1)
        headers[f"{LIMIT_HEADER}REMAINING"] = str(self.account_limit - used - 1)
        return web.json_response(body, headers=headers)

    def reset_at(self, account_id: str, scope: str) -> datetime:
        """When the account's budget for `scope` starts again (for tests of the 429's wait)."""
        start, _ = self._budgets[(account_id, scope)]
        return start + WINDOW

    def _window(self, request: web.Request, history: int) -> tuple[date, date] | web.Response:
        today = self.clock.now().date()
        earliest = today - timedelta(days=history)
        try:
            first = date.fromisoformat(request.query.get("date_from", earliest.isoformat()))
            last = date.fromisoformat(request.query.get("date_to", today.isoformat()))
        except ValueError:
            return error(400, "Invalid date", "Dates must be given as YYYY-MM-DD.")
        if first < earliest or last < first:
            detail = f"date_from must be on or after {earliest} (max_historical_days), <= date_to"
            return error(400, "Incorrect date range", detail)
        return first, last

    def _expired(self, agreement: Agreement) -> bool:
        lasts = timedelta(days=agreement.access_valid_for_days)
        ended = agreement.accepted is not None and self.clock.now() >= agreement.accepted + lasts
        return agreement.expired or ended


def _between(account: BankAccount, first: date, last: date) -> JSON:
    def dated(entry: JSON) -> bool:
        day = entry.get("bookingDate") or entry.get("valueDate")
        return day is None or first <= date.fromisoformat(day) <= last

    return {kind: [e for e in getattr(account, kind) if dated(e)] for kind in ("booked", "pending")}


def error(status: int, summary: str, detail: str, **headers: str) -> web.Response:
    """The API's error shape: summary, detail, status_code."""
    body = {"summary": summary, "detail": detail, "status_code": status}
    return web.json_response(body, status=status, headers=headers)


def field_error(name: str, summary: str, detail: str) -> web.Response:
    """A validation error, nested under the field as for agreements and requisitions."""
    body = {name: {"summary": summary, "detail": detail}, "status_code": 400}
    return web.json_response(body, status=400)


def not_found() -> web.Response:
    return error(404, "Not found.", "Not found.")


def _count(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None


async def _body(request: web.Request) -> JSON:
    with contextlib.suppress(ValueError):
        body = await request.json()
        return body if isinstance(body, dict) else {}
    return {}
