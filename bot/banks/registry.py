"""Connector names → the instances built from the settings; which of them publish institution
lists (those feed the directory) and which can be checked (`python -m bot check-providers`).

`ConnectorRegistry` itself stays in connector.py (the services take it from there); this
module builds what goes in it and sorts it by what each connector can do.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Final, Protocol, runtime_checkable
from urllib.parse import urlsplit

from pydantic import SecretStr

from bot.banks.connector import (
    Connector,
    ConnectorError,
    ConnectorRegistry,
    InstitutionSource,
)
from bot.banks.directory.institution import Institution
from bot.banks.directory.merging import Featured
from bot.banks.enablebanking import EnableBanking
from bot.banks.gocardless import GoCardlessConnector
from bot.banks.simplefin import SimpleFin
from bot.config import SIMPLEFIN_BRIDGE_URL, Settings
from bot.domain.clock import Clock
from bot.domain.secret import Secret

__all__ = [
    "SIMPLEFIN_BANK",
    "Checkable",
    "ConnectorRegistry",
    "Provider",
    "ProviderSetupError",
    "bridge_banks",
    "checkable",
    "close_connectors",
    "configured_providers",
    "institution_sources",
    "read_private_file",
]

log = logging.getLogger(__name__)

HTTP_TIMEOUT_S: Final = 20.0
"""Seconds one HTTP request to a provider may take (less when BANK_CALL_TIMEOUT_S is less)."""
SIMPLEFIN_HOSTS: Final = frozenset({"simplefin.org"})
"""Where the public bridge's setup tokens point (bridge.simplefin.org and its subdomains)."""
SIMPLEFIN_COUNTRIES: Final = frozenset({"US", "CA"})
_LOOPBACK: Final = frozenset({"127.0.0.1", "localhost", "::1"})


class ProviderSetupError(Exception):
    """A configured provider cannot be built (a key file open to others, a key that is not
    one); the message names the setting and what to do, never a secret."""


@runtime_checkable
class Checkable(Protocol):
    """A connector with an operator's configuration one cheap call can try."""

    name: ClassVar[str]

    async def check(self) -> str: ...


@runtime_checkable
class _Source(InstitutionSource, Protocol):
    """InstitutionSource, recognised at run time (it has institutions() and check())."""


