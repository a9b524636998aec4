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

Three accounts: ``demo-cc`` (current account), ``demo-sav`` (savings), ``demo-card`` (deferred
debit card, settled by the current account on the last day of each month). Their lines are a
pure function of (seed, date), the seed being the lowercased username: every ``demo`` login sees
the same books. Each day is generated from its own ``Random("<seed>:<date>:<account>")``, each
month's bills, clients and trips from one seeded by the month, so no window depends on what was
generated before it. "Today" is the clock's date in Europe/Paris; history goes back 730 days.
Lines of today and yesterday are pending, with external id ``P-<id>``; from the day after
they are booked under ``<account>-<YYYYMMDD>-<nn>`` (e.g. ``demo-cc-20250312-03``), with the same
amount and label, the way real providers give a pending line and its booked version different
ids.

A balance is the booked balance (pending lines excluded) and never jumps: tomorrow's balance is
today's plus the lines booked in between. To get that without summing years of lines, each
account's balance at the start of a month is a closed form (zero for the card, a seeded level for
the savings, a seeded target for the current account) and one line per month makes it come true:
the owner's month-end pay on the current account, the transfer topping up or drawing on the
savings account, the card's monthly settlement.
"""

from __future__ import annotations

import asyncio
import calendar
import hashlib
import itertools
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from random import Random
from types import MappingProxyType
from typing import ClassVar, Final, NamedTuple

from schwifty import IBAN

from bot.banks.connector import (
    AccountLocked,
    AccountType,
    AuthMethod,
    Authorized,
    AuthStep,
    BadCredentials,
    BankUnavailable,
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
from bot.banks.demo import data
from bot.domain.clock import Clock, today_in
from bot.domain.money import Money
from bot.domain.secret import Secret

DEMO_USERNAME: Final = "demo"
DEMO_PASSWORD: Final = "demo"  # noqa: S105 - the demo bank's published password
DEMO_CODE: Final = "123456"
CODE_HINT: Final = "SMS ••• 42"
CURRENCY: Final = "EUR"
HISTORY_DAYS: Final = 730
PENDING_DAYS: Final = 2
CONSENT_DAYS: Final = 180
SLOW_SECONDS: Final = 3.0

_SESSION_PREFIX: Final = "demo:v1:"
_CHALLENGE_PREFIX: Final = "demo-code:v1:"
_PENDING_PREFIX: Final = "P-"


@dataclass(frozen=True, slots=True)
class Persona:
    """How one demo username behaves: the error each call raises, and how slow it is."""

    login_error: type[ConnectorError] | None = None
    accounts_error: type[ConnectorError] | None = None
    fetch_error: type[ConnectorError] | None = None
    delay: float = 0.0


PERSONAS: Final[Mapping[str, Persona]] = MappingProxyType(
    {
        DEMO_USERNAME: Persona(),
        "demo-locked": Persona(login_error=AccountLocked),
        "demo-down": Persona(login_error=BankUnavailable),
        "demo-flaky": Persona(fetch_error=BankUnavailable),
        "demo-expired": Persona(accounts_error=ConsentExpired, fetch_error=ConsentExpired),
        "demo-limited": Persona(fetch_error=RateLimited),
        "demo-slow": Persona(delay=SLOW_SECONDS),
    }
)


@dataclass(frozen=True, slots=True)
class _AccountSpec:
    external_id: str
    name: str
    type: AccountType
    has_iban: bool


ACCOUNTS: Final = (
    _AccountSpec("demo-cc", "Compte courant pro", AccountType.CHECKING, True),
    _AccountSpec("demo-sav", "Livret pro", AccountType.SAVINGS, True),
    _AccountSpec("demo-card", "Carte Business", AccountType.CARD, False),
)
_ACCOUNTS_BY_ID: Final = {spec.external_id: spec for spec in ACCOUNTS}


@dataclass(frozen=True, slots=True)
class _Session:
    username: str
    persona: Persona
    expires: date


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
            state=Secret(_CHALLENGE_PREFIX + username),
            hint=CODE_HINT,
        )

    async def continue_auth(self, challenge: Challenge, answer: str) -> AuthStep:
        """Accept the code 123456 (spaces ignored) and hand out a token valid 180 days."""
        state = challenge.state.reveal()
        username = state.removeprefix(_CHALLENGE_PREFIX)
        persona = PERSONAS.get(username) if state.startswith(_CHALLENGE_PREFIX) else None
        await self._pause(persona)
        if persona is None or challenge.kind is not ChallengeKind.CODE:
            raise ConsentExpired("login session not recognised")
        if "".join(answer.split()) != DEMO_CODE:
            raise WrongCode("wrong code")
        expires = self._today() + timedelta(days=CONSENT_DAYS)
        return Authorized(
            secret=Secret(f"{_SESSION_PREFIX}{username}:{expires.isoformat()}"),
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
                balance=Money(_balance(session.username, spec.type, today), CURRENCY),
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
        spec = _ACCOUNTS_BY_ID.get(account_id)
        if spec is None:
            raise Unsupported("unknown account")
        today = self._today()
        first = max(since, today - timedelta(days=HISTORY_DAYS))
        last = min(until, today)
        pending_from = today - timedelta(days=PENDING_DAYS - 1)
        # Months of data are generated in a worker thread: 24 of them take longer than the
        # event loop may be held.
        return await asyncio.to_thread(_fetched, session.username, spec, first, last, pending_from)

    async def revoke(self, secret: Secret) -> None:
        """Nothing to revoke; a token that does not parse still raises ConsentExpired."""
        await self._open(secret, check_expiry=False)

    async def _open(self, secret: Secret, *, check_expiry: bool = True) -> _Session:
        session = _read_session(secret)
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


def _read_session(secret: Secret) -> _Session | None:
    token = secret.reveal()
    if not token.startswith(_SESSION_PREFIX):
        return None
    username, _, expiry = token.removeprefix(_SESSION_PREFIX).partition(":")
    persona = PERSONAS.get(username)
    expires = _parse_date(expiry)
    if persona is None or expires is None:
        return None
    return _Session(username, persona, expires)


def _parse_date(text: str) -> date | None:
    """The date, or None; the ValueError is dropped so no part of a token reaches a traceback."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@lru_cache(maxsize=64)
