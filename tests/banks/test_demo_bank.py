"""The demo bank: login, simulated failures, deterministic data, pending lines and balances."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from schwifty import IBAN

from bot.banks.connector import (
    AccountLocked,
    AccountType,
    AuthMethod,
    Authorized,
    BadCredentials,
    BankUnavailable,
    Challenge,
    ChallengeKind,
    ConnectorError,
    ConsentExpired,
    Credentials,
    FetchedTransaction,
    RateLimited,
    Unsupported,
    WrongCode,
)
from bot.banks.demo.bank import DemoBank
from bot.banks.demo.signin import PERSONAS
from bot.domain.clock import FixedClock
from bot.domain.secret import Secret

WEDNESDAY = datetime(2025, 6, 18, 7, 30, tzinfo=UTC)
TODAY = date(2025, 6, 18)
FAR_PAST = date(2000, 1, 1)
FAR_FUTURE = date(2100, 1, 1)
ACCOUNT_IDS = ("demo-cc", "demo-sav", "demo-card")


class RecordedSleeps:
    """Stands in for asyncio.sleep and remembers how long each call would have waited."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def make_bank(at: datetime = WEDNESDAY, latency: float = 0.0) -> tuple[DemoBank, FixedClock]:
    clock = FixedClock(at)
    return DemoBank(clock, latency, sleep=RecordedSleeps()), clock


async def login(bank: DemoBank, username: str = "demo") -> Secret:
    step = await bank.begin_auth("demo", Credentials(username, Secret("demo")))
    assert isinstance(step, Challenge)
    done = await bank.continue_auth(step, "123456")
    assert isinstance(done, Authorized)
    return done.secret


async def history(bank: DemoBank, secret: Secret, account_id: str) -> list[FetchedTransaction]:
    return await bank.fetch_transactions(secret, account_id, FAR_PAST, FAR_FUTURE)


# --- login ---


async def test_login_asks_for_a_code_then_gives_a_token_valid_180_days() -> None:
    bank, _ = make_bank()

    step = await bank.begin_auth("demo", Credentials("demo", Secret("demo")))

    assert isinstance(step, Challenge)
    assert step.kind is ChallengeKind.CODE
    assert step.hint == "SMS ••• 42"
    done = await bank.continue_auth(step, "123456")
    assert isinstance(done, Authorized)
    assert done.consent_expires == TODAY + timedelta(days=180)
    assert done.secret.reveal() == "demo:v1:demo:2025-12-15"


async def test_username_ignores_case_and_surrounding_spaces_and_code_ignores_spaces() -> None:
    bank, _ = make_bank()

    step = await bank.begin_auth("demo", Credentials("  DeMo ", Secret("demo")))

    assert isinstance(step, Challenge)
    done = await bank.continue_auth(step, " 123 456 ")
    assert isinstance(done, Authorized)
    assert done.secret.reveal().startswith("demo:v1:demo:")


@pytest.mark.parametrize("password", ["wrong", "DEMO", " demo", ""])
async def test_wrong_password_is_refused_before_any_code(password: str) -> None:
    bank, _ = make_bank()

    with pytest.raises(BadCredentials):
        await bank.begin_auth("demo", Credentials("demo", Secret(password)))


@pytest.mark.parametrize("username", ["alice", "demo2", "", "demo-"])
async def test_unknown_username_is_refused(username: str) -> None:
    bank, _ = make_bank()

    with pytest.raises(BadCredentials):
        await bank.begin_auth("demo", Credentials(username, Secret("demo")))


async def test_missing_credentials_are_refused() -> None:
    bank, _ = make_bank()

    with pytest.raises(BadCredentials):
        await bank.begin_auth("demo", None)


@pytest.mark.parametrize("answer", ["654321", "", "12345", "1234567", "abcdef"])
async def test_wrong_code_raises_wrong_code(answer: str) -> None:
    bank, _ = make_bank()
    step = await bank.begin_auth("demo", Credentials("demo", Secret("demo")))
    assert isinstance(step, Challenge)

    with pytest.raises(WrongCode):
        await bank.continue_auth(step, answer)


