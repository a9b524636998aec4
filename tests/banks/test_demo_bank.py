"""The demo bank: login, simulated failures, tokens, accounts and secrets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from schwifty import IBAN

from bot.banks.connector import (
    AccountLocked,
    AccountType,
    AuthMethod,
    Authorized,
    BadCredentials,
    BankUnavailable,
    Challenge,
    ChallengeKind,
    ConnectorError,
    ConsentExpired,
    Credentials,
    RateLimited,
    Unsupported,
    WrongCode,
)
from bot.banks.demo.bank import DemoBank
from bot.banks.demo.signin import PERSONAS
from bot.domain.clock import FixedClock
from bot.domain.secret import Secret
from tests.support.demo_bank import (
    ACCOUNT_IDS,
    TODAY,
    WEDNESDAY,
    RecordedSleeps,
    login,
    make_bank,
)

# --- login ---


async def test_login_asks_for_a_code_then_gives_a_token_valid_180_days() -> None:
    bank, _ = make_bank()

    step = await bank.begin_auth("demo", Credentials("demo", Secret("demo")))

    assert isinstance(step, Challenge)
    assert step.kind is ChallengeKind.CODE
    assert step.hint == "SMS ••• 42"
    done = await bank.continue_auth(step, "123456")
    assert isinstance(done, Authorized)
    assert done.consent_expires == TODAY + timedelta(days=180)
    assert done.secret.reveal() == "demo:v1:demo:2025-12-15"


async def test_username_ignores_case_and_surrounding_spaces_and_code_ignores_spaces() -> None:
    bank, _ = make_bank()

    step = await bank.begin_auth("demo", Credentials("  DeMo ", Secret("demo")))

    assert isinstance(step, Challenge)
    done = await bank.continue_auth(step, " 123 456 ")
    assert isinstance(done, Authorized)
    assert done.secret.reveal().startswith("demo:v1:demo:")


@pytest.mark.parametrize("password", ["wrong", "DEMO", " demo", ""])
async def test_wrong_password_is_refused_before_any_code(password: str) -> None:
    bank, _ = make_bank()

    with pytest.raises(BadCredentials):
        await bank.begin_auth("demo", Credentials("demo", Secret(password)))


@pytest.mark.parametrize("username", ["alice", "demo2", "", "demo-"])
async def test_unknown_username_is_refused(username: str) -> None:
    bank, _ = make_bank()

    with pytest.raises(BadCredentials):
        await bank.begin_auth("demo", Credentials(username, Secret("demo")))


async def test_missing_credentials_are_refused() -> None:
    bank, _ = make_bank()

    with pytest.raises(BadCredentials):
        await bank.begin_auth("demo", None)


@pytest.mark.parametrize("answer", ["654321", "", "12345", "1234567", "abcdef"])
async def test_wrong_code_raises_wrong_code(answer: str) -> None:
    bank, _ = make_bank()
    step = await bank.begin_auth("demo", Credentials("demo", Secret("demo")))
    assert isinstance(step, Challenge)

    with pytest.raises(WrongCode):
        await bank.continue_auth(step, answer)


async def test_a_forged_challenge_is_refused() -> None:
    bank, _ = make_bank()
    forged = Challenge(kind=ChallengeKind.CODE, state=Secret("demo-code:v1:mallory"))

    with pytest.raises(ConsentExpired):
        await bank.continue_auth(forged, "123456")


def test_capabilities() -> None:
    assert DemoBank.name == "demo"
    assert DemoBank.capabilities.auth is AuthMethod.CREDENTIALS
    assert DemoBank.capabilities.max_history_days == 730
    assert DemoBank.capabilities.reports_pending is True
    assert DemoBank.capabilities.calls_per_day is None


# --- simulated failures ---


@pytest.mark.parametrize(
    ("username", "error"), [("demo-locked", AccountLocked), ("demo-down", BankUnavailable)]
)
async def test_failing_logins(username: str, error: type[ConnectorError]) -> None:
    bank, _ = make_bank()

    with pytest.raises(error):
        await bank.begin_auth("demo", Credentials(username, Secret("demo")))


async def test_a_locked_account_with_a_wrong_password_is_a_wrong_password() -> None:
    bank, _ = make_bank()

    with pytest.raises(BadCredentials):
        await bank.begin_auth("demo", Credentials("demo-locked", Secret("nope")))


async def test_flaky_bank_lists_accounts_but_every_fetch_fails() -> None:
    bank, _ = make_bank()
    secret = await login(bank, "demo-flaky")

    assert len(await bank.list_accounts(secret)) == 3
    for account_id in ACCOUNT_IDS:
        with pytest.raises(BankUnavailable):
            await bank.fetch_transactions(secret, account_id, TODAY, TODAY)


async def test_expired_consent_fails_listing_and_fetching_but_not_revoking() -> None:
    bank, _ = make_bank()
    secret = await login(bank, "demo-expired")

    with pytest.raises(ConsentExpired):
        await bank.list_accounts(secret)
    with pytest.raises(ConsentExpired):
        await bank.fetch_transactions(secret, "demo-cc", TODAY, TODAY)
    await bank.revoke(secret)


async def test_rate_limited_fetch_says_when_to_retry() -> None:
    bank, _ = make_bank()
    secret = await login(bank, "demo-limited")

    assert len(await bank.list_accounts(secret)) == 3
    with pytest.raises(RateLimited) as raised:
        await bank.fetch_transactions(secret, "demo-cc", TODAY, TODAY)
    assert raised.value.retry_at == WEDNESDAY + timedelta(hours=1)


async def test_slow_bank_takes_three_seconds_a_call() -> None:
    sleeps = RecordedSleeps()
    bank = DemoBank(FixedClock(WEDNESDAY), sleep=sleeps)

    secret = await login(bank, "demo-slow")
    await bank.list_accounts(secret)
    await bank.fetch_transactions(secret, "demo-cc", TODAY, TODAY)
    await bank.revoke(secret)

    assert sleeps.calls == [3.0] * 5


async def test_latency_delays_every_call_and_none_by_default() -> None:
    sleeps = RecordedSleeps()
    bank = DemoBank(FixedClock(WEDNESDAY), latency=0.25, sleep=sleeps)
    secret = await login(bank)
    await bank.list_accounts(secret)
    with pytest.raises(BadCredentials):
        await bank.begin_auth("demo", Credentials("demo", Secret("wrong")))
    assert sleeps.calls == [0.25] * 4

    quiet = RecordedSleeps()
    await login(DemoBank(FixedClock(WEDNESDAY), sleep=quiet))
    assert quiet.calls == []


def test_every_persona_is_documented() -> None:
    import bot.banks.demo.bank as module

    assert module.__doc__ is not None
    for username in PERSONAS:
        assert username in module.__doc__


# --- tokens ---


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "demo:v1:demo",
        "demo:v1:demo:not-a-date",
        "demo:v1:mallory:2099-01-01",
        "demo:v2:demo:2099-01-01",
    ],
)
async def test_a_malformed_token_means_the_consent_has_expired(token: str) -> None:
    bank, _ = make_bank()

    with pytest.raises(ConsentExpired):
        await bank.list_accounts(Secret(token))
    with pytest.raises(ConsentExpired):
        await bank.fetch_transactions(Secret(token), "demo-cc", TODAY, TODAY)
    with pytest.raises(ConsentExpired):
        await bank.revoke(Secret(token))


async def test_the_token_stops_working_after_180_days() -> None:
    bank, clock = make_bank()
    secret = await login(bank)

    clock.advance(timedelta(days=180))
    assert len(await bank.list_accounts(secret)) == 3
    clock.advance(timedelta(days=1))
    with pytest.raises(ConsentExpired):
        await bank.list_accounts(secret)
    await bank.revoke(secret)


async def test_unknown_account_is_unsupported() -> None:
    bank, _ = make_bank()
    secret = await login(bank)

    with pytest.raises(Unsupported):
        await bank.fetch_transactions(secret, "demo-other", TODAY, TODAY)


# --- accounts ---


async def test_three_accounts_with_a_valid_french_iban() -> None:
    bank, _ = make_bank()
    secret = await login(bank)

    accounts = {account.external_id: account for account in await bank.list_accounts(secret)}

    assert list(accounts) == list(ACCOUNT_IDS)
    checking, savings, card = accounts["demo-cc"], accounts["demo-sav"], accounts["demo-card"]
    assert (checking.name, checking.type) == ("Compte courant pro", AccountType.CHECKING)
    assert (savings.name, savings.type) == ("Livret pro", AccountType.SAVINGS)
    assert (card.name, card.type) == ("Carte Business", AccountType.CARD)
    assert {account.currency for account in accounts.values()} == {"EUR"}
    for account in (checking, savings):
        assert account.iban is not None
        iban = IBAN(account.iban, validate_bban=True)
        assert iban.country_code == "FR"
        assert str(iban) == account.iban
    assert checking.iban != savings.iban
    assert card.iban is None
    assert savings.balance.minor > 0
    assert card.balance.minor < 0


async def test_every_demo_login_sees_the_same_accounts() -> None:
    first, _ = make_bank()
    second, _ = make_bank()

    one = await first.list_accounts(await login(first))
    other = await second.list_accounts(await login(second, " DEMO"))

    assert one == other


# --- secrets ---


async def test_a_configured_password_replaces_demo() -> None:
    bank = DemoBank(FixedClock(WEDNESDAY), password="Hunter2-s3cret!")

    with pytest.raises(BadCredentials):
        await bank.begin_auth("demo", Credentials("demo", Secret("demo")))
    step = await bank.begin_auth("demo", Credentials("demo", Secret("Hunter2-s3cret!")))
    assert isinstance(step, Challenge)


async def test_no_password_or_token_in_any_repr() -> None:
    password = "Hunter2-s3cret!"
    bank = DemoBank(FixedClock(WEDNESDAY), password=password)
    seen: list[object] = []
    for credentials in (
        Credentials("demo", Secret(password + "x")),
        Credentials(password, Secret(password)),
        Credentials("demo-locked", Secret(password)),
    ):
        with pytest.raises(ConnectorError) as refused:
            await bank.begin_auth("demo", credentials)
        seen.append(refused.value)
        assert refused.value.__context__ is None and refused.value.__cause__ is None

    step = await bank.begin_auth("demo", Credentials("demo", Secret(password)))
    assert isinstance(step, Challenge)
    with pytest.raises(WrongCode) as wrong:
        await bank.continue_auth(step, password)
    seen.append(wrong.value)
    done = await bank.continue_auth(step, "123456")
    assert isinstance(done, Authorized)
    token = done.secret.reveal()
    seen += [step, done, *await bank.list_accounts(done.secret)]
    for account_id in ACCOUNT_IDS:
        seen += await bank.fetch_transactions(done.secret, account_id, TODAY, TODAY)

    with pytest.raises(ConsentExpired) as expired:
        await bank.list_accounts(Secret("demo:v1:demo:" + password))
    seen.append(expired.value)
    assert expired.value.__context__ is None and expired.value.__cause__ is None

    for value in seen:
        for text in (repr(value), str(value)):
            assert password not in text
            assert token not in text
            assert step.state.reveal() not in text
