"""`python -m bot check-providers`: one line per configured provider, OK or what is wrong."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.__main__ import main
from bot.cli import check_providers
from bot.config import Settings
from bot.domain.clock import FixedClock
from tests.support.institutions import (
    APP_ID,
    ENABLEBANKING_REDIRECT,
    NO_PROVIDER,
    enablebanking_settings,
    gocardless_settings,
    simplefin_settings,
    write_key_file,
)
from tests.support.providers.enablebanking import EnableBankingStandIn
from tests.support.providers.gocardless import SECRET_KEY, GoCardlessStandIn
from tests.support.providers.simplefin import SimpleFinStandIn


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
async def eb(key: rsa.RSAPrivateKey, clock: FixedClock) -> AsyncIterator[EnableBankingStandIn]:
    async with EnableBankingStandIn(
        key.public_key(), APP_ID, redirect_urls=[ENABLEBANKING_REDIRECT], clock=clock
    ) as stand_in:
        stand_in.add_aspsp("Banque Exemple", "FR")
        yield stand_in


@pytest.fixture
async def gc(clock: FixedClock) -> AsyncIterator[GoCardlessStandIn]:
    async with GoCardlessStandIn(clock=clock) as stand_in:
        yield stand_in


@pytest.fixture
async def bridge(clock: FixedClock) -> AsyncIterator[SimpleFinStandIn]:
    async with SimpleFinStandIn(clock) as stand_in:
        yield stand_in


@pytest.fixture
def every_provider(
    eb: EnableBankingStandIn,
    gc: GoCardlessStandIn,
    bridge: SimpleFinStandIn,
    key: rsa.RSAPrivateKey,
    tmp_path: Path,
) -> dict[str, Any]:
    return (
        enablebanking_settings(eb, key, tmp_path)
        | gocardless_settings(gc)
        | simplefin_settings(bridge)
    )


async def checked(values: dict[str, Any], clock: FixedClock) -> tuple[int, list[str]]:
    out = io.StringIO()
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    code = await check_providers(settings, out, clock=clock)
    return code, out.getvalue().splitlines()


def verdicts(lines: list[str]) -> dict[str, str]:
    """Provider name → OK or FAILED."""
    return {line.split()[0]: line.split()[1] for line in lines}


async def test_with_no_provider_it_says_so_and_succeeds(clock: FixedClock) -> None:
    code, lines = await checked(NO_PROVIDER, clock)

    assert code == 0
    assert lines == [
        "No bank provider is configured (see .env.example: Enable Banking, GoCardless, "
        "SimpleFIN). Bank files and the demo bank work without one."
    ]


async def test_every_provider_working_is_one_ok_line_each(
    every_provider: dict[str, Any], clock: FixedClock, eb: EnableBankingStandIn
) -> None:
    code, lines = await checked(every_provider, clock)

    assert code == 0
    assert verdicts(lines) == {"enablebanking": "OK", "gocardless": "OK", "simplefin": "OK"}
    assert "«Pointage» (PRODUCTION, active, 1 countries)" in lines[0]
    assert "user secrets accepted" in lines[1]
    assert eb.calls["GET /application"] == 1


async def test_one_failing_provider_fails_the_command_and_says_why(
    every_provider: dict[str, Any], clock: FixedClock, eb: EnableBankingStandIn
) -> None:
    eb.active = False

    code, lines = await checked(every_provider, clock)

    assert code == 1
    assert verdicts(lines) == {"enablebanking": "FAILED", "gocardless": "OK", "simplefin": "OK"}
    assert "not active" in lines[0].lower()
    assert "[provider_misconfigured]" in lines[0]


async def test_refused_secrets_are_told_without_showing_them(
    every_provider: dict[str, Any], clock: FixedClock
) -> None:
    wrong = "wrong-secret-key-never-printed"

    code, lines = await checked(every_provider | {"gocardless_secret_key": wrong}, clock)

    assert code == 1
    assert verdicts(lines)["gocardless"] == "FAILED"
    assert wrong not in "\n".join(lines) and SECRET_KEY not in "\n".join(lines)


async def test_a_key_file_open_to_others_is_one_failed_line_and_the_others_are_checked(
    every_provider: dict[str, Any], clock: FixedClock, key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    open_file = write_key_file(tmp_path, key, mode=0o644)

    code, lines = await checked(every_provider | {"enablebanking_key_file": open_file}, clock)

    assert code == 1
    assert verdicts(lines) == {"enablebanking": "FAILED", "gocardless": "OK", "simplefin": "OK"}
    assert f"chmod 600 {open_file}" in lines[0]
    assert "Traceback" not in "\n".join(lines)


async def test_a_redirect_url_the_application_lacks_is_said(
    every_provider: dict[str, Any], clock: FixedClock
) -> None:
    other = every_provider | {"enablebanking_redirect_url": "https://not-registered.example/"}

    code, lines = await checked(other, clock)

    assert code == 1
    assert "REDIRECT_URI_NOT_ALLOWED" in lines[0] or "redirect" in lines[0].lower()


async def test_a_bridge_that_does_not_answer_is_said(clock: FixedClock) -> None:
    gone = {"simplefin_bridge_url": "http://127.0.0.1:9/simplefin", "bank_call_timeout_s": 5}

    code, lines = await checked(gone, clock)

    assert code == 1
    assert lines[0].startswith("simplefin  FAILED  SimpleFIN Bridge: ")


def test_the_command_line_runs_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SIMPLEFIN_ENABLED", "false")

    assert main(["check-providers"]) == 0
    assert "No bank provider is configured" in capsys.readouterr().out
