"""The providers' institution lists: fetched from the stand-ins, kept, reused for a week, fetched
again after it, kept when a provider fails, and merged into the directory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.banks.connector import Connector, ConnectorRegistry
from bot.banks.directory.search import Directory
from bot.banks.enablebanking import EnableBanking
from bot.banks.gocardless import GoCardlessConnector
from bot.banks.simplefin import SimpleFin
from bot.domain.clock import FixedClock
from bot.domain.secret import Secret
from bot.services.institutions import REFRESH_AFTER, InstitutionLists, Refreshed
from storage.uow import Database
from tests.support.institutions import (
    APP_ID,
    ENABLEBANKING_REDIRECT,
    ListedBank,
    french_banks,
    private_key_pem,
    seed_enablebanking,
    seed_gocardless,
)
from tests.support.providers.enablebanking import EnableBankingStandIn
from tests.support.providers.gocardless import SECRET_ID, SECRET_KEY, GoCardlessStandIn

COUNTRIES = ("FR", "DE")
ASPSPS = "GET /aspsps"
SEARCHED = {
    "BNP": "BNP Paribas",
    "Qonto": "Qonto",
    "Boursorama": "BoursoBank",
    "Revolut": "Revolut",
}


async def no_wait(seconds: float) -> None:
    return None


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
async def eb(key: rsa.RSAPrivateKey, clock: FixedClock) -> AsyncIterator[EnableBankingStandIn]:
    async with EnableBankingStandIn(
        key.public_key(), APP_ID, redirect_urls=[ENABLEBANKING_REDIRECT], clock=clock
    ) as stand_in:
        seed_enablebanking(stand_in, french_banks())
        yield stand_in


@pytest.fixture
async def gc(clock: FixedClock) -> AsyncIterator[GoCardlessStandIn]:
    async with GoCardlessStandIn(clock=clock) as stand_in:
        seed_gocardless(stand_in, french_banks(extra=20))
        yield stand_in


@pytest.fixture
async def enablebanking(
    eb: EnableBankingStandIn, key: rsa.RSAPrivateKey, clock: FixedClock
) -> AsyncIterator[EnableBanking]:
    connector = EnableBanking(
        application_id=APP_ID,
        private_key=private_key_pem(key),
        redirect_url=ENABLEBANKING_REDIRECT,
        clock=clock,
        base_url=eb.url,
        sleep=no_wait,
    )
    yield connector
    await connector.aclose()


@pytest.fixture
async def gocardless(
    gc: GoCardlessStandIn, clock: FixedClock
) -> AsyncIterator[GoCardlessConnector]:
    connector = GoCardlessConnector(
        secret_id=Secret(SECRET_ID),
        secret_key=Secret(SECRET_KEY),
        redirect_url="https://t.me/",
        clock=clock,
        base_url=gc.url,
        sleep=no_wait,
    )
    yield connector
    await connector.aclose()


def lists(db: Database, clock: FixedClock, *connectors: Connector) -> InstitutionLists:
    return InstitutionLists(db, ConnectorRegistry(list(connectors)), Directory(), clock, COUNTRIES)


def served_by(lists: InstitutionLists, query: str) -> tuple[str, str | None]:
    hits = lists.directory.search(query, "FR")
    assert hits, f"nothing found for {query!r}"
    return hits[0].name, hits[0].connector


async def test_the_first_refresh_fetches_each_country_and_the_banks_are_found(
    db: Database, clock: FixedClock, eb: EnableBankingStandIn, enablebanking: EnableBanking
) -> None:
    kept = lists(db, clock, enablebanking)

    done = await kept.refresh()

    assert done.fetched == (
        ("enablebanking", "FR", len(french_banks())),
        ("enablebanking", "DE", 0),
    )
    assert (done.failed, done.fresh) == ((), 0)
    assert eb.calls[ASPSPS] == 2
    for query, name in SEARCHED.items():
        assert served_by(kept, query) == (name, "enablebanking")
    assert served_by(kept, "Banque Cooperative Numero 042") == (
        "Banque Coopérative Numéro 042",
        "enablebanking",
    )


async def test_lists_are_reused_for_a_week(
    db: Database, clock: FixedClock, eb: EnableBankingStandIn, enablebanking: EnableBanking
) -> None:
    kept = lists(db, clock, enablebanking)
    await kept.refresh()

    clock.advance(REFRESH_AFTER - timedelta(minutes=1))
    done = await kept.refresh()

    assert (done.fetched, done.fresh) == ((), 2)
    assert eb.calls[ASPSPS] == 2


async def test_a_list_a_week_old_is_fetched_again(
    db: Database, clock: FixedClock, eb: EnableBankingStandIn, enablebanking: EnableBanking
) -> None:
    kept = lists(db, clock, enablebanking)
    await kept.refresh()
    seed_enablebanking(eb, [ListedBank("Banque Toute Neuve", None)])

    clock.advance(REFRESH_AFTER)
    done = await kept.refresh()

    assert [country for _, country, _ in done.fetched] == ["FR", "DE"]
    assert eb.calls[ASPSPS] == 4
    assert served_by(kept, "toute neuve") == ("Banque Toute Neuve", "enablebanking")


async def test_startup_reads_the_kept_lists_without_asking_the_provider(
    db: Database, clock: FixedClock, eb: EnableBankingStandIn, enablebanking: EnableBanking
) -> None:
    await lists(db, clock, enablebanking).refresh()

    restarted = lists(db, clock, enablebanking)
    loaded = await restarted.load()

    assert loaded == 2
    assert eb.calls[ASPSPS] == 2
    assert served_by(restarted, "Qonto") == ("Qonto", "enablebanking")
    assert (await restarted.refresh()).fresh == 2


async def test_a_provider_down_at_refresh_keeps_the_old_list(
    db: Database, clock: FixedClock, eb: EnableBankingStandIn, enablebanking: EnableBanking
) -> None:
    kept = lists(db, clock, enablebanking)
    await kept.refresh()
    clock.advance(REFRESH_AFTER + timedelta(days=1))
    eb.fail(503, times=3)  # the first try and its two retries

    done = await kept.refresh()

    assert done.fetched == ()
    assert done.failed == (("enablebanking", "FR", "bank_unavailable"),)  # DE not asked
    assert served_by(kept, "BNP") == ("BNP Paribas", "enablebanking")
    restarted = lists(db, clock, enablebanking)
    await restarted.load()
    assert served_by(restarted, "BNP") == ("BNP Paribas", "enablebanking")

    again = await kept.refresh()
    assert [country for _, country, _ in again.fetched] == ["FR", "DE"]  # still due


async def test_an_application_not_active_leaves_the_directory_offline(
    db: Database, clock: FixedClock, eb: EnableBankingStandIn, enablebanking: EnableBanking
) -> None:
    eb.active = False
    kept = lists(db, clock, enablebanking)

    done = await kept.refresh()

    assert done.failed == (("enablebanking", "FR", "provider_misconfigured"),)
    assert eb.calls[ASPSPS] == 1
    assert served_by(kept, "BNP") == ("BNP Paribas", None)


async def test_both_aggregators_are_kept_and_enable_banking_serves_the_banks_they_share(
    db: Database,
    clock: FixedClock,
    enablebanking: EnableBanking,
    gocardless: GoCardlessConnector,
    gc: GoCardlessStandIn,
) -> None:
    seed_gocardless(gc, [ListedBank("Banque Que Seul GoCardless Connait", None, 700)])
    kept = lists(db, clock, gocardless, enablebanking)

    done = await kept.refresh()

    assert {(c, country) for c, country, _ in done.fetched} == {
        ("enablebanking", "FR"),
        ("enablebanking", "DE"),
        ("gocardless", "FR"),
        ("gocardless", "DE"),
    }
    for query, name in SEARCHED.items():
        assert served_by(kept, query) == (name, "enablebanking")
    only = kept.directory.search("seul gocardless", "FR")[0]
    assert (only.connector, kept.directory.get(only.id).max_history_days) == (  # type: ignore[union-attr]
        "gocardless",
        700,
    )


async def test_a_kept_list_that_cannot_be_read_is_fetched_again(
    db: Database, clock: FixedClock, eb: EnableBankingStandIn, enablebanking: EnableBanking
) -> None:
    async with db.writing() as uow:
        await uow.institution_lists.put("enablebanking", "FR", clock.now(), "{not json")
        await uow.institution_lists.put(
            "enablebanking", "DE", clock.now(), '{"v": 1, "institutions": []}'
        )
        await uow.commit()
    kept = lists(db, clock, enablebanking)

    assert await kept.load() == 1
    done = await kept.refresh()

    assert [country for _, country, _ in done.fetched] == ["FR"]
    assert done.fresh == 1
    assert served_by(kept, "Qonto") == ("Qonto", "enablebanking")


async def test_without_an_aggregator_nothing_is_fetched(db: Database, clock: FixedClock) -> None:
    kept = lists(db, clock, SimpleFin(clock))

    assert kept.sources == []
    assert await kept.load() == 0
    assert await kept.refresh() == Refreshed((), (), 0)
    assert served_by(kept, "BNP") == ("BNP Paribas", None)
