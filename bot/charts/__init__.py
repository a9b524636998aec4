"""Chart-of-accounts templates a new book is seeded from: French PCG or a generic English chart.

Each template is data, `data/<key>.toml`: its accounts, the codes the bot posts to on its own,
the code bases of the categories users name, and the words people type for its accounts.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Final, Literal

__all__ = [
    "DATA",
    "TEMPLATES",
    "AccountKind",
    "ChartAccount",
    "ChartError",
    "ChartTemplate",
    "load_chart",
    "template_for_language",
]


class AccountKind(StrEnum):
    BANK = "bank"
    CREDIT_CARD = "credit_card"
    SAVINGS = "savings"
    CASH = "cash"
    EXPENSE = "expense"
    INCOME = "income"
    VAT = "vat"
    EQUITY = "equity"
    OWNER = "owner"
    TRANSFER = "transfer"
    SUSPENSE = "suspense"
    RECEIVABLE = "receivable"
    PAYABLE = "payable"
    OPENING = "opening"
    TAX = "tax"


CATEGORY_KINDS = (
    AccountKind.EXPENSE,
    AccountKind.INCOME,
    AccountKind.VAT,
    AccountKind.TAX,
    AccountKind.OWNER,
    AccountKind.TRANSFER,
    AccountKind.EQUITY,
    AccountKind.RECEIVABLE,
    AccountKind.PAYABLE,
    AccountKind.SUSPENSE,
)
"""What a bank line can be filed under: every kind but the money accounts and opening."""


@dataclass(frozen=True, slots=True)
class ChartAccount:
    code: str
    name: str
    kind: AccountKind


BankCodeStyle = Literal["suffix", "increment"]


@dataclass(frozen=True, slots=True)
class ChartTemplate:
    """A chart of accounts plus the codes the bot posts to on its own.

    ``bank_code_style`` says how further bank accounts are numbered: ``"suffix"`` appends
    1, 2, … to the bank code (PCG: 5121, 5122, …, 51210, …); ``"increment"`` counts up from
    it (1201, 1202, …), skipping the template's own codes. A category the user names is
    numbered after ``new_expense_base`` or ``new_income_base`` (65881, 65882, …). ``synonyms``
    are the words people type in the picker and the codes they mean, preferred first.
    """

    key: str
    accounts: tuple[ChartAccount, ...]
    bank_code: str
    owner_code: str
    suspense_code: str
    transfer_code: str
    opening_code: str
    bank_code_style: BankCodeStyle = "suffix"
    new_expense_base: str = "6990"
    new_income_base: str = "4890"
    synonyms: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for account in self.accounts:
            if account.code in seen:
                raise ValueError(f"chart {self.key}: code {account.code} appears twice")
            seen.add(account.code)
        expected = {
            "bank_code": (self.bank_code, AccountKind.BANK),
            "owner_code": (self.owner_code, AccountKind.OWNER),
            "suspense_code": (self.suspense_code, AccountKind.SUSPENSE),
            "transfer_code": (self.transfer_code, AccountKind.TRANSFER),
            "opening_code": (self.opening_code, AccountKind.OPENING),
        }
        for field_name, (code, kind) in expected.items():
            target = self.account(code)
            if target is None or target.kind is not kind:
                raise ValueError(
                    f"chart {self.key}: {field_name} {code} must be an account of kind {kind}"
                )
        for field_name, code in (
            ("bank_code", self.bank_code),
            ("new_expense_base", self.new_expense_base),
            ("new_income_base", self.new_income_base),
        ):
            if not code.isdigit():
                raise ValueError(f"chart {self.key}: {field_name} {code} must be digits")
        for word, codes in self.synonyms:
            unknown = [code for code in codes if code not in seen]
            if unknown or not codes:
                raise ValueError(f"chart {self.key}: synonym {word!r} names no account {unknown}")

    def preferred(self, words: Iterable[str]) -> set[str]:
        """The codes of the synonyms that start with one of the typed (folded) words."""
        return {
            code
            for word in words
            for synonym, codes in self.synonyms
            if synonym.startswith(word)
            for code in codes
        }

    def account(self, code: str) -> ChartAccount | None:
        for account in self.accounts:
            if account.code == code:
                return account
        return None

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(account.code for account in self.accounts)

    def next_bank_code(self, existing_codes: set[str]) -> str:
        """The code for one more bank account, free in ``existing_codes`` and in this template."""
        taken = set(existing_codes) | self.codes
        if self.bank_code_style == "increment":
            base = int(self.bank_code)
            width = len(self.bank_code)
            block_end = (base // 100 + 1) * 100  # 1200 -> 1201 … 1299
            for number in range(base + 1, block_end):
                code = str(number).zfill(width)
                if code not in taken:
                    return code
            first_suffix = 10  # block exhausted: 120010, 120011, … cannot meet 4-digit codes
        else:
            first_suffix = 1  # 5121 … 5129, then 51210, 51211, …
        suffix = first_suffix
        while True:
            code = f"{self.bank_code}{suffix}"
            if code not in taken:
                return code
            suffix += 1


def template_for_language(language: str) -> ChartTemplate:
    """French in any region (fr, fr-FR, fr_CA, FR) gets the PCG; any other language, English."""
    primary = language.strip().replace("_", "-").split("-", 1)[0].lower()
    return TEMPLATES["fr_pcg"] if primary == "fr" else TEMPLATES["en_generic"]


DATA: Final = Path(__file__).parent / "data"


class ChartError(ValueError):
    """A chart file that does not follow the schema; the message names the file."""


def load_chart(path: Path) -> ChartTemplate:
    """One template from its TOML file, checked as the template checks itself."""
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
        return _template(data)
    except (tomllib.TOMLDecodeError, TypeError, ValueError, KeyError) as error:
        raise ChartError(f"{path.name}: {error}") from None


_FIELDS: Final = frozenset(
    {
        "key",
        "accounts",
        "synonyms",
        "bank_code",
        "bank_code_style",
        "owner_code",
        "suspense_code",
        "transfer_code",
        "opening_code",
        "new_expense_base",
        "new_income_base",
    }
)


def _template(data: Mapping[str, object]) -> ChartTemplate:
    unknown = set(data) - _FIELDS
    if unknown or _FIELDS - set(data):
        raise KeyError(f"unknown keys {sorted(unknown)}, missing {sorted(_FIELDS - set(data))}")
    codes = {name: data[name] for name in _FIELDS - {"accounts", "synonyms"}}
    if not all(isinstance(value, str) for value in codes.values()):
        raise TypeError("key, codes and bases are strings")
    accounts, synonyms = data["accounts"], data["synonyms"]
    if not isinstance(accounts, list) or not isinstance(synonyms, dict):
        raise TypeError("accounts is a list of tables; [synonyms] maps words to codes")
    style = data["bank_code_style"]
    return ChartTemplate(
        key=str(data["key"]),
        accounts=tuple(_account(row) for row in accounts),
        bank_code=str(data["bank_code"]),
        owner_code=str(data["owner_code"]),
        suspense_code=str(data["suspense_code"]),
        transfer_code=str(data["transfer_code"]),
        opening_code=str(data["opening_code"]),
        bank_code_style="increment" if style == "increment" else "suffix",
        new_expense_base=str(data["new_expense_base"]),
        new_income_base=str(data["new_income_base"]),
        synonyms=tuple((str(word), _codes(codes)) for word, codes in synonyms.items()),
    )


def _account(row: object) -> ChartAccount:
    if not isinstance(row, dict) or set(row) != {"code", "name", "kind"}:
        raise KeyError(f"an account has a code, a name and a kind: {row!r}")
    code, name = row["code"], row["name"]
    if not isinstance(code, str) or not code.isdigit() or not isinstance(name, str) or not name:
        raise TypeError(f"account code is digits and name is text: {row!r}")
    return ChartAccount(code, name, AccountKind(row["kind"]))


def _codes(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise TypeError(f"a synonym maps to a list of codes: {value!r}")
    return tuple(value)


TEMPLATES: Final[dict[str, ChartTemplate]] = {
    chart.key: chart for chart in map(load_chart, sorted(DATA.glob("*.toml")))
}
