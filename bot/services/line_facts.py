"""A stored bank line as the suggestion cascade reads it: loaded, plain, or a decision."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from bot.categorize.cascade import LineFacts
from bot.domain.money import Money


class Booked(Protocol):
    """What every stored bank line says, loaded or read as a plain row."""

    @property
    def raw_label(self) -> str: ...
    @property
    def payee(self) -> str: ...
    @property
    def amount_minor(self) -> int: ...
    @property
    def currency(self) -> str: ...
    @property
    def booking_date(self) -> date: ...


class Facts(Booked, Protocol):
    """A stored line with its bank account: what the cascade learns and suggests from."""

    @property
    def bank_account_id(self) -> int: ...


def facts_of(line: Facts) -> LineFacts:
    return LineFacts(
        label=line.raw_label,
        payee=line.payee,
        amount=Money(line.amount_minor, line.currency),
        booking_date=line.booking_date,
        bank_account_id=line.bank_account_id,
    )
