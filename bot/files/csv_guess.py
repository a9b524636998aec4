"""Which column is what in a bank CSV, from its header names and from its cells."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from bot.files.csv_cells import (
    DateOrder,
    amount_decimals,
    date_orders,
    has_fraction,
    name_key,
    parse_direction,
)

_MOSTLY: Final = 0.9
_HALF: Final = 0.5


class Looks(StrEnum):
    """What most cells of a column look like, to offer the likely columns first."""

    DATE = "date"
    AMOUNT = "amount"
    DIRECTION = "direction"
    TEXT = "text"
    EMPTY = "empty"


# --- header names ------------------------------------------------------------------------------


class Role(StrEnum):
    DATE = "date"
    VALUE_DATE = "value_date"
    LABEL = "label"
    AMOUNT = "amount"
    DEBIT = "debit"
    CREDIT = "credit"
    DIRECTION = "direction"
    CURRENCY = "currency"
    BALANCE = "balance"
    REFERENCE = "reference"


_DIRECTION_NAMES: Final = frozenset(
    ("sens", "direction", "debit credit", "credit debit", "d c", "c d", "dc", "cd", "dr cr")
) | frozenset(("cr dr", "debit credit indicator", "credit debit indicator", "sens d c"))
_VALUE_DATE_NAMES: Final = ("date valeur", "date de valeur", "value date", "valeur")
_REFERENCE_NAMES: Final = (
    "reference",
    "ref",
    "numero d operation",
    "numero operation",
    "n d operation",
    "n operation",
    "no d operation",
    "transaction id",
    "transaction reference",
    "id",
    "fitid",
)
_FIRST_WORDS: Final = {
    **dict.fromkeys(("libelle", "description", "detail", "details", "memo"), Role.LABEL),
    **dict.fromkeys(("narrative", "payee", "beneficiaire", "intitule", "nature"), Role.LABEL),
    **dict.fromkeys(("motif", "informations", "commentaire", "objet", "tiers"), Role.LABEL),
    **dict.fromkeys(("particulars", "wording", "label", "name", "operation"), Role.LABEL),
    **dict.fromkeys(("montant", "amount", "somme", "mnt", "value"), Role.AMOUNT),
    **dict.fromkeys(("debit", "debits", "retrait", "retraits", "withdrawal"), Role.DEBIT),
    **dict.fromkeys(("withdrawals", "sorties", "depenses", "outflow"), Role.DEBIT),
    **dict.fromkeys(("credit", "credits", "deposit", "deposits", "versement"), Role.CREDIT),
    **dict.fromkeys(("versements", "recettes", "encaissements", "entrees", "inflow"), Role.CREDIT),
    **dict.fromkeys(("devise", "currency", "monnaie", "ccy"), Role.CURRENCY),
    **dict.fromkeys(("solde", "balance"), Role.BALANCE),
}
_PHRASES: Final = {
    "paid out": Role.DEBIT,
    "money out": Role.DEBIT,
    "paid in": Role.CREDIT,
    "money in": Role.CREDIT,
    "transaction amount": Role.AMOUNT,
    "running balance": Role.BALANCE,
    "transaction description": Role.LABEL,
    "transaction details": Role.LABEL,
}
_CURRENCY_CODES: Final = frozenset(("eur", "usd", "gbp", "chf", "cad", "jpy", "xof", "xpf", "mad"))
_CURRENCY_SIGNS: Final = {"€": "EUR", "$": "USD", "£": "GBP"}


def name_role(name: str) -> Role | None:
    """What a header name says its column holds, in French or English."""
    key = name_key(name)
    if not key:
        return None
    if key in _DIRECTION_NAMES:
        return Role.DIRECTION
    if key.startswith(_VALUE_DATE_NAMES):
        return Role.VALUE_DATE
    if key in _REFERENCE_NAMES or key.startswith(("reference ", "numero d operation")):
        return Role.REFERENCE
    words = key.split()
    if words[0] == "date" or words[-1] == "date" or key in ("jour", "posted", "booked"):
        return Role.DATE
    for phrase, role in _PHRASES.items():
        if key.startswith(phrase):
            return role
    return _FIRST_WORDS.get(words[0])


def name_currency(name: str) -> str | None:
    """The currency a header name states: "Montant (EUR)", "Débit euros", "Amount £"."""
    for sign, code in _CURRENCY_SIGNS.items():
        if sign in name:
            return code
    for word in name_key(name).split()[1:]:
        if word in _CURRENCY_CODES:
            return word.upper()
        if word in ("euro", "euros"):
            return "EUR"
    return None


# --- content -------------------------------------------------------------------------------------


def cells_of(sample: Sequence[Sequence[str]], index: int) -> list[str]:
    return [row[index] for row in sample if index < len(row) and row[index]]


def share(cells: Sequence[str], kind: Looks) -> float:
    """The part of a column's filled cells that read as that kind."""
    if not cells:
        return 0.0
    if kind is Looks.DATE:
        found = sum(bool(date_orders(cell)) for cell in cells)
    elif kind is Looks.DIRECTION:
        found = sum(parse_direction(cell) is not None for cell in cells)
    elif kind is Looks.AMOUNT:
        found = sum(bool(amount_decimals(cell)) for cell in cells)
    else:
        found = len(cells)
    return found / len(cells)


