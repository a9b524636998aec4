"""The built-in demo bank: offline, deterministic, 24 months of a French consultancy's banking.

Log in with username ``demo``, password ``demo`` (or the one the bot was given, see
``DemoBank(password=...)``), then the security code ``123456``. The username is
case-insensitive and surrounding spaces are ignored; the password is exact. A wrong username or
password is refused before any code is asked.

Other usernames, same password, simulate failures (the ``PERSONAS`` table):

=============  ==============================================================================
demo-locked    login raises AccountLocked (once the password is checked)
demo-down      login raises BankUnavailable (once the password is checked)
demo-flaky     logs in and lists its accounts; every fetch_transactions raises BankUnavailable
demo-expired   logs in; list_accounts and fetch_transactions raise ConsentExpired
demo-limited   logs in and lists its accounts; fetch_transactions raises RateLimited (1 h)
demo-slow      works, but every call takes 3 seconds
=============  ==============================================================================

The stored secret is the token ``demo:v1:<username>:<consent expiry, ISO date>``: it holds all
the bank needs, so there is no server-side state. A token that does not parse raises
ConsentExpired, and so does a valid one after its expiry date (180 days after the login).

Three accounts (history.py), each a pure function of (seed, date), the seed being the lowercased
username: every ``demo`` login sees the same books. "Today" is the clock's date in Europe/Paris;
history goes back 730 days and the last two days are pending. How months are generated so that
balances never jump is in months.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import ClassVar

from bot.banks.connector import (
    AuthMethod,
    Authorized,
    AuthStep,
    BadCredentials,
    Capabilities,
    Challenge,
    ChallengeKind,
    ConnectorError,
    ConsentExpired,
    Credentials,
    FetchedAccount,
    FetchedTransaction,
    RateLimited,
    Unsupported,
    WrongCode,
)
from bot.banks.demo.history import (
    ACCOUNTS,
    ACCOUNTS_BY_ID,
    CURRENCY,
    HISTORY_DAYS,
    PENDING_DAYS,
    booked_balance,
    demo_iban,
    lines_between,
)
from bot.banks.demo.signin import (
    CHALLENGE_PREFIX,
    CODE_HINT,
    CONSENT_DAYS,
    DEMO_CODE,
    DEMO_PASSWORD,
    PERSONAS,
    SESSION_PREFIX,
    Persona,
    Session,
    read_session,
)
from bot.domain.clock import Clock, today_in
from bot.domain.money import Money
from bot.domain.secret import Secret


class DemoBank:
    """The demo bank connector; see the module docstring for logins, failures and data."""

    name: ClassVar[str] = "demo"
    capabilities: ClassVar[Capabilities] = Capabilities(
        auth=AuthMethod.CREDENTIALS,
        max_history_days=HISTORY_DAYS,
        reports_pending=True,
        calls_per_day=None,
    )

    def __init__(
        self,
        clock: Clock,
        latency: float = 0.0,
        *,
        password: str = DEMO_PASSWORD,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """`password` replaces "demo" (a setting; tests pick one they can search logs for).

        `latency` is waited before every call so the "connecting…" step can be seen; `sleep`
        lets tests record it instead of waiting.
        """
        self._clock = clock
        self._password = password
        self._latency = latency
        self._sleep = sleep

    async def begin_auth(self, institution_id: str, credentials: Credentials | None) -> AuthStep:
        """Check username and password, then ask for the SMS code (any institution id)."""
        if credentials is None:
            await self._pause(None)
            raise BadCredentials("credentials required")
        username = credentials.username.strip().lower()
        persona = PERSONAS.get(username)
        await self._pause(persona)
        if persona is None or credentials.password.reveal() != self._password:
            raise BadCredentials("wrong username or password")
        if persona.login_error is not None:
            raise self._error(persona.login_error)
        return Challenge(
            kind=ChallengeKind.CODE,
            state=Secret(CHALLENGE_PREFIX + username),
            hint=CODE_HINT,
        )

    async def continue_auth(self, challenge: Challenge, answer: str) -> AuthStep:
        """Accept the code 123456 (spaces ignored) and hand out a token valid 180 days."""
        state = challenge.state.reveal()
        username = state.removeprefix(CHALLENGE_PREFIX)
        persona = PERSONAS.get(username) if state.startswith(CHALLENGE_PREFIX) else None
        await self._pause(persona)
        if persona is None or challenge.kind is not ChallengeKind.CODE:
            raise ConsentExpired("login session not recognised")
        if "".join(answer.split()) != DEMO_CODE:
            raise WrongCode("wrong code")
        expires = self._today() + timedelta(days=CONSENT_DAYS)
        return Authorized(
            secret=Secret(f"{SESSION_PREFIX}{username}:{expires.isoformat()}"),
            consent_expires=expires,
        )

    async def list_accounts(self, secret: Secret) -> list[FetchedAccount]:
        session = await self._open(secret)
        if session.persona.accounts_error is not None:
            raise self._error(session.persona.accounts_error)
        today = self._today()
        return [
            FetchedAccount(
                external_id=spec.external_id,
                name=spec.name,
                type=spec.type,
                iban=demo_iban(session.username, spec.external_id) if spec.has_iban else None,
                currency=CURRENCY,
                balance=Money(booked_balance(session.username, spec.type, today), CURRENCY),
            )
            for spec in ACCOUNTS
        ]

    async def fetch_transactions(
        self, secret: Secret, account_id: str, since: date, until: date
    ) -> list[FetchedTransaction]:
        """Lines dated from `since` to `until` included, within the last 730 days."""
        session = await self._open(secret)
        if session.persona.fetch_error is not None:
            raise self._error(session.persona.fetch_error)
        spec = ACCOUNTS_BY_ID.get(account_id)
        if spec is None:
            raise Unsupported("unknown account")
        today = self._today()
        first = max(since, today - timedelta(days=HISTORY_DAYS))
        last = min(until, today)
        pending_from = today - timedelta(days=PENDING_DAYS - 1)
        # Months of data are generated in a worker thread: 24 of them take longer than the
        # event loop may be held.
        return await asyncio.to_thread(
            lines_between, session.username, spec, first, last, pending_from
        )

    async def revoke(self, secret: Secret) -> None:
        """Nothing to revoke; a token that does not parse still raises ConsentExpired."""
        await self._open(secret, check_expiry=False)

    async def _open(self, secret: Secret, *, check_expiry: bool = True) -> Session:
        session = read_session(secret)
        await self._pause(session.persona if session else None)
        if session is None:
            raise ConsentExpired("token not recognised")
        if check_expiry and self._today() > session.expires:
            raise ConsentExpired("consent expired")
        return session

    async def _pause(self, persona: Persona | None) -> None:
        delay = max(self._latency, persona.delay if persona else 0.0)
        if delay > 0:
            await self._sleep(delay)

    def _today(self) -> date:
        return today_in(self._clock)

    def _error(self, kind: type[ConnectorError]) -> ConnectorError:
        if issubclass(kind, RateLimited):
            return RateLimited(retry_at=self._clock.now() + timedelta(hours=1))
        return kind(kind.code)
