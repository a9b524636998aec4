"""Enable Banking's data read into our values: banks, the login in progress, the stored
session and its accounts. Pure functions over the API's JSON, with no I/O."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from bot.banks.connector import AccountType, ConsentExpired, ProviderInstitution
from bot.domain.money import Money, minor_digits
from bot.domain.secret import Secret

DEFAULT_HISTORY_DAYS: Final = 90
"""GET /aspsps says nothing of history; PSD2 banks give at least 90 days, many give more."""
MAX_HISTORY_DAYS: Final = 730
"""The longest history the connector asks a bank for."""
SECRET_VERSION: Final = 1
BOOKED_FIRST: Final = ("CLBD", "ITBD", "OPBD", "PRCD", "XPCD", "CLAV", "ITAV", "OPAV", "FWAV")
"""Which balance an account shows, best first: a booked one, then the expected, then available."""
ACCOUNT_TYPES: Final = {
    "CACC": AccountType.CHECKING,
    "SVGS": AccountType.SAVINGS,
    "CARD": AccountType.CARD,
}


def text(data: object, *keys: str) -> str | None:
    """The non-empty string at ``data[k1][k2]…``, or None."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data.strip() if isinstance(data, str) and data.strip() else None


def money(amount: object, currency: str) -> Money:
    """A decimal string as Money, rounded to the currency's digits; ValueError if not a number."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        raise ValueError("not an amount") from None
    if not value.is_finite():
        raise ValueError("not an amount")
    return Money.from_decimal(value.quantize(Decimal(1).scaleb(-minor_digits(currency))), currency)


# --- banks -------------------------------------------------------------------------------------


def institution_id(name: str, country: str) -> str:
    """``FR:BNP Paribas``: an ASPSP is its name and its country together."""
    return f"{country.upper()}:{name}"


def parse_institution_id(value: str) -> tuple[str, str] | None:
    """(name, country) of an id made by `institution_id`, None when it is not one."""
    country, colon, name = value.partition(":")
    if colon != ":" or len(country) != 2 or not country.isalpha() or not name.strip():
        return None
    return name, country.upper()


@dataclass(frozen=True, slots=True)
class Aspsp:
    """One bank of GET /aspsps, with what a login needs to know of it."""

    name: str
    country: str
    bic: str | None
    max_consent_seconds: int | None
    psu_types: tuple[str, ...]

    @property
    def id(self) -> str:
        return institution_id(self.name, self.country)

    def institution(self) -> ProviderInstitution:
        days = self.max_consent_seconds // 86_400 if self.max_consent_seconds else None
        return ProviderInstitution(
            id=self.id,
            name=self.name,
            country=self.country,
            bic=self.bic,
            max_history_days=DEFAULT_HISTORY_DAYS,
            max_consent_days=days or None,
        )


def read_aspsps(body: dict[str, Any]) -> list[Aspsp]:
    """The banks of a GET /aspsps answer; entries without a name or a country are left out."""
    banks = []
    for entry in body.get("aspsps") or []:
        name, country = text(entry, "name"), text(entry, "country")
        if name is None or country is None:
            continue
        validity = entry.get("maximum_consent_validity")
        types = entry.get("psu_types")
        banks.append(
            Aspsp(
                name=name,
                country=country.upper(),
                bic=text(entry, "bic"),
                max_consent_seconds=validity
                if isinstance(validity, int) and validity > 0
                else None,
                psu_types=tuple(t for t in types if isinstance(t, str))
                if isinstance(types, list)
                else (),
            )
        )
    return banks


# --- the login in progress ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PendingLogin:
    """What continue_auth needs of the POST /auth it follows (kept as the Challenge state)."""

    state: str
    aspsp_name: str
    aspsp_country: str
    valid_until: str

    def seal(self) -> Secret:
        return Secret(json.dumps({"v": SECRET_VERSION, **asdict(self)}, separators=(",", ":")))

    @classmethod
    def open(cls, sealed: Secret) -> PendingLogin | None:
        data = _load(sealed)
        if data is None:
            return None
        try:
            return cls(
                state=str(data["state"]),
                aspsp_name=str(data["aspsp_name"]),
                aspsp_country=str(data["aspsp_country"]),
                valid_until=str(data["valid_until"]),
            )
        except KeyError:
            return None


# --- the stored session ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SessionAccount:
    """One account of the session: `id` is ours and stable, `uid` Enable Banking's for this
    session only (a new consent gives new uids to the same accounts)."""

    id: str
    uid: str
    name: str
    type: str
    iban: str | None
    currency: str


@dataclass(frozen=True, slots=True)
class StoredSession:
    """What Authorized.secret holds: the session id, its end, and its accounts."""

    session_id: str
    valid_until: datetime
    accounts: tuple[SessionAccount, ...]

    def seal(self) -> Secret:
        data = {
            "v": SECRET_VERSION,
            "session_id": self.session_id,
            "valid_until": self.valid_until.isoformat(),
            "accounts": [asdict(account) for account in self.accounts],
        }
        return Secret(json.dumps(data, separators=(",", ":")))

    @classmethod
    def open(cls, sealed: Secret) -> StoredSession:
        """The session a secret holds; ConsentExpired when it holds none."""
        data = _load(sealed) or {}
        try:
            accounts = tuple(SessionAccount(**entry) for entry in data["accounts"])
            return cls(str(data["session_id"]), read_instant(data["valid_until"]), accounts)
        except (AssertionError, KeyError, TypeError, ValueError):
            raise ConsentExpired("enablebanking: stored session not recognised") from None

    def account(self, account_id: str) -> SessionAccount | None:
        return next((a for a in self.accounts if a.id == account_id), None)


def read_instant(value: object) -> datetime:
    """An RFC 3339 date-time as an aware datetime (UTC when it names no offset)."""
    if not isinstance(value, str):
        raise ValueError("not a date-time")
    when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def stable_account_id(resource: dict[str, Any], uid: str) -> str:
    """Ours for an account across consents: from its identification hash, which the docs say
    matches an account between sessions (a uid lives as long as its session)."""
    basis = text(resource, "identification_hash") or text(resource, "account_id", "iban") or uid
    return "eb-" + hashlib.sha256(basis.encode()).hexdigest()[:32]


def session_accounts(
    resources: object, fallback_currency: str = "EUR"
) -> tuple[SessionAccount, ...]:
    """The accounts of POST /sessions that can be read (those without a uid cannot)."""
    accounts = []
    for resource in resources if isinstance(resources, list) else []:
        uid = text(resource, "uid")
        if uid is None:
            continue
        iban = text(resource, "account_id", "iban")
        accounts.append(
            SessionAccount(
                id=stable_account_id(resource, uid),
                uid=uid,
                name=account_name(resource, iban),
                type=ACCOUNT_TYPES.get(
                    text(resource, "cash_account_type") or "", AccountType.CHECKING
                ).value,
                iban=iban,
                currency=(text(resource, "currency") or fallback_currency).upper(),
            )
        )
    return tuple(accounts)


def account_name(resource: dict[str, Any], iban: str | None) -> str:
    """The PSU's or the bank's description, else the product, else the holder, else the IBAN."""
    for key in ("details", "product", "name"):
        name = text(resource, key)
        if name is not None:
            return name[:160]
    return f"Compte ••{iban[-4:]}" if iban else "Compte"


def balance(body: dict[str, Any], currency: str) -> Money:
    """The account's balance from GET /balances: the first kind of BOOKED_FIRST it reports, in
    the account's currency; zero when it reports none."""
    usable = [
        b
        for b in body.get("balances") or []
        if text(b, "balance_amount", "currency") == currency and text(b, "balance_amount", "amount")
    ]
    rank = {kind: i for i, kind in enumerate(BOOKED_FIRST)}
    usable.sort(key=lambda b: rank.get(text(b, "balance_type") or "", len(rank)))
    for entry in usable:
        try:
            return money(entry["balance_amount"]["amount"], currency)
        except ValueError:
            continue
    return Money.zero(currency)


def _load(sealed: Secret) -> dict[str, Any] | None:
    try:
        data = json.loads(sealed.reveal())
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("v") != SECRET_VERSION:
        return None
    return data
