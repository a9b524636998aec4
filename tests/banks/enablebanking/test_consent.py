"""The consent: POST /auth, the bank's redirect, POST /sessions, and what is stored."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.banks.connector import (
    Authorized,
    ChallengeKind,
    ConsentExpired,
    ConsentPending,
    ConsentRefused,
    Unsupported,
)
from bot.banks.enablebanking import EnableBanking
from bot.domain.clock import FixedClock
from tests.banks.enablebanking.conftest import (
    BANK,
    COUNTRY,
    IBAN,
    REDIRECT,
    Factory,
    challenge,
    consent,
    landing,
)
from tests.support.providers.enablebanking import EnableBankingStandIn, StandInAccount


async def test_the_link_leads_through_the_bank_to_the_redirect_url_with_our_state(
    connector: EnableBanking,
) -> None:
    step = await challenge(connector)
    assert step.kind is ChallengeKind.LINK and len(step.reference) >= 24
    landed = await landing(step)
    assert landed.startswith(REDIRECT + "?")
    query = parse_qs(urlsplit(landed).query)
    assert query["state"] == [step.reference]
    assert query["code"]


async def test_the_full_redirect_url_opens_a_session_until_the_consents_end(
    connector: EnableBanking, bank: EnableBankingStandIn, clock: FixedClock
) -> None:
    _, _, authorized = await consent(connector)
    [session] = bank.sessions.values()
    assert session.status == "AUTHORIZED"
    assert authorized.consent_expires == session.valid_until.astimezone(UTC).date()
    assert authorized.consent_expires == date(2027, 5, 27)  # 180 days, less the margin


async def test_the_query_string_alone_is_enough(connector: EnableBanking) -> None:
    step = await challenge(connector)
    landed = await landing(step)
    query = urlsplit(landed).query
    assert isinstance(await connector.continue_auth(step, query), Authorized)


async def test_the_consent_asks_no_longer_than_the_bank_allows(
    make: Factory, bank: EnableBankingStandIn, clock: FixedClock
) -> None:
    bank.add_aspsp("Banque Courte", "FR", maximum_consent_validity=90 * 86_400)
    step = await challenge(make(consent_days=365), "FR:Banque Courte")
    [asked] = [a for a in bank.consents.values() if a.aspsp.name == "Banque Courte"]
    assert clock.now() + timedelta(days=89) < asked.valid_until <= clock.now() + timedelta(days=90)
    assert step.link is not None


async def test_a_code_opens_one_session_only(connector: EnableBanking) -> None:
    step, landed, _ = await consent(connector)
    with pytest.raises(ConsentExpired):
        await connector.continue_auth(step, landed)


async def test_a_code_used_too_late_is_expired(connector: EnableBanking, clock: FixedClock) -> None:
    step = await challenge(connector)
    landed = await landing(step)
    clock.advance(timedelta(minutes=11))
    with pytest.raises(ConsentExpired):
        await connector.continue_auth(step, landed)


async def test_nothing_brought_back_yet_is_pending(connector: EnableBanking) -> None:
    step = await challenge(connector)
    with pytest.raises(ConsentPending):
        await connector.continue_auth(step, "")
    with pytest.raises(ConsentPending):
        await connector.continue_auth(step, f"state={step.reference}")


async def test_a_refusal_at_the_bank_is_consent_refused(
    connector: EnableBanking, bank: EnableBankingStandIn
) -> None:
    bank.refuse_next_consent("access_denied", "User cancelled")
    step = await challenge(connector)
    landed = await landing(step)
    assert "error=access_denied" in landed
    with pytest.raises(ConsentRefused):
        await connector.continue_auth(step, landed)
    assert bank.calls["POST /sessions"] == 0


async def test_another_logins_redirect_is_refused_and_its_code_left_unused(
    connector: EnableBanking, bank: EnableBankingStandIn
) -> None:
    mine, other = await challenge(connector), await challenge(connector)
    landed = await landing(other)
    with pytest.raises(ConsentRefused):
        await connector.continue_auth(mine, landed)
    assert bank.calls["POST /sessions"] == 0
    assert isinstance(await connector.continue_auth(other, landed), Authorized)


async def test_a_bank_unknown_to_enable_banking_is_unsupported(connector: EnableBanking) -> None:
    with pytest.raises(Unsupported):
        await connector.begin_auth("FR:Banque Inconnue", None)
    with pytest.raises(Unsupported):
        await connector.begin_auth("Banque sans pays", None)


async def test_the_secret_holds_the_session_and_stable_account_ids(
    connector: EnableBanking, bank: EnableBankingStandIn
) -> None:
    _, _, first = await consent(connector)
    _, _, second = await consent(connector)
    one, two = json.loads(first.secret.reveal()), json.loads(second.secret.reveal())
    assert one["session_id"] in bank.sessions and one["session_id"] != two["session_id"]
    assert [a["iban"] for a in one["accounts"]] == [IBAN, "FR7630006000019876543210123"]
    assert [a["id"] for a in one["accounts"]] == [a["id"] for a in two["accounts"]]
    assert {a["uid"] for a in one["accounts"]}.isdisjoint(a["uid"] for a in two["accounts"])


async def test_an_account_the_bank_cannot_read_is_not_kept(
    connector: EnableBanking, bank: EnableBankingStandIn
) -> None:
    bank.add_account(BANK, COUNTRY, StandInAccount("FR7612345000010000000000099", readable=False))
    _, _, authorized = await consent(connector)
    assert len(json.loads(authorized.secret.reveal())["accounts"]) == 2


async def test_the_auth_request_follows_the_api_reference(
    connector: EnableBanking, bank: EnableBankingStandIn, clock: FixedClock
) -> None:
    step = await challenge(connector)
    [asked] = bank.consents.values()
    assert (asked.aspsp.name, asked.aspsp.country) == (BANK, COUNTRY)
    assert asked.state == step.reference
    assert asked.redirect_url == REDIRECT
    assert asked.psu_type == "business"
    assert asked.valid_until > clock.now() + timedelta(days=179)
    assert isinstance(asked.valid_until, datetime) and asked.valid_until.tzinfo is not None


async def test_a_bank_offering_only_personal_consents_gets_a_personal_one(
    connector: EnableBanking, bank: EnableBankingStandIn
) -> None:
    bank.add_aspsp("Banque Perso", "FR", psu_types=("personal",))
    await challenge(connector, "FR:Banque Perso")
    [asked] = bank.consents.values()
    assert asked.psu_type == "personal"