def looks_of(cells: Sequence[str]) -> Looks:
    if not cells:
        return Looks.EMPTY
    for kind in (Looks.DATE, Looks.DIRECTION, Looks.AMOUNT):
        if share(cells, kind) >= _MOSTLY:
            return kind
    return Looks.TEXT


def date_order(cells: Sequence[str]) -> tuple[DateOrder, bool]:
    """The order all of a column's dates read in (day first when they all could), and if one."""
    common = set(DateOrder)
    for cell in cells:
        common &= date_orders(cell) or common
    for order in (DateOrder.DMY, DateOrder.YMD, DateOrder.MDY):
        if order in common:
            return order, True
    return DateOrder.DMY, False


def decimal_of(sample: Sequence[Sequence[str]], columns: Sequence[int]) -> tuple[str, bool]:
    """The decimal separator of the amount columns: "," unless only "." reads them all."""
    common = {",", "."}
    for index in columns:
        for cell in cells_of(sample, index):
            common &= amount_decimals(cell) or common
    if "," in common:
        return ",", True
    return (".", True) if common else (",", False)


@dataclass(frozen=True, slots=True)
class Guess:
    """The columns that names and content point to; `doubt` when content reads two ways."""

    date: int
    label: tuple[int, ...]
    amount: int | None
    debit: int | None
    credit: int | None
    direction: int | None
    date_order: DateOrder
    decimal: str
    currency: str
    currency_column: int | None
    reference: int | None
    doubt: bool


def guess_columns(
    names: Sequence[str], looks: Sequence[Looks], sample: Sequence[Sequence[str]]
) -> Guess | None:
    """The likely columns of a table, None when it has no date or no amount column."""
    return _Guessing(names, looks, sample).guess()


