"""Writes bench/data/demo_labeled.csv: the demo bank's 24 months, each line with its true account.

`python -m bench.make_sample [--out FILE] [--months N]`. The truth comes from what the demo
generator (bot/banks/demo_data.py) says each line is, filed the way an accountant would for a
sole-trader consultancy in Paris: never from Pointage's own suggestions, which the bench grades.

- Client payments → 706; subcontractors → 611 (a freelancer) and 604 (a design studio).
- The owner's month-end pay and her top-ups → 108; her expense claims → 6251 (mostly travel).
- Current account ↔ savings, and the card's monthly settlement on both sides → 580.
- URSSAF → 646 (the owner's own contributions: nobody is on the payroll); VAT → 44551; the
  quarterly IS instalments → 444; CFE → 63511; rent → 6132; the accountant → 6226.
- Meals in Paris → 6257 (clients); meals and hotels on trips → 6256; tickets, taxis, tolls and
  parking → 6251; fuel → 6061 (PCG 60614 Carburants lies under it).
- Amazon: under 80 € office supplies (6064), from 80 € small equipment (6063); refunds alike.
- Supermarkets → 6063 (coffee and cleaning for the office); cash withdrawals → 108.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Final

from bot.banks.connector import Authorized, Credentials
from bot.banks.demo import data
from bot.banks.demo.bank import DemoBank
from bot.banks.demo.history import ACCOUNTS
from bot.domain.clock import FixedClock, today_in
from bot.domain.secret import Secret

SAMPLE: Final = Path(__file__).parent / "data" / "demo_labeled.csv"
CLOCK_AT: Final = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
HEADER: Final = ("date", "amount", "label", "account_code")
AMAZON_EQUIPMENT_FROM: Final = 8_000

Truth = Callable[[int], str]


def _always(code: str) -> Truth:
    return lambda _minor: code


def _amazon(minor: int) -> str:
    return "6063" if abs(minor) >= AMAZON_EQUIPMENT_FROM else "6064"


_MERCHANTS: Final[dict[str, Truth]] = {
    "CARREFOUR CITY": _always("6063"),
    "MONOPRIX": _always("6063"),
    "FRANPRIX": _always("6063"),
    "BOULANGERIE PAUL": _always("6257"),
    "LE PETIT BISTROT": _always("6257"),
    "BRASSERIE DU MARCHE": _always("6257"),
    "SUSHI SHOP": _always("6257"),
    "PRET A MANGER": _always("6257"),
    "STARBUCKS": _always("6257"),
    "CHEZ GEORGES": _always("6257"),
    "TOTALENERGIES ST OUEN": _always("6061"),
    "SHELL PARIS BERCY": _always("6061"),
    "ESSO EXPRESS VINCENNES": _always("6061"),
    "SHELL A6 AIRE DE NEMOURS": _always("6061"),
    "SNCF INTERNET": _always("6251"),
    "UBER *TRIP": _always("6251"),
    "INDIGO PARKING": _always("6251"),
    "RATP": _always("6251"),
    "SANEF": _always("6251"),
    "VINCI AUTOROUTES": _always("6251"),
    "AMAZON PAYMENTS": _amazon,
    "AMZN MKTP FR": _amazon,
    "AMAZON EU SARL": _amazon,
    "LA POSTE": _always("626"),
    "BUREAU VALLEE": _always("6064"),
    "FNAC": _always("6063"),
    "APPLE STORE OPERA": _always("6063"),
    "GOOGLE *WORKSPACE": _always("6135"),
    "MICROSOFT*365": _always("6135"),
    "ADOBE *CREATIVE CLD": _always("6135"),
    "ZOOM.US": _always("6135"),
    data.TRAIN.name: _always("6251"),
    data.FLIGHT.name: _always("6251"),
    **{taxi.name: _always("6251") for taxi in data.TAXIS},
    **{name: _always("6256") for city in data.CITIES for name in city.hotels},
    **{name: _always("6256") for city in data.CITIES for name in city.restaurants},
}

_BILLS: Final[dict[str, str]] = {
    "rent": "6132",
    "fees": "627",
    "ovh": "6135",
    "orange": "626",
    "urssaf": "646",
    "free": "626",
    "edf": "6061",
    "mma": "616",
    "accountant": "6226",
    "is": "444",
    "cfe": "63511",
    "card-fee": "627",
}

_SUPPLIERS: Final[tuple[str, ...]] = ("611", "604", "6251")
"""In the order of data.SUPPLIERS: a freelancer, a design studio, the owner's expense claims."""


