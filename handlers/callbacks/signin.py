"""Buttons of the sign-in flow after the bank: accounts, ledger, period, confirm, consent."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.callbacks.codec import Button, FlowButton


@dataclass(frozen=True, slots=True)
class ToggleAccount(FlowButton):
    tag = "t"
    index: int


@dataclass(frozen=True, slots=True)
class BankAccountsPage(FlowButton):
    """Another page of the accounts found at the bank."""

    tag = "ap"
    page: int


@dataclass(frozen=True, slots=True)
class AccountsChosen(FlowButton):
    tag = "ac"


@dataclass(frozen=True, slots=True)
class PickLedger(FlowButton):
    tag = "l"
    index: int
    ledger: int


@dataclass(frozen=True, slots=True)
class LedgerPage(FlowButton):
    """Another page of the ledger accounts offered for the bank account at `index`."""

    tag = "lp"
    index: int
    page: int


@dataclass(frozen=True, slots=True)
class AddLedger(FlowButton):
    tag = "la"
    index: int


@dataclass(frozen=True, slots=True)
class PickPeriod(FlowButton):
    tag = "p"
    period: str


@dataclass(frozen=True, slots=True)
class ConfirmConnect(FlowButton):
    tag = "ok"


@dataclass(frozen=True, slots=True)
class CancelFlow(FlowButton):
    tag = "x"


@dataclass(frozen=True, slots=True)
class ConsentGiven(FlowButton):
    """ "I have authorised" after opening a bank's consent link in /credentials."""

    tag = "mC"


KINDS: tuple[type[Button], ...] = (
    ToggleAccount,
    BankAccountsPage,
    AccountsChosen,
    PickLedger,
    LedgerPage,
    AddLedger,
    PickPeriod,
    ConfirmConnect,
    CancelFlow,
    ConsentGiven,
)
