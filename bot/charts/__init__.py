"""Chart-of-accounts templates a new book is seeded from: French PCG or a generic English chart."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

__all__ = [
    "TEMPLATES",
    "AccountKind",
    "ChartAccount",
    "ChartTemplate",
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
    it (1201, 1202, …), skipping the template's own codes.
    """

    key: str
    accounts: tuple[ChartAccount, ...]
    bank_code: str
    owner_code: str
    suspense_code: str
    transfer_code: str
    opening_code: str
    bank_code_style: BankCodeStyle = "suffix"

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
        if not self.bank_code.isdigit():
            raise ValueError(f"chart {self.key}: bank_code {self.bank_code} must be digits")

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


# The templates import the types above, so they are loaded once those exist.
from bot.charts.en_generic import EN_GENERIC  # noqa: E402
from bot.charts.fr_pcg import FR_PCG  # noqa: E402

TEMPLATES: dict[str, ChartTemplate] = {FR_PCG.key: FR_PCG, EN_GENERIC.key: EN_GENERIC}
