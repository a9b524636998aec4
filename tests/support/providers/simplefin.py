"""A local SimpleFIN Bridge stand-in that answers like the published protocol (2.0) and the
bridge's developer guide: single-use claim URLs, access URLs with Basic credentials, and
``GET /accounts`` with its parameters, errors, 402/403 and the daily request quota.

    async with SimpleFinStandIn(clock) as bank:
        user = bank.subscriber()
        checking = user.account(user.connection("First Bank"), "Checking", balance="120.50")
        checking.line("t1", posted=at(date(2026, 11, 2)), amount="-12.30", description="Coffee")
        token = bank.setup_token(user)        # what the user pastes into the bot

Where the published texts say nothing, the stand-in picks and says so here: a request
without `version` is answered in protocol 1 (the server chooses); a window over 90 days, or a
parameter that is not a number, is a 400 whose Account Set carries one `gen.api` error; a
request without valid credentials is a 403 with one `gen.auth` error; pending lines are
filtered on `posted`, or `transacted_at` when posted is 0, and kept when they have neither.
A claim without a Content-Length header is a 411 (the guide's curl sets "Content-Length: 0").
Quota: past `warn_after` requests in 24 hours a warning joins the errors; past
`disable_after` the access is disabled for good (403), as the guide warns. The guide gives
``account=`` requests a quota of their own; here all of an access's requests share one.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import itertools
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from aiohttp import web

from bot.domain.clock import Clock, SystemClock

WINDOW_LIMIT_S = 90 * 86_400
RATE_WARNING = "You are making more requests than expected. Access may be disabled."
JSONDict = dict[str, Any]


def at(day: date, hour: int = 12) -> int:
    """Epoch seconds of `hour` o'clock UTC on `day`: a line's `posted`."""
    return int(datetime.combine(day, time(hour), tzinfo=UTC).timestamp())


@dataclass
class Line:
    id: str
    posted: int
    amount: str
    description: str
    pending: bool = False
    transacted_at: int | None = None
    payee: str | None = None
    memo: str | None = None

    def as_json(self) -> JSONDict:
        data: JSONDict = {
            "id": self.id, "posted": self.posted, "amount": self.amount,
            "description": self.description,
        }
        if self.pending:
            data["pending"] = True
        optional = {"transacted_at": self.transacted_at, "payee": self.payee, "memo": self.memo}
        data.update({k: v for k, v in optional.items() if v is not None})
        return data


@dataclass
class Connection:
    conn_id: str
    name: str
    org_id: str
    org_domain: str
    needs_auth: bool = False
    """The bank wants the user to log in again at the bridge: its accounts are left out
    of answers and a `con.auth` error says why."""


@dataclass
class Account:
    id: str
    name: str
    connection: Connection
    currency: str = "USD"
    balance: str = "0.00"
    balance_date: int = 0
    lines: list[Line] = field(default_factory=list)
    failing: bool = False
    """Left out of answers, with an `act.failed` error."""
    incomplete: bool = False
    """Answered, with an `act.missingdata` error."""

    def line(
        self, id: str, *, posted: int, amount: str, description: str, **extra: Any
    ) -> Line:
        line = Line(id, posted, amount, description, **extra)
        self.lines.append(line)
        return line


@dataclass
class Subscriber:
    """One bridge user: their bank connections and accounts, and their subscription."""

    number: int
    connections: list[Connection] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)
    paid: bool = True
    errors: list[JSONDict] = field(default_factory=list)
    """Extra `errlist` entries put in every answer, as given."""

    def connection(self, name: str = "First Bank") -> Connection:
        n = len(self.connections) + 1
        connection = Connection(
            f"CON-{self.number}-{n}", name, f"ORG-{n}", f"bank{n}.example"
        )
        self.connections.append(connection)
        return connection

    def account(
        self, connection: Connection, name: str, *, id: str | None = None, **fields: Any
    ) -> Account:
        account = Account(id or f"ACT-{self.number}-{len(self.accounts) + 1}", name,
                          connection, **fields)
        self.accounts.append(account)
        return account


@dataclass
class AccessToken:
    username: str
    password: str
    subscriber: Subscriber
    disabled: bool = False
    requests: list[datetime] = field(default_factory=list)


@dataclass(frozen=True)
class Received:
    endpoint: str
    """"claim", "accounts", "info", or "other"."""
    query: dict[str, list[str]]
    user: str | None = None
    """The Basic username the request carried, if any."""


class SimpleFinStandIn:
    """The bridge on 127.0.0.1 (see the module docstring); `url` is its root."""

    def __init__(
        self,
        clock: Clock | None = None,
        *,
        warn_after: int = 24,
        disable_after: int | None = 36,
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        self.warn_after = warn_after
        self.disable_after = disable_after
        self.url = ""
        self.hang = False
        """Accept requests and never answer them (until the stand-in stops)."""
        self.calls: Counter[str] = Counter()
        self.received: list[Received] = []
        self._claims: dict[str, Subscriber | None] = {}
        self._tokens: dict[str, AccessToken] = {}
        self._failures: list[tuple[int, dict[str, str]]] = []
        self._subscribers = itertools.count(1)
        self._released = asyncio.Event()
        self._runner: web.AppRunner | None = None

    # ------------------------------------------------------------------ seeding and control

    def subscriber(self) -> Subscriber:
        return Subscriber(next(self._subscribers))

    def setup_token(self, subscriber: Subscriber) -> str:
        """A new single-use setup token: base64 of a claim URL."""
        code = secrets.token_hex(16)
        self._claims[code] = subscriber
        return base64.b64encode(f"{self.url}/claim/{code}".encode()).decode()

    def fail_next(self, status: int, times: int = 1, retry_after: int | None = None) -> None:
        """Answer the next `times` requests (any endpoint) with `status` instead."""
        headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
        self._failures.extend([(status, headers)] * times)

    def disable(self, subscriber: Subscriber) -> None:
        """The user disables every access they gave (at the bridge)."""
        for token in self._tokens.values():
            if token.subscriber is subscriber:
                token.disabled = True

    def accounts_requests(self, subscriber: Subscriber) -> int:
        """Authenticated GET /accounts the subscriber's accesses made."""
        return sum(
            len(t.requests) for t in self._tokens.values() if t.subscriber is subscriber
        )

    # ------------------------------------------------------------------ lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._route)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True,
                                     shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = self._runner.addresses[0][1]
        self.url = f"http://{host}:{bound}/simplefin"
        self._released.clear()

    async def stop(self) -> None:
        self._released.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SimpleFinStandIn:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ HTTP

    async def _route(self, request: web.Request) -> web.StreamResponse:
        path = request.path.removeprefix("/simplefin")
        endpoint = (
            "claim" if request.method == "POST" and path.startswith("/claim/")
            else "accounts" if request.method == "GET" and path == "/accounts"
            else "info" if request.method == "GET" and path == "/info"
            else "other"
        )
        token = self._token_of(request)
        self.calls[endpoint] += 1
        query = {k: request.query.getall(k) for k in request.query}
        self.received.append(Received(endpoint, query, token.username if token else None))
        if self.hang:
            await self._released.wait()
            return web.Response(status=503)
        if self._failures:
            status, headers = self._failures.pop(0)
            return web.Response(status=status, headers=headers, text="stand-in failure")
        if endpoint == "claim":
            if request.headers.get("Content-Length") is None:  # the guide's curl sends "0"
                return web.Response(status=411, text="Length Required")
            return self._claim(path.removeprefix("/claim/"))
        if endpoint == "accounts":
            return self._accounts(request, token)
        if endpoint == "info":
            return web.json_response({"versions": ["1", "2"]})
        return web.Response(status=404, text="Not Found")

    def _claim(self, code: str) -> web.Response:
        subscriber = self._claims.get(code)
        if subscriber is None:  # unknown, or claimed already
            return web.Response(status=403, text="Forbidden")
        self._claims[code] = None
        token = AccessToken(secrets.token_hex(8), secrets.token_hex(16), subscriber)
        self._tokens[token.username] = token
        scheme, _, rest = self.url.partition("://")
        return web.Response(text=f"{scheme}://{token.username}:{token.password}@{rest}")

    def _token_of(self, request: web.Request) -> AccessToken | None:
        header = request.headers.get("Authorization", "")
        kind, _, encoded = header.partition(" ")
        if kind.lower() != "basic":
            return None
        try:
            username, _, password = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        token = self._tokens.get(username)
        if token is None or not secrets.compare_digest(token.password, password):
            return None
        return token

    def _accounts(self, request: web.Request, token: AccessToken | None) -> web.Response:
        if token is None or token.disabled:
            return _error_answer(403, "gen.auth", "Authentication failed")
        now = self.clock.now()
        token.requests.append(now)
        recent = sum(1 for t in token.requests if t > now - timedelta(days=1))
        if self.disable_after is not None and recent > self.disable_after:
            token.disabled = True
            return _error_answer(403, "gen.auth", "Access disabled: too many requests")
        if not token.subscriber.paid:
            return web.Response(status=402, text="Payment Required")
        try:
            ask = _Ask.read(request.query)
        except ValueError as error:
            return _error_answer(400, "gen.api", str(error))
        errors = self._errors_for(token.subscriber)
        if recent > self.warn_after:
            errors.append({"code": "gen.", "msg": RATE_WARNING})
        return web.json_response(_account_set(token.subscriber, ask, errors))

    @staticmethod
    def _errors_for(subscriber: Subscriber) -> list[JSONDict]:
        errors: list[JSONDict] = [
            {"code": "con.auth", "msg": f"Authentication required for {c.name}",
             "conn_id": c.conn_id}
            for c in subscriber.connections if c.needs_auth
        ]
        for account in subscriber.accounts:
            if account.failing:
                errors.append({"code": "act.failed", "account_id": account.id,
                               "msg": "Failed to get account information. Try again later."})
            elif account.incomplete:
                errors.append({"code": "act.missingdata", "account_id": account.id,
                               "msg": "Incomplete transaction listing. Try again later."})
        return [*errors, *subscriber.errors]


