"""The app with aggregators configured: their lists fetched by the job's service, searched in
/connect's directory, read back at the next start; without one, no such job."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.domain.clock import FixedClock
from handlers import jobs
from handlers.context import Runtime
from tests.support.app import run_app, settings_for, stop_app
from tests.support.botapi import BotApiStandIn
from tests.support.institutions import (
    APP_ID,
    ENABLEBANKING_REDIRECT,
    NO_PROVIDER,
    enablebanking_settings,
    french_banks,
    seed_enablebanking,
)
from tests.support.providers.enablebanking import EnableBankingStandIn


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
async def eb(key: rsa.RSAPrivateKey, clock: FixedClock) -> AsyncIterator[EnableBankingStandIn]:
    async with EnableBankingStandIn(
        key.public_key(), APP_ID, redirect_urls=[ENABLEBANKING_REDIRECT], clock=clock
    ) as stand_in:
        seed_enablebanking(stand_in, french_banks(extra=50))
        yield stand_in


async def test_the_apps_aggregator_lists_reach_the_connect_search_and_the_next_start(
    standin: BotApiStandIn,
    tmp_path: Path,
    clock: FixedClock,
    eb: EnableBankingStandIn,
    key: rsa.RSAPrivateKey,
) -> None:
    settings = settings_for(standin, tmp_path, **enablebanking_settings(eb, key, tmp_path))
    app = await run_app(settings, clock)
    try:
        lists = jobs.institution_lists(app)
        assert lists is not None and lists.sources == ["enablebanking"]
        await lists.refresh()
        services = app.bot_data["runtime"].services
        hits = await services.search_banks("Qonto", "FR")
        assert [(h.name, h.connector) for h in hits[:1]] == [("Qonto", "enablebanking")]
        assert "enablebanking" in services.connectors.names()
    finally:
        await stop_app(app)
    asked = eb.calls["GET /aspsps"]

    again = await run_app(settings, clock)
    try:
        runtime = again.bot_data["runtime"]
        assert isinstance(runtime, Runtime)
        hits = await runtime.services.search_banks("BNP", "FR")
        assert [(h.name, h.connector) for h in hits[:1]] == [("BNP Paribas", "enablebanking")]
        refreshed = jobs.institution_lists(again)
        assert refreshed is not None
        assert (await refreshed.refresh()).fetched == ()
        assert eb.calls["GET /aspsps"] == asked
    finally:
        await stop_app(again)


async def test_without_an_aggregator_there_is_no_list_job_and_the_search_is_offline(
    standin: BotApiStandIn, tmp_path: Path, clock: FixedClock
) -> None:
    app = await run_app(settings_for(standin, tmp_path, **NO_PROVIDER), clock)
    try:
        assert jobs.institution_lists(app) is None
        hits = await app.bot_data["runtime"].services.search_banks("BNP", "FR")
        assert hits[0].connector is None
    finally:
        await stop_app(app)


async def test_simplefin_is_offered_in_the_united_states_by_default(
    standin: BotApiStandIn, tmp_path: Path, clock: FixedClock
) -> None:
    app = await run_app(settings_for(standin, tmp_path), clock)
    try:
        services = app.bot_data["runtime"].services
        hits = await services.search_banks("simplefin", "US")
        assert [(h.name, h.connector) for h in hits] == [("SimpleFIN Bridge", "simplefin")]
        assert jobs.institution_lists(app) is None
    finally:
        await stop_app(app)