def demo_iban(seed: str, account_id: str) -> str:
    """A valid French IBAN (RIB key and check digits right) at a bank code no bank uses."""
    digest = hashlib.sha256(f"{seed}:{account_id}".encode()).hexdigest()
    number = f"{int(digest, 16) % 10**11:011d}"
    return str(
        IBAN.generate(
            "FR", bank_code=data.BANK_CODE, branch_code=data.BRANCH_CODE, account_code=number
        )
    )


# --- the generator -----------------------------------------------------------------------------

TYPICAL_NET: Final = 550_000
"""A usual month's net flow on the current account before the owner's pay, in cents."""


class _Line(NamedTuple):
    day: date
    seq: int
    amount: int
    label: str

    @property
    def key(self) -> str:
        """The line's id within its account: booking date and rank that day, `20250312-03`."""
        return f"{self.day.year:04d}{self.day.month:02d}{self.day.day:02d}-{self.seq:02d}"


class _Month:
    """Collects one account's lines of one month, kept in booking order within each day."""

    def __init__(self, lines: Iterable[_Line] = ()) -> None:
        self._days: dict[date, list[tuple[int, str]]] = {}
        for line in lines:
            self.add(line.day, line.amount, line.label)

    def add(self, day: date, amount: int, label: str) -> None:
        if amount:
            self._days.setdefault(day, []).append((amount, label))

    def lines(self) -> tuple[_Line, ...]:
        return tuple(
            _Line(day, seq, amount, label)
            for day in sorted(self._days)
            for seq, (amount, label) in enumerate(self._days[day], start=1)
        )


def _rng(*parts: object) -> Random:
    """A generator seeded by text, which (unlike hash()) is the same in every process."""
    return Random(":".join(str(part) for part in parts))  # noqa: S311 - sample data, not secrets


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _ym(month: int) -> tuple[int, int]:
    year, offset = divmod(month, 12)
    return year, offset + 1


def _month_key(month: int) -> str:
    year, number = _ym(month)
    return f"{year}-{number:02d}"


def _period(month: int) -> str:
    year, number = _ym(month)
    return f"{number:02d}/{year}"


def _days_of(month: int) -> list[date]:
    year, number = _ym(month)
    return [date(year, number, d) for d in range(1, calendar.monthrange(year, number)[1] + 1)]


