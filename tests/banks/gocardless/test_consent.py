"""GoCardless consent: the agreement's terms, the requisition's link and the statuses after it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.banks.connector import (
    Authorized,
    Challenge,
    ChallengeKind,
    ConsentExpired,
    ConsentPending,
    ConsentRefused,
    Unsupported,
)
from bot.banks.gocardless import GoCardlessConnector
from bot.banks.gocardless.consent import LinkedConsent
from bot.domain.clock import FixedClock
from bot.domain.secret import Secret
from tests.banks.gocardless.conftest import (
    BANK,
    SMALL_BANK,
    Callback,
    follow,
    linked,
)
from tests.support.providers.gocardless import GoCardlessStandIn


async def begin(connector: GoCardlessConnector, institution: str = BANK) -> Challenge:
    step = await connector.begin_auth(institution, None)
    assert isinstance(step, Challenge)
    return step


async def test_begin_auth_gives_the_requisitions_link_and_reference(
    connector: GoCardlessConnector, bank: GoCardlessStandIn, callback: Callback
) -> None:
    challenge = await begin(connector)
    requisition = bank.by_reference(challenge.reference)
    assert challenge.kind is ChallengeKind.LINK
    assert challenge.link == requisition.public["link"]
    assert requisition.redirect == callback.url
    assert requisition.public["user_language"] == "FR"
    assert requisition.id in challenge.state.reveal()


async def test_each_consent_gets_its_own_reference(connector: GoCardlessConnector) -> None:
    first, second = await begin(connector), await begin(connector)
    assert first.reference and first.reference != second.reference


async def test_the_agreement_asks_730_days_and_180_when_the_bank_allows_more(
    connector: GoCardlessConnector, bank: GoCardlessStandIn
) -> None:
    challenge = await begin(connector, BANK)
    agreement = bank.agreements[bank.by_reference(challenge.reference).agreement]
    assert (agreement.max_historical_days, agreement.access_valid_for_days) == (730, 180)
    assert sorted(agreement.access_scope) == ["balances", "details", "transactions"]


async def test_the_agreement_keeps_within_the_banks_own_limits(
    connector: GoCardlessConnector, bank: GoCardlessStandIn
) -> None:
    challenge = await begin(connector, SMALL_BANK)
    agreement = bank.agreements[bank.by_reference(challenge.reference).agreement]
    assert (agreement.max_historical_days, agreement.access_valid_for_days) == (540, 90)


async def test_an_unknown_institution_is_unsupported(connector: GoCardlessConnector) -> None:
    with pytest.raises(Unsupported):
        await connector.begin_auth("NOSUCHBANK_XXXXFRPP", None)


async def test_polling_before_the_link_is_opened_is_pending(
    connector: GoCardlessConnector,
) -> None:
    challenge = await begin(connector)
    with pytest.raises(ConsentPending):
        await connector.continue_auth(challenge, "")


@pytest.mark.parametrize("status", ["GC", "UA", "SA", "GA"])
async def test_a_consent_under_way_at_the_bank_is_pending(
    connector: GoCardlessConnector, bank: GoCardlessStandIn, status: str
) -> None:
    challenge = await begin(connector)
    bank.set_status(bank.by_reference(challenge.reference).id, status)
    with pytest.raises(ConsentPending):
        await connector.continue_auth(challenge, "")


async def test_following_the_link_links_and_redirects_back_with_the_reference(
    connector: GoCardlessConnector,
    bank: GoCardlessStandIn,
    callback: Callback,
    clock: FixedClock,
) -> None:
    challenge = await begin(connector)
    assert challenge.link is not None
    landed = await follow(challenge.link)
    assert landed.status_code == 200
    assert callback.received[-1].endswith(f"?ref={challenge.reference}")
    step = await connector.continue_auth(challenge, callback.received[-1])
    assert isinstance(step, Authorized)
    requisition = bank.by_reference(challenge.reference)
    assert LinkedConsent.open(step.secret).accounts == tuple(requisition.accounts)
    assert len(requisition.accounts) == 2
    assert step.consent_expires == (clock.now() + timedelta(days=180)).date()


async def test_polling_without_the_redirect_also_finds_the_linked_consent(
    connector: GoCardlessConnector, callback: Callback
) -> None:
    challenge = await begin(connector)
    assert challenge.link is not None
    await follow(challenge.link)
    assert isinstance(await connector.continue_auth(challenge, ""), Authorized)


async def test_the_consent_link_serves_once(
    connector: GoCardlessConnector, callback: Callback
) -> None:
    challenge = await begin(connector)
    assert challenge.link is not None
    await follow(challenge.link)
    again = await follow(challenge.link)
    assert again.status_code == 400
    assert again.json()["summary"] == "RequisitionLinkReused"


async def test_a_rejected_requisition_is_refused(
    connector: GoCardlessConnector, bank: GoCardlessStandIn
) -> None:
    challenge = await begin(connector)
    bank.set_status(bank.by_reference(challenge.reference).id, "RJ")
    with pytest.raises(ConsentRefused):
        await connector.continue_auth(challenge, "")


@pytest.mark.parametrize("status", ["EX", "SU"])
async def test_an_expired_or_suspended_requisition_is_expired(
    connector: GoCardlessConnector, bank: GoCardlessStandIn, status: str
) -> None:
    challenge = await begin(connector)
    bank.set_status(bank.by_reference(challenge.reference).id, status)
    with pytest.raises(ConsentExpired):
        await connector.continue_auth(challenge, "")


async def test_a_redirect_naming_another_reference_is_refused(
    connector: GoCardlessConnector, callback: Callback
) -> None:
    challenge = await begin(connector)
    assert challenge.link is not None
    await follow(challenge.link)
    with pytest.raises(ConsentRefused):
        await connector.continue_auth(challenge, f"{callback.url}?ref=someone-else")


async def test_coming_back_with_an_error_while_still_at_the_bank_is_refused(
    connector: GoCardlessConnector, bank: GoCardlessStandIn, callback: Callback
) -> None:
    challenge = await begin(connector)
    bank.set_status(bank.by_reference(challenge.reference).id, "UA")
    came_back = f"{callback.url}?ref={challenge.reference}&error=UserCancelledSession"
    with pytest.raises(ConsentRefused):
        await connector.continue_auth(challenge, came_back)


async def test_a_state_that_is_not_ours_is_an_expired_login(
    connector: GoCardlessConnector,
) -> None:
    forged = Challenge(kind=ChallengeKind.LINK, state=Secret("demo-challenge:demo"))
    with pytest.raises(ConsentExpired):
        await connector.continue_auth(forged, "")


async def test_revoke_deletes_the_requisition_and_its_agreement(
    connector: GoCardlessConnector, bank: GoCardlessStandIn, callback: Callback
) -> None:
    authorized = await linked(connector, callback)
    consent = LinkedConsent.open(authorized.secret)
    await connector.revoke(authorized.secret)
    assert consent.requisition not in bank.requisitions
    assert consent.agreement not in bank.agreements
    await connector.revoke(authorized.secret)
    assert bank.calls["DELETE /api/v2/requisitions/{id}/"] == 2
