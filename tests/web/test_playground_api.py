"""The playground's HTTP API against the real Application: the page, texts, sending, pressing,
files, the live feed, the group chat and the clock moved on to the daily summary."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from pydantic import SecretStr

from bot.config import Settings
from bot.playground import run_playground
from bot.web.playground import GROUP_CHAT_ID
from tests.support.flows import PASSWORD

CAMILLE, ALEX = 1001, 1002
Messages = list[dict[str, Any]]


@contextlib.asynccontextmanager
async def playground_at(tmp_path: Path) -> AsyncIterator[str]:
    """The playground running in this loop on a free port: its page's URL."""
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, data_dir=tmp_path, demo_bank_password=SecretStr(PASSWORD)
    )
    stop, started = asyncio.Event(), asyncio.get_running_loop().create_future()
    running = asyncio.create_task(
        run_playground(settings, stop, address=("127.0.0.1", 0), ready=started.set_result)
    )
    await asyncio.wait({running, started}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
    if running.done():
        running.result()
    assert started.done(), "the playground never said it was ready"
    try:
        yield str(started.result())
    finally:
        stop.set()
        await asyncio.wait_for(running, timeout=30)


class Page:
    """What the page's JavaScript does, over HTTP."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session, self.url = session, url + "/playground/api"

    async def say(self, chat_id: int, text: str) -> int:
        async with self.session.post(f"{self.url}/chats/{chat_id}/text", json={"text": text}) as r:
            assert r.status == 200, await r.text()
            return int((await r.json())["message_id"])

    async def press(self, chat_id: int, message: dict[str, Any], label: str) -> int:
        data = next(b["data"] for row in message["buttons"] for b in row if label in b["text"])
        body = {"message_id": message["id"], "data": data}
        async with self.session.post(f"{self.url}/chats/{chat_id}/press", json=body) as r:
            return r.status

    async def messages(self, chat_id: int) -> Messages:
        async with self.session.get(f"{self.url}/chats/{chat_id}") as response:
            return list((await response.json())["messages"])

    async def wait(
        self, chat_id: int, found: Callable[[Messages], Any], timeout: float = 20
    ) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            shown = await self.messages(chat_id)
            if value := found(shown):
                return value
            await asyncio.sleep(0.05)
        raise AssertionError(f"not shown in {timeout}s: {json.dumps(shown)[-2000:]}")

    async def bot_says(self, chat_id: int, contains: str, timeout: float = 20) -> dict[str, Any]:
        def newest(shown: Messages) -> dict[str, Any] | None:
            said = [m for m in shown if m["from_bot"] and contains in shown_text(m)]
            return said[-1] if said else None

        result: dict[str, Any] = await self.wait(chat_id, newest, timeout)
        return result


def shown_text(message: dict[str, Any]) -> str:
    labels = " ".join(b["text"] for row in message["buttons"] for b in row)
    return f"{message['html'] or ''} {labels}"


@pytest.fixture
async def page(tmp_path: Path) -> AsyncIterator[Page]:
    async with playground_at(tmp_path) as url, aiohttp.ClientSession() as session:
        yield Page(session, url)


async def test_the_page_its_texts_and_the_command_menu_come_in_french_and_english(
    page: Page,
) -> None:
    base = page.url.removesuffix("/playground/api")
    async with page.session.get(base + "/") as response:
        assert response.status == 200 and "/playground/static/app.js" in await response.text()
    for name in ("app.js", "style.css"):
        async with page.session.get(f"{base}/playground/static/{name}") as response:
            assert response.status == 200
    async with page.session.get(f"{base}/playground/static/..%2Fapi.py") as response:
        assert response.status == 404
    texts, menus = {}, {}
    for lang in ("fr", "en"):
        async with page.session.get(f"{page.url}/texts/{lang}") as response:
            texts[lang] = await response.json()
        async with page.session.get(f"{page.url}/commands/{lang}") as response:
            menus[lang] = {c["command"]: c["description"] for c in await response.json()}
    assert texts["fr"]["send"] == "Envoyer" and texts["en"]["send"] == "Send"
    assert texts["fr"].keys() == texts["en"].keys()
    assert "connect" in menus["fr"] and menus["fr"]["connect"] != menus["en"]["connect"]


async def test_what_a_user_sends_reaches_the_bot_and_the_answer_comes_over_the_feed(
    page: Page,
) -> None:
    async with page.session.get(f"{page.url}/events") as feed:
        assert (await feed.content.readline()).startswith(b"retry:")
        await page.say(ALEX, "/start")
        events: list[dict[str, Any]] = []
        while len([e for e in events if e.get("chat_id") == ALEX]) < 2:
            line = await asyncio.wait_for(feed.content.readline(), timeout=20)
            if line.startswith(b"data: "):
                events.append(json.loads(line[6:]))
    assert {"type": "message", "chat_id": ALEX} in events
    welcome = await page.bot_says(ALEX, "Alex")
    assert "<b>" in welcome["html"] and "Hello" in welcome["html"]
    assert await page.messages(CAMILLE) == []


async def test_connecting_hides_the_password_and_the_summary_comes_with_the_clock(
    page: Page,
) -> None:
    await page.say(CAMILLE, "/connect")
    await page.bot_says(CAMILLE, "Recherchez votre banque")
    await page.say(CAMILLE, "demo")
    results = await page.bot_says(CAMILLE, "Résultats pour")
    assert await page.press(CAMILLE, results, "Demo") == 200
    assert await page.press(CAMILLE, await page.bot_says(CAMILLE, "identifiants"), "Continuer")
    await page.bot_says(CAMILLE, "Identifiant")
    await page.say(CAMILLE, "demo")
    await page.bot_says(CAMILLE, "Mot de passe")
    password = await page.say(CAMILLE, PASSWORD)
    await page.wait(CAMILLE, lambda shown: all(m["id"] != password for m in shown))
    await page.bot_says(CAMILLE, "Code de sécurité")
    await page.say(CAMILLE, "123456")
    await page.press(CAMILLE, await page.bot_says(CAMILLE, "Choisissez les comptes"), "Compte")
    await page.press(CAMILLE, await page.bot_says(CAMILLE, "☑️"), "Continuer")
    await page.press(CAMILLE, await page.bot_says(CAMILLE, "Type de compte"), "512")
    await page.press(CAMILLE, await page.bot_says(CAMILLE, "Période d'importation"), "90")
    await page.press(CAMILLE, await page.bot_says(CAMILLE, "depuis le"), "Connecter")
    await page.bot_says(CAMILLE, "opérations importées", timeout=30)

    await page.say(CAMILLE, "/review")
    digest = await page.bot_says(CAMILLE, "À passer en revue")
    accept = next(
        b["text"] for row in digest["buttons"] for b in row if re.fullmatch(r"\d+ ✅.*", b["text"])
    )
    async with page.session.get(f"{page.url}/events") as feed:
        assert await page.press(CAMILLE, digest, accept) == 200
        toast = None
        while toast is None:
            line = await asyncio.wait_for(feed.content.readline(), timeout=20)
            event = json.loads(line[6:]) if line.startswith(b"data: ") else {}
            toast = event if event.get("type") == "toast" else None
    assert toast["chat_id"] == CAMILLE and toast["text"]
    await page.bot_says(CAMILLE, f"{accept.split()[0]}. ✅")

    before = await page.messages(CAMILLE)
    async with page.session.post(f"{page.url}/clock/summary") as response:
        moved = (await response.json())["clock"]
    summary = await page.bot_says(CAMILLE, "Récap du jour")
    assert summary["id"] > max(m["id"] for m in before)
    local = datetime.fromisoformat(moved).astimezone(ZoneInfo("Europe/Paris"))
    assert (local.hour, local.minute) == (8, 0)


async def test_a_press_on_a_message_gone_is_refused_and_the_group_takes_no_secrets(
    page: Page,
) -> None:
    body = {"message_id": 99, "data": "x"}
    async with page.session.post(f"{page.url}/chats/{CAMILLE}/press", json=body) as response:
        assert response.status == 409
    async with page.session.post(f"{page.url}/chats/42/text", json={"text": "hi"}) as response:
        assert response.status == 404
    await page.say(GROUP_CHAT_ID, "/connect")
    refusal = await page.wait(
        GROUP_CHAT_ID, lambda shown: next((m for m in shown if m["from_bot"]), None)
    )
    assert "dans un groupe" in refusal["html"]


async def test_a_file_sent_from_the_page_reaches_the_bot_and_can_be_downloaded(
    page: Page,
) -> None:
    form = aiohttp.FormData()
    form.add_field("file", b"not a bank file", filename="notes.txt", content_type="text/plain")
    async with page.session.post(f"{page.url}/chats/{ALEX}/document", data=form) as response:
        assert response.status == 200
    sent = await page.wait(ALEX, lambda shown: next((m for m in shown if "document" in m), None))
    assert sent["document"]["name"] == "notes.txt"
    async with page.session.get(f"{page.url}/files/{sent['document']['file_id']}") as response:
        assert await response.read() == b"not a bank file"
        assert "attachment" in response.headers["Content-Disposition"]
    await page.wait(ALEX, lambda shown: any(m["from_bot"] for m in shown))