def _last_day(month: int) -> date:
    year, number = _ym(month)
    return date(year, number, calendar.monthrange(year, number)[1])


def _day_month(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}"


def _easter(year: int) -> date:
    """Easter Sunday (the anonymous Gregorian computus), for the TARGET2 closing days."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    lh = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * lh) // 451
    month, day = divmod(h + lh - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def _closing_days(year: int) -> frozenset[date]:
    """TARGET2 closing days, when no SEPA transfer or debit is booked."""
    easter = _easter(year)
    return frozenset(
        {
            date(year, 1, 1),
            easter - timedelta(days=2),
            easter + timedelta(days=1),
            date(year, 5, 1),
            date(year, 12, 25),
            date(year, 12, 26),
        }
    )


def _is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _closing_days(day.year)


def _business_day(month: int, day_of_month: int) -> date:
    """That day or the next business day; the previous one if the month would end first."""
    last = _last_day(month)
    start = last.replace(day=min(day_of_month, last.day))
    day = start
    while not _is_business_day(day):
        day += timedelta(days=1)
    if day.month == start.month:
        return day
    day = start
    while not _is_business_day(day):
        day -= timedelta(days=1)
    return day


def _next_business_day(day: date) -> date:
    day += timedelta(days=1)
    while not _is_business_day(day):
        day += timedelta(days=1)
    return day


def _card_label(rng: Random, card: str, merchant: str, booked: date, style: int | None) -> str:
    """A card line as French banks print it, dated the day of purchase, often before booking.

    The current account mixes three banks' styles so that label cleaning sees them all.
    """
    bought = _day_month(booked - timedelta(days=rng.choice((0, 1, 1, 2))))
    if style is None:
        draw = rng.random()
        style = 0 if draw < 0.5 else 1 if draw < 0.8 else 2
    if style == 0:
        return f"CB {merchant} {bought}"
    if style == 1:
        return f"CARTE {card} {bought} {merchant}"
    return f"PAIEMENT PAR CARTE {card} {merchant} {bought}"


@dataclass(frozen=True, slots=True)
class _Pool:
    merchants: tuple[data.Merchant, ...]
    cumulative_weights: tuple[int, ...]

    @classmethod
    def of(cls, merchants: Iterable[data.Merchant]) -> _Pool:
        chosen = tuple(merchants)
        return cls(chosen, tuple(itertools.accumulate(m.weight for m in chosen)))

    def pick(self, rng: Random) -> data.Merchant:
        return rng.choices(self.merchants, cum_weights=self.cumulative_weights)[0]


_DAILY_WEEKDAY: Final = _Pool.of(data.DAILY_MERCHANTS)
_DAILY_WEEKEND: Final = _Pool.of(m for m in data.DAILY_MERCHANTS if m.weekend)
_CARD_WEEKDAY: Final = _Pool.of(data.BUSINESS_CARD_MERCHANTS)
_CARD_WEEKEND: Final = _Pool.of(m for m in data.BUSINESS_CARD_MERCHANTS if m.weekend)


def _spend(rng: Random, merchant: data.Merchant) -> int:
    return -rng.randint(merchant.low, merchant.high)


@lru_cache(maxsize=64)
def _yearly_prices(seed: str, year: int) -> Mapping[str, int]:
    """This year's price of the bills and subscriptions whose price changes once a year."""
    rng = _rng(seed, year, "prices")
    prices = {
        bill.key: rng.randint(bill.low, bill.high) for bill in data.BILLS if bill.varies == "year"
    }
    for subscription in (*data.DAILY_SUBSCRIPTIONS, *data.BUSINESS_CARD_SUBSCRIPTIONS):
        prices[subscription.merchant] = rng.randint(subscription.low, subscription.high)
    return MappingProxyType(prices)


# --- current account ---


@lru_cache(maxsize=512)
def _client_payments(seed: str, month: int) -> tuple[tuple[date, int, int, str], ...]:
    """Client transfers received in a month: (day, client index, amount, reference)."""
    payments: list[tuple[date, int, int, str]] = []
    rng = _rng(seed, _month_key(month), "clients")
    for index, client in enumerate(data.CLIENTS):
        if rng.random() >= client.chance:
            continue
        day = _business_day(month, rng.randint(*client.days))
        amount = client.unit * rng.randint(*client.units)
        payments.append((day, index, amount, f"{rng.randrange(10**6):06d}"))
    return tuple(sorted(payments))


