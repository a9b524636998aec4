"""A SimpleFIN Account Set read into frozen values: accounts, their lines, the bridge's errors.

Protocol 2 (the bot asks for `version=2`) lists structured errors in `errlist` and names each
account's connection (`conn_id`); protocol 1 servers send plain strings in `errors` and an
`org` per account instead. Both are read; a string error becomes the general code "gen.".
Numbers are kept as the exact strings (or JSON numbers read as Decimal) the bridge sent.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bot.banks.connector import BankUnavailable

MESSAGE_LIMIT = 300
"""Characters of a bridge message kept: it is shown to users and logged, so it stays short."""
CODE_LIMIT = 40


@dataclass(frozen=True, slots=True)
class BridgeError:
    code: str
    message: str
    conn_id: str | None = None
    account_id: str | None = None

    @property
    def kind(self) -> str:
        """"gen", "con" or "act": an unknown subcode counts as its bare prefix (the spec)."""
        return self.code.partition(".")[0]


@dataclass(frozen=True, slots=True)
class BridgeLine:
    id: str
    posted: int
    amount: Decimal
    description: str
    pending: bool = False
    transacted_at: int | None = None
    payee: str = ""
    memo: str = ""


@dataclass(frozen=True, slots=True)
class BridgeAccount:
    id: str
    name: str
    currency: str
    balance: Decimal
    conn_id: str | None = None
    lines: tuple[BridgeLine, ...] = ()


@dataclass(frozen=True, slots=True)
class AccountSet:
    errors: tuple[BridgeError, ...]
    accounts: tuple[BridgeAccount, ...]

    def account(self, account_id: str) -> BridgeAccount | None:
        return next((a for a in self.accounts if a.id == account_id), None)

    def messages(self) -> tuple[str, ...]:
        return tuple(e.message for e in self.errors)


class _Malformed(Exception):
    pass


def read_account_set(body: bytes) -> AccountSet:
    """The Account Set in a 200 answer; anything else is BankUnavailable."""
    try:
        data = json.loads(body, parse_float=Decimal)
        if not isinstance(data, dict):
            raise _Malformed
        return AccountSet(errors=read_errors(data), accounts=_accounts(data.get("accounts")))
    except (_Malformed, ValueError, ArithmeticError):
        raise BankUnavailable("simplefin: malformed answer") from None


def errors_in(body: bytes) -> tuple[BridgeError, ...]:
    """The errors an answer other than 200 may carry (a 400's gen.api); () when none can be read."""
    try:
        data = json.loads(body, parse_float=Decimal)
        return read_errors(data) if isinstance(data, dict) else ()
    except (_Malformed, ValueError):
        return ()


def read_errors(data: dict[str, Any]) -> tuple[BridgeError, ...]:
    """`errlist` (protocol 2) then the strings of `errors` (protocol 1, deprecated) that
    `errlist` does not already say."""
    listed = [_error(item) for item in _list(data.get("errlist", []))]
    said = {e.message for e in listed}
    for text in _list(data.get("errors", [])):
        message = clean_message(_text(text))
        if message and message not in said:
            listed.append(BridgeError("gen.", message))
            said.add(message)
    return tuple(listed)


def clean_message(text: str) -> str:
    """A bridge message fit for a chat and a log line: no control characters, one line."""
    printable = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text)
    return " ".join(printable.split())[:MESSAGE_LIMIT]


def _error(item: object) -> BridgeError:
    if not isinstance(item, dict):
        raise _Malformed
    # The spec's table names the text `msg`; its own quickstart sample says `message`.
    text = item.get("msg", item.get("message", ""))
    return BridgeError(
        code=clean_message(_text(item.get("code", "gen.")))[:CODE_LIMIT] or "gen.",
        message=clean_message(_text(text)),
        conn_id=_optional_text(item.get("conn_id")),
        account_id=_optional_text(item.get("account_id")),
    )


def _accounts(value: object) -> tuple[BridgeAccount, ...]:
    return tuple(_account(item) for item in _list(value))


def _account(item: object) -> BridgeAccount:
    if not isinstance(item, dict):
        raise _Malformed
    return BridgeAccount(
        id=_required_text(item.get("id")),
        name=_text(item.get("name", "")),
        currency=_required_text(item.get("currency")).strip(),
        balance=_number(item.get("balance")),
        conn_id=_optional_text(item.get("conn_id")),
        lines=tuple(_line(line) for line in _list(item.get("transactions", []))),
    )


def _line(item: object) -> BridgeLine:
    if not isinstance(item, dict):
        raise _Malformed
    pending = item.get("pending", False)
    if not isinstance(pending, bool):
        raise _Malformed
    transacted_at = item.get("transacted_at")
    return BridgeLine(
        id=_required_text(item.get("id")),
        posted=_epoch(item.get("posted")),
        amount=_number(item.get("amount")),
        description=_text(item.get("description", "")),
        pending=pending,
        transacted_at=None if transacted_at is None else _epoch(transacted_at),
        payee=_text(item.get("payee", "")),
        memo=_text(item.get("memo", "")),
    )


def _list(value: object) -> list[object]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Malformed
    return value


def _text(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Malformed
    return value


def _required_text(value: object) -> str:
    text = _text(value)
    if not text:
        raise _Malformed
    return text


def _optional_text(value: object) -> str | None:
    return _text(value) or None


def _number(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise _Malformed
    number = Decimal(value.strip() if isinstance(value, str) else value)
    if not number.is_finite():
        raise _Malformed
    return number


def _epoch(value: object) -> int:
    if isinstance(value, bool):
        raise _Malformed
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if not isinstance(value, int):
        raise _Malformed
    return value
