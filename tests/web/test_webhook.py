"""Our web server: the webhook takes an update only with the right secret; settings for it."""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import ValidationError
from telegram import Bot, Update

from bot.config import Settings
from bot.web.webhook import (
    MAX_BODY,
    SECRET_HEADER,
    ThrottledLog,
    WebhookSecretError,
    WebServer,
    load_or_create_secret,
)

SECRET = "s3cret_Token-for-the-webhook"
UPDATE = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 1}}}
CHAT = {"id": 1, "type": "private"}
PTB_UPDATE = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": CHAT}}


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


class Ticking:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def ptb_server() -> AsyncIterator[tuple[WebServer, list[Update], Ticking]]:
    """The server with app.py's deliver: PTB's Update.de_json reads each update."""
    bot, delivered, clock = Bot("123:fake"), [], Ticking()

    async def deliver(data: dict[str, Any]) -> None:
        delivered.append(Update.de_json(data, bot))

    web = WebServer("127.0.0.1", 0, secret=SECRET, deliver=deliver, monotonic=clock)
    await web.start()
    yield web, delivered, clock
    await web.stop()


async def post_raw(web: WebServer, data: Any, headers: dict[str, str]) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"http://127.0.0.1:{web.port}/telegram", data=data, headers=headers) as r,
    ):
        return r.status


def deep(levels: int) -> bytes:
    return b'{"update_id": 7, "message": ' + b"[" * levels + b"]" * levels + b"}"


async def in_chunks(body: bytes) -> Any:
    for start in range(0, len(body), 64 * 1024):
        yield body[start : start + 64 * 1024]


BAD_BODIES: dict[str, Callable[[], Any]] = {
    "wrong-shape": lambda: json.dumps({"update_id": 5, "message": "x"}),
    "wrong-shape-inside": lambda: json.dumps(
        {"update_id": 5, "message": {"message_id": 1, "date": 0, "chat": 5}}
    ),
    "missing-field": lambda: json.dumps({"update_id": 5, "message": {"x": 1}}),
    "not-json": lambda: b"{not json",
    "not-utf8": lambda: b"\xff\xfe{}",
    "empty": lambda: b"",
    "null": lambda: b"null",
    "bool-update-id": lambda: b'{"update_id": true}',
    "nested-100000": lambda: b"[" * 100_000 + b"]" * 100_000,
    "nested-in-update-100000": lambda: deep(100_000),
    "nested-in-update-500": lambda: deep(500),
    "huge": lambda: b'{"update_id": 1, "x": "' + b"a" * MAX_BODY + b'"}',
    "huge-chunked": lambda: in_chunks(b'{"update_id": 1, "x": "' + b"a" * MAX_BODY + b'"}'),
}


@pytest.mark.parametrize("body", list(BAD_BODIES.values()), ids=list(BAD_BODIES))
async def test_a_body_that_is_not_an_update_gets_400_and_one_short_line(
    ptb_server: tuple[WebServer, list[Update], Ticking],
    caplog: pytest.LogCaptureFixture,
    body: Callable[[], Any],
) -> None:
    web, delivered, _ = ptb_server
    caplog.set_level(logging.INFO)
    assert await post_raw(web, body(), {SECRET_HEADER: SECRET}) == 400
    assert delivered == []
    assert all(r.levelno < logging.ERROR and r.exc_info is None for r in caplog.records)
    [line] = [r.getMessage() for r in caplog.records if r.name == "bot.web.webhook"]
    assert line.startswith("webhook body refused: ") and len(line) < 100
    # the bot keeps serving
    assert await post(web, PTB_UPDATE | {"update_id": 2}, {SECRET_HEADER: SECRET}) == 200
    assert [u.update_id for u in delivered] == [2]


async def test_an_update_nested_as_deep_as_real_ones_is_taken(
    ptb_server: tuple[WebServer, list[Update], Ticking],
) -> None:
    web, delivered, _ = ptb_server
    update = PTB_UPDATE | {"extra": json.loads(b"[" * 40 + b"]" * 40)}
    assert await post(web, update, {SECRET_HEADER: SECRET}) == 200
    assert [u.update_id for u in delivered] == [1]


async def test_refusals_are_logged_once_a_minute_with_a_count(
    ptb_server: tuple[WebServer, list[Update], Ticking], caplog: pytest.LogCaptureFixture
) -> None:
    web, delivered, clock = ptb_server
    caplog.set_level(logging.INFO)

    def lines() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == "bot.web.webhook"]

    async with aiohttp.ClientSession() as session:
        for n in range(200):
            headers = {SECRET_HEADER: "wrong"} if n % 2 else {}
            url = f"http://127.0.0.1:{web.port}/telegram"
            async with session.post(url, json=UPDATE, headers=headers) as response:
                assert response.status == 403
            clock.now += 0.1  # 200 requests in 20 seconds
    assert lines() == ["webhook request refused: missing or wrong secret token"]
    clock.now += 60
    assert await post(web, UPDATE, {SECRET_HEADER: "wrong"}) == 403
    assert lines()[1:] == [
        "webhook request refused: missing or wrong secret token (and 199 more in the last 60s)"
    ]
    assert await post_raw(web, b"{not json", {SECRET_HEADER: SECRET}) == 400  # its own budget
    assert await post_raw(web, b"{not json", {SECRET_HEADER: SECRET}) == 400
    assert lines()[2:] == ["webhook body refused: not JSON"]
    assert delivered == [] and all(r.exc_info is None for r in caplog.records)


def test_a_throttled_log_says_at_most_one_line_a_period(caplog: pytest.LogCaptureFixture) -> None:
    clock = Ticking()
    say = ThrottledLog("something refused", period=60, monotonic=clock)
    caplog.set_level(logging.INFO)
    for second in range(600):  # ten minutes, an event every second
        clock.now = 1000.0 + second
        say("why")
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 10
    assert lines[0] == "something refused: why"
    assert lines[1:] == ["something refused: why (and 59 more in the last 60s)"] * 9


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
