"""Typed settings read from the environment or a .env file (see .env.example)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

WEBHOOK_PATH = "/telegram"
# What Telegram accepts in X-Telegram-Bot-Api-Secret-Token.
WEBHOOK_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
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
    listen: str = "0.0.0.0:8080"
    demo_bank: bool = True
    demo_bank_latency: float = Field(default=0.0, ge=0.0, le=30.0)
    demo_bank_password: SecretStr = SecretStr("demo")
    bank_call_timeout_s: float = Field(default=30.0, gt=0, le=600)
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
    def _listen_is_host_port(cls, value: str) -> str:
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
        match = _LISTEN.fullmatch(self.listen)
        assert match is not None
        return (match["v6"] or match["host"] or "0.0.0.0", int(match["port"]))  # noqa: S104

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
