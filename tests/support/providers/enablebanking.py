"""A local Enable Banking stand-in: an aiohttp server answering like api.enablebanking.com.

Following the API reference: every call but the bank page needs an RS256 JWT (``kid`` the
application id, ``iss`` enablebanking.com, ``aud`` api.enablebanking.com, at most 24 h of
life) checked with the public key given and the stand-in's clock. ``POST /auth`` links to the
stand-in's bank page, which a plain GET answers with a 302 to ``redirect_url?state=…&code=…``
(or ``&error=…``); a code opens one session, once; each session gives accounts new uids;
transactions come in pages chained by ``continuation_key``; errors are the documented
ErrorResponse; an inactive application gets 403 "Application is not active". Seed with
`add_aspsp`/`add_account`/`transaction`; break with `fail`, `hang`, `refuse_next_consent`,
``active = False``; read `calls` (per route, e.g. ``"POST /sessions"``) and `consents`.
Use it from the event loop that started it.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from bot.domain.clock import Clock, SystemClock

JSON = dict[str, Any]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

ISSUER = "enablebanking.com"
AUDIENCE = "api.enablebanking.com"
MAX_TOKEN_LIFE = 86_400
CLAIMS = ["iss", "aud", "iat", "exp"]
BANK_PAGE = "/welcome"
SIX_MONTHS = 15_552_000


def transaction(amount: str, indicator: str, *, currency: str = "EUR", **fields: Any) -> JSON:
    """One Transaction of the API reference (status BOOK unless `fields` say otherwise);
    `fields` are its other fields by name: ``booking_date="2026-11-02"``,
    ``entry_reference``, ``remittance_information=[…]``, ``creditor={"name": …}``…"""
    row: JSON = {"status": "BOOK", "remittance_information": [], "transaction_id": uuid.uuid4().hex}
    amounts = {"currency": currency, "amount": amount}
    return row | {"transaction_amount": amounts, "credit_debit_indicator": indicator} | fields


@dataclass
class StandInAccount:
    """An account at a bank; `readable=False` lists it without a uid (blocked or closed)."""

    iban: str
    currency: str = "EUR"
    details: str | None = None
    product: str | None = None
    holder: str | None = "SARL Exemple"
    cash_account_type: str = "CACC"
    balances: list[tuple[str, str]] = field(default_factory=lambda: [("CLBD", "0.00")])
    transactions: list[JSON] = field(default_factory=list)
    readable: bool = True

    @property
    def identification_hash(self) -> str:
        return "iban." + hashlib.sha256(self.iban.encode()).hexdigest()

    def resource(self, uid: str | None) -> JSON:
        hashes: JSON = {"identification_hash": self.identification_hash}
        hashes["identification_hashes"] = [self.identification_hash]
        kind = {"cash_account_type": self.cash_account_type, "currency": self.currency}
        texts = {"name": self.holder, "details": self.details, "product": self.product, "uid": uid}
        resource = {"account_id": {"iban": self.iban}, **hashes, **kind, **texts}
        return {key: value for key, value in resource.items() if value is not None}


@dataclass
class StandInAspsp:
    name: str
    country: str
    bic: str | None = None
    maximum_consent_validity: int = SIX_MONTHS
    psu_types: tuple[str, ...] = ("personal", "business")
    accounts: list[StandInAccount] = field(default_factory=list)

    def data(self) -> JSON:
        methods = [
            {"name": "redirect", "psu_type": kind, "approach": "REDIRECT", "hidden_method": False}
            for kind in self.psu_types
        ]
        logo = f"https://enablebanking.com/brands/{self.country}/{self.name}/"
        data = {"name": self.name, "country": self.country, "logo": logo, "beta": False}
        data |= {"psu_types": list(self.psu_types), "auth_methods": methods}
        data |= {"maximum_consent_validity": self.maximum_consent_validity}
        return data | ({"bic": self.bic} if self.bic else {})


@dataclass
class Consent:
    """One POST /auth: its bank page, then the session its code opened (`session_id`)."""

    id: str
    aspsp: StandInAspsp
    state: str
    redirect_url: str
    valid_until: datetime
    psu_type: str
    opened: bool = False
    session_id: str | None = None
    accounts: dict[str, StandInAccount] = field(default_factory=dict)
    status: str = "AUTHORIZED"
    """Set "EXPIRED" or "REVOKED" to end it at the bank's side."""


@dataclass
class Failure:
    status: int
    route: str | None
    times: int
    error: str | None
    retry_after: int | None