@lru_cache(maxsize=512)
def _invoices_before(seed: str, month: int) -> int:
    """How many invoices were paid earlier in the same year, so numbers run on in sequence."""
    if _ym(month)[1] == 1:
        return 0
    return _invoices_before(seed, month - 1) + len(_client_payments(seed, month - 1))


def _add_bills(book: _Month, seed: str, month: int) -> None:
    year, number = _ym(month)
    rng = _rng(seed, _month_key(month), "bills")
    prices = _yearly_prices(seed, year)
    for bill in data.BILLS:
        if bill.months and number not in bill.months:
            continue
        amount = rng.randint(bill.low, bill.high) if bill.varies == "month" else prices[bill.key]
        label = bill.label.format(period=_period(month), year=year)
        book.add(_business_day(month, bill.day), -amount, label)
    receipts = sum(amount for _, _, amount, _ in _client_payments(seed, month - 1))
    vat = receipts // 6 - rng.randint(*data.VAT_DEDUCTIBLE)
    if vat > 0:
        label = data.VAT_LABEL.format(period=_period(month - 1))
        book.add(_business_day(month, data.VAT_DAY), -vat, label)


def _add_transfers(book: _Month, seed: str, month: int) -> None:
    year = _ym(month)[0]
    payments = _client_payments(seed, month)
    for number, (day, index, amount, ref) in enumerate(payments, _invoices_before(seed, month) + 1):
        label = data.CLIENTS[index].label.format(invoice=f"{year}-{number:03d}", ref=ref)
        book.add(day, amount, label)
    rng = _rng(seed, _month_key(month), "suppliers")
    for supplier in data.SUPPLIERS:
        if rng.random() >= supplier.chance:
            continue
        day = _business_day(month, rng.randint(*supplier.days))
        amount = supplier.unit * rng.randint(*supplier.units)
        label = supplier.label.format(
            period=_period(month), year=year, ref=f"{rng.randint(1, 99):02d}"
        )
        book.add(day, -amount, label)


def _add_daily_spending(book: _Month, seed: str, month: int) -> None:
    for day in _days_of(month):
        rng = _rng(seed, day.isoformat(), "cc")
        weekend = day.weekday() >= 5
        pool = _DAILY_WEEKEND if weekend else _DAILY_WEEKDAY
        for _ in range(rng.choice((0, 0, 1, 1, 2) if weekend else (1, 1, 2, 2, 2, 3, 3, 4))):
            merchant = pool.pick(rng)
            label = _card_label(rng, data.DEBIT_CARD, merchant.name, day, None)
            book.add(day, _spend(rng, merchant), label)
        if rng.random() < 0.015:
            label = data.CASH_LABEL.format(day=_day_month(day))
            book.add(day, -1_000 * rng.randint(2, 10), label)
        for subscription in data.DAILY_SUBSCRIPTIONS:
            if subscription.day == day.day:
                price = _yearly_prices(seed, day.year)[subscription.merchant]
                label = _card_label(rng, data.DEBIT_CARD, subscription.merchant, day, None)
                book.add(day, -price, label)


def _add_occasional(book: _Month, seed: str, month: int) -> None:
    rng = _rng(seed, _month_key(month), "cc")
    days = _days_of(month)
    if rng.random() < 0.2:
        day = rng.choice(days)
        book.add(day, rng.randint(1_299, 8_990), data.REFUND_LABEL.format(day=_day_month(day)))
    if rng.random() < 0.08:
        book.add(_business_day(month, rng.randint(1, 28)), -800, data.INTERVENTION_LABEL)


@lru_cache(maxsize=512)
def _checking_before_pay(seed: str, month: int) -> tuple[_Line, ...]:
    """The current account's month, all but the owner's month-end transfer."""
    book = _Month()
    _add_bills(book, seed, month)
    _add_transfers(book, seed, month)
    for move in _savings_moves(seed, month):
        book.add(move.checking_day, -move.amount, move.checking_label)
    _add_occasional(book, seed, month)
    _add_daily_spending(book, seed, month)
    statement = -sum(line.amount for line in _card_spending(seed, month))
    last = _last_day(month)
    book.add(last, -statement, data.CARD_STATEMENT_CC.format(day=_day_month(last)))
    return book.lines()


