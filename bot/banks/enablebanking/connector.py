"""The Enable Banking connector: consent links, sessions, accounts and transactions."""

from __future__ import annotations

import asyncio
import logging
import secrets
from datetime import UTC, date, timedelta
from pathlib import Path
from typing import ClassVar, Final

import httpx

from bot.banks.connector import (
    AccountType,
    AuthMethod,
    Authorized,
    AuthStep,
    BankUnavailable,
    Capabilities,
    Challenge,
    ChallengeKind,
    ConsentExpired,
    ConsentPending,
    ConsentRefused,
    Credentials,
    FetchedAccount,
    FetchedTransaction,
    ProviderInstitution,
    Unsupported,
)
from bot.banks.enablebanking.api import JSON, EnableBankingApi
from bot.banks.enablebanking.errors import INACTIVE_FIX, OPERATOR_FIXES, misconfigured
from bot.banks.enablebanking.lines import read_lines
from bot.banks.enablebanking.redirect import read_redirect
from bot.banks.enablebanking.signing import RequestSigner, load_private_key, read_key_file
from bot.banks.enablebanking.values import (
    MAX_HISTORY_DAYS,
    Aspsp,
    PendingLogin,
    StoredSession,
    balance,
    parse_institution_id,
    read_aspsps,
    read_instant,
    session_accounts,
    text,
)
from bot.banks.http import ProviderHttp, Sleep
from bot.domain.clock import Clock
from bot.domain.secret import Secret

log = logging.getLogger(__name__)

DEFAULT_BASE_URL: Final = "https://api.enablebanking.com"
UNATTENDED_READS_PER_DAY: Final = 4
"""PSD2 (RTS art. 36(5)): an account may be read 4 times a day without its owner present."""
CONSENT_DAYS: Final = 180
CONSENT_MARGIN: Final = timedelta(minutes=10)
"""Asked below the bank's longest consent, so that clocks a little apart do not exceed it."""
MAX_PAGES: Final = 500