def _template(label: str) -> re.Pattern[str]:
    """A demo label template ("… {period}") as a pattern matching every line it produces."""
    parts = re.split(r"(\{\w+\})", label)
    return re.compile("".join(".+?" if part.startswith("{") else re.escape(part) for part in parts))


@dataclass(frozen=True, slots=True)
class _Pattern:
    regex: re.Pattern[str]
    truth: Truth


def _patterns() -> list[_Pattern]:
    patterns = [_Pattern(_template(bill.label), _always(_BILLS[bill.key])) for bill in data.BILLS]
    patterns += [
        _Pattern(_template(data.VAT_LABEL), _always("44551")),
        *(_Pattern(_template(client.label), _always("706")) for client in data.CLIENTS),
        *(
            _Pattern(_template(supplier.label), _always(code))
            for supplier, code in zip(data.SUPPLIERS, _SUPPLIERS, strict=True)
        ),
        _Pattern(_template(data.OWNER_PAY_LABEL), _always("108")),
        _Pattern(_template(data.OWNER_TOP_UP_LABEL), _always("108")),
        _Pattern(_template(data.CASH_LABEL), _always("108")),
        _Pattern(_template(data.INTERVENTION_LABEL), _always("627")),
        _Pattern(_template(data.INTEREST_LABEL), _always("768")),
        _Pattern(_template(data.CARD_STATEMENT_CC), _always("580")),
        _Pattern(_template(data.CARD_STATEMENT_CARD), _always("580")),
        *(
            _Pattern(_template(label), _always("580"))
            for label in (
                data.CC_TO_SAVINGS,
                data.SAVINGS_FROM_CC,
                data.CC_SWEEP_OUT,
                data.SAVINGS_SWEEP_IN,
                data.SAVINGS_SWEEP_OUT,
                data.CC_SWEEP_IN,
            )
        ),
    ]
    return patterns


_CARD: Final = re.compile(
    r"(?:CB (?P<a>.+) \d\d/\d\d|CARTE X\d{4} \d\d/\d\d (?P<b>.+)"
    r"|PAIEMENT PAR CARTE X\d{4} (?P<c>.+) \d\d/\d\d)"
)
_REFUND: Final = _template(data.REFUND_LABEL)


def true_account(label: str, minor: int) -> str:
    """The account an accountant files this demo line under; KeyError for a label unknown."""
    if _REFUND.fullmatch(label):
        return _amazon(minor)
    card = _CARD.fullmatch(label)
    if card:
        merchant = card.group("a") or card.group("b") or card.group("c")
        return _MERCHANTS[merchant](minor)
    for pattern in _PATTERNS:
        if pattern.regex.fullmatch(label):
            return pattern.truth(minor)
    raise KeyError(label)


_PATTERNS: Final = _patterns()


@dataclass(frozen=True, slots=True)
class LabeledLine:
    booking_date: date
    minor: int
    label: str
    account_code: str


async def demo_lines(months: int = 24, at: datetime = CLOCK_AT) -> list[LabeledLine]:
    """The booked lines of the three demo accounts over `months`, in date order, with truth."""
    bank = DemoBank(FixedClock(at))
    step = await bank.begin_auth("demo", Credentials("demo", Secret("demo")))
    if not isinstance(step, Authorized):
        step = await bank.continue_auth(step, "123456")
    assert isinstance(step, Authorized)
    today = today_in(FixedClock(at))
    since = today - timedelta(days=round(months * 365.25 / 12))
    lines: list[tuple[date, int, str, LabeledLine]] = []
    for order, account in enumerate(ACCOUNTS):
        fetched = await bank.fetch_transactions(step.secret, account.external_id, since, today)
        for line in fetched:
            if line.pending:
                continue
            truth = true_account(line.label, line.amount.minor)
            labeled = LabeledLine(line.booking_date, line.amount.minor, line.label, truth)
            lines.append((line.booking_date, order, line.external_id, labeled))
    lines.sort(key=lambda item: item[:3])
    return [item[3] for item in lines]


def write_csv(lines: Iterable[LabeledLine], path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\n")
        writer.writerow(HEADER)
        for line in lines:
            writer.writerow(
                (line.booking_date.isoformat(), _decimal(line.minor), line.label, line.account_code)
            )
            count += 1
    return count


def _decimal(minor: int) -> str:
    sign = "-" if minor < 0 else ""
    units, cents = divmod(abs(minor), 100)
    return f"{sign}{units}.{cents:02d}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=SAMPLE)
    parser.add_argument("--months", type=int, default=24)
    args = parser.parse_args(argv)
    count = write_csv(asyncio.run(demo_lines(args.months)), args.out)
    print(f"lines={count}")
    print(f"file={args.out}")


if __name__ == "__main__":
    main()