@lru_cache(maxsize=512)
def _checking_opening(seed: str, month: int) -> int:
    """The current account's balance on the first of the month, before that day's lines.

    A seeded target, raised by two thirds of last month's surplus over a usual month and a
    third of the month before's: the owner's month-end pay, which lands on it, then follows
    what the business earned over three months rather than swinging with each invoice.
    """
    base = _rng(seed, _month_key(month), "target").randint(1_100_000, 1_300_000)
    last = sum(line.amount for line in _checking_before_pay(seed, month - 1)) - TYPICAL_NET
    before = sum(line.amount for line in _checking_before_pay(seed, month - 2)) - TYPICAL_NET
    return base + (2 * last + before) // 3


@lru_cache(maxsize=512)
def _checking_month(seed: str, month: int) -> tuple[_Line, ...]:
    lines = _checking_before_pay(seed, month)
    book = _Month(lines)
    pay = (
        _checking_opening(seed, month + 1)
        - _checking_opening(seed, month)
        - sum(line.amount for line in lines)
    )
    label = data.OWNER_PAY_LABEL if pay < 0 else data.OWNER_TOP_UP_LABEL
    book.add(_business_day(month, 31), pay, label.format(period=_period(month)))
    return book.lines()


# --- savings account ---

_SAVINGS_SINCE: Final = 2015 * 12
"""The month the demo savings account opened: interest accrues from there."""


@dataclass(frozen=True, slots=True)
class _Move:
    """A transfer between current and savings account; `amount` is what savings receives."""

    amount: int
    checking_day: date
    checking_label: str
    savings_day: date
    savings_label: str


def _savings_level(seed: str, month: int) -> int:
    """The savings balance at the start of a month, interest aside, in cents.

    It grows by 300 € a month since the account opened, give or take a seeded 0-1 200 €, so
    next to the standing order one transfer a month, most often a deposit, reaches the next level.
    """
    grown = 3 * max(0, month - _SAVINGS_SINCE)
    return 10_000 * (150 + grown + _rng(seed, _month_key(month), "savings").randint(0, 12))


def _interest(seed: str, month: int) -> int:
    if _ym(month)[1] % 3:
        return 0
    return _rng(seed, _month_key(month), "interest").randint(*data.INTEREST_RANGE)


@lru_cache(maxsize=512)
def _savings_opening(seed: str, month: int) -> int:
    interest = sum(_interest(seed, m) for m in range(_SAVINGS_SINCE, month))
    return _savings_level(seed, month) + interest


@lru_cache(maxsize=512)
def _savings_moves(seed: str, month: int) -> tuple[_Move, ...]:
    standing = _business_day(month, data.SAVINGS_STANDING_DAY)
    moves = [
        _Move(
            data.SAVINGS_STANDING_ORDER,
            standing,
            data.CC_TO_SAVINGS,
            standing,
            data.SAVINGS_FROM_CC,
        )
    ]
    rest = (
        _savings_level(seed, month + 1) - _savings_level(seed, month) - data.SAVINGS_STANDING_ORDER
    )
    if rest:
        rng = _rng(seed, _month_key(month), "sweep")
        sent = _business_day(month, rng.randint(*data.SAVINGS_ADJUSTMENT_DAYS))
        received = _next_business_day(sent)
        if rest > 0:
            moves.append(_Move(rest, sent, data.CC_SWEEP_OUT, received, data.SAVINGS_SWEEP_IN))
        else:
            moves.append(_Move(rest, received, data.CC_SWEEP_IN, sent, data.SAVINGS_SWEEP_OUT))
    return tuple(moves)


@lru_cache(maxsize=512)
def _savings_month(seed: str, month: int) -> tuple[_Line, ...]:
    book = _Month()
    for move in _savings_moves(seed, month):
        book.add(move.savings_day, move.amount, move.savings_label)
    last = _last_day(month)
    label = data.INTEREST_LABEL.format(date=f"{_day_month(last)}/{last:%y}")
    book.add(last, _interest(seed, month), label)
    return book.lines()


# --- business card ---


