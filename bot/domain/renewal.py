"""A renewed consent's accounts matched to the ones a connection already feeds.

Some providers (GoCardless) list the same bank accounts under new ids after a renewal. A
connection keeps its bank accounts and their lines: an account the renewal lists under a new
id is the known one when its masked IBAN and currency match, one to one. Two known (or two
offered) accounts that look alike are never guessed between: they stay unmatched.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AccountKey:
    external_id: str
    iban_masked: str | None
    currency: str

    @property
    def look(self) -> tuple[str, str] | None:
        return (self.iban_masked, self.currency) if self.iban_masked else None


def renamed_accounts(known: Iterable[AccountKey], offered: Iterable[AccountKey]) -> dict[str, str]:
    """Known external id → its new id, for the known accounts the renewal lists under another."""
    known, offered = list(known), list(offered)
    known_ids = {account.external_id for account in known}
    offered_ids = {account.external_id for account in offered}
    missing = [account for account in known if account.external_id not in offered_ids]
    new = [account for account in offered if account.external_id not in known_ids]
    known_looks = Counter(account.look for account in missing if account.look)
    new_looks = Counter(account.look for account in new if account.look)
    by_look = {account.look: account.external_id for account in new if account.look}
    return {
        account.external_id: by_look[account.look]
        for account in missing
        if account.look and known_looks[account.look] == 1 and new_looks[account.look] == 1
    }
