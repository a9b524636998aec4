"""The banks' way back to our web server: GET /consent/{provider} hands the query to the flow
waiting for its reference, and shows the user a short page in their language."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.web.consent import ConsentRoute, reference_in
from bot.web.webhook import WebServer

WAITING = "st-4f1c"


@pytest.fixture
async def server() -> AsyncIterator[tuple[WebServer, list[tuple[str, str, str]]]]:
    returned: list[tuple[str, str, str]] = []

    async def on_return(provider: str, reference: str, query: str) -> bool:
        returned.append((provider, reference, query))
        return reference == WAITING

    async def deliver(update: dict[str, object]) -> None:
        raise AssertionError("no update expected")

    web = WebServer("127.0.0.1", 0, secret="s3cret", deliver=deliver)
    ConsentRoute(frozenset({"enablebanking", "gocardless"}), on_return).add_to(web.app)
    await web.start()
    yield web, returned
    await web.stop()


async def get(web: WebServer, path: str, language: str = "en") -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"http://127.0.0.1:{web.port}{path}", headers={"Accept-Language": language}
        ) as response,
    ):
        return response.status, await response.text()


async def test_the_waited_return_reaches_its_flow_and_the_user_is_sent_back_to_telegram(
    server: tuple[WebServer, list[tuple[str, str, str]]],
) -> None:
    web, returned = server
    status, page = await get(web, f"/consent/enablebanking?code=c0de&state={WAITING}", "fr-FR")
    assert status == 200 and "revenir sur Telegram" in page
    assert returned == [("enablebanking", WAITING, f"code=c0de&state={WAITING}")]


async def test_gocardless_names_its_flow_with_ref(
    server: tuple[WebServer, list[tuple[str, str, str]]],
) -> None:
    web, returned = server
    status, page = await get(web, f"/consent/gocardless?ref={WAITING}")
    assert status == 200 and "go back to Telegram" in page
    assert returned[-1][1] == WAITING


@pytest.mark.parametrize(
    "path",
    [
        "/consent/enablebanking?code=c0de&state=nobody-waits",
        "/consent/enablebanking?code=c0de",
        "/consent/demo?state=" + WAITING,
        "/consent/enablebanking?state=" + WAITING + "&x=" + "a" * 5000,
    ],
)
async def test_a_return_nobody_waits_for_gets_a_plain_404_page(
    server: tuple[WebServer, list[tuple[str, str, str]]], path: str
) -> None:
    web, returned = server
    status, page = await get(web, path)
    assert status == 404 and "/connect" in page
    assert all(reference != WAITING for _, reference, _ in returned)


def test_the_reference_is_the_state_or_the_ref() -> None:
    assert reference_in("code=1&state=abc") == "abc"
    assert reference_in("ref=xyz") == "xyz"
    assert reference_in("error=access_denied") == ""
