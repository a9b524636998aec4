"""The SimpleFIN connector: claim a setup token once, then read `/accounts` with Basic auth."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from datetime import date, timedelta
from typing import ClassVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx

from bot.banks.connector import (
    AuthMethod,
    Authorized,
    AuthStep,
    BankUnavailable,
    Capabilities,
    Challenge,
    ConsentExpired,
    Credentials,
    FetchedAccount,
    FetchedTransaction,
    ProviderMisconfigured,
    Unsupported,
)
from bot.banks.http import ProviderHttp, Sleep
from bot.banks.simplefin.answers import AccountSet, BridgeError, errors_in, read_account_set
from bot.banks.simplefin.mapping import iso_currency, line_date, to_account, to_transaction
from bot.banks.simplefin.memory import AnswerCache, DailyBudget, secret_key
from bot.banks.simplefin.tokens import (
    ALREADY_CLAIMED,
    CLAIM_REFUSED,
    NOT_BASE64,
    AccessUrl,
    SetupTokenRefused,
    claim_url,
)
from bot.banks.simplefin.verdicts import PaymentRequired, account_failure, listing_failure
from bot.banks.simplefin.windows import BRIDGE_WINDOW_DAYS, bridge_windows, window_params
from bot.domain.clock import Clock
from bot.domain.secret import Secret

log = logging.getLogger(__name__)

DEFAULT_BRIDGE_URL = "https://bridge.simplefin.org/simplefin"
PROTOCOL_VERSION = "2"
CALLS_PER_DAY = 24
CACHE_SECONDS = 300.0
READ_RETRIES = 1
"""One retry of a 5xx: each try counts in the day's 24."""
LISTING_DAYS = BRIDGE_WINDOW_DAYS
"""list_accounts asks for the last 90 days of lines too, so the fetches of the sync that
follows it are answered from the same request."""


