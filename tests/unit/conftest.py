"""Fixtures of the domain tests: services over a real database with the demo bank."""

from __future__ import annotations

import pytest

from bot.banks.connector import ConnectorRegistry
from bot.banks.demo.bank import DemoBank
from bot.banks.directory.search import Directory
from bot.domain.clock import FixedClock
from bot.services.connect import Services
from storage.uow import Database
from storage.vault import KeyRing, Vault


@pytest.fixture(scope="module")
def directory() -> Directory:
    return Directory(demo_enabled=True)


@pytest.fixture
def services(db: Database, clock: FixedClock, directory: Directory) -> Services:
    ring = KeyRing.parse("k1:" + "A" * 43 + "=")
    return Services(db, Vault(ring), ConnectorRegistry([DemoBank(clock)]), directory, clock)
