"""GoCardless' error answers read into our typed errors, and the wait a 429 names.

Errors come as ``{"summary", "detail", "status_code"}`` (some add ``type``; field errors nest
the same pair under the field's name). The statuses page of the Bank Account Data docs lists
which summaries mean the end user's access is over.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from bot.banks.connector import BankUnavailable, ConnectorError, ConsentExpired
from bot.banks.http import retry_after

log = logging.getLogger(__name__)

ACCOUNT_RESET = "HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_RESET"
"""Seconds until the bank's per-account, per-scope daily budget starts again."""
GENERAL_RESET = "HTTP_X_RATELIMIT_RESET"
"""Seconds until GoCardless' own per-endpoint budget starts again."""

_TRY_AGAIN = re.compile(r"try again in (\d+) seconds?", re.IGNORECASE)
_IDS = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F-]{27}|[A-Za-z0-9_\-.]{32,}")
_CONSENT_GONE = (
    "end user agreement",
    "eua ",
    "accessexpirederror",
    "accountinactiveerror",
    "account suspended",
    "access has expired",
)


@dataclass(frozen=True, slots=True)
class ErrorAnswer:
    status: int
    summary: str
    detail: str
    type: str

    @classmethod
    def of(cls, response: httpx.Response) -> ErrorAnswer:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return cls(response.status_code, "", "", "")
        summary, detail = _text(body.get("summary")), _text(body.get("detail"))
        if not summary:
            nested = next((v for v in body.values() if isinstance(v, dict) and "summary" in v), {})
            summary, detail = _text(nested.get("summary")), _text(nested.get("detail"))
        return cls(response.status_code, summary, detail, _text(body.get("type")))

    @property
    def consent_gone(self) -> bool:
        """The end user must consent again: agreement expired, access revoked, account gone."""
        words = f"{self.summary} {self.type} {self.detail} ".lower()
        return self.status in (401, 409) and any(mark in words for mark in _CONSENT_GONE)

    @property
    def shown(self) -> str:
        """The summary with ids blanked out, for one log line."""
        return _IDS.sub("…", self.summary)[:120] or "no summary"


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def account_error(response: httpx.Response, what: str) -> ConnectorError:
    """The typed error for a failed account (or requisition) call that is not about our token."""
    answer = ErrorAnswer.of(response)
    if answer.consent_gone or answer.status in (403, 404):
        return ConsentExpired(f"gocardless: {what}: access is over")
    if answer.status == 409:
        return BankUnavailable(f"gocardless: {what}: the account is being processed")
    return unexpected(response, what)


def unexpected(response: httpx.Response, what: str) -> BankUnavailable:
    """An answer the published API does not lead us to expect: logged once, then unavailable."""
    answer = ErrorAnswer.of(response)
    log.warning("gocardless: %s answered %s (%s)", what, answer.status, answer.shown)
    return BankUnavailable(f"gocardless: {what} answered {answer.status}")


def gocardless_wait(response: httpx.Response, now: datetime) -> datetime | None:
    """The instant a GoCardless 429 allows calls again.

    The bank's daily limit (``type`` RateLimitError) says it in the account reset header; the
    API's own limit says "try again in N seconds" in ``detail``, and in the general header.
    """
    answer = ErrorAnswer.of(response)
    bank_limit = answer.type == "RateLimitError" or "institution" in answer.detail.lower()
    said = _TRY_AGAIN.search(answer.detail)
    candidates = [
        response.headers.get(ACCOUNT_RESET) if bank_limit else None,
        said.group(1) if said else None,
        response.headers.get(GENERAL_RESET),
        None if bank_limit else response.headers.get(ACCOUNT_RESET),
    ]
    for value in candidates:
        if value is not None and value.strip().isdigit():
            return now + timedelta(seconds=int(value.strip()))
    return retry_after(response, now)
