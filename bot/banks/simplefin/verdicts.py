"""The bridge's errors read as the bot's typed errors, for a listing and for one account.

An answer may carry errors next to whole data (a rate warning, a bank to re-authenticate whose
accounts are still there): that data is used. An error that explains why accounts are missing
is raised instead, so a missing account is never an empty result.
"""

from __future__ import annotations

from bot.banks.connector import BankUnavailable, ConnectorError, ConsentExpired, Unsupported
from bot.banks.simplefin.answers import AccountSet, BridgeError


class PaymentRequired(ConsentExpired):
    """402: the user's SimpleFIN subscription has lapsed. Renewing it at the bridge restores
    the same access URL, no new setup token needed; the code stays "consent_expired" until
    the bot has a message of its own for it."""


def as_connector_error(error: BridgeError) -> ConnectorError:
    """gen.auth and con.auth need the user at the bridge; the rest is "try again later"."""
    if error.code in ("gen.auth", "con.auth"):
        return ConsentExpired(f"simplefin: {error.code}")
    return BankUnavailable(f"simplefin: {error.code}")


def listing_failure(answer: AccountSet) -> ConnectorError | None:
    """Why the listing is not whole, or None when every account is there."""
    present_connections = {a.conn_id for a in answer.accounts}
    present_accounts = {a.id for a in answer.accounts}
    for error in answer.errors:
        if error.code == "gen.auth":
            return as_connector_error(error)
        if error.kind == "con" and error.conn_id not in present_connections:
            return as_connector_error(error)
        if error.kind == "act" and error.account_id not in present_accounts:
            return as_connector_error(error)
    if not answer.accounts and answer.errors:
        return as_connector_error(answer.errors[0])
    return None


def account_failure(answer: AccountSet, account_id: str) -> ConnectorError | None:
    """Why this account's lines cannot be trusted or are missing, or None."""
    for error in answer.errors:
        if error.code == "gen.auth":
            return as_connector_error(error)
        if error.kind == "act" and error.account_id == account_id:
            return as_connector_error(error)  # failed or incomplete: try again later
    if answer.account(account_id) is not None:
        return None
    explaining = [e for e in answer.errors if e.kind in ("con", "gen")]
    if explaining:
        return as_connector_error(
            next((e for e in explaining if e.code == "con.auth"), explaining[0])
        )
    return Unsupported("simplefin: unknown account")
