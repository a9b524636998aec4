"""Writes bench/data/streams/*.csv: a year of bank lines of six small businesses, with the truth.

`python -m bench.make_streams [--out DIR] [--seed N]`. What each business buys, sells and how
it files it is bench/data/streams/businesses.toml, as are six banks' label styles; the same
seed writes the same files. The streams are for `python -m bench.categorize --all DIR`.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import math
import random
import string
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final

STREAMS: Final = Path(__file__).parent / "data" / "streams"
PROFILES: Final = STREAMS / "businesses.toml"
HEADER: Final = ("date", "amount", "label", "account_code")
DEFAULT_SEED: Final = 15
RENEWAL_MONTH: Final = 7
"""The card is renewed that month: its number in labels changes."""
CITIES: Final = ("PARIS 11", "LILLE", "LYON 3", "BOULOGNE BILL", "NANTES", "ST DENIS")
RATES: Final = {"USD": 1.08, "GBP": 0.85}
INCOMING: Final = frozenset({"in", "cash_in"})


@dataclass(frozen=True, slots=True)
class Payee:
    names: tuple[str, ...]
    kind: str
    code: str
    low: float
    high: float
    per_month: float | None
    day: int | None
    months: frozenset[int] | None
    days: str | None
    motifs: tuple[str, ...]
    fx: str | None


@dataclass(frozen=True, slots=True)
class Business:
    key: str
    bank: str
    year: int
    owner: str
    payees: tuple[Payee, ...]


@dataclass(frozen=True, slots=True)
class Row:
    booked: date
    amount: float
    label: str
    code: str


def load(path: Path = PROFILES) -> tuple[dict[str, dict[str, Any]], list[Business]]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    styles: dict[str, dict[str, Any]] = data["styles"]
    businesses = [
        Business(
            key=entry["key"],
            bank=entry["bank"],
            year=int(entry["year"]),
            owner=entry["owner"],
            payees=tuple(_payee(item) for item in entry["payee"]),
        )
        for entry in data["business"]
    ]
    return styles, businesses


def _payee(item: Mapping[str, Any]) -> Payee:
    """One [[business.payee]] table, as TOML gives it."""
    low, high = item["amount"]
    months = item.get("months")
    per_month = item.get("per_month")
    day = item.get("day")
    return Payee(
        names=tuple(item["name"]),
        kind=str(item["kind"]),
        code=str(item["code"]),
        low=float(low),
        high=float(high),
        per_month=float(per_month) if per_month is not None else None,
        day=int(day) if day is not None else None,
        months=frozenset(months) if months is not None else None,
        days=str(item["days"]) if "days" in item else None,
        motifs=tuple(item.get("motif", ("",))),
        fx=str(item["fx"]) if "fx" in item else None,
    )


def stream(business: Business, style: Mapping[str, Any], seed: int) -> list[Row]:
    """A year of the business's lines in booking order, each with its true account."""
    rng = random.Random(f"{seed}:{business.key}")
    ids = _Ids(rng)
    rows: list[tuple[date, float, Row]] = []
    for month in range(1, 13):
        for payee in business.payees:
            if payee.months is not None and month not in payee.months:
                continue
            for day in _days(rng, payee, business.year, month):
                row = _row(rng, ids, business, style, payee, day)
                rows.append((row.booked, rng.random(), row))
    rows.sort(key=lambda item: (item[0], item[1]))
    return [row for _, _, row in rows]


