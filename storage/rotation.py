"""Key rotation: every stored secret sealed again under the active key, the old bytes scrubbed.

`reseal_all` re-encrypts in one transaction (all or nothing); on SQLite, `secure_delete`
(storage/db.py) zeroes the freed space and a TRUNCATE checkpoint then empties the WAL, so
the old ciphertexts are gone from the database files. `KeyFileVault` follows its key file,
so a running bot picks up a rotated ring without a restart.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.secret import Secret
from storage.db import checkpoint_wal, is_sqlite
from storage.models import Connection
from storage.uow import Database
from storage.vault import KeyRing, Sealed, SecretSlot, Vault, VaultError

log = logging.getLogger(__name__)

CHECKPOINT_ATTEMPTS = 20
CHECKPOINT_PAUSE = 0.1


@dataclass(frozen=True)
class RotationReport:
    active_key: str
    resealed: int
    already_current: int
    by_old_key: dict[str, int] = field(default_factory=dict)
    left_under_old_keys: int = 0
    """Sealed meanwhile by a bot that had not seen the new key yet (run again to fix)."""
    wal_truncated: bool | None = None
    """SQLite: the WAL was emptied; None on PostgreSQL."""


async def reseal_all(db: Database, vault: Vault) -> RotationReport:
    """Re-encrypt every stored secret under the vault's active key, in one transaction.

    A secret that cannot be opened (its key is missing from the ring) stops everything:
    nothing is changed and the VaultError says which row.
    """
    active = vault.ring.active_id
    resealed, current = 0, 0
    by_old_key: Counter[str] = Counter()
    async with db.writing() as uow:
        rows = (
            await uow.session.execute(
                select(
                    Connection.id,
                    Connection.book_id,
                    Connection.secret_key_id,
                    Connection.secret_blob,
                )
                .where(Connection.secret_blob.is_not(None))
                .order_by(Connection.id)
                .with_for_update()
            )
        ).all()
        for row_id, book_id, key_id, blob in rows:
            slot = SecretSlot.of_connection(row_id, book_id)
            if key_id is None:
                raise VaultError(f"{slot.describe()} has a ciphertext but no key id")
            sealed = Sealed(key_id, blob)
            if not vault.needs_reseal(sealed):
                current += 1
                continue
            fresh = vault.reseal(sealed, slot)
            await uow.session.execute(
                update(Connection)
                .where(Connection.id == row_id)
                .values(secret_key_id=fresh.key_id, secret_blob=fresh.blob)
            )
            resealed += 1
            by_old_key[key_id] += 1
        await uow.commit()
    left = await count_under_old_keys(db, active)
    truncated = await truncate_wal(db.engine)
    return RotationReport(active, resealed, current, dict(by_old_key), left, truncated)


async def count_under_old_keys(db: Database, active_key: str) -> int:
    async with db.reading() as uow:
        found = await uow.session.scalar(
            select(func.count())
            .select_from(Connection)
            .where(Connection.secret_blob.is_not(None), Connection.secret_key_id != active_key)
        )
    return int(found or 0)


async def truncate_wal(engine: AsyncEngine) -> bool | None:
    """SQLite: copy the WAL into the database and empty it (old page images go with it).

    Returns whether the WAL was emptied (a busy reader can delay it; it is retried for a
    couple of seconds), or None on PostgreSQL.
    """
    if not is_sqlite(engine):
        return None
    for _attempt in range(CHECKPOINT_ATTEMPTS):
        if await checkpoint_wal(engine, "TRUNCATE"):
            return True
        await asyncio.sleep(CHECKPOINT_PAUSE)
    log.warning("the WAL could not be emptied: a reader kept it busy")
    return False


class KeyFileVault(Vault):
    """A vault on a key file that it follows: when the file changes (a rotation by another
    process), the next seal or open uses the new ring. A file that disappears or cannot be
    read leaves the keys in memory in use."""

    __slots__ = ("_path", "_stamp")

    def __init__(self, path: Path) -> None:
        self._path = Path(path)
        super().__init__(KeyRing.load_or_create(self._path))
        self._stamp = self._file_stamp()

    def _file_stamp(self) -> tuple[int, int, int] | None:
        try:
            info = os.stat(self._path)
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_size, info.st_ino)

    def _follow(self) -> None:
        stamp = self._file_stamp()
        if stamp is None or stamp == self._stamp:
            return
        try:
            ring = KeyRing.load_or_create(self._path)
        except VaultError as error:
            log.warning(
                "key file changed but cannot be used (%s); keeping the keys in memory", error
            )
            return
        Vault.__init__(self, ring)  # the ring is a Vault's only state
        self._stamp = stamp
        log.info("key file changed: active key %s", ring.active_id)

    def seal(self, secret: Secret, slot: SecretSlot) -> Sealed:
        self._follow()
        return super().seal(secret, slot)

    def open(self, sealed: Sealed, slot: SecretSlot) -> Secret:
        self._follow()
        return super().open(sealed, slot)

    def needs_reseal(self, sealed: Sealed) -> bool:
        self._follow()
        return super().needs_reseal(sealed)
