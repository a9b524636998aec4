"""`python -m bot rotate-keys`: a new active vault key, every secret re-encrypted under it;
`python -m bot stats`: the banks users asked for most."""

from __future__ import annotations

import asyncio
import base64
import secrets
import sys
from datetime import UTC, datetime
from typing import TextIO

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bot.config import Settings
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
