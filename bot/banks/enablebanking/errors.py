"""Enable Banking's error answers turned into the connectors' typed errors.

Errors come as ``{"code": <http status>, "message": ..., "error": <ERROR_CODE>, "detail": ...}``
(the ErrorResponse of the API reference). The text code decides before the status does: an
expired session is a 401 with ``EXPIRED_SESSION``, while a 401 without a session code is the
application's JWT being refused. Only the status and the text code are ever logged: a detail
may repeat what was sent.
"""

from __future__ import annotations

import logging
from typing import Final

import httpx

from bot.banks.connector import (
    BankUnavailable,
    ConnectorError,
    ConsentExpired,
    ProviderMisconfigured,
    RateLimited,
    Unsupported,
)

log = logging.getLogger(__name__)

SESSION_GONE: Final = frozenset(
    {
        "EXPIRED_SESSION",
        "REVOKED_SESSION",
        "CLOSED_SESSION",
        "SESSION_DOES_NOT_EXIST",
        "WRONG_SESSION_STATUS",
        "ACCOUNT_DOES_NOT_EXIST",
        "ASPSP_ACCOUNT_NOT_ACCESSIBLE",
    }
)
"""The consent is over: the user has to give it again."""

CODE_SPENT: Final = frozenset(
    {"WRONG_AUTHORIZATION_CODE", "EXPIRED_AUTHORIZATION_CODE", "ALREADY_AUTHORIZED"}
)
"""The redirect's code was used already, or too late: the login has to start again."""

OPERATOR_FIXES: Final = {
    "UNAUTHORIZED_ACCESS": "the JWT was refused: check the application id (kid), that the "
    "private key matches the certificate uploaded for it, and the server's clock",
    "AUTHORIZATION_NOT_PROVIDED": "the request carried no JWT",
    "ACCESS_DENIED": "the application may not use this service: check its services in the "
    "Enable Banking control panel",
    "UNAUTHORIZED_IP": "this server's IP address is not allowed for the application",
    "REDIRECT_URI_NOT_ALLOWED": "the redirect URL is not among the application's redirect URLs",
    "NO_ACCOUNTS_ADDED": "the application is in restricted mode and no allowed account was "
    "linked to it: link accounts in the control panel or sign a contract for full production",
}
INACTIVE_FIX: Final = (
    "the application is not active: activate it in the Enable Banking control panel (restricted "
    "mode: link your own accounts) or sign a contract for full production"
)
REFUSED_FIX: Final = OPERATOR_FIXES["UNAUTHORIZED_ACCESS"]

UNAVAILABLE: Final = frozenset({"ASPSP_ERROR", "ASPSP_TIMEOUT", "WRONG_CONTINUATION_KEY"})
UNSUPPORTED: Final = frozenset(
    {
        "WRONG_ASPSP_PROVIDED",
        "WRONG_TRANSACTIONS_PERIOD",
        "WRONG_DATE_INTERVAL",
        "DATE_FROM_IN_FUTURE",
        "DATE_TO_WITHOUT_DATE_FROM",
    }
)


def error_code(response: httpx.Response) -> str:
    """The answer's text code (``EXPIRED_SESSION``…), "" when it has none or is not JSON."""
    try:
        body = response.json()
    except ValueError:
        return ""
    code = body.get("error") if isinstance(body, dict) else None
    return code if isinstance(code, str) else ""


def is_inactive(response: httpx.Response) -> bool:
    """The 403 of an application Enable Banking has not activated."""
    if response.status_code != 403:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    message = body.get("message") if isinstance(body, dict) else None
    return isinstance(message, str) and "not active" in message.lower()


def failure(response: httpx.Response, during: str) -> ConnectorError:
    """The typed error of a non-2xx answer (5xx and long 429s never get here: ProviderHttp
    raises them); `during` names the call in the messages, e.g. "transactions"."""
    status, code = response.status_code, error_code(response)
    if code in SESSION_GONE:
        return ConsentExpired(f"enablebanking: {during}: session over ({code})")
    if code in CODE_SPENT:
        return ConsentExpired(f"enablebanking: {during}: authorization code spent ({code})")
    if is_inactive(response):
        return misconfigured(status, code or "APPLICATION_NOT_ACTIVE", INACTIVE_FIX)
    if code in OPERATOR_FIXES:
        return misconfigured(status, code, OPERATOR_FIXES[code])
    if status in (401, 403):
        return misconfigured(status, code or "-", REFUSED_FIX)
    if code == "ASPSP_RATE_LIMIT_EXCEEDED" or status == 429:
        return RateLimited()
    if code in UNSUPPORTED:
        return Unsupported(f"enablebanking: {during}: {code}")
    if code in UNAVAILABLE or status == 408:
        return BankUnavailable(f"enablebanking: {during}: {code or status}")
    log.warning("Enable Banking answered %s %s to %s", status, code or "-", during)
    return BankUnavailable(f"enablebanking: {during}: answered {status}")


def misconfigured(status: int, code: str, fix: str) -> ProviderMisconfigured:
    """The operator's one log line, and the error the user sees as "not available"."""
    log.error("Enable Banking refused the application (%s %s): %s", status, code, fix)
    return ProviderMisconfigured(f"enablebanking: {code}")
