"""Our web server: the webhook takes an update only with the right secret; settings for it."""

from __future__ import annotations

import os
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import ValidationError

from bot.config import Settings
from bot.webhook import (
    SECRET_HEADER,
    WebhookSecretError,
    WebServer,
    load_or_create_secret,
)

SECRET = "s3cret_Token-for-the-webhook"
UPDATE = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 1}}}


@pytest.fixture
async def server() -> AsyncIterator[tuple[WebServer, list[dict[str, Any]]]]:
    delivered: list[dict[str, Any]] = []

    async def deliver(update: dict[str, Any]) -> None:
        delivered.append(update)

    web = WebServer("127.0.0.1", 0, secret=SECRET, deliver=deliver)
    await web.start()
    yield web, delivered
    await web.stop()


async def post(web: WebServer, body: object, headers: dict[str, str]) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"http://127.0.0.1:{web.port}/telegram", json=body, headers=headers) as r,
    ):
        return r.status


async def test_an_update_with_the_right_secret_is_delivered(
    server: tuple[WebServer, list[dict[str, Any]]],
) -> None:
    web, delivered = server
    assert await post(web, UPDATE, {SECRET_HEADER: SECRET}) == 200
    assert delivered == [UPDATE]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {SECRET_HEADER: ""},
        {SECRET_HEADER: "wrong"},
        {SECRET_HEADER: SECRET + "x"},
        {SECRET_HEADER: SECRET[:-1]},
        {SECRET_HEADER.lower(): SECRET.upper()},
    ],
    ids=["missing", "empty", "wrong", "longer", "shorter", "other-case"],
)
async def test_a_missing_or_wrong_secret_gets_403_and_nothing_is_delivered(
    server: tuple[WebServer, list[dict[str, Any]]], headers: dict[str, str]
) -> None:
    web, delivered = server
    assert await post(web, UPDATE, headers) == 403
    assert delivered == []


async def test_what_is_not_an_update_gets_400(
    server: tuple[WebServer, list[dict[str, Any]]],
) -> None:
    web, delivered = server
    assert await post(web, ["not", "an", "update"], {SECRET_HEADER: SECRET}) == 400
    assert await post(web, {"update_id": "1"}, {SECRET_HEADER: SECRET}) == 400
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"http://127.0.0.1:{web.port}/telegram",
            data=b"{not json",
            headers={SECRET_HEADER: SECRET},
        ) as response,
    ):
        assert response.status == 400
    assert delivered == []


async def test_health_answers_while_running_and_the_server_closes_on_stop(
    server: tuple[WebServer, list[dict[str, Any]]],
) -> None:
    web, _ = server
    url = f"http://127.0.0.1:{web.port}/healthz"
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as response:
            assert response.status == 200 and (await response.json()) == {"status": "ok"}
        await web.stop()
        with pytest.raises(aiohttp.ClientConnectionError):
            async with session.get(url):
                pass


def test_the_secret_is_made_once_kept_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "data" / "webhook.secret"
    first = load_or_create_secret(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert 40 <= len(first) <= 256 and load_or_create_secret(path) == first


def test_a_secret_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "webhook.secret"
    load_or_create_secret(path)
    os.chmod(path, 0o644)
    with pytest.raises(WebhookSecretError, match="chmod 600"):
        load_or_create_secret(path)


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_webhook_mode_comes_from_public_url() -> None:
    assert not settings().webhook_mode
    hook = settings(public_url="https://bot.example.com/", listen="127.0.0.1:9000")
    assert hook.webhook_mode and hook.webhook_url == "https://bot.example.com/telegram"
    assert hook.listen_address == ("127.0.0.1", 9000)
    assert settings().listen_address == ("0.0.0.0", 8080)
    assert settings(listen="[::]:8443").listen_address == ("::", 8443)
    assert not settings(public_url="").webhook_mode


@pytest.mark.parametrize(
    "values",
    [
        {"public_url": "bot.example.com"},
        {"public_url": "ftp://bot.example.com"},
        {"public_url": "https://bot.example.com/?a=1"},
        {"listen": "8080"},
        {"listen": "0.0.0.0:99999"},
        {"webhook_secret": "has spaces"},
        {"webhook_secret": "é"},
    ],
)
def test_bad_webhook_settings_are_refused(values: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        settings(**values)
