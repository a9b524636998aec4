"""SimpleFIN's two secrets: the setup token a user pastes, and the access URL it is claimed for."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Collection
from urllib.parse import unquote, urlsplit

from bot.banks.connector import BadCredentials

NOT_BASE64 = "not_base64"
NOT_A_URL = "not_a_url"
NOT_HTTPS = "not_https"
UNTRUSTED_HOST = "untrusted_host"
ALREADY_CLAIMED = "already_claimed"
CLAIM_REFUSED = "claim_refused"

REDACTED_MIN = 6


class SetupTokenRefused(BadCredentials):
    """A setup token that cannot be claimed. `reason` is one of the constants above; the
    code stays "bad_credentials" so the bot's existing message and action apply."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"setup token: {message}")
        self.reason = reason


def claim_url(setup_token: str, *, allow_http: bool, trusted_hosts: Collection[str] | None) -> str:
    """The claim URL a setup token encodes (base64, standard or URL-safe, padding optional;
    whitespace from copy and paste ignored)."""
    compact = "".join(setup_token.split()).replace("-", "+").replace("_", "/")
    if not compact:
        raise SetupTokenRefused(NOT_BASE64, "empty")
    try:
        raw = base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)
        url = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        raise SetupTokenRefused(NOT_BASE64, "not base64 text") from None
    refusal = _refusal(url, allow_http=allow_http, trusted_hosts=trusted_hosts)
    if refusal is not None:
        raise SetupTokenRefused(*refusal)
    return url


class AccessUrl:
    """An access URL split into its root (no credentials) and its Basic credentials."""

    __slots__ = ("_password", "_username", "root")

    def __init__(self, root: str, username: str, password: str) -> None:
        self.root = root
        self._username = username
        self._password = password

    @classmethod
    def parse(
        cls, text: str, *, allow_http: bool, trusted_hosts: Collection[str] | None
    ) -> AccessUrl | None:
        """The access URL in `text`, or None when it is not one we may use."""
        text = text.strip()
        if _refusal(text, allow_http=allow_http, trusted_hosts=trusted_hosts) is not None:
            return None
        parts = urlsplit(text)
        if parts.query or parts.fragment or parts.username is None or parts.password is None:
            return None
        username, password = unquote(parts.username), unquote(parts.password)
        if not username or not password:
            return None
        host = parts.netloc.rpartition("@")[2]
        return cls(f"{parts.scheme}://{host}{parts.path.rstrip('/')}", username, password)

    def endpoint(self, name: str) -> str:
        return f"{self.root}/{name}"

    def auth(self) -> tuple[str, str]:
        return self._username, self._password

    def redact(self, text: str) -> str:
        """`text` without the credentials, should a bridge message ever echo them. Parts
        shorter than REDACTED_MIN would match ordinary words; the bridge's are long."""
        for part in (self._password, self._username):
            if len(part) >= REDACTED_MIN:
                text = text.replace(part, "***")
        return text

    def __repr__(self) -> str:
        return f"AccessUrl({urlsplit(self.root).hostname})"

    __str__ = __repr__


def _refusal(
    url: str, *, allow_http: bool, trusted_hosts: Collection[str] | None
) -> tuple[str, str] | None:
    """Why `url` may not be called (a reason constant and a short message), or None."""
    if not url.isprintable() or any(c.isspace() for c in url):
        return NOT_A_URL, "not a URL"
    try:
        parts = urlsplit(url)
        host, _ = parts.hostname, parts.port  # a port that is not a number raises here
    except ValueError:
        return NOT_A_URL, "not a URL"
    if parts.scheme not in ("https", "http") or not host:
        return NOT_A_URL, "not a URL"
    if parts.scheme == "http" and not allow_http:
        return NOT_HTTPS, "not an https URL"
    if trusted_hosts is not None and not any(
        host == trusted or host.endswith("." + trusted) for trusted in trusted_hosts
    ):
        return UNTRUSTED_HOST, "not a SimpleFIN server this bot trusts"
    return None