class _Ids:
    """Creditor and mandate ids stay with a payee; references and invoice numbers run on."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._fixed: dict[tuple[str, str], str] = {}
        self.invoice = rng.randrange(20, 400)

    def fixed(self, name: str, kind: str) -> str:
        key = (name, kind)
        if key not in self._fixed:
            if kind == "ics":
                self._fixed[key] = f"FR{self._rng.randrange(10, 99)}ZZZ{self._digits(6)}"
            else:
                self._fixed[key] = self.reference(12)
        return self._fixed[key]

    def reference(self, size: int = 8) -> str:
        alphabet = string.ascii_uppercase + string.digits
        text = "".join(self._rng.choice(alphabet) for _ in range(size))
        return text[:2] + self._digits(1) + text[3:]

    def _digits(self, size: int) -> str:
        return "".join(self._rng.choice(string.digits) for _ in range(size))

    def digits(self, size: int) -> str:
        return self._digits(size)


def _days(rng: random.Random, payee: Payee, year: int, month: int) -> list[date]:
    last = calendar.monthrange(year, month)[1]
    if payee.day is not None:
        return [_business_day(date(year, month, min(payee.day, last)))]
    count = _poisson(rng, payee.per_month or 0.0)
    days: list[date] = []
    for _ in range(count):
        for _attempt in range(20):
            day = date(year, month, rng.randint(1, last))
            weekend = day.weekday() >= 5
            if payee.days is None or (payee.days == "weekend") == weekend:
                days.append(day)
                break
    return days


def _poisson(rng: random.Random, mean: float) -> int:
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _business_day(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _row(
    rng: random.Random,
    ids: _Ids,
    business: Business,
    style: Mapping[str, Any],
    payee: Payee,
    day: date,
) -> Row:
    size = _amount(rng, payee)
    amount = size if payee.kind in INCOMING else -size
    name = rng.choice(payee.names)
    booked = day
    if payee.kind in ("card", "cash_out"):
        if style.get("deferred") and payee.kind == "card":
            booked = _month_end(day)
        else:
            booked = _business_day(day + timedelta(days=rng.randint(0, 2)))
    width = int(style.get("merchant_width", 40))
    card = "4821" if day.month < RENEWAL_MONTH else "7305"
    motif = rng.choice(payee.motifs)
    ids.invoice += 1
    period = f"{day.month:02d}/{day.year}"
    filled_motif = motif.format(
        period=period,
        year=day.year,
        q=(day.month - 1) // 3 + 1,
        n=f"{day.year % 100}{ids.invoice:04d}",
        ref=ids.reference(),
    )
    values = {
        "m": name[:width].strip(),
        "d": day.strftime("%d/%m"),
        "dmy": day.strftime("%d%m%y"),
        "card": card,
        "name": name,
        "motif": filled_motif,
        "ref": ids.reference(),
        "num": ids.digits(7),
        "ics": ids.fixed(name, "ics"),
        "rum": ids.fixed(name, "rum"),
        "city": rng.choice(CITIES),
        "fx": _fx_tail(payee.fx, size),
    }
    template = str(style[payee.kind])
    label = " ".join(template.format(**values).split())
    return Row(booked, amount, label, payee.code)


def _amount(rng: random.Random, payee: Payee) -> float:
    if payee.low == payee.high:
        return payee.low
    return round(math.exp(rng.uniform(math.log(payee.low), math.log(payee.high))), 2)


def _fx_tail(currency: str | None, size: float) -> str:
    if not currency:
        return ""
    rate = RATES.get(currency, 1.0)
    foreign = f"{size * rate:.2f}".replace(".", ",")
    return f" {currency} {foreign} 1 EUR = {rate:.4f} {currency}".replace(".", ",")


def _month_end(day: date) -> date:
    last = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    while last.weekday() >= 5:
        last -= timedelta(days=1)
    return max(last, day)


def write(rows: Sequence[Row], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as target:
        writer = csv.writer(target, delimiter=";", lineterminator="\n")
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow((row.booked.isoformat(), f"{row.amount:.2f}", row.label, row.code))


def write_all(out: Path = STREAMS, seed: int = DEFAULT_SEED) -> list[Path]:
    styles, businesses = load()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for business in businesses:
        path = out / f"{business.key}.csv"
        write(stream(business, styles[business.bank], seed), path)
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the categorization bench's streams.")
    parser.add_argument("--out", type=Path, default=STREAMS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    for path in write_all(args.out, args.seed):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
