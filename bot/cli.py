"""`python -m bot rotate-keys`: a new active vault key, every secret re-encrypted under it;
`python -m bot stats`: the banks users asked for most; `python -m bot check-providers`: each
configured bank provider tried once."""

from __future__ import annotations

import asyncio
import base64
import logging
import secrets
import sys
from datetime import UTC, datetime
from typing import TextIO

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bot.banks.connector import (
    BankUnavailable,
    ConnectorError,
    ConnectorRegistry,
    guarded,
    set_call_timeout,
)
from bot.banks.registry import (
    Provider,
    ProviderSetupError,
    checkable,
    close_connectors,
    configured_providers,
)
from bot.config import Settings
from bot.domain.clock import Clock, SystemClock
from bot.services.requests import most_requested
from storage.db import make_engine
from storage.migrate import migrate_to_head
from storage.rotation import RotationReport, reseal_all
from storage.uow import Database
from storage.vault import KeyRing, Vault, VaultError


def new_key_entry(taken: list[str]) -> str:
    """A fresh 'id:base64key' entry whose id is not in `taken`."""
    while True:
        key_id = f"k{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(3)}"
        if key_id not in taken:
            break
    key = base64.b64encode(AESGCM.generate_key(bit_length=256)).decode("ascii")
    return f"{key_id}:{key}"


def _compact(spec: str) -> str:
    """VAULT_KEYS as one line: entries joined by commas, comments and blanks dropped."""
    entries: list[str] = []
    for line in spec.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            entries.extend(e.strip() for e in line.split(",") if e.strip())
    return ",".join(entries)


async def rotate_keys(
    settings: Settings, *, add_key: bool = True, out: TextIO = sys.stdout
) -> RotationReport:
    """Add a new active key (unless `add_key` is False), then reseal every secret under it.

    The new ring is made durable *before* any secret depends on it: written to the key file,
    or printed as the VAULT_KEYS value to set.
    """
    old_ids: list[str]
    if settings.vault_keys is not None:
        spec = _compact(settings.vault_keys.get_secret_value())
        ring = KeyRing.parse(spec)
        old_ids = ring.ids
        if add_key:
            spec = f"{new_key_entry(old_ids)},{spec}"
            ring = KeyRing.parse(spec)
            print(
                "Set VAULT_KEYS to this value (it keeps the old keys after the new one):", file=out
            )
            print(f"VAULT_KEYS={spec}", file=out)
            out.flush()
    else:
        path = settings.resolved_vault_key_file
        ring = KeyRing.load_or_create(path)
        old_ids = ring.ids
        if add_key:
            ring = ring.with_new_active_key()
            ring.save(path)
            print(f"New active key {ring.active_id} added to {path}.", file=out)

    db = Database(make_engine(settings.resolved_database_url))
    try:
        await migrate_to_head(db.engine)
        report = await reseal_all(db, Vault(ring))
    finally:
        await db.dispose()
    _print_report(report, settings, [k for k in old_ids if k != ring.active_id], out)
    return report


def _print_report(
    report: RotationReport, settings: Settings, old_ids: list[str], out: TextIO
) -> None:
    moved = ", ".join(f"{n} from {key}" for key, n in sorted(report.by_old_key.items()))
    print(
        f"Re-encrypted {report.resealed} secret(s) under {report.active_key}"
        + (f" ({moved})" if moved else "")
        + f"; {report.already_current} already under it.",
        file=out,
    )
    if report.wal_truncated:
        print("SQLite WAL checkpointed and emptied: the old ciphertexts are gone.", file=out)
    elif report.wal_truncated is False:
        print("The SQLite WAL was busy: run this again when the bot is idle.", file=out)
    if report.left_under_old_keys:
        print(
            f"{report.left_under_old_keys} secret(s) were sealed meanwhile under an old key: "
            "run `python -m bot rotate-keys --reseal-only` before removing old keys.",
            file=out,
        )
        return
    if not old_ids:
        return
    where = (
        "VAULT_KEYS" if settings.vault_keys is not None else str(settings.resolved_vault_key_file)
    )
    print(f"No stored secret needs {', '.join(old_ids)} any more.", file=out)
    if settings.vault_keys is not None:
        print(
            "Restart every instance with the new VAULT_KEYS: until then, an instance on the "
            "old value cannot open the re-encrypted secrets. If any ran during the rotation, "
            "run `python -m bot rotate-keys --reseal-only` after the restart; then the old "
            f"keys can be removed from {where}.",
            file=out,
        )
    else:
        print(
            "Running bots use the new key file at once. Old keys can be removed from "
            f"{where} (keep a backup of the file until you have checked).",
            file=out,
        )


