"""Typed settings read from the environment or a .env file (see .env.example)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    data_dir: Path = Path("data")
    database_url: str | None = None
    vault_keys: SecretStr | None = None
    vault_key_file: Path | None = None
    demo_bank: bool = True
    demo_bank_latency: float = Field(default=0.0, ge=0.0, le=30.0)
    demo_bank_password: SecretStr = SecretStr("demo")
    rate_limiter: bool = True
    conversation_timeout: float = Field(default=900, gt=0)
    log_level: str = "INFO"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'pointage.db').resolve()}"

    @property
    def resolved_vault_key_file(self) -> Path:
        return self.vault_key_file or self.data_dir / "vault.keys"

    @property
    def bot_api_base_url(self) -> str:
        return f"{self.telegram_api_url.rstrip('/')}/bot"

    @property
    def bot_api_file_url(self) -> str:
        return f"{self.telegram_api_url.rstrip('/')}/file/bot"