@dataclass(frozen=True)
class _Ask:
    version: str
    start: int | None
    end: int | None
    pending: bool
    balances_only: bool
    accounts: frozenset[str]

    @classmethod
    def read(cls, query: Any) -> _Ask:
        version = query.get("version", "1")
        if version not in ("1", "2"):
            raise ValueError(f"unsupported version {version!r}")
        start, end = (_epoch(query.get(name)) for name in ("start-date", "end-date"))
        if start is not None and end is not None and end - start > WINDOW_LIMIT_S:
            raise ValueError("The date range may not exceed 90 days")
        return cls(
            version, start, end,
            pending=query.get("pending") == "1",
            balances_only=query.get("balances-only") == "1",
            accounts=frozenset(query.getall("account", [])),
        )

    def wants(self, line: Line) -> bool:
        if line.pending and not self.pending:
            return False
        when = line.posted or line.transacted_at
        if when is None or when == 0:
            return line.pending
        return (self.start is None or when >= self.start) and (self.end is None or when < self.end)


def _epoch(value: str | None) -> int | None:
    if value is None:
        return None
    if not value.isdigit():
        raise ValueError(f"not a Unix timestamp: {value!r}")
    return int(value)


def _account_set(subscriber: Subscriber, ask: _Ask, errors: list[JSONDict]) -> JSONDict:
    hidden = {c.conn_id for c in subscriber.connections if c.needs_auth}
    accounts = [
        a for a in subscriber.accounts
        if not a.failing and a.connection.conn_id not in hidden
        and (not ask.accounts or a.id in ask.accounts)
    ]
    listed = [_account(a, ask) for a in accounts]
    messages = [str(e.get("msg", "")) for e in errors]
    if ask.version == "1":
        return {"errors": messages, "accounts": listed}
    return {
        "errlist": errors,
        "errors": messages,  # deprecated, still sent beside errlist
        "connections": [
            {"conn_id": c.conn_id, "name": c.name, "org_id": c.org_id,
             "org_url": f"https://{c.org_domain}", "sfin_url": "https://sfin.example"}
            for c in subscriber.connections
        ],
        "accounts": listed,
    }


def _account(account: Account, ask: _Ask) -> JSONDict:
    data: JSONDict = {
        "id": account.id, "name": account.name, "currency": account.currency,
        "balance": account.balance, "balance-date": account.balance_date,
    }
    if ask.version == "1":
        data["org"] = {"domain": account.connection.org_domain, "name": account.connection.name,
                       "sfin-url": "https://sfin.example"}
    else:
        data["conn_id"] = account.connection.conn_id
        data["conn_name"] = account.connection.name
    if not ask.balances_only:
        data["transactions"] = [line.as_json() for line in account.lines if ask.wants(line)]
    return data


def _error_answer(status: int, code: str, message: str) -> web.Response:
    return web.json_response(
        {"errlist": [{"code": code, "msg": message}], "errors": [message], "connections": [],
         "accounts": []},
        status=status,
    )