async def test_a_forged_challenge_is_refused() -> None:
    bank, _ = make_bank()
    forged = Challenge(kind=ChallengeKind.CODE, state=Secret("demo-code:v1:mallory"))

    with pytest.raises(ConsentExpired):
        await bank.continue_auth(forged, "123456")


def test_capabilities() -> None:
    assert DemoBank.name == "demo"
    assert DemoBank.capabilities.auth is AuthMethod.CREDENTIALS
    assert DemoBank.capabilities.max_history_days == 730
    assert DemoBank.capabilities.reports_pending is True
    assert DemoBank.capabilities.calls_per_day is None


# --- simulated failures ---


@pytest.mark.parametrize(
    ("username", "error"), [("demo-locked", AccountLocked), ("demo-down", BankUnavailable)]
)
async def test_failing_logins(username: str, error: type[ConnectorError]) -> None:
    bank, _ = make_bank()

    with pytest.raises(error):
        await bank.begin_auth("demo", Credentials(username, Secret("demo")))


async def test_a_locked_account_with_a_wrong_password_is_a_wrong_password() -> None:
    bank, _ = make_bank()

    with pytest.raises(BadCredentials):
        await bank.begin_auth("demo", Credentials("demo-locked", Secret("nope")))


async def test_flaky_bank_lists_accounts_but_every_fetch_fails() -> None:
    bank, _ = make_bank()
    secret = await login(bank, "demo-flaky")

    assert len(await bank.list_accounts(secret)) == 3
    for account_id in ACCOUNT_IDS:
        with pytest.raises(BankUnavailable):
            await bank.fetch_transactions(secret, account_id, TODAY, TODAY)


async def test_expired_consent_fails_listing_and_fetching_but_not_revoking() -> None:
    bank, _ = make_bank()
    secret = await login(bank, "demo-expired")

    with pytest.raises(ConsentExpired):
        await bank.list_accounts(secret)
    with pytest.raises(ConsentExpired):
        await bank.fetch_transactions(secret, "demo-cc", TODAY, TODAY)
    await bank.revoke(secret)


async def test_rate_limited_fetch_says_when_to_retry() -> None:
    bank, _ = make_bank()
    secret = await login(bank, "demo-limited")

    assert len(await bank.list_accounts(secret)) == 3
    with pytest.raises(RateLimited) as raised:
        await bank.fetch_transactions(secret, "demo-cc", TODAY, TODAY)
    assert raised.value.retry_at == WEDNESDAY + timedelta(hours=1)


async def test_slow_bank_takes_three_seconds_a_call() -> None:
    sleeps = RecordedSleeps()
    bank = DemoBank(FixedClock(WEDNESDAY), sleep=sleeps)

    secret = await login(bank, "demo-slow")
    await bank.list_accounts(secret)
    await bank.fetch_transactions(secret, "demo-cc", TODAY, TODAY)
    await bank.revoke(secret)

    assert sleeps.calls == [3.0] * 5


async def test_latency_delays_every_call_and_none_by_default() -> None:
    sleeps = RecordedSleeps()
    bank = DemoBank(FixedClock(WEDNESDAY), latency=0.25, sleep=sleeps)
    secret = await login(bank)
    await bank.list_accounts(secret)
    with pytest.raises(BadCredentials):
        await bank.begin_auth("demo", Credentials("demo", Secret("wrong")))
    assert sleeps.calls == [0.25] * 4

    quiet = RecordedSleeps()
    await login(DemoBank(FixedClock(WEDNESDAY), sleep=quiet))
    assert quiet.calls == []


def test_every_persona_is_documented() -> None:
    import bot.banks.demo.bank as module

    assert module.__doc__ is not None
    for username in PERSONAS:
        assert username in module.__doc__


