"""The playground's settings, clock and sync time: its own books, 127.0.0.1, time moving on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.domain.clock import MovableClock
from bot.playground import listening_note, next_sync_time, page_url

PARIS = ZoneInfo("Europe/Paris")


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_the_playground_listens_on_this_machine_unless_listen_says_and_the_webhook_everywhere() -> (
    None
):
    assert settings().playground_address == ("127.0.0.1", 8080)
    assert settings().listen_address == ("0.0.0.0", 8080)
    assert settings(listen="0.0.0.0:9000").playground_address == ("0.0.0.0", 9000)


def test_the_playground_keeps_its_own_books_and_only_the_demo_bank(tmp_path: Path) -> None:
    real = settings(
        data_dir=tmp_path,
        database_url="postgresql+asyncpg://u@db/books",
        vault_keys="k1:" + "B" * 43 + "=",
        public_url="https://bot.example.com",
        demo_bank=False,
        telegram_bot_token="1:REAL",
    )
    played = real.for_playground("http://127.0.0.1:8080", "9:PLAY")
    assert (
        played.resolved_database_url
        == f"sqlite:///{(tmp_path / 'playground').resolve()}/pointage.db"
    )
    assert played.resolved_vault_key_file == tmp_path / "playground" / "vault.keys"
    assert played.vault_keys is None and not played.webhook_mode and played.demo_bank
    assert not played.simplefin_enabled and not played.enablebanking_configured
    assert played.bot_api_base_url == "http://127.0.0.1:8080/bot"
    assert played.telegram_bot_token is not None
    assert played.telegram_bot_token.get_secret_value() == "9:PLAY"


def test_the_movable_clock_follows_real_time_and_only_moves_forward() -> None:
    clock = MovableClock()
    later = clock.now() + timedelta(days=1)
    clock.move_to(later)
    assert clock.now() >= later and clock.offset >= timedelta(hours=23)
    clock.move_to(later - timedelta(days=2))
    assert clock.now() >= later
    with pytest.raises(ValueError, match="forward"):
        clock.advance(timedelta(seconds=-1))


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 3, 10, 14, 0, tzinfo=PARIS), datetime(2026, 3, 11, 6, 0, tzinfo=PARIS)),
        (datetime(2026, 3, 10, 3, 0, tzinfo=PARIS), datetime(2026, 3, 10, 6, 0, tzinfo=PARIS)),
        (datetime(2026, 3, 10, 6, 0, tzinfo=PARIS), datetime(2026, 3, 11, 6, 0, tzinfo=PARIS)),
    ],
)
def test_the_next_sync_time_is_the_end_of_the_next_nightly_window(
    now: datetime, expected: datetime
) -> None:
    moved = next_sync_time(now.astimezone(UTC))
    assert moved == expected and moved.tzinfo == UTC


def test_the_console_says_where_the_page_is_and_who_can_reach_it() -> None:
    assert page_url("0.0.0.0", 8080) == "http://127.0.0.1:8080"
    assert page_url("::1", 8080) == "http://[::1]:8080"
    assert listening_note("127.0.0.1") == "listening on 127.0.0.1 only"
    assert "anyone who reaches it acts as any user" in listening_note("0.0.0.0")