class EnableBankingStandIn:
    """The stand-in server; see the module docstring."""

    def __init__(
        self,
        public_key: RSAPublicKey,
        application_id: str,
        *,
        redirect_urls: Sequence[str] = ("https://pointage.test/enablebanking/callback",),
        clock: Clock | None = None,
    ) -> None:
        self.public_key = public_key
        self.application_id = application_id
        self.redirect_urls = list(redirect_urls)
        self.clock: Clock = clock or SystemClock()
        self.name, self.environment = "Pointage", "PRODUCTION"
        self.page_size, self.code_life = 25, timedelta(minutes=10)
        self.active = True
        """False: every call gets 403 "Application is not active"."""
        self.url = ""
        self.calls: Counter[str] = Counter()
        """Requests received per route, e.g. ``calls["GET /accounts/{account_id}/balances"]``."""
        self.aspsps: dict[tuple[str, str], StandInAspsp] = {}
        self.consents: dict[str, Consent] = {}
        self.sessions: dict[str, Consent] = {}
        """The consents that opened a session, by session id."""
        self.refusal: tuple[str, str] | None = None
        self._codes: dict[str, tuple[Consent, datetime]] = {}
        self._used_codes: set[str] = set()
        self._by_uid: dict[str, tuple[Consent, StandInAccount]] = {}
        self._pages: dict[str, tuple[str, JSON, int]] = {}
        self._failures: list[Failure] = []
        self._hanging: set[str | None] = set()
        self._released = asyncio.Event()
        self._runner: web.AppRunner | None = None

    def add_aspsp(self, name: str, country: str, **details: Any) -> StandInAspsp:
        """A bank of GET /aspsps; `details` are StandInAspsp's other fields."""
        aspsp = StandInAspsp(name, country, **details)
        self.aspsps[(name, country)] = aspsp
        return aspsp

    def add_account(self, aspsp: str, country: str, account: StandInAccount) -> StandInAccount:
        """An account every consent at that bank opens from now on."""
        self.aspsps[(aspsp, country)].accounts.append(account)
        return account

    def fail(
        self,
        status: int,
        *,
        route: str | None = None,
        times: int = 1,
        error: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        """The next `times` requests (to `route`, e.g. "POST /sessions", or any) get `status`
        (429s carry ASPSP_RATE_LIMIT_EXCEEDED unless `error` names another code)."""
        self._failures.append(Failure(status, route, times, error, retry_after))

    def hang(self, route: str | None = None) -> None:
        """Requests (to `route`, or all) are never answered, until `release()` or the end."""
        self._hanging.add(route)

    def release(self) -> None:
        self._hanging.clear()
        self._released.set()
        self._released = asyncio.Event()

    def refuse_next_consent(self, error: str = "access_denied", why: str = "Cancelled") -> None:
        """The next bank page opened redirects with ``error`` instead of a code."""
        self.refusal = (error, why)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        app = web.Application(middlewares=[self._gate])
        app.router.add_get("/application", self._application)
        app.router.add_get("/aspsps", self._list_aspsps)
        app.router.add_post("/auth", self._start_auth)
        app.router.add_get(BANK_PAGE, self._bank_page)
        app.router.add_post("/sessions", self._create_session)
        app.router.add_delete("/sessions/{session_id}", self._delete_session)
        app.router.add_get("/accounts/{account_id}/balances", self._balances)
        app.router.add_get("/accounts/{account_id}/transactions", self._transactions)
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = self._runner.addresses[0][1] if self._runner.addresses else port
        self.url = f"http://{host}:{bound}"

    async def stop(self) -> None:
        self.release()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> EnableBankingStandIn:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # --- the gate: counting, hanging, failures, JWT, activation --------------------------------

    @web.middleware
    async def _gate(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        resource = request.match_info.route.resource
        route = f"{request.method} {resource.canonical if resource else request.path}"
        self.calls[route] += 1
        if None in self._hanging or route in self._hanging:
            await self._released.wait()
            return web.json_response({"code": 503, "message": "Unavailable"}, status=503)
        for failure in self._failures:
            if failure.times > 0 and failure.route in (None, route):
                failure.times -= 1
                return injected(failure)
        if request.path != BANK_PAGE:
            refused = self._refused_token(request)
            if refused is not None:
                return refused
            if not self.active:
                inactive = {"code": 403, "message": "Application is not active"}
                return web.json_response(inactive, status=403)
        try:
            return await handler(request)
        except Answer as raised:
            return raised.response

    def _refused_token(self, request: web.Request) -> web.Response | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return error(401, "AUTHORIZATION_NOT_PROVIDED")
        checks: jwt.types.Options = {"require": CLAIMS, "verify_exp": False, "verify_iat": False}
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(
                token, self.public_key, ["RS256"], checks, audience=AUDIENCE, issuer=ISSUER
            )
        except jwt.InvalidTokenError as invalid:
            return error(401, "UNAUTHORIZED_ACCESS", f"Invalid JWT: {type(invalid).__name__}")
        if header.get("typ") != "JWT" or header.get("kid") != self.application_id:
            return error(401, "UNAUTHORIZED_ACCESS", "Unknown application key id")
        now, issued, expires = self.clock.now().timestamp(), claims["iat"], claims["exp"]
        if not isinstance(issued, int | float) or not isinstance(expires, int | float):
            return error(401, "UNAUTHORIZED_ACCESS", "iat and exp must be numbers")
        if expires <= now or issued > now + 60:
            return error(401, "UNAUTHORIZED_ACCESS", "JWT expired or not yet valid")
        if expires - issued > MAX_TOKEN_LIFE:
            return error(401, "UNAUTHORIZED_ACCESS", "JWT time-to-live exceeds 86400 seconds")
        return None

    async def _application(self, request: web.Request) -> web.Response:
        app: JSON = {"name": self.name, "kid": self.application_id, "environment": self.environment}
        app |= {"redirect_urls": self.redirect_urls, "active": self.active, "services": ["AIS"]}
        return web.json_response(app | {"countries": sorted({c for _, c in self.aspsps})})

    async def _list_aspsps(self, request: web.Request) -> web.Response:
        country, psu_type = request.query.get("country"), request.query.get("psu_type")
        if country is not None and not (len(country) == 2 and country.isupper()):
            return wrong("country must be two upper-case letters")
        found = [
            aspsp.data()
            for aspsp in self.aspsps.values()
            if country in (None, aspsp.country) and psu_type in (None, *aspsp.psu_types)
        ]
        return web.json_response({"aspsps": found})

    async def _start_auth(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        access, bank = body.get("access"), body.get("aspsp")
        state, redirect_url = body.get("state"), body.get("redirect_url")
        if not isinstance(access, dict) or not isinstance(bank, dict):
            return wrong("access and aspsp are required")
        if not isinstance(state, str) or not isinstance(redirect_url, str):
            return wrong("state and redirect_url are required")
        aspsp = self.aspsps.get((str(bank.get("name")), str(bank.get("country"))))
        if aspsp is None:
            return error(422, "WRONG_ASPSP_PROVIDED")
        if redirect_url not in self.redirect_urls:
            return error(422, "REDIRECT_URI_NOT_ALLOWED")
        try:
            valid_until = datetime.fromisoformat(str(access.get("valid_until")))
        except ValueError:
            return wrong("access.valid_until must be an RFC 3339 date-time")
        now = self.clock.now()
        if valid_until.tzinfo is None or valid_until <= now:
            return wrong("access.valid_until must be in the future, with a timezone offset")
        if valid_until > now + timedelta(seconds=aspsp.maximum_consent_validity):
            return wrong("access.valid_until exceeds the ASPSP's maximum_consent_validity")
        psu_type = body.get("psu_type", "personal")
        if psu_type not in aspsp.psu_types:
            return wrong("psu_type is not supported by the ASPSP")
        auth = Consent(uuid.uuid4().hex, aspsp, state, redirect_url, valid_until, psu_type)
        self.consents[auth.id] = auth
        started = {
            "url": f"{self.url}{BANK_PAGE}?sessionid={auth.id}",
            "authorization_id": auth.id,
            "psu_id_hash": hashlib.sha256(auth.id.encode()).hexdigest(),
        }
        return web.json_response(started)

    async def _bank_page(self, request: web.Request) -> web.Response:
        """The user at the bank: consents (302 with a code) or refuses (302 with an error)."""
        auth = self.consents.get(request.query.get("sessionid", ""))
        if auth is None:
            return web.Response(status=404, text="Unknown authorisation")
        if auth.opened:
            return web.Response(status=400, text="This authorisation link was used already")
        auth.opened = True
        params = {"state": auth.state}
        if self.refusal is not None:
            (params["error"], params["error_description"]), self.refusal = self.refusal, None
        else:
            params["code"] = uuid.uuid4().hex
            self._codes[params["code"]] = (auth, self.clock.now() + self.code_life)
        raise web.HTTPFound(with_query(auth.redirect_url, params))

    async def _create_session(self, request: web.Request) -> web.Response:
        code = (await json_body(request)).get("code")
        if not isinstance(code, str):
            return wrong("code is required")
        if code in self._used_codes:
            return error(422, "ALREADY_AUTHORIZED")
        if code not in self._codes:
            return error(422, "WRONG_AUTHORIZATION_CODE")
        auth, expires = self._codes.pop(code)
        self._used_codes.add(code)
        if self.clock.now() >= expires:
            return error(422, "EXPIRED_AUTHORIZATION_CODE")
        auth.session_id = uuid.uuid4().hex
        resources = []
        for account in auth.aspsp.accounts:
            uid = str(uuid.uuid4()) if account.readable else None
            if uid is not None:
                auth.accounts[uid] = account
                self._by_uid[uid] = (auth, account)
            resources.append(account.resource(uid))
        self.sessions[auth.session_id] = auth
        aspsp = {"name": auth.aspsp.name, "country": auth.aspsp.country}
        created = {"session_id": auth.session_id, "accounts": resources, "aspsp": aspsp}
        created |= {
            "psu_type": auth.psu_type,
            "access": {"valid_until": auth.valid_until.isoformat()},
        }
        return web.json_response(created)

    async def _delete_session(self, request: web.Request) -> web.Response:
        session = self.sessions.get(request.match_info["session_id"])
        if session is None:
            return error(404, "SESSION_DOES_NOT_EXIST")
        if session.status == "CLOSED":
            return error(422, "WRONG_SESSION_STATUS")
        session.status = "CLOSED"
        return web.json_response({"message": "OK"})

    def _status(self, session: Consent) -> str:
        ended = self.clock.now() >= session.valid_until
        return "EXPIRED" if session.status == "AUTHORIZED" and ended else session.status

    def _account(self, request: web.Request) -> StandInAccount:
        found = self._by_uid.get(request.match_info["account_id"])
        if found is None:
            raise Answer(error(404, "ACCOUNT_DOES_NOT_EXIST"))
        status = self._status(found[0])
        if status != "AUTHORIZED":
            raise Answer(error(401, f"{status}_SESSION"))
        return found[1]

    async def _balances(self, request: web.Request) -> web.Response:
        account = self._account(request)
        balances = []
        for kind, amount in account.balances:
            value = {"currency": account.currency, "amount": amount}
            balances.append({"name": kind, "balance_type": kind, "balance_amount": value})
        return web.json_response({"balances": balances})

    async def _transactions(self, request: web.Request) -> web.Response:
        account = self._account(request)
        uid, query = request.match_info["account_id"], dict(request.query)
        key, offset = query.pop("continuation_key", None), 0
        if key is not None:
            page = self._pages.get(key)
            if page is None or page[:2] != (uid, query):
                return error(422, "WRONG_CONTINUATION_KEY")
            offset = page[2]
        since, until = self._window(query)
        status = query.get("transaction_status")
        rows = [
            row
            for row in account.transactions
            if within(row, since, until) and status in (None, row.get("status"))
        ]
        body: JSON = {"transactions": rows[offset : offset + self.page_size]}
        body["continuation_key"] = None
        if offset + self.page_size < len(rows):
            body["continuation_key"] = uuid.uuid4().hex
            self._pages[body["continuation_key"]] = (uid, query, offset + self.page_size)
        return web.json_response(body)

    def _window(self, query: JSON) -> tuple[date | None, date | None]:
        try:
            since = date.fromisoformat(query["date_from"]) if "date_from" in query else None
            until = date.fromisoformat(query["date_to"]) if "date_to" in query else None
        except ValueError:
            raise Answer(wrong("date_from and date_to are dates (YYYY-MM-DD)")) from None
        today = self.clock.now().date()
        if until is not None and since is None:
            raise Answer(error(422, "DATE_TO_WITHOUT_DATE_FROM"))
        if since is not None and since > today:
            raise Answer(error(422, "DATE_FROM_IN_FUTURE"))
        if since is not None and until is not None and since > until:
            raise Answer(error(422, "WRONG_DATE_INTERVAL"))
        return since, until


def within(row: JSON, since: date | None, until: date | None) -> bool:
    day = row.get("booking_date") or row.get("value_date") or row.get("transaction_date")
    if day is None:
        return True
    on = date.fromisoformat(str(day))
    return (since is None or since <= on) and (until is None or on <= until)


def with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = urlencode([*parse_qsl(parts.query), *params.items()])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


async def json_body(request: web.Request) -> JSON:
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def error(status: int, code: str | None, detail: str | None = None) -> web.Response:
    """The documented ErrorResponse: the status again as ``code``, the text code as ``error``."""
    message = code.replace("_", " ").capitalize() if code else "Internal server error"
    body: JSON = {"code": status, "message": message}
    if code is not None:
        body["error"] = code
    if detail is not None:
        body["detail"] = detail
    return web.json_response(body, status=status)


class Answer(Exception):
    """An error answer raised from a helper; the gate sends its response."""

    def __init__(self, response: web.Response) -> None:
        super().__init__(response.status)
        self.response = response


def wrong(detail: str) -> web.Response:
    return error(422, "WRONG_REQUEST_PARAMETERS", detail)


def injected(failure: Failure) -> web.Response:
    code = failure.error or ("ASPSP_RATE_LIMIT_EXCEEDED" if failure.status == 429 else None)
    response = error(failure.status, code)
    if failure.retry_after is not None:
        response.headers["Retry-After"] = str(failure.retry_after)
    return response