class EnableBanking:
    """Enable Banking (EEA and UK banks); the package docstring says how to configure it."""

    name: ClassVar[str] = "enablebanking"
    capabilities: ClassVar[Capabilities] = Capabilities(
        auth=AuthMethod.CONSENT_LINK,
        max_history_days=MAX_HISTORY_DAYS,
        reports_pending=True,
        calls_per_day=UNATTENDED_READS_PER_DAY,
    )

    def __init__(
        self,
        *,
        application_id: str,
        private_key: Secret,
        redirect_url: str,
        clock: Clock,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 20.0,
        psu_type: str = "business",
        consent_days: int = CONSENT_DAYS,
        language: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if psu_type not in ("business", "personal"):
            raise ValueError("psu_type is 'business' or 'personal'")
        if consent_days < 1:
            raise ValueError("consent_days must be positive")
        self._clock = clock
        self._redirect_url = redirect_url
        self._psu_type = psu_type
        self._consent_days = consent_days
        self._language = language
        signer = RequestSigner(application_id, load_private_key(private_key), clock)
        http = ProviderHttp(
            self.name, base_url, clock, timeout=timeout, sleep=sleep, transport=transport
        )
        self._api = EnableBankingApi(http, signer)
        self._aspsps: dict[str, Aspsp] = {}

    @classmethod
    def from_key_file(
        cls,
        key_file: Path | str,
        *,
        application_id: str,
        redirect_url: str,
        clock: Clock,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 20.0,
        psu_type: str = "business",
        consent_days: int = CONSENT_DAYS,
        language: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> EnableBanking:
        """The connector with the private key read once from its PEM file."""
        return cls(
            application_id=application_id,
            private_key=read_key_file(Path(key_file)),
            redirect_url=redirect_url,
            clock=clock,
            base_url=base_url,
            timeout=timeout,
            psu_type=psu_type,
            consent_days=consent_days,
            language=language,
            transport=transport,
            sleep=sleep,
        )

    def __repr__(self) -> str:
        return "EnableBanking()"

    # --- institutions --------------------------------------------------------------------------

    async def institutions(self, country: str) -> list[ProviderInstitution]:
        """The banks of one country offering account information (GET /aspsps)."""
        country = country.strip().upper()
        if len(country) != 2 or not country.isalpha():
            return []
        banks = [b for b in read_aspsps(await self._api.aspsps(country)) if b.country == country]
        self._aspsps.update((bank.id, bank) for bank in banks)
        return [bank.institution() for bank in banks]

    async def check(self) -> str:
        """GET /application: active, and the redirect URL among its own."""
        app = await self._api.application()
        if app.get("active") is False:
            raise misconfigured(200, "APPLICATION_NOT_ACTIVE", INACTIVE_FIX)
        urls = app.get("redirect_urls")
        if isinstance(urls, list) and self._redirect_url not in urls:
            fix = OPERATOR_FIXES["REDIRECT_URI_NOT_ALLOWED"]
            raise misconfigured(200, "REDIRECT_URI_NOT_ALLOWED", fix)
        countries = app.get("countries")
        reach = f", {len(countries)} countries" if isinstance(countries, list) else ""
        name = text(app, "name") or "?"
        environment = text(app, "environment") or "?"
        return f"Enable Banking application «{name}» ({environment}, active{reach})"

    # --- consent -------------------------------------------------------------------------------

    async def begin_auth(self, institution_id: str, credentials: Credentials | None) -> AuthStep:
        """POST /auth for the bank: the link the user opens, and our random `state`."""
        bank = await self._aspsp(institution_id)
        longest = timedelta(days=self._consent_days)
        if bank.max_consent_seconds:
            longest = min(longest, timedelta(seconds=bank.max_consent_seconds) - CONSENT_MARGIN)
        valid_until = (self._clock.now() + longest).astimezone(UTC)
        psu_type = self._psu_type
        if bank.psu_types and psu_type not in bank.psu_types:
            psu_type = bank.psu_types[0]
        state = secrets.token_urlsafe(24)
        body: JSON = {
            "access": {"valid_until": valid_until.isoformat(timespec="seconds")},
            "aspsp": {"name": bank.name, "country": bank.country},
            "state": state,
            "redirect_url": self._redirect_url,
            "psu_type": psu_type,
        }
        if self._language:
            body["language"] = self._language
        started = await self._api.start_authorization(body)
        link = text(started, "url")
        if link is None:
            raise BankUnavailable("enablebanking: auth: no link in the answer")
        login = PendingLogin(state, bank.name, bank.country, valid_until.isoformat())
        return Challenge(kind=ChallengeKind.LINK, state=login.seal(), link=link, reference=state)

    async def continue_auth(self, challenge: Challenge, answer: str) -> AuthStep:
        """Read the redirect the user brings back; its code opens the session (POST /sessions).

        Nothing yet, or no code: ConsentPending. An ``error``: ConsentRefused. A ``state``
        other than ours (another login's redirect, or a forged one): ConsentRefused too, as
        the code cannot be trusted; the user starts again.
        """
        login = PendingLogin.open(challenge.state)
        if login is None or challenge.kind is not ChallengeKind.LINK:
            raise ConsentExpired("enablebanking: login not recognised")
        redirect = read_redirect(answer)
        if redirect.error is not None:
            raise ConsentRefused(f"enablebanking: the bank answered {redirect.error[:40]}")
        if redirect.code is None:
            raise ConsentPending("enablebanking: no redirect yet")
        if redirect.state is None or not secrets.compare_digest(redirect.state, login.state):
            raise ConsentRefused("enablebanking: the redirect belongs to another login")
        created = await self._api.create_session(redirect.code)
        session_id = text(created, "session_id")
        if session_id is None:
            raise BankUnavailable("enablebanking: sessions: no session id in the answer")
        try:
            valid_until = read_instant(created.get("access", {}).get("valid_until"))
        except (AttributeError, ValueError):
            valid_until = read_instant(login.valid_until)
        accounts = session_accounts(created.get("accounts"))
        if not accounts:
            log.info(
                "Enable Banking: the consent opened no readable account (an application in "
                "restricted mode reads only the accounts linked in its control panel)"
            )
        session = StoredSession(session_id, valid_until, accounts)
        return Authorized(secret=session.seal(), consent_expires=valid_until.astimezone(UTC).date())

    # --- data ----------------------------------------------------------------------------------

    async def list_accounts(self, secret: Secret) -> list[FetchedAccount]:
        """The session's accounts as the consent gave them, each with its balance (one
        GET /balances per account)."""
        session = self._open(secret)
        accounts = []
        for account in session.accounts:
            balances = await self._api.balances(account.uid)
            accounts.append(
                FetchedAccount(
                    external_id=account.id,
                    name=account.name,
                    type=AccountType(account.type),
                    iban=account.iban,
                    currency=account.currency,
                    balance=balance(balances, account.currency),
                )
            )
        return accounts

    async def fetch_transactions(
        self, secret: Secret, account_id: str, since: date, until: date
    ) -> list[FetchedTransaction]:
        """GET /transactions from `since` to `until`, following every continuation key."""
        session = self._open(secret)
        account = session.account(account_id)
        if account is None:
            raise Unsupported("enablebanking: no such account in this session")
        if since > until or since > self._clock.now().astimezone(UTC).date():
            return []
        window = {"date_from": since.isoformat(), "date_to": until.isoformat()}
        params = window
        rows: list[JSON] = []
        keys: set[str] = set()
        for _ in range(MAX_PAGES):
            page = await self._api.transactions(account.uid, params)
            rows.extend(row for row in page.get("transactions") or [] if isinstance(row, dict))
            key = page.get("continuation_key")
            if not isinstance(key, str) or not key:
                return read_lines(rows, account.currency, since, until)
            if key in keys:
                raise BankUnavailable("enablebanking: transactions: a continuation key came twice")
            keys.add(key)
            params = {**window, "continuation_key": key}
        raise BankUnavailable("enablebanking: transactions: too many pages")

    async def revoke(self, secret: Secret) -> None:
        """DELETE /sessions/{id}; a session Enable Banking already ended is left as it is."""
        session = StoredSession.open(secret)
        try:
            await self._api.delete_session(session.session_id)
        except ConsentExpired:
            return

    async def aclose(self) -> None:
        await self._api.aclose()

    # --- helpers -------------------------------------------------------------------------------

    def _open(self, secret: Secret) -> StoredSession:
        session = StoredSession.open(secret)
        if self._clock.now() >= session.valid_until:
            raise ConsentExpired("enablebanking: session past its valid_until")
        return session

    async def _aspsp(self, institution_id: str) -> Aspsp:
        known = self._aspsps.get(institution_id)
        if known is not None:
            return known
        parsed = parse_institution_id(institution_id)
        if parsed is None:
            raise Unsupported("enablebanking: not an Enable Banking bank")
        await self.institutions(parsed[1])
        found = self._aspsps.get(institution_id)
        if found is None:
            raise Unsupported("enablebanking: no such bank at Enable Banking")
        return found