# --- tokens ---


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "demo:v1:demo",
        "demo:v1:demo:not-a-date",
        "demo:v1:mallory:2099-01-01",
        "demo:v2:demo:2099-01-01",
    ],
)
async def test_a_malformed_token_means_the_consent_has_expired(token: str) -> None:
    bank, _ = make_bank()

    with pytest.raises(ConsentExpired):
        await bank.list_accounts(Secret(token))
    with pytest.raises(ConsentExpired):
        await bank.fetch_transactions(Secret(token), "demo-cc", TODAY, TODAY)
    with pytest.raises(ConsentExpired):
        await bank.revoke(Secret(token))


async def test_the_token_stops_working_after_180_days() -> None:
    bank, clock = make_bank()
    secret = await login(bank)

    clock.advance(timedelta(days=180))
    assert len(await bank.list_accounts(secret)) == 3
    clock.advance(timedelta(days=1))
    with pytest.raises(ConsentExpired):
        await bank.list_accounts(secret)
    await bank.revoke(secret)


async def test_unknown_account_is_unsupported() -> None:
    bank, _ = make_bank()
    secret = await login(bank)

    with pytest.raises(Unsupported):
        await bank.fetch_transactions(secret, "demo-other", TODAY, TODAY)


# --- accounts ---


async def test_three_accounts_with_a_valid_french_iban() -> None:
    bank, _ = make_bank()
    secret = await login(bank)

    accounts = {account.external_id: account for account in await bank.list_accounts(secret)}

    assert list(accounts) == list(ACCOUNT_IDS)
    checking, savings, card = accounts["demo-cc"], accounts["demo-sav"], accounts["demo-card"]
    assert (checking.name, checking.type) == ("Compte courant pro", AccountType.CHECKING)
    assert (savings.name, savings.type) == ("Livret pro", AccountType.SAVINGS)
    assert (card.name, card.type) == ("Carte Business", AccountType.CARD)
    assert {account.currency for account in accounts.values()} == {"EUR"}
    for account in (checking, savings):
        assert account.iban is not None
        iban = IBAN(account.iban, validate_bban=True)
        assert iban.country_code == "FR"
        assert str(iban) == account.iban
    assert checking.iban != savings.iban
    assert card.iban is None
    assert savings.balance.minor > 0
    assert card.balance.minor < 0


async def test_every_demo_login_sees_the_same_accounts() -> None:
    first, _ = make_bank()
    second, _ = make_bank()

    one = await first.list_accounts(await login(first))
    other = await second.list_accounts(await login(second, " DEMO"))

    assert one == other


# --- lines ---


async def test_same_seed_and_date_give_identical_lines() -> None:
    first, _ = make_bank()
    second, _ = make_bank(WEDNESDAY + timedelta(hours=10))
    first_secret, second_secret = await login(first), await login(second)

    for account_id in ACCOUNT_IDS:
        one = await history(first, first_secret, account_id)
        other = await history(second, second_secret, account_id)
        assert one == other
        assert one