class _Guessing:
    def __init__(
        self, names: Sequence[str], looks: Sequence[Looks], sample: Sequence[Sequence[str]]
    ) -> None:
        self.names = names
        self.looks = looks
        self.sample = sample
        self.roles = [name_role(name) for name in names]
        self.doubt = False

    def named(self, role: Role, *fits: Looks) -> list[int]:
        """The columns named for a role whose cells mostly fit it (a damaged few may not)."""
        return [
            i
            for i, r in enumerate(self.roles)
            if r is role
            and (
                self.looks[i] in (*fits, Looks.EMPTY)
                or any(share(cells_of(self.sample, i), kind) >= _HALF for kind in fits)
            )
        ]

    def looking(self, kind: Looks, taken: set[int]) -> list[int]:
        return [
            i
            for i, looks in enumerate(self.looks)
            if looks is kind and i not in taken and self.roles[i] not in _NOT_LINE_ROLES
        ]

    def guess(self) -> Guess | None:
        date = self._date()
        if date is None:
            return None
        amounts = self._amounts({date})
        if amounts is None:
            return None
        amount, debit, credit, direction = amounts
        label = self._label({date, *(i for i in amounts if i is not None)})
        order, one_order = date_order(cells_of(self.sample, date))
        decimal, one_decimal = decimal_of(
            self.sample, [i for i in (amount, debit, credit) if i is not None]
        )
        currency = next(
            (
                code
                for i in (amount, debit, credit)
                if i is not None and (code := name_currency(self.names[i]))
            ),
            "EUR",
        )
        return Guess(
            date=date,
            label=label,
            amount=amount,
            debit=debit,
            credit=credit,
            direction=direction,
            date_order=order,
            decimal=decimal,
            currency=currency,
            currency_column=next(iter(self.named(Role.CURRENCY, Looks.TEXT)), None),
            reference=next(iter(self.named(Role.REFERENCE, Looks.TEXT, Looks.AMOUNT)), None),
            doubt=self.doubt or not (one_order and one_decimal and label),
        )

    def _date(self) -> int | None:
        named = self.named(Role.DATE, Looks.DATE) or self.named(Role.VALUE_DATE, Looks.DATE)
        if named:
            return named[0]
        found = self.looking(Looks.DATE, set())
        self.doubt = self.doubt or len(found) != 1
        return found[0] if found else None

    def _amounts(
        self, taken: set[int]
    ) -> tuple[int | None, int | None, int | None, int | None] | None:
        debits = self.named(Role.DEBIT, Looks.AMOUNT)
        credits = self.named(Role.CREDIT, Looks.AMOUNT)
        if debits and credits:
            return None, debits[0], credits[0], None
        directions = self.named(Role.DIRECTION, Looks.DIRECTION)
        named = [i for i in self.named(Role.AMOUNT, Looks.AMOUNT) if i not in taken]
        if named:
            direction = directions[0] if directions else self._unnamed_direction(named[0])
            return named[0], None, None, direction
        found = self.looking(Looks.AMOUNT, taken)
        with_cents = [i for i in found if self._mostly_cents(i)]
        found = with_cents or found
        if len(found) != 1:
            self.doubt = True
        if not found:
            return None
        if len(found) >= 2 and self._complementary(found[0], found[1]):
            return None, found[0], found[1], None
        direction = directions[0] if directions else self._unnamed_direction(found[0])
        return found[0], None, None, direction

    def _unnamed_direction(self, amount: int) -> int | None:
        """A D/C column without a known name, used only when the amounts carry no sign."""
        marks = self.looking(Looks.DIRECTION, {amount})
        if not marks or any(
            cell.lstrip().startswith("-") for cell in cells_of(self.sample, amount)
        ):
            return None
        return marks[0]

    def _mostly_cents(self, index: int) -> bool:
        cells = cells_of(self.sample, index)
        return sum(has_fraction(cell) for cell in cells) >= len(cells) / 2

    def _complementary(self, first: int, second: int) -> bool:
        """Whether every row fills exactly one of two columns, as debit and credit do."""
        return all((row[first] == "") != (row[second] == "") for row in self.sample)

    def _label(self, used: set[int]) -> tuple[int, ...]:
        fits = self.named(Role.LABEL, Looks.TEXT, Looks.AMOUNT, Looks.DIRECTION)
        named = tuple(i for i in fits if i not in used)
        if named:
            return named
        texts = self.looking(Looks.TEXT, used)
        texts = [i for i in texts if self.roles[i] not in (Role.CURRENCY, Role.REFERENCE)]
        if len(texts) != 1:
            self.doubt = True
        if not texts:
            return ()
        return (max(texts, key=self._variety),)

    def _variety(self, index: int) -> tuple[int, int]:
        cells = cells_of(self.sample, index)
        return len(set(cells)), sum(map(len, cells))


_NOT_LINE_ROLES: Final = frozenset((Role.BALANCE, Role.CURRENCY, Role.REFERENCE))