def rotate_keys_command(settings: Settings, *, add_key: bool) -> int:
    try:
        report = asyncio.run(rotate_keys(settings, add_key=add_key))
    except VaultError as error:
        print(f"Key rotation failed, no secret was changed: {error}", file=sys.stderr)
        return 1
    return 0 if report.left_under_old_keys == 0 else 1


async def stats(settings: Settings, out: TextIO = sys.stdout, limit: int = 20) -> int:
    """Print the most requested banks, with how many users asked for each; the count."""
    db = Database(make_engine(settings.resolved_database_url))
    try:
        await migrate_to_head(db.engine)
        ranked = await most_requested(db, limit)
    finally:
        await db.dispose()
    if not ranked:
        print("No bank requested yet.", file=out)
        return 0
    print(f"{'users':>5}  {'asks':>5}  bank", file=out)
    for bank in ranked:
        print(f"{bank.users:>5}  {bank.requests:>5}  {bank.name}", file=out)
    return len(ranked)


def stats_command(settings: Settings) -> int:
    asyncio.run(stats(settings))
    return 0


async def check_providers(
    settings: Settings, out: TextIO | None = None, *, clock: Clock | None = None
) -> int:
    """Call each configured provider's check() once and print one line for each: OK and
    what it said, or what is wrong. 0 when all are OK (or none is configured), else 1."""
    out = out or sys.stdout
    set_call_timeout(settings.bank_call_timeout_s)
    providers = configured_providers(settings, clock or SystemClock())
    if not providers:
        print(
            "No bank provider is configured (see .env.example: Enable Banking, GoCardless, "
            "SimpleFIN). Bank files and the demo bank work without one.",
            file=out,
        )
        return 0
    width = max(len(p.name) for p in providers)
    failures = 0
    for provider in providers:
        with _OperatorLines() as told:
            said = await _check(provider, told)
        failures += said.startswith("FAILED")
        print(f"{provider.name:<{width}}  {said}", file=out)
    return 1 if failures else 0


async def _check(provider: Provider, told: _OperatorLines) -> str:
    try:
        connector = provider.build()
    except ProviderSetupError as error:
        return f"FAILED  {error}"
    try:
        found = checkable([connector])
        if not found:
            return f"OK  {provider.label}: nothing to check before a user connects"
        summary = await guarded(provider.name, found[0].check)
        return f"OK  {summary}"
    except ConnectorError as error:
        return f"FAILED  {_trouble(error, provider, told.lines)} [{error.code}]"
    finally:
        await close_connectors(ConnectorRegistry([connector]))


def _trouble(error: ConnectorError, provider: Provider, told: list[str]) -> str:
    """What the connector told the operator (its refusals name their fix, never a secret),
    else its error's own words."""
    if told:
        return " ".join(told)
    text = str(error).removeprefix(f"{provider.name}: ").strip()
    if isinstance(error, BankUnavailable) and text in ("", provider.name):
        text = "no answer in time, or an unexpected failure"
    return f"{provider.label}: {text or error.code}"


class _OperatorLines(logging.Handler):
    """The connectors' warnings during one check (they explain a refusal and its fix): kept
    for the provider's line rather than logged apart."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []
        self._logger = logging.getLogger("bot.banks")
        self._propagated = self._logger.propagate

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())

    def __enter__(self) -> _OperatorLines:
        self._logger.addHandler(self)
        self._logger.propagate = False
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._logger.removeHandler(self)
        self._logger.propagate = self._propagated


def check_providers_command(settings: Settings) -> int:
    return asyncio.run(check_providers(settings))
