"""Webhook mode end to end: the real bot behind our web server, Telegram played by the stand-in."""

from __future__ import annotations

import json
import signal
import stat
from pathlib import Path

import aiohttp

from bot.web.webhook import SECRET_HEADER
from tests.support.botapi import BotApiStandIn
from tests.support.player import Player
from tests.support.processes import free_port, launch, stop


async def forge(port: int, update: dict[str, object], headers: dict[str, str]) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"http://127.0.0.1:{port}/telegram", data=json.dumps(update), headers=headers
        ) as response,
    ):
        return response.status


async def post_body(port: int, body: bytes, headers: dict[str, str]) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"http://127.0.0.1:{port}/telegram", data=body, headers=headers) as response,
    ):
        return response.status


async def test_updates_come_through_the_webhook_and_forgeries_get_403(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    data_dir, log, port = tmp_path / "data", tmp_path / "bot.log", free_port()
    public = f"http://127.0.0.1:{port}"
    webhook = {"PUBLIC_URL": public, "LISTEN": f"127.0.0.1:{port}"}
    process = await launch(standin, data_dir, log, env=webhook)
    p = Player(standin, 601, "fr")
    try:
        hook = standin.calls_to("setWebhook")[-1]
        assert hook["url"] == f"{public}/telegram"
        assert set(hook["allowed_updates"]) == {"message", "callback_query"}
        secret_file = data_dir / "webhook.secret"
        assert hook["secret_token"] == secret_file.read_text().strip()
        assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600

        await p.say("/start", expect="Bonjour")
        assert standin.webhook_deliveries and not standin.calls_to("getUpdates")

        # a forged /help from the same user: without the secret, or with a wrong one
        message = {
            "message_id": 999,
            "date": 0,
            "chat": {"id": 601, "type": "private"},
            "from": {"id": 601, "is_bot": False, "first_name": "Alice", "language_code": "fr"},
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        }
        for n, headers in enumerate([{}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: ""}]):
            forged = {"update_id": 900_000 + n, "message": message}
            assert await forge(port, forged, headers) == 403
        # bodies that are not updates, with the right secret: 400, one line, no traceback
        secret = {SECRET_HEADER: hook["secret_token"]}
        for body in [
            json.dumps({"update_id": 5, "message": "x"}).encode(),
            b"{not json",
            b"[" * 100_000 + b"]" * 100_000,
            b'{"update_id": 6, "message": ' + b"[" * 500 + b"]" * 500 + b"}",
        ]:
            assert await post_body(port, body, secret) == 400
        await p.say("/privacy", expect="données")
        assert not any("/help" in (m.text or "") for m in standin.bot_messages(601))

        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{public}/healthz") as response,
        ):
            assert response.status == 200

        # an update sent just as the bot stops is not lost: it is handled now or after
        p.send("/help")
        assert await stop(process, signal.SIGTERM) == 0
        process = await launch(standin, data_dir, log, env=webhook)
        await standin.wait_for_bot_text(601, "Pointage — aide")
        await standin.wait_for(lambda: len(standin.calls_to("setWebhook")) == 2)
        assert not standin.calls_to("deleteWebhook")  # updates wait at Telegram meanwhile
    finally:
        code = await stop(process, signal.SIGTERM)
    assert code == 0
    logs = log.read_bytes()
    assert b"Traceback" not in logs and standin.token.encode() not in logs
    assert hook["secret_token"].encode() not in logs
    # three forgeries and four bad bodies in a minute: one line each
    assert logs.count(b"webhook request refused") == 1
    assert logs.count(b"webhook body refused") == 1