def test_lines_do_not_depend_on_the_process() -> None:
    script = (
        "import asyncio, hashlib\n"
        "from datetime import date, datetime, UTC\n"
        "from bot.banks.demo.bank import DemoBank\n"
        "from bot.domain.clock import FixedClock\n"
        "from bot.domain.secret import Secret\n"
        "bank = DemoBank(FixedClock(datetime(2025, 6, 18, 7, 30, tzinfo=UTC)))\n"
        "lines = asyncio.run(bank.fetch_transactions(Secret('demo:v1:demo:2025-12-15'),"
        " 'demo-cc', date(2025, 1, 1), date(2025, 6, 18)))\n"
        "print(hashlib.sha256(repr(lines).encode()).hexdigest())\n"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=Path(__file__).resolve().parents[2],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1


async def test_another_username_is_another_seed() -> None:
    bank, _ = make_bank()

    demo = await history(bank, await login(bank), "demo-cc")
    slow_bank = DemoBank(FixedClock(WEDNESDAY), sleep=RecordedSleeps())
    slow = await history(slow_bank, await login(slow_bank, "demo-slow"), "demo-cc")

    assert [line.amount for line in demo] != [line.amount for line in slow]


async def test_a_window_returns_the_same_lines_as_the_full_history() -> None:
    bank, _ = make_bank()
    secret = await login(bank)
    everything = await history(bank, secret, "demo-cc")

    since, until = date(2024, 2, 27), date(2024, 3, 2)
    window = await bank.fetch_transactions(secret, "demo-cc", since, until)

    assert window == [line for line in everything if since <= line.booking_date <= until]
    assert {line.booking_date for line in window} == {since + timedelta(days=k) for k in range(5)}


async def test_window_is_clipped_to_the_last_730_days() -> None:
    bank, _ = make_bank()
    secret = await login(bank)

    for account_id in ACCOUNT_IDS:
        lines = await history(bank, secret, account_id)
        assert min(line.booking_date for line in lines) >= TODAY - timedelta(days=730)
        assert max(line.booking_date for line in lines) <= TODAY
    checking = await history(bank, secret, "demo-cc")
    assert min(line.booking_date for line in checking) == TODAY - timedelta(days=730)
    assert max(line.booking_date for line in checking) == TODAY
    assert await bank.fetch_transactions(secret, "demo-cc", TODAY, TODAY - timedelta(days=1)) == []
    assert await bank.fetch_transactions(secret, "demo-cc", FAR_PAST, date(2023, 1, 1)) == []


async def test_today_is_the_date_in_paris() -> None:
    bank, _ = make_bank(datetime(2025, 6, 17, 22, 30, tzinfo=UTC))
    secret = await login(bank)

    lines = await history(bank, secret, "demo-cc")

    assert max(line.booking_date for line in lines) == date(2025, 6, 18)


async def test_only_the_last_two_days_are_pending() -> None:
    bank, _ = make_bank()
    secret = await login(bank)

    for account_id in ACCOUNT_IDS:
        for line in await history(bank, secret, account_id):
            recent = line.booking_date >= TODAY - timedelta(days=1)
            assert line.pending is recent
            assert line.external_id.startswith("P-") is recent


async def test_the_next_day_brings_new_lines_and_books_the_day_before_yesterday() -> None:
    bank, clock = make_bank()
    secret = await login(bank)
    before = {account_id: await history(bank, secret, account_id) for account_id in ACCOUNT_IDS}

    clock.advance(timedelta(days=1))
    after = {account_id: await history(bank, secret, account_id) for account_id in ACCOUNT_IDS}

    tomorrow, yesterday = TODAY + timedelta(days=1), TODAY - timedelta(days=1)
    assert [line for line in after["demo-cc"] if line.booking_date == tomorrow]
    for account_id in ACCOUNT_IDS:
        were_pending = [line for line in before[account_id] if line.booking_date == yesterday]
        now_booked = [line for line in after[account_id] if line.booking_date == yesterday]
        assert len(were_pending) == len(now_booked)
        for pending, booked in zip(were_pending, now_booked, strict=True):
            assert pending.pending and not booked.pending
            assert pending.external_id == "P-" + booked.external_id
            assert (pending.amount, pending.label) == (booked.amount, booked.label)
        kept = TODAY - timedelta(days=729)
        still = [line for line in before[account_id] if kept <= line.booking_date < yesterday]
        assert still == [line for line in after[account_id] if line.booking_date < yesterday]
    assert [line for line in before["demo-cc"] if line.booking_date == yesterday]


async def test_external_ids_are_unique_and_well_formed() -> None:
    bank, _ = make_bank()
    secret = await login(bank)

    ids: list[str] = []
    for account_id in ACCOUNT_IDS:
        for line in await history(bank, secret, account_id):
            day = f"{line.booking_date:%Y%m%d}"
            assert re.fullmatch(rf"(P-)?{account_id}-{day}-\d\d", line.external_id)
            ids.append(line.external_id)

    assert len(ids) == len(set(ids))


async def test_no_line_is_zero_and_all_are_in_euros() -> None:
    bank, _ = make_bank()
    secret = await login(bank)

    for account_id in ACCOUNT_IDS:
        for line in await history(bank, secret, account_id):
            assert line.amount.minor != 0
            assert line.amount.currency == "EUR"
            assert line.label == line.label.strip() and line.label


# --- balances ---


async def test_balance_moves_by_exactly_the_lines_booked_in_between() -> None:
    bank, clock = make_bank()
    secret = await login(bank)
    for days in (1, 3, 31, 700):
        clock.set(WEDNESDAY - timedelta(days=days))
        then = {a.external_id: a.balance for a in await bank.list_accounts(secret)}
        clock.set(WEDNESDAY)
        now = {a.external_id: a.balance for a in await bank.list_accounts(secret)}
        for account_id in ACCOUNT_IDS:
            lines = await history(bank, secret, account_id)
            first_new = TODAY - timedelta(days=days + 1)
            booked_since = [
                line.amount.minor
                for line in lines
                if first_new <= line.booking_date and not line.pending
            ]
            assert now[account_id].minor - then[account_id].minor == sum(booked_since)


async def test_current_account_stays_mostly_positive() -> None:
    bank, _ = make_bank()
    secret = await login(bank)
    balance = next(a for a in await bank.list_accounts(secret) if a.external_id == "demo-cc")
    lines = await history(bank, secret, "demo-cc")

    running = balance.balance.minor
    by_day: dict[date, int] = defaultdict(int)
    for line in lines:
        if not line.pending:
            by_day[line.booking_date] += line.amount.minor
    negative_days = 0
    for day in sorted(by_day, reverse=True):
        negative_days += running < 0
        running -= by_day[day]

    assert negative_days <= len(by_day) // 20


async def test_card_balance_is_what_was_spent_since_the_last_settlement() -> None:
    for days in (0, 12, 13, 14, 15):
        bank, _ = make_bank(WEDNESDAY + timedelta(days=days))
        secret = await login(bank)
        card = next(a for a in await bank.list_accounts(secret) if a.external_id == "demo-card")
        booked = [line for line in await history(bank, secret, "demo-card") if not line.pending]
        settled = max(i for i, line in enumerate(booked) if line.amount.minor > 0)

        assert card.balance.minor == sum(line.amount.minor for line in booked[settled + 1 :])


# --- between accounts ---


async def test_card_settlement_and_savings_transfers_mirror_the_current_account() -> None:
    bank, _ = make_bank()
    secret = await login(bank)
    checking = await history(bank, secret, "demo-cc")
    savings = await history(bank, secret, "demo-sav")
    card = await history(bank, secret, "demo-card")

    settlements = [line for line in card if line.amount.minor > 0]
    assert len(settlements) >= 23
    for settlement in settlements:
        assert (settlement.booking_date + timedelta(days=1)).day == 1
        debit = [
            line
            for line in checking
            if line.booking_date == settlement.booking_date
            and line.label.startswith("DEBIT MENSUEL CARTE X7730")
        ]
        assert [line.amount for line in debit] == [-settlement.amount]

    transfers = [line for line in savings if line.label.startswith("VIR ")]
    assert len(transfers) >= 24
    for transfer in transfers:
        mirror = [
            line
            for line in checking
            if line.amount == -transfer.amount
            and "LIVRET PRO" in line.label
            and abs((line.booking_date - transfer.booking_date).days) <= 3
        ]
        assert mirror, transfer


# --- realism ---


async def test_two_years_of_a_french_consultancy() -> None:
    bank, _ = make_bank()
    secret = await login(bank)
    checking = await history(bank, secret, "demo-cc")
    savings = await history(bank, secret, "demo-sav")
    card = await history(bank, secret, "demo-card")

    per_month = Counter(f"{line.booking_date:%Y-%m}" for line in checking)
    full_months = [count for month, count in per_month.items() if "2023-07" < month < "2025-06"]
    assert min(full_months) >= 55
    assert max(full_months) <= 100
    labels = "\n".join(line.label for line in checking)
    for expected in (
        "PRLV SEPA URSSAF ILE DE FRANCE",
        "PRLV SEPA ORANGE SA",
        "PRLV SEPA FREE MOBILE",
        "PRLV SEPA EDF",
        "PRLV SEPA DGFIP IMPOT TVA",
        "PRLV SEPA DGFIP IMPOT CFE",
        "PRLV SEPA OVH SAS",
        "PRLV SEPA MMA IARD",
        "VIR SEPA RECU /DE ACME SAS /MOTIF FACT 2025-0",
        "VIR INST EMIS /VERS",
        "VIR SEPA EMIS /VERS CLAIRE DUPONT /MOTIF REMUNERATION",
        "FRAIS TENUE DE COMPTE",
        "COTISATION CARTE BUSINESS",
        "COMMISSION INTERVENTION",
        "CB CARREFOUR CITY ",
        "CARTE X4821 ",
        "PAIEMENT PAR CARTE X4821 ",
        "GOOGLE *WORKSPACE",
        "MICROSOFT*365",
        "AMAZON",
        "LA POSTE",
        "UBER",
        "TOTALENERGIES",
        "SHELL",
        "ESSO",
    ):
        assert expected in labels, expected
    assert re.search(r"^CB CARREFOUR CITY \d\d/\d\d$", labels, re.MULTILINE)
    card_labels = "\n".join(line.label for line in card)
    for expected in ("AIR FRANCE", "SNCF CONNECT", "HOTEL", "ADOBE"):
        assert expected in card_labels, expected
    assert sum("INTERETS CREDITEURS" in line.label for line in savings) == 8


# --- secrets ---


async def test_a_configured_password_replaces_demo() -> None:
    bank = DemoBank(FixedClock(WEDNESDAY), password="Hunter2-s3cret!")

    with pytest.raises(BadCredentials):
        await bank.begin_auth("demo", Credentials("demo", Secret("demo")))
    step = await bank.begin_auth("demo", Credentials("demo", Secret("Hunter2-s3cret!")))
    assert isinstance(step, Challenge)


async def test_no_password_or_token_in_any_repr() -> None:
    password = "Hunter2-s3cret!"
    bank = DemoBank(FixedClock(WEDNESDAY), password=password)
    seen: list[object] = []
    for credentials in (
        Credentials("demo", Secret(password + "x")),
        Credentials(password, Secret(password)),
        Credentials("demo-locked", Secret(password)),
    ):
        with pytest.raises(ConnectorError) as refused:
            await bank.begin_auth("demo", credentials)
        seen.append(refused.value)
        assert refused.value.__context__ is None and refused.value.__cause__ is None

    step = await bank.begin_auth("demo", Credentials("demo", Secret(password)))
    assert isinstance(step, Challenge)
    with pytest.raises(WrongCode) as wrong:
        await bank.continue_auth(step, password)
    seen.append(wrong.value)
    done = await bank.continue_auth(step, "123456")
    assert isinstance(done, Authorized)
    token = done.secret.reveal()
    seen += [step, done, *await bank.list_accounts(done.secret)]
    for account_id in ACCOUNT_IDS:
        seen += await bank.fetch_transactions(done.secret, account_id, TODAY, TODAY)

    with pytest.raises(ConsentExpired) as expired:
        await bank.list_accounts(Secret("demo:v1:demo:" + password))
    seen.append(expired.value)
    assert expired.value.__context__ is None and expired.value.__cause__ is None

    for value in seen:
        for text in (repr(value), str(value)):
            assert password not in text
            assert token not in text
            assert step.state.reveal() not in text
