"""The Bot API server delivers updates like Telegram: long polling with offsets and conflicts,
a webhook it pushes to, a bot in a child process; and its raw HTTP answers."""

from __future__ import annotations

import asyncio
import os
import re
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram.error import BadRequest, Conflict, InvalidToken

from tests.support.botapi import BotApiStandIn

ALICE = 1001


@pytest.fixture
async def api() -> AsyncIterator[BotApiStandIn]:
    async with BotApiStandIn() as standin:
        yield standin


def ci(fragment: str) -> re.Pattern[str]:
    """PTB capitalizes Bot API error texts ("Button_data_invalid"): match case-insensitively."""
    return re.compile(re.escape(fragment), re.IGNORECASE)


async def test_plain_bot_polling_semantics(api: BotApiStandIn) -> None:
    alice = api.user(ALICE, "Alice", "fr", "alice")
    async with api.bot() as bot:
        me = await bot.get_me()
        assert (me.id, me.is_bot, me.username) == (123456, True, "PointageTestBot")
        api.send_text(alice, "one")
        api.send_text(alice, "two")
        updates = await bot.get_updates()
        assert [u.message.text for u in updates if u.message] == ["one", "two"]
        assert updates[1].update_id == updates[0].update_id + 1
        message = updates[0].message
        assert message is not None and message.from_user is not None
        assert (message.from_user.language_code, message.chat.type) == ("fr", "private")
        assert len(await bot.get_updates()) == 2
        assert await bot.get_updates(offset=updates[-1].update_id + 1) == ()
        assert api.pending_updates == []

        api.send_text(alice, "three")
        began = time.monotonic()
        assert len(await bot.get_updates(timeout=0)) == 1
        assert time.monotonic() - began < 0.5
        with pytest.raises(BadRequest, match=ci("chat not found")):
            await bot.send_message("@alice", "private chats have no public name")
        sent = await bot.send_message(ALICE, "réponse", reply_to_message_id=3)
        assert sent.reply_to_message is not None and sent.reply_to_message.text == "three"
        with pytest.raises(BadRequest, match=ci("message to be replied not found")):
            await bot.send_message(ALICE, "réponse", reply_to_message_id=99)

        await bot.get_updates(allowed_updates=["callback_query"])
        api.send_text(alice, "filtered out")
        query_id = api.press(alice, sent.message_id, "kept")
        assert [u.callback_query.id for u in await bot.get_updates() if u.callback_query] == [
            query_id
        ]
        assert await bot.send_chat_action(ALICE, "upload_document") is True
        assert await bot.close() is True
        assert await bot.log_out() is True
    assert api.chat_actions == [(ALICE, "upload_document")]


async def test_long_poll_wakes_at_once_and_conflicts(api: BotApiStandIn) -> None:
    alice = api.user(ALICE)
    async with api.bot() as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=5, read_timeout=10))
        await api.wait_for(lambda: api.calls_to("getUpdates"))
        await asyncio.sleep(0.05)
        began = time.monotonic()
        api.send_text(alice, "wake up")
        updates = await poll
        assert time.monotonic() - began < 0.2
        assert updates[0].message is not None and updates[0].message.text == "wake up"

        first = asyncio.create_task(bot.get_updates(offset=updates[0].update_id + 1, timeout=5))
        await api.wait_for(lambda: len(api.calls_to("getUpdates")) == 2)
        async with api.bot() as other_instance:
            assert await other_instance.get_updates(timeout=0) == ()
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await first


async def test_raw_http_errors_and_encodings(api: BotApiStandIn) -> None:
    api.user(ALICE)
    base = f"{api.url}/bot{api.token}"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/frobnicate") as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }
        async with http.get(f"{api.url}/bot999:WRONG/getMe") as response:
            assert response.status == 401
            assert (await response.json())["description"] == "Unauthorized"
        markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
        async with http.post(
            f"{base}/SENDMESSAGE",
            json={"chat_id": str(ALICE), "text": "json", "reply_markup": markup},
        ) as response:
            body = await response.json()
            assert body["ok"] is True
            assert body["result"]["reply_markup"] == markup
            assert body["result"]["from"]["is_bot"] is True
            assert body["result"]["chat"] == {"id": ALICE, "type": "private", "first_name": "Alice"}
        async with http.get(
            f"{base}/sendMessage", params={"chat_id": ALICE, "text": "123"}
        ) as response:
            assert (await response.json())["result"]["text"] == "123"
        api.fail_next("getMe", 500)
        async with http.get(f"{base}/getMe") as response:
            assert response.status == 500
        async with http.get(f"{api.url}/file/bot{api.token}/documents/nothing") as response:
            assert response.status == 404
    assert [m.text for m in api.bot_messages(ALICE)] == ["json", "123"]
    assert api.calls[0] == ("frobnicate", {})
    assert api.calls[2][0] == "sendMessage"

    async with api.bot() as bot:
        wrong = type(bot)("999:WRONG", base_url=f"{api.url}/bot")
        with pytest.raises(InvalidToken):
            await wrong.get_me()


async def test_webhook_push_with_secret(api: BotApiStandIn) -> None:
    alice = api.user(ALICE)
    received: list[tuple[str | None, dict[str, Any]]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response(status=500 if len(received) == 1 else 200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with api.bot() as bot:
            await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cr3t")
            with pytest.raises(Conflict, match="webhook is active"):
                await bot.get_updates()
            api.send_text(alice, "pushed")
            await api.wait_for(lambda: len(received) >= 2)
            info = await bot.get_webhook_info()
            assert info.pending_update_count == 0
            assert info.last_error_message is not None and "500" in info.last_error_message
            assert await bot.delete_webhook() is True
            api.send_text(alice, "polled")
            assert [u.message.text for u in await bot.get_updates() if u.message] == ["polled"]
    finally:
        await runner.cleanup()
    assert received[0] == received[1]
    secret, update = received[1]
    assert secret == "s3cr3t" and update["message"]["text"] == "pushed"
    assert api.webhook_deliveries == [update]


async def test_wait_for_times_out_with_a_dump(api: BotApiStandIn) -> None:
    api.user(ALICE)
    async with api.bot() as bot:
        await bot.send_message(ALICE, "something else")
    with pytest.raises(AssertionError) as caught:
        await api.wait_for_bot_text(ALICE, "never", timeout=0.1)
    assert "something else" in str(caught.value) and "sendMessage" in str(caught.value)
    assert await api.wait_for(lambda: 1 + 1) == 2


SUBPROCESS_BOT = """
import os
import re
from telegram.ext import ApplicationBuilder, MessageHandler, filters

url, token = os.environ["TELEGRAM_API_URL"], os.environ["TELEGRAM_BOT_TOKEN"]

async def echo(update, context):
    await update.message.reply_text("pong " + update.message.text)

app = (
    ApplicationBuilder().token(token).base_url(url + "/bot").base_file_url(url + "/file/bot")
    .build()
)
app.add_handler(MessageHandler(filters.TEXT, echo))
app.run_polling(poll_interval=0)
"""


async def test_bot_in_a_subprocess(api: BotApiStandIn) -> None:
    alice = api.user(ALICE)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        SUBPROCESS_BOT,
        env={**os.environ, **api.env},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await api.wait_until_ready()
        await asyncio.sleep(0.05)
        began = time.monotonic()
        api.send_text(alice, "ping")
        await api.wait_for_bot_text(ALICE, "pong ping")
        assert time.monotonic() - began < 0.5
    finally:
        process.terminate()
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=10)
    assert process.returncode == 0, stderr.decode()
    assert api.pending_updates == []