class SimpleFin:
    """The SimpleFIN Bridge connector; the package docstring says what each argument is."""

    name: ClassVar[str] = "simplefin"
    capabilities: ClassVar[Capabilities] = Capabilities(
        auth=AuthMethod.SETUP_TOKEN,
        max_history_days=BRIDGE_WINDOW_DAYS,
        reports_pending=True,
        calls_per_day=CALLS_PER_DAY,
    )

    def __init__(
        self,
        clock: Clock,
        *,
        bridge_url: str = DEFAULT_BRIDGE_URL,
        timeout: float = 20.0,
        allow_http: bool = False,
        trusted_hosts: Collection[str] | None = None,
        timezone: str = "UTC",
        cache_seconds: float = CACHE_SECONDS,
        daily_budget: int = CALLS_PER_DAY,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.bridge_url = bridge_url.rstrip("/")
        self._clock = clock
        self._allow_http = allow_http
        self._trusted = None if trusted_hosts is None else frozenset(trusted_hosts)
        self._zone = ZoneInfo(timezone)
        # A claim is never retried: a retry after a claim that worked unseen would be refused
        # as "already claimed" and tell the user their token may be compromised.
        self._claims = ProviderHttp(
            self.name, self.bridge_url, clock,
            timeout=timeout, retries=0, sleep=sleep, transport=transport,
        )
        self._reads = ProviderHttp(
            self.name, self.bridge_url, clock,
            timeout=timeout, retries=READ_RETRIES, sleep=sleep, transport=transport,
        )
        self._cache = AnswerCache(clock, timedelta(seconds=cache_seconds))
        self._budget = DailyBudget(clock, daily_budget)
        self._locks: dict[str, asyncio.Lock] = {}
        self._notices: dict[str, tuple[str, ...]] = {}

    @property
    def create_url(self) -> str:
        """Where a user makes a setup token (the bridge's `/create`)."""
        return f"{self.bridge_url}/create"

    async def begin_auth(self, institution_id: str, credentials: Credentials | None) -> AuthStep:
        """Claim the setup token in `credentials.password` (any institution id: the bridge
        reaches them all). The token works once: a second claim is refused by the bridge."""
        if credentials is None or not credentials.password:
            raise SetupTokenRefused(NOT_BASE64, "missing")
        url = claim_url(
            credentials.password.reveal(), allow_http=self._allow_http, trusted_hosts=self._trusted
        )
        response = await self._claims.request("POST", url)
        if response.status_code == 403:
            raise SetupTokenRefused(
                ALREADY_CLAIMED,
                "already claimed or unknown; it may be compromised: disable it at the bridge",
            )
        if response.status_code != 200:
            raise SetupTokenRefused(CLAIM_REFUSED, f"claim refused ({response.status_code})")
        text = response.text.strip()
        if self._access(text) is None:
            raise BankUnavailable("simplefin: the claim gave no usable access URL (token spent)")
        return Authorized(secret=Secret(text))

    async def continue_auth(self, challenge: Challenge, answer: str) -> AuthStep:
        raise Unsupported("simplefin: a setup token needs no second step")

    async def list_accounts(self, secret: Secret) -> list[FetchedAccount]:
        """The accounts of the latest answer (one request at most, see LISTING_DAYS)."""
        access, key = self._open(secret)
        today = self._today()
        answer = await self._answer(
            access, key, today - timedelta(days=LISTING_DAYS - 1), today, any_window=True
        )
        failure = listing_failure(answer)
        if failure is not None:
            raise failure
        accounts = [a for a in map(to_account, answer.accounts) if a is not None]
        if len(accounts) < len(answer.accounts):
            log.info(
                "simplefin: %d account(s) left out: not an ISO currency or an unbookable balance",
                len(answer.accounts) - len(accounts),
            )
        return accounts

    async def fetch_transactions(
        self, secret: Secret, account_id: str, since: date, until: date
    ) -> list[FetchedTransaction]:
        """Posted and pending lines dated `since` to `until`, both included: one request per
        90 days of window, none when a recent answer already covers it."""
        access, key = self._open(secret)
        today = self._today()
        lines: dict[str, FetchedTransaction] = {}
        for start, end in bridge_windows(since, until, self._zone):
            answer = await self._answer(access, key, start, end)
            failure = account_failure(answer, account_id)
            if failure is not None:
                raise failure
            account = answer.account(account_id)
            assert account is not None
            currency = iso_currency(account)
            if currency is None:
                raise Unsupported("simplefin: not an ISO currency")
            for line in account.lines:
                booked = line_date(line, self._zone, today)
                if not start <= booked <= end:
                    continue
                try:
                    lines[line.id] = to_transaction(line, currency, booked)
                except ValueError:
                    raise BankUnavailable("simplefin: an amount the currency cannot hold") from None
        return sorted(lines.values(), key=lambda t: (t.booking_date, t.external_id))

    async def revoke(self, secret: Secret) -> None:
        """Forget the access URL's answers. SimpleFIN has no revoke call: the user disables
        the access at the bridge; the vault drops the secret."""
        key = secret_key(secret)
        self._cache.forget(key)
        self._notices.pop(key, None)
        lock = self._locks.get(key)
        if lock is not None and not lock.locked():
            del self._locks[key]

    def notices(self, secret: Secret) -> tuple[str, ...]:
        """The bridge's messages in its latest answer for this access URL, cleaned (one line,
        no control characters) but not escaped: the spec asks apps to show them to users."""
        return self._notices.get(secret_key(secret), ())

    async def check(self) -> str:
        """GET /info of the configured bridge: its protocol versions, or ProviderMisconfigured."""
        response = await self._reads.request("GET", "/info")
        if response.status_code != 200:
            raise ProviderMisconfigured(f"simplefin: /info answered {response.status_code}")
        try:
            versions = [str(v) for v in response.json()["versions"]]
        except (ValueError, KeyError, TypeError):
            raise ProviderMisconfigured("simplefin: /info is not a SimpleFIN answer") from None
        host = urlsplit(self.bridge_url).hostname
        return f"SimpleFIN server {host}: protocol versions {', '.join(versions) or 'none'}"

    async def aclose(self) -> None:
        await self._claims.aclose()
        await self._reads.aclose()

    async def _answer(
        self, access: AccessUrl, key: str, since: date, until: date, *, any_window: bool = False
    ) -> AccountSet:
        """A recent answer covering [since, until] (any recent one with `any_window`), else one
        request for exactly that window. One request at a time per access URL, so accounts
        fetched together wait for the first answer instead of each asking."""
        async with self._locks.setdefault(key, asyncio.Lock()):
            cached = (
                self._cache.latest(key) if any_window else self._cache.covering(key, since, until)
            )
            if cached is not None:
                return cached
            self._budget.spend(key)
            response = await self._reads.request(
                "GET",
                access.endpoint("accounts"),
                params={
                    **window_params(since, until, self._zone),
                    "pending": "1",
                    "version": PROTOCOL_VERSION,
                },
                auth=access.auth(),
            )
            answer = self._read(access, key, response)
            self._cache.store(key, since, until, answer)
            return answer

    def _read(self, access: AccessUrl, key: str, response: httpx.Response) -> AccountSet:
        status = response.status_code
        if status == 402:
            raise PaymentRequired("simplefin: payment required")
        if status in (401, 403):
            raise ConsentExpired("simplefin: access refused (revoked or disabled)")
        if status != 200:
            self._tell(access, key, errors_in(response.content))
            raise BankUnavailable(f"simplefin: answered {status}")
        answer = read_account_set(response.content)
        self._tell(access, key, answer.errors)
        return answer

    def _tell(self, access: AccessUrl, key: str, errors: tuple[BridgeError, ...]) -> None:
        """Keep the bridge's messages for `notices` and log them, in one line."""
        self._notices[key] = tuple(access.redact(e.message) for e in errors if e.message)
        if errors:
            log.warning(
                "simplefin bridge says: %s",
                " | ".join(access.redact(f"{e.code} {e.message}".strip()) for e in errors),
            )

    def _open(self, secret: Secret) -> tuple[AccessUrl, str]:
        access = self._access(secret.reveal())
        if access is None:
            raise ConsentExpired("simplefin: stored access URL not recognised")
        return access, secret_key(secret)

    def _access(self, text: str) -> AccessUrl | None:
        return AccessUrl.parse(text, allow_http=self._allow_http, trusted_hosts=self._trusted)

    def _today(self) -> date:
        return self._clock.now().astimezone(self._zone).date()