@runtime_checkable
class _Closable(Protocol):
    async def aclose(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Provider:
    """One configured provider: its connector's name, its label, how to build it."""

    name: str
    label: str
    build: Callable[[], Connector]


def read_private_file(path: Path, setting: str) -> Secret:
    """The text of a secret file the settings name, refused (like the vault key file) when
    group or others may read it: `chmod 600` first."""
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        raise ProviderSetupError(
            f"{setting}: cannot read {path} ({error.strerror or type(error).__name__})"
        ) from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ProviderSetupError(f"{setting}: {path} is not a regular file")
        mode = stat.S_IMODE(info.st_mode)
        if os.name == "posix" and mode & 0o077:
            raise ProviderSetupError(
                f"{setting}: {path} is accessible by group or others (mode {mode:04o}): "
                f"run 'chmod 600 {path}' and start again"
            )
        raw = handle.read()
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise ProviderSetupError(f"{setting}: {path} is not UTF-8 text") from None
    if not text:
        raise ProviderSetupError(f"{setting}: {path} is empty")
    return Secret(text)


def _secret(value: SecretStr | None, file: Path | None, setting: str) -> Secret:
    if file is not None:
        return read_private_file(file, f"{setting}_FILE")
    if value is None or not value.get_secret_value():
        raise ProviderSetupError(f"{setting} is not set")
    return Secret(value.get_secret_value())


def _timeout(settings: Settings) -> float:
    return min(HTTP_TIMEOUT_S, settings.bank_call_timeout_s)


def _enable_banking(settings: Settings, clock: Clock) -> Connector:
    assert settings.enablebanking_key_file is not None
    assert settings.enablebanking_application_id is not None
    redirect = settings.consent_redirect_url(EnableBanking.name)
    assert redirect is not None  # the settings refuse Enable Banking without one
    key = read_private_file(settings.enablebanking_key_file, "ENABLEBANKING_KEY_FILE")
    try:
        return EnableBanking(
            application_id=settings.enablebanking_application_id,
            private_key=key,
            redirect_url=redirect,
            clock=clock,
            base_url=settings.enablebanking_base_url,
            timeout=_timeout(settings),
        )
    except ConnectorError as error:
        raise ProviderSetupError(f"Enable Banking: {error}") from None


def _gocardless(settings: Settings, clock: Clock) -> Connector:
    redirect = settings.consent_redirect_url(GoCardlessConnector.name)
    assert redirect is not None
    return GoCardlessConnector(
        secret_id=_secret(
            settings.gocardless_secret_id,
            settings.gocardless_secret_id_file,
            "GOCARDLESS_SECRET_ID",
        ),
        secret_key=_secret(
            settings.gocardless_secret_key,
            settings.gocardless_secret_key_file,
            "GOCARDLESS_SECRET_KEY",
        ),
        redirect_url=redirect,
        clock=clock,
        base_url=settings.gocardless_base_url,
        timeout=_timeout(settings),
    )


def _simplefin(settings: Settings, clock: Clock) -> Connector:
    """The public bridge takes setup tokens for simplefin.org only, over https; another
    bridge URL trusts its own host, and http only on this machine (a local stand-in)."""
    bridge = urlsplit(settings.simplefin_bridge_url)
    host = (bridge.hostname or "").lower()
    default = settings.simplefin_bridge_url.rstrip("/") == SIMPLEFIN_BRIDGE_URL
    return SimpleFin(
        clock,
        bridge_url=settings.simplefin_bridge_url,
        timeout=_timeout(settings),
        allow_http=bridge.scheme == "http" and host in _LOOPBACK,
        trusted_hosts=SIMPLEFIN_HOSTS if default else frozenset({host}),
    )


def configured_providers(settings: Settings, clock: Clock) -> list[Provider]:
    """The bank providers the settings configure, in the directory's order of preference
    (Enable Banking, then GoCardless), SimpleFIN last; none without its settings."""
    providers: list[Provider] = []
    if settings.enablebanking_configured:
        providers.append(
            Provider(EnableBanking.name, "Enable Banking", lambda: _enable_banking(settings, clock))
        )
    if settings.gocardless_configured:
        providers.append(
            Provider(
                GoCardlessConnector.name,
                "GoCardless Bank Account Data",
                lambda: _gocardless(settings, clock),
            )
        )
    if settings.simplefin_enabled:
        providers.append(
            Provider(SimpleFin.name, "SimpleFIN Bridge", lambda: _simplefin(settings, clock))
        )
    return providers


def _each(connectors: ConnectorRegistry) -> list[Connector]:
    return [connectors.get(name) for name in connectors.names()]


def institution_sources(connectors: ConnectorRegistry) -> list[InstitutionSource]:
    """The connectors that publish the banks they reach (aggregators)."""
    return [c for c in _each(connectors) if isinstance(c, _Source)]


def checkable(connectors: Iterable[Connector]) -> list[Checkable]:
    return [c for c in connectors if isinstance(c, Checkable)]


SIMPLEFIN_BANK: Final = Institution(
    id=SimpleFin.name,
    name="SimpleFIN Bridge",
    country="*",
    bic=None,
    connector=SimpleFin.name,
    max_history_days=SimpleFin.capabilities.max_history_days,
    group=None,
)
"""The one directory entry of SimpleFIN: users connect their banks at the bridge itself."""


def bridge_banks(connectors: ConnectorRegistry) -> list[Featured]:
    """Directory entries of the bridges among the connectors, in the countries they serve."""
    if SimpleFin.name in connectors.names():
        return [Featured(SIMPLEFIN_BANK, SIMPLEFIN_COUNTRIES, ("SimpleFIN", "Simple FIN"))]
    return []


async def close_connectors(connectors: ConnectorRegistry) -> None:
    """Close the connectors' HTTP clients at shutdown; one that fails to close is logged."""
    for connector in _each(connectors):
        if isinstance(connector, _Closable):
            try:
                await connector.aclose()
            except Exception as error:  # shutting down: the others must still be closed
                log.warning("connector %s did not close: %s", connector.name, type(error).__name__)
