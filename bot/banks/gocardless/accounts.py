"""A GoCardless account read from its details and balances (Berlin Group shapes), and the
renewal helper: a new consent opens the same bank accounts under new ids."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import InvalidOperation

from bot.banks.connector import AccountType, BankUnavailable, FetchedAccount
from bot.domain.money import Money

BALANCE_PREFERENCE = (
    "interimBooked",
    "closingBooked",
    "expected",
    "interimAvailable",
    "openingBooked",
)
"""The booked balance first: the ledger compares it with booked lines."""

_TYPES = {
    "SVGS": AccountType.SAVINGS,
    "MOMA": AccountType.SAVINGS,
    "ONDP": AccountType.SAVINGS,
    "CARD": AccountType.CARD,
}


def account_from(
    account_id: str, details: Mapping[str, object], balances: Mapping[str, object]
) -> FetchedAccount:
    """One FetchedAccount from the answers of /details/ and /balances/."""
    account = details.get("account")
    if not isinstance(account, dict):
        raise BankUnavailable("gocardless: account details unreadable")
    balance = booked_balance(balances, _text(account.get("currency")))
    iban = _text(account.get("iban")).replace(" ", "").upper() or None
    name = next(
        (
            _text(account.get(key)).strip()
            for key in ("name", "displayName", "product", "ownerName")
            if _text(account.get(key)).strip()
        ),
        f"Compte {iban[-4:]}" if iban else "Compte",
    )
    return FetchedAccount(
        external_id=account_id,
        name=name,
        type=_TYPES.get(_text(account.get("cashAccountType")).upper(), AccountType.CHECKING),
        iban=iban,
        currency=balance.currency,
        balance=balance,
    )


def booked_balance(balances: Mapping[str, object], currency: str) -> Money:
    """The preferred balance of the list, in the account's currency when it names one."""
    entries = [b for b in _list(balances.get("balances")) if isinstance(b, dict)]
    if currency:
        entries = [b for b in entries if _currency(b) in ("", currency)] or entries
    if not entries:
        raise BankUnavailable("gocardless: no balance")
    rank = {kind: n for n, kind in enumerate(BALANCE_PREFERENCE)}
    best = min(entries, key=lambda b: rank.get(_text(b.get("balanceType")), len(rank)))
    return money(best.get("balanceAmount"), currency)


def money(amount: object, fallback_currency: str = "") -> Money:
    """An {amount, currency} pair (amount a decimal string) as Money."""
    if not isinstance(amount, dict):
        raise BankUnavailable("gocardless: amount unreadable")
    currency = _text(amount.get("currency")) or fallback_currency
    value = amount.get("amount")
    if not currency or not isinstance(value, str | int):
        raise BankUnavailable("gocardless: amount unreadable")
    try:
        return Money.from_decimal(str(value), currency.upper())
    except (InvalidOperation, ValueError):
        raise BankUnavailable("gocardless: amount unreadable") from None


def rematch_by_iban(
    known: Mapping[str, str | None], renewed: Sequence[FetchedAccount]
) -> dict[str, str]:
    """After a renewal, which known account each renewed one is: {new id: known id}.

    A new GoCardless consent lists the same bank accounts under new ids. The service must
    move each known account to its new id (never add a duplicate) and keep those not matched
    here as new accounts; accounts without an IBAN cannot be matched.
    """
    by_iban: dict[str, str] = {}
    for known_id, iban in known.items():
        if iban:
            by_iban.setdefault(_normal(iban), known_id)
    matched: dict[str, str] = {}
    for account in renewed:
        same = by_iban.pop(_normal(account.iban), None) if account.iban else None
        if same is not None:
            matched[account.external_id] = same
    return matched


def _normal(iban: str) -> str:
    return "".join(iban.split()).upper()


def _currency(balance: Mapping[str, object]) -> str:
    amount = balance.get("balanceAmount")
    return _text(amount.get("currency")) if isinstance(amount, dict) else ""


def _list(value: object) -> Iterable[object]:
    return value if isinstance(value, list) else ()


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
