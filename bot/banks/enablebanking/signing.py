"""The application's request signature: an RS256 JWT made from its private key, per the docs.

Header ``typ: JWT``, ``alg: RS256``, ``kid: <application id>``; claims ``iss:
enablebanking.com``, ``aud: api.enablebanking.com``, ``iat`` and ``exp``. Enable Banking
refuses a token living longer than 24 hours; ours live one hour and are made again a few
minutes before they expire.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import jwt
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from bot.banks.connector import ProviderMisconfigured
from bot.domain.clock import Clock
from bot.domain.secret import Secret

ISSUER = "enablebanking.com"
AUDIENCE = "api.enablebanking.com"
MAX_TTL = timedelta(hours=24)
"""The longest life Enable Banking accepts for a token."""
TOKEN_TTL = timedelta(hours=1)
RENEW_BEFORE = timedelta(minutes=5)


def load_private_key(pem: Secret) -> RSAPrivateKey:
    """The RSA key of a PEM text; ProviderMisconfigured (naming no content) when it is not one."""
    try:
        key = load_pem_private_key(pem.reveal().encode(), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ProviderMisconfigured(
            "enablebanking: the private key is not an unencrypted PEM key"
        ) from None
    if not isinstance(key, RSAPrivateKey):
        raise ProviderMisconfigured("enablebanking: the private key is not an RSA key")
    return key


def read_key_file(path: Path) -> Secret:
    """The PEM text of the key file; ProviderMisconfigured naming the path when unreadable."""
    try:
        return Secret(path.read_text(encoding="ascii"))
    except (OSError, UnicodeDecodeError):
        raise ProviderMisconfigured(
            f"enablebanking: cannot read the private key file {path}"
        ) from None


class RequestSigner:
    """Makes the Authorization header of every request; never shows its key or its token."""

    __slots__ = ("_application_id", "_clock", "_issued", "_key", "_token", "_ttl")

    def __init__(
        self,
        application_id: str,
        private_key: RSAPrivateKey,
        clock: Clock,
        *,
        ttl: timedelta = TOKEN_TTL,
    ) -> None:
        if not application_id.strip():
            raise ProviderMisconfigured("enablebanking: the application id is empty")
        if not timedelta(0) < ttl <= MAX_TTL:
            raise ValueError("a token lives more than 0 s and at most 24 h")
        self._application_id = application_id.strip()
        self._key = private_key
        self._clock = clock
        self._ttl = ttl
        self._token: Secret | None = None
        self._issued: datetime | None = None

    def authorization(self) -> str:
        """``Bearer <jwt>``, the token made again when it is about to expire."""
        now = self._clock.now()
        if self._token is None or not self._fresh(now):
            issued = int(now.timestamp())
            claims = {
                "iss": ISSUER,
                "aud": AUDIENCE,
                "iat": issued,
                "exp": issued + int(self._ttl.total_seconds()),
            }
            token = jwt.encode(
                claims, self._key, algorithm="RS256", headers={"kid": self._application_id}
            )
            self._token = Secret(token)
            self._issued = now
        return f"Bearer {self._token.reveal()}"

    def _fresh(self, now: datetime) -> bool:
        """Still far from its expiry, and not issued after `now` (a clock moved back)."""
        issued = self._issued
        return issued is not None and issued <= now < issued + self._ttl - RENEW_BEFORE

    def __repr__(self) -> str:
        return "RequestSigner(***)"
