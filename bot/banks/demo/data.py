"""What the demo bank's customer, a small Paris consultancy, sells, buys and pays each month.

The facts are data, `data/demo.toml`, read once at import with the bank files' record reader.
Its texts may name {owner} and {business_card}, filled in from its [customer] table as it is
read; the other placeholders of a label are filled by the demo bank, line by line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from bot.banks.directory.aliases import load_toml, read_record


@dataclass(frozen=True, slots=True)
class Merchant:
    """A card acceptor as statements print it; amounts in cents, drawn uniformly in [low, high]."""

    name: str
    low: int
    high: int
    weight: int = 1
    weekend: bool = True


@dataclass(frozen=True, slots=True)
class Subscription:
    """A card payment on the same day every month, its price changing once a year."""

    merchant: str
    day: int
    low: int
    high: int


@dataclass(frozen=True, slots=True)
class Bill:
    """A bill paid every month (or only in `months`) on a fixed day moved to a business day.

    `label` may use {period} (03/2025) and {year} (2025).
    """

    key: str
    label: str
    day: int
    low: int
    high: int
    varies: Literal["month", "year"] = "year"
    months: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Counterparty:
    """Someone paying or paid by transfer: in a month, once with `chance`, between two days.

    The amount is `unit` times a whole number drawn in `units`; `label` may use {invoice},
    {period}, {year} and {ref}.
    """

    label: str
    chance: float
    days: tuple[int, int]
    unit: int
    units: tuple[int, int]


@dataclass(frozen=True, slots=True)
class City:
    """A destination of business trips, paid with the business card."""

    name: str
    by_air: bool
    hotels: tuple[str, ...]
    restaurants: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Customer:
    owner: str
    debit_card: str
    business_card: str


@dataclass(frozen=True, slots=True)
class Iban:
    bank_code: str
    branch_code: str


@dataclass(frozen=True, slots=True)
class Spending:
    daily: tuple[Merchant, ...]
    business_card: tuple[Merchant, ...]


@dataclass(frozen=True, slots=True)
class Subscriptions:
    daily: tuple[Subscription, ...]
    business_card: tuple[Subscription, ...]


@dataclass(frozen=True, slots=True)
class Vat:
    day: int
    label: str
    deductible: tuple[int, int]


@dataclass(frozen=True, slots=True)
class Labels:
    owner_pay: str
    owner_top_up: str
    cash: str
    refund: str
    intervention: str
    card_statement_cc: str
    card_statement_card: str


@dataclass(frozen=True, slots=True)
class Savings:
    standing_order: int
    standing_day: int
    adjustment_days: tuple[int, int]
    interest_label: str
    interest_range: tuple[int, int]
    cc_to_savings: str
    savings_from_cc: str
    cc_sweep_out: str
    savings_sweep_in: str
    savings_sweep_out: str
    cc_sweep_in: str


@dataclass(frozen=True, slots=True)
class Trips:
    train: Merchant
    flight: Merchant
    taxis: tuple[Merchant, ...]
    night: tuple[int, int]
    meal: tuple[int, int]
    city: tuple[City, ...]


@dataclass(frozen=True, slots=True)
class DemoData:
    """The tables of `demo.toml`, one field per table."""

    customer: Customer
    iban: Iban
    card: Spending
    subscriptions: Subscriptions
    bill: tuple[Bill, ...]
    vat: Vat
    client: tuple[Counterparty, ...]
    supplier: tuple[Counterparty, ...]
    labels: Labels
    savings: Savings
    trips: Trips


DATA: Final = Path(__file__).parent / "data"


def load_demo(path: Path) -> DemoData:
    data = load_toml(path)
    customer = read_record(Customer, data.get("customer"), f"{path.name}, customer")
    names = {"owner": customer.owner, "business_card": customer.business_card}
    return read_record(DemoData, _filled(data, names), path.name)


def _filled(value: object, names: dict[str, str]) -> object:
    if isinstance(value, str):
        for name, text in names.items():
            value = value.replace(f"{{{name}}}", text)
        return value
    if isinstance(value, list):
        return [_filled(item, names) for item in value]
    if isinstance(value, dict):
        return {key: _filled(item, names) for key, item in value.items()}
    return value


_DEMO: Final = load_demo(DATA / "demo.toml")

OWNER: Final = _DEMO.customer.owner
DEBIT_CARD: Final = _DEMO.customer.debit_card
BUSINESS_CARD: Final = _DEMO.customer.business_card
BANK_CODE: Final = _DEMO.iban.bank_code
"""Not allotted to any French bank, so a demo IBAN never looks like a real bank's."""
BRANCH_CODE: Final = _DEMO.iban.branch_code

DAILY_MERCHANTS: Final = _DEMO.card.daily
BUSINESS_CARD_MERCHANTS: Final = _DEMO.card.business_card
DAILY_SUBSCRIPTIONS: Final = _DEMO.subscriptions.daily
BUSINESS_CARD_SUBSCRIPTIONS: Final = _DEMO.subscriptions.business_card
BILLS: Final = _DEMO.bill

VAT_DAY: Final = _DEMO.vat.day
VAT_LABEL: Final = _DEMO.vat.label
VAT_DEDUCTIBLE: Final = _DEMO.vat.deductible

CLIENTS: Final = _DEMO.client
SUPPLIERS: Final = _DEMO.supplier

OWNER_PAY_LABEL: Final = _DEMO.labels.owner_pay
OWNER_TOP_UP_LABEL: Final = _DEMO.labels.owner_top_up
CASH_LABEL: Final = _DEMO.labels.cash
REFUND_LABEL: Final = _DEMO.labels.refund
INTERVENTION_LABEL: Final = _DEMO.labels.intervention
CARD_STATEMENT_CC: Final = _DEMO.labels.card_statement_cc
CARD_STATEMENT_CARD: Final = _DEMO.labels.card_statement_card

SAVINGS_STANDING_ORDER: Final = _DEMO.savings.standing_order
SAVINGS_STANDING_DAY: Final = _DEMO.savings.standing_day
SAVINGS_ADJUSTMENT_DAYS: Final = _DEMO.savings.adjustment_days
CC_TO_SAVINGS: Final = _DEMO.savings.cc_to_savings
SAVINGS_FROM_CC: Final = _DEMO.savings.savings_from_cc
CC_SWEEP_OUT: Final = _DEMO.savings.cc_sweep_out
SAVINGS_SWEEP_IN: Final = _DEMO.savings.savings_sweep_in
SAVINGS_SWEEP_OUT: Final = _DEMO.savings.savings_sweep_out
CC_SWEEP_IN: Final = _DEMO.savings.cc_sweep_in
INTEREST_LABEL: Final = _DEMO.savings.interest_label
INTEREST_RANGE: Final = _DEMO.savings.interest_range

CITIES: Final = _DEMO.trips.city
TRAIN: Final = _DEMO.trips.train
FLIGHT: Final = _DEMO.trips.flight
TAXIS: Final = _DEMO.trips.taxis
NIGHT: Final = _DEMO.trips.night
MEAL: Final = _DEMO.trips.meal
