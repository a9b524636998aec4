"""Settings → the connectors built (or absent), their key files, redirect URLs and closing."""

from __future__ import annotations

import base64
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import ValidationError

from bot.app import build_connectors
from bot.banks.connector import Authorized, ConnectorRegistry, Credentials
from bot.banks.enablebanking import EnableBanking
from bot.banks.gocardless import GoCardlessConnector
from bot.banks.registry import (
    SIMPLEFIN_BANK,
    ProviderSetupError,
    bridge_banks,
    close_connectors,
    configured_providers,
    institution_sources,
    read_private_file,
)
from bot.banks.simplefin import SetupTokenRefused
from bot.config import Settings
from bot.domain.clock import FixedClock
from bot.domain.secret import Secret
from tests.support.institutions import (
    APP_ID,
    ENABLEBANKING_REDIRECT,
    simplefin_settings,
    write_key_file,
)
from tests.support.providers.simplefin import SimpleFinStandIn

SECRET_KEY_TEXT = "gc-secret-key-that-must-never-show"


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def enablebanking(key_file: Path, **more: Any) -> dict[str, Any]:
    return {
        "enablebanking_application_id": APP_ID,
        "enablebanking_key_file": key_file,
        "enablebanking_redirect_url": ENABLEBANKING_REDIRECT,
        "simplefin_enabled": False,
        **more,
    }


GOCARDLESS = {
    "gocardless_secret_id": "gc-secret-id",
    "gocardless_secret_key": SECRET_KEY_TEXT,
    "simplefin_enabled": False,
}


async def built(values: dict[str, Any], clock: FixedClock) -> ConnectorRegistry:
    return build_connectors(settings(demo_bank=False, **values), clock)


async def test_with_no_provider_setting_only_simplefin_is_there(clock: FixedClock) -> None:
    connectors = await built({}, clock)

    assert connectors.names() == ["simplefin"]
    assert institution_sources(connectors) == []
    assert bridge_banks(connectors)[0].institution == SIMPLEFIN_BANK
    assert bridge_banks(connectors)[0].countries == {"US", "CA"}
    await close_connectors(connectors)


async def test_simplefin_can_be_turned_off(clock: FixedClock) -> None:
    connectors = await built({"simplefin_enabled": False}, clock)

    assert connectors.names() == []
    assert bridge_banks(connectors) == []


async def test_enable_banking_is_built_from_its_key_file(
    tmp_path: Path, key: rsa.RSAPrivateKey, clock: FixedClock
) -> None:
    connectors = await built(enablebanking(write_key_file(tmp_path, key)), clock)

    assert connectors.names() == ["enablebanking"]
    assert isinstance(connectors.get("enablebanking"), EnableBanking)
    assert [s.name for s in institution_sources(connectors)] == ["enablebanking"]
    await close_connectors(connectors)


async def test_a_key_file_others_can_read_is_refused_with_the_fix(
    tmp_path: Path, key: rsa.RSAPrivateKey, clock: FixedClock
) -> None:
    path = write_key_file(tmp_path, key, mode=0o644)

    with pytest.raises(ProviderSetupError) as refused:
        await built(enablebanking(path), clock)

    assert "ENABLEBANKING_KEY_FILE" in str(refused.value)
    assert f"chmod 600 {path}" in str(refused.value)
    assert "PRIVATE KEY" not in str(refused.value)


async def test_a_key_file_that_is_not_a_key_is_refused(tmp_path: Path, clock: FixedClock) -> None:
    path = tmp_path / "not-a-key.pem"
    path.write_text("hello\n")
    path.chmod(0o600)

    with pytest.raises(ProviderSetupError, match="Enable Banking"):
        await built(enablebanking(path), clock)


async def test_a_missing_key_file_is_refused(tmp_path: Path, clock: FixedClock) -> None:
    with pytest.raises(ProviderSetupError, match="cannot read"):
        await built(enablebanking(tmp_path / "absent.pem"), clock)


def test_half_of_enable_banking_is_an_invalid_setting(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="ENABLEBANKING_KEY_FILE go together"):
        settings(enablebanking_application_id=APP_ID)


def test_enable_banking_needs_a_way_back(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="ENABLEBANKING_REDIRECT_URL"):
        settings(enablebanking_application_id=APP_ID, enablebanking_key_file=tmp_path / "k")


def test_blank_provider_settings_are_unset() -> None:
    read = settings(enablebanking_application_id="", gocardless_secret_id=" ")

    assert not read.enablebanking_configured
    assert not read.gocardless_configured


