"""The demo bank's data: deterministic lines, pending ones, balances, transfers between its
accounts, and the realism of two years of a French consultancy."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.banks.demo.bank import DemoBank
from bot.domain.clock import FixedClock
from tests.support.demo_bank import (
    ACCOUNT_IDS,
    FAR_PAST,
    TODAY,
    WEDNESDAY,
    RecordedSleeps,
    history,
    login,
    make_bank,
)

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
