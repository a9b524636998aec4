"""Typed settings read from the environment or a .env file (see .env.example)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

WEBHOOK_PATH = "/telegram"
CONSENT_PATH = "/consent"
"""Where banks send users back after a consent: {PUBLIC_URL}/consent/{provider}."""
ENABLEBANKING_URL = "https://api.enablebanking.com"
GOCARDLESS_URL = "https://bankaccountdata.gocardless.com"
SIMPLEFIN_BRIDGE_URL = "https://bridge.simplefin.org/simplefin"
GOCARDLESS_LANDING = "https://t.me/"
"""Where GoCardless sends the user after the consent when there is no PUBLIC_URL (the bot
asks GoCardless by itself whether it is done): Telegram, unless GOCARDLESS_REDIRECT_URL says."""
# What Telegram accepts in X-Telegram-Bot-Api-Secret-Token.
WEBHOOK_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
WEBHOOK_LISTEN = "0.0.0.0:8080"
"""Behind a reverse proxy that terminates TLS."""
PLAYGROUND_LISTEN = "127.0.0.1:8080"
_LISTEN = re.compile(r"(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<host>[^:\[\]]*)):(?P<port>\d{1,5})")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    data_dir: Path = Path("data")
    database_url: str | None = None
    vault_keys: SecretStr | None = None
    vault_key_file: Path | None = None
    public_url: str | None = None
    webhook_secret: SecretStr | None = None
    listen: str | None = None
    """host:port; unset: 0.0.0.0:8080 for the webhook, 127.0.0.1:8080 for the playground."""
    demo_bank: bool = True
    demo_bank_latency: float = Field(default=0.0, ge=0.0, le=30.0)
    demo_bank_password: SecretStr = SecretStr("demo")
    bank_call_timeout_s: float = Field(default=30.0, gt=0, le=600)
    enablebanking_application_id: str | None = None
    enablebanking_key_file: Path | None = None
    enablebanking_base_url: str = ENABLEBANKING_URL
    enablebanking_redirect_url: str | None = None
    enablebanking_restricted: bool = True
    """Enable Banking's free "restricted production": only the accounts the operator linked in
    its control panel can be read, and users are told so. False with a production contract."""
    gocardless_secret_id: SecretStr | None = None
    gocardless_secret_id_file: Path | None = None
    gocardless_secret_key: SecretStr | None = None
    gocardless_secret_key_file: Path | None = None
    gocardless_base_url: str = GOCARDLESS_URL
    gocardless_redirect_url: str | None = None
    simplefin_enabled: bool = True
    simplefin_bridge_url: str = SIMPLEFIN_BRIDGE_URL
    rate_limiter: bool = True
    conversation_timeout: float = Field(default=900, gt=0)
    log_level: str = "INFO"

    @field_validator("public_url")
    @classmethod
    def _public_url_is_http(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise ValueError("PUBLIC_URL must be an https:// URL, e.g. https://bot.example.com")
        if parts.query or parts.fragment:
            raise ValueError("PUBLIC_URL must not carry a query or a fragment")
        return value.strip().rstrip("/")

    @field_validator(
        "enablebanking_application_id",
        "enablebanking_key_file",
        "enablebanking_redirect_url",
        "gocardless_secret_id",
        "gocardless_secret_id_file",
        "gocardless_secret_key",
        "gocardless_secret_key_file",
        "gocardless_redirect_url",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """`NAME=` in a .env file leaves the setting unset, as leaving the line out does."""
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @field_validator(
        "enablebanking_base_url",
        "enablebanking_redirect_url",
        "gocardless_base_url",
        "gocardless_redirect_url",
        "simplefin_bridge_url",
    )
    @classmethod
    def _provider_url_is_http(cls, value: str | None) -> str | None:
        """Redirect URLs are kept as written: Enable Banking compares them character for
        character with those of the application."""
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError(f"{value[:80]!r} must be an https:// URL")
        return value

    @model_validator(mode="after")
    def _providers_are_whole(self) -> Settings:
        """A provider is configured whole or not at all: half of it is a mistake to say."""
        if (self.enablebanking_application_id is None) != (self.enablebanking_key_file is None):
            raise ValueError(
                "ENABLEBANKING_APPLICATION_ID and ENABLEBANKING_KEY_FILE go together: "
                "set both to use Enable Banking, or neither"
            )
        if self.enablebanking_configured and self.consent_redirect_url("enablebanking") is None:
            raise ValueError(
                "Enable Banking needs PUBLIC_URL (banks then send users back to "
                "{PUBLIC_URL}/consent/enablebanking) or ENABLEBANKING_REDIRECT_URL (a redirect "
                "URL of the application, in Enable Banking's control panel)"
            )
        for name, value, file in (
            ("GOCARDLESS_SECRET_ID", self.gocardless_secret_id, self.gocardless_secret_id_file),
            ("GOCARDLESS_SECRET_KEY", self.gocardless_secret_key, self.gocardless_secret_key_file),
        ):
            if value is not None and file is not None:
                raise ValueError(f"set {name} or {name}_FILE, not both")
        has_id = self.gocardless_secret_id is not None or self.gocardless_secret_id_file is not None
        has_key = (
            self.gocardless_secret_key is not None or self.gocardless_secret_key_file is not None
        )
        if has_id != has_key:
            raise ValueError(
                "GoCardless needs its secret id and its secret key (GOCARDLESS_SECRET_ID and "
                "GOCARDLESS_SECRET_KEY, or their _FILE settings): set both, or neither"
            )
        return self

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret_is_allowed(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if not WEBHOOK_SECRET_PATTERN.fullmatch(value.get_secret_value()):
            raise ValueError("WEBHOOK_SECRET must be 1 to 256 letters, digits, '_' or '-'")
        return value

    @field_validator("listen")
    @classmethod
    def _listen_is_host_port(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        match = _LISTEN.fullmatch(value.strip())
        if match is None or not 0 < int(match["port"]) < 65536:
            raise ValueError("LISTEN must be host:port, e.g. 0.0.0.0:8080 or [::]:8080")
        return value.strip()

    @property
    def webhook_mode(self) -> bool:
        return self.public_url is not None

    @property
    def webhook_url(self) -> str:
        assert self.public_url is not None
        return f"{self.public_url}{WEBHOOK_PATH}"

    @property
    def listen_address(self) -> tuple[str, int]:
        return _host_port(self.listen or WEBHOOK_LISTEN)

    @property
    def playground_address(self) -> tuple[str, int]:
        """The playground's page acts as any user: it stays on this machine unless LISTEN says."""
        return _host_port(self.listen or PLAYGROUND_LISTEN)

    @property
    def playground_data_dir(self) -> Path:
        return self.data_dir / "playground"

    def for_playground(self, api_url: str, token: str) -> Settings:
        """The same settings pointed at the local Bot API server, on their own books (SQLite
        under data/playground/, a vault key of their own) and with the demo bank only."""
        folder = self.playground_data_dir
        return self.model_copy(
            update={
                "telegram_bot_token": SecretStr(token),
                "telegram_api_url": api_url,
                "data_dir": folder,
                "database_url": None,
                "vault_keys": None,
                "vault_key_file": folder / "vault.keys",
                "public_url": None,
                "webhook_secret": None,
                "demo_bank": True,
                "enablebanking_application_id": None,
                "enablebanking_key_file": None,
                "gocardless_secret_id": None,
                "gocardless_secret_id_file": None,
                "gocardless_secret_key": None,
                "gocardless_secret_key_file": None,
                "simplefin_enabled": False,
                "rate_limiter": False,
            }
        )

    @property
    def enablebanking_configured(self) -> bool:
        return self.enablebanking_application_id is not None

    @property
    def gocardless_configured(self) -> bool:
        return self.gocardless_secret_id is not None or self.gocardless_secret_id_file is not None

    def consent_redirect_url(self, provider: str) -> str | None:
        """Where `provider`'s banks send the user back: our consent route when PUBLIC_URL is
        set, else the provider's own redirect setting (None: it has none)."""
        if self.public_url is not None:
            return f"{self.public_url}{CONSENT_PATH}/{provider}"
        if provider == "enablebanking":
            return self.enablebanking_redirect_url
        if provider == "gocardless":
            return self.gocardless_redirect_url or GOCARDLESS_LANDING
        return None

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'pointage.db').resolve()}"

    @property
    def resolved_vault_key_file(self) -> Path:
        return self.vault_key_file or self.data_dir / "vault.keys"

    @property
    def webhook_secret_file(self) -> Path:
        return self.data_dir / "webhook.secret"

    @property
    def bot_api_base_url(self) -> str:
        return f"{self.telegram_api_url.rstrip('/')}/bot"

    @property
    def bot_api_file_url(self) -> str:
        return f"{self.telegram_api_url.rstrip('/')}/file/bot"


def _host_port(listen: str) -> tuple[str, int]:
    match = _LISTEN.fullmatch(listen)
    assert match is not None
    return (match["v6"] or match["host"] or "0.0.0.0", int(match["port"]))  # noqa: S104