def test_with_public_url_banks_come_back_to_our_consent_route(tmp_path: Path) -> None:
    read = settings(
        public_url="https://bot.example.com/",
        enablebanking_application_id=APP_ID,
        enablebanking_key_file=tmp_path / "k",
        enablebanking_redirect_url="https://elsewhere.example/",
    )

    assert read.consent_redirect_url("enablebanking") == (
        "https://bot.example.com/consent/enablebanking"
    )
    assert read.consent_redirect_url("gocardless") == "https://bot.example.com/consent/gocardless"


def test_without_public_url_each_provider_has_its_own_way_back() -> None:
    read = settings(enablebanking_redirect_url="https://x.example/cb/")

    assert read.consent_redirect_url("enablebanking") == "https://x.example/cb/"
    assert read.consent_redirect_url("gocardless") == "https://t.me/"
    assert settings(gocardless_redirect_url="https://t.me/pointage_bot").consent_redirect_url(
        "gocardless"
    ) == ("https://t.me/pointage_bot")


async def test_gocardless_is_built_from_its_secrets_and_hides_them(
    clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    read = settings(demo_bank=False, **GOCARDLESS)
    connectors = build_connectors(read, clock)

    assert isinstance(connectors.get("gocardless"), GoCardlessConnector)
    assert SECRET_KEY_TEXT not in repr(read)
    assert SECRET_KEY_TEXT not in repr(connectors.get("gocardless"))
    assert SECRET_KEY_TEXT not in caplog.text
    await close_connectors(connectors)


async def test_gocardless_secrets_can_come_from_private_files(
    tmp_path: Path, clock: FixedClock
) -> None:
    id_file, key_file = tmp_path / "id", tmp_path / "key"
    for path, text in ((id_file, "gc-secret-id\n"), (key_file, SECRET_KEY_TEXT)):
        path.write_text(text)
        path.chmod(0o600)
    values = {"gocardless_secret_id_file": id_file, "gocardless_secret_key_file": key_file}

    connectors = await built({"simplefin_enabled": False, **values}, clock)
    assert connectors.names() == ["gocardless"]
    await close_connectors(connectors)

    key_file.chmod(0o640)
    with pytest.raises(ProviderSetupError, match="GOCARDLESS_SECRET_KEY_FILE"):
        await built({"simplefin_enabled": False, **values}, clock)


def test_half_of_gocardless_is_an_invalid_setting() -> None:
    with pytest.raises(ValidationError, match="secret id and its secret key"):
        settings(gocardless_secret_id="id")
    with pytest.raises(ValidationError, match="not both"):
        settings(
            gocardless_secret_id="id", gocardless_secret_id_file="/x", gocardless_secret_key="k"
        )


def test_providers_come_in_the_directorys_order(tmp_path: Path, clock: FixedClock) -> None:
    read = settings(**(enablebanking(tmp_path / "k") | GOCARDLESS | {"simplefin_enabled": True}))

    assert [p.name for p in configured_providers(read, clock)] == [
        "enablebanking",
        "gocardless",
        "simplefin",
    ]


def token(url: str) -> Credentials:
    return Credentials("", Secret(base64.b64encode(url.encode()).decode()))


@pytest.mark.parametrize(
    ("bridge", "claim"),
    [
        ("https://bridge.simplefin.org/simplefin", "http://bridge.simplefin.org/claim/x"),
        ("https://bridge.simplefin.org/simplefin", "https://simplefin.evil.example/claim/x"),
        ("http://bridge.example.com/simplefin", "http://bridge.example.com/claim/x"),
        ("https://bridge.example.com/simplefin", "https://bridge.simplefin.org/claim/x"),
    ],
)
async def test_simplefin_refuses_tokens_off_its_bridge_or_over_http(
    bridge: str, claim: str, clock: FixedClock
) -> None:
    connectors = await built({"simplefin_bridge_url": bridge}, clock)
    simplefin = connectors.get("simplefin")

    with pytest.raises(SetupTokenRefused):
        await simplefin.begin_auth("simplefin", token(claim))
    await close_connectors(connectors)


async def test_simplefin_takes_http_tokens_of_a_bridge_on_this_machine(clock: FixedClock) -> None:
    async with SimpleFinStandIn(clock) as bridge:
        connectors = await built(simplefin_settings(bridge), clock)
        simplefin = connectors.get("simplefin")
        setup = bridge.setup_token(bridge.subscriber())

        step = await simplefin.begin_auth("simplefin", Credentials("", Secret(setup)))

        assert isinstance(step, Authorized)
        await close_connectors(connectors)


def test_a_private_file_is_read_whole_and_trimmed(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_text("  s3cret \n")
    path.chmod(0o600)

    assert read_private_file(path, "X").reveal() == "s3cret"


def test_every_setting_is_in_the_env_example() -> None:
    example = (Path(__file__).parents[2] / ".env.example").read_text(encoding="utf-8")
    named = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, re.MULTILINE))

    assert {name.upper() for name in Settings.model_fields} - named == set()