def _trips(seed: str, month: int) -> dict[date, tuple[data.City, int, int]]:
    """The month's business trips: each day away -> (city, day of trip, nights)."""
    rng = _rng(seed, _month_key(month), "trips")
    plan: dict[date, tuple[data.City, int, int]] = {}
    last = _last_day(month)
    for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
        city = rng.choice(data.CITIES)
        nights = rng.choice((1, 1, 2))
        start = _business_day(month, rng.randint(1, last.day - 4))
        days = [start + timedelta(days=k) for k in range(nights + 1)]
        if days[-1] > last or any(day in plan for day in days):
            continue
        for k, day in enumerate(days):
            plan[day] = (city, k, nights)
    return plan


def _add_trip_day(
    book: _Month, rng: Random, day: date, city: data.City, k: int, nights: int
) -> None:
    def pay(merchant: str, amount: int) -> None:
        book.add(day, amount, _card_label(rng, data.BUSINESS_CARD, merchant, day, 1))

    transport = data.FLIGHT if city.by_air else data.TRAIN
    if k == 0:
        pay(transport.name, _spend(rng, transport))
    if k == nights:
        pay(rng.choice(city.hotels), -nights * rng.randint(*data.NIGHT))
        pay(transport.name, _spend(rng, transport))
    for _ in range(rng.choice((1, 1, 2) if k in (0, nights) else (1, 2, 2))):
        pay(rng.choice(city.restaurants), -rng.randint(*data.MEAL))
    if rng.random() < 0.6:
        taxi = rng.choice(data.TAXIS)
        pay(taxi.name, _spend(rng, taxi))


@lru_cache(maxsize=512)
def _card_spending(seed: str, month: int) -> tuple[_Line, ...]:
    book = _Month()
    trips = _trips(seed, month)
    for day in _days_of(month):
        rng = _rng(seed, day.isoformat(), "card")
        if day in trips:
            _add_trip_day(book, rng, day, *trips[day])
        else:
            weekend = day.weekday() >= 5
            if rng.random() < (0.12 if weekend else 0.35):
                merchant = (_CARD_WEEKEND if weekend else _CARD_WEEKDAY).pick(rng)
                label = _card_label(rng, data.BUSINESS_CARD, merchant.name, day, 1)
                book.add(day, _spend(rng, merchant), label)
        for subscription in data.BUSINESS_CARD_SUBSCRIPTIONS:
            if subscription.day == day.day:
                price = _yearly_prices(seed, day.year)[subscription.merchant]
                label = _card_label(rng, data.BUSINESS_CARD, subscription.merchant, day, 1)
                book.add(day, -price, label)
    return book.lines()


@lru_cache(maxsize=512)
def _card_month(seed: str, month: int) -> tuple[_Line, ...]:
    spending = _card_spending(seed, month)
    book = _Month(spending)
    last = _last_day(month)
    settled = -sum(line.amount for line in spending)
    book.add(last, settled, data.CARD_STATEMENT_CARD.format(day=_day_month(last)))
    return book.lines()


# --- all accounts ---


def _fetched(
    seed: str, spec: _AccountSpec, first: date, last: date, pending_from: date
) -> list[FetchedTransaction]:
    fetched: list[FetchedTransaction] = []
    for month in range(_month_index(first), _month_index(last) + 1):
        for line in _month_lines(seed, spec.type, month):
            if first <= line.day <= last:
                booked_id = f"{spec.external_id}-{line.key}"
                pending = line.day >= pending_from
                fetched.append(
                    FetchedTransaction(
                        external_id=_PENDING_PREFIX + booked_id if pending else booked_id,
                        booking_date=line.day,
                        amount=Money(line.amount, CURRENCY),
                        label=line.label,
                        pending=pending,
                    )
                )
    return fetched


def _month_lines(seed: str, account: AccountType, month: int) -> tuple[_Line, ...]:
    if account is AccountType.CHECKING:
        return _checking_month(seed, month)
    if account is AccountType.SAVINGS:
        return _savings_month(seed, month)
    return _card_month(seed, month)


def _opening(seed: str, account: AccountType, month: int) -> int:
    if account is AccountType.CHECKING:
        return _checking_opening(seed, month)
    if account is AccountType.SAVINGS:
        return _savings_opening(seed, month)
    return 0


def _balance(seed: str, account: AccountType, today: date) -> int:
    """The booked balance: the month's opening plus its lines up to the last booked day."""
    last_booked = today - timedelta(days=PENDING_DAYS)
    month = _month_index(last_booked)
    booked = sum(
        line.amount for line in _month_lines(seed, account, month) if line.day <= last_booked
    )
    return _opening(seed, account, month) + booked
