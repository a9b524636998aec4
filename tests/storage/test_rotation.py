"""Key rotation: every secret resealed under a new key, the old bytes gone from the files."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot.app import build_vault
from bot.config import Settings
from bot.domain.secret import Secret
from bot.domain.states import ConnectionStatus
from storage.db import make_engine
from storage.migrate import migrate_to_head
from storage.models import Book, Connection, User
from storage.rotation import KeyFileVault, reseal_all
from storage.uow import Database
from storage.vault import KeyRing, Sealed, SecretSlot, Vault, VaultError

SECRETS = ["demo:v1:alice:2027-02-26", "token-of-bob-ÉÀ", "consent-0042"]


def slot(connection: Connection) -> SecretSlot:
    return SecretSlot("connections", "secret_blob", connection.id, connection.book_id)


async def seed(db: Database, vault: Vault) -> list[bytes]:
    """Three connections in two books, each with a sealed secret; returns the ciphertexts."""
    blobs = []
    async with db.writing() as uow:
        users = [User(telegram_id=900 + n, chat_id=900 + n, language="fr") for n in range(2)]
        uow.session.add_all(users)
        books = [Book(name=f"b{n}", chart_template="fr_pcg") for n in range(2)]
        uow.session.add_all(books)
        await uow.flush()
        for n, secret in enumerate(SECRETS):
            connection = Connection(
                book_id=books[n % 2].id,
                user_id=users[n % 2].id,
                institution_id="demo",
                institution_name="Demo Bank",
                connector="demo",
                status=ConnectionStatus.ACTIVE,
            )
            uow.session.add(connection)
            await uow.flush()
            sealed = vault.seal(Secret(secret), slot(connection))
            connection.secret_key_id, connection.secret_blob = sealed.key_id, sealed.blob
            blobs.append(sealed.blob)
        uow.session.add(
            Connection(
                book_id=books[0].id,
                user_id=users[0].id,
                institution_id="demo",
                institution_name="Demo Bank",
                connector="demo",
                status=ConnectionStatus.DISCONNECTED,
            )
        )
        await uow.commit()
    return blobs


async def opened(db: Database, vault: Vault) -> list[str]:
    async with db.reading() as uow:
        rows = (
            await uow.session.scalars(
                select(Connection)
                .where(Connection.secret_blob.is_not(None))
                .order_by(Connection.id)
            )
        ).all()
    return [
        vault.open(Sealed(c.secret_key_id or "", c.secret_blob or b""), slot(c)).reveal()
        for c in rows
    ]


async def test_after_rotation_every_secret_opens_with_the_new_key_alone(db: Database) -> None:
    old = KeyRing.generate()
    await seed(db, Vault(old))
    ring = old.with_new_active_key()
    report = await reseal_all(db, Vault(ring))
    assert (report.resealed, report.already_current) == (3, 0)
    assert report.by_old_key == {old.active_id: 3} and report.left_under_old_keys == 0
    assert await opened(db, Vault(ring.without(old.active_id))) == SECRETS
    again = await reseal_all(db, Vault(ring))
    assert (again.resealed, again.already_current) == (0, 3)


async def test_a_secret_whose_key_is_missing_stops_the_rotation_and_changes_nothing(
    db: Database,
) -> None:
    first, second = KeyRing.generate(), KeyRing.generate()
    await seed(db, Vault(first))
    async with db.writing() as uow:  # one secret under a key the ring does not hold
        connection = await uow.session.get(Connection, 2)
        assert connection is not None
        sealed = Vault(second).seal(Secret("orphan"), slot(connection))
        connection.secret_key_id, connection.secret_blob = sealed.key_id, sealed.blob
        await uow.commit()
    with pytest.raises(VaultError, match=r"connections\.secret_blob row 2"):
        await reseal_all(db, Vault(first.with_new_active_key()))
    async with db.reading() as uow:
        keys = (await uow.session.scalars(select(Connection.secret_key_id))).all()
    assert keys.count(first.active_id) == 2


async def test_rotated_away_ciphertexts_are_gone_from_the_sqlite_files(tmp_path: Path) -> None:
    db = Database(make_engine(f"sqlite:///{tmp_path / 'pointage.db'}"))
    await migrate_to_head(db.engine)
    old = KeyRing.generate()
    blobs = await seed(db, Vault(old))
    async with db.engine.connect() as conn:  # the old bytes reach the database file itself
        await conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
    files = [tmp_path / f"pointage.db{suffix}" for suffix in ("", "-wal", "-shm")]
    assert all(any(blob in path.read_bytes() for path in files) for blob in blobs)

    report = await reseal_all(db, Vault(old.with_new_active_key()))
    assert report.wal_truncated is True
    for path in files:
        content = path.read_bytes() if path.exists() else b""
        for blob in blobs:
            assert blob not in content and blob[12:] not in content, path.name
    assert (tmp_path / "pointage.db-wal").stat().st_size == 0
    await db.dispose()


def test_a_vault_on_a_key_file_follows_the_file(tmp_path: Path) -> None:
    path = tmp_path / "vault.keys"
    vault = KeyFileVault(path)
    first = vault.ring.active_id
    where = SecretSlot("connections", "secret_blob", 1, 1)
    before = vault.seal(Secret("s"), where)
    KeyRing.load_or_create(path).with_new_active_key().save(path)
    after = vault.seal(Secret("s"), where)
    assert before.key_id == first and after.key_id != first
    assert vault.open(before, where) == vault.open(after, where) == Secret("s")
    path.unlink()  # a vanished file leaves the keys in memory in use
    assert vault.open(after, where) == Secret("s")


def test_the_bot_follows_its_key_file_but_not_vault_keys(tmp_path: Path) -> None:
    def settings(**values: str) -> Settings:
        return Settings(_env_file=None, data_dir=tmp_path, **values)  # type: ignore[call-arg,arg-type]

    assert isinstance(build_vault(settings()), KeyFileVault)
    assert not isinstance(build_vault(settings(vault_keys="k1:" + "B" * 43 + "=")), KeyFileVault)


# --- the command ------------------------------------------------------------------------------


async def rotate_keys(data_dir: Path, *args: str, **env: str) -> tuple[int, str, str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "DATABASE_", "VAULT_", "PUBLIC_", "WEBHOOK_"))
    }
    environment.update({"DATA_DIR": str(data_dir), "LOG_LEVEL": "WARNING", **env})
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "rotate-keys",
        *args,
        cwd=str(data_dir.parent),
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, out.decode(), err.decode()


async def seeded_database(data_dir: Path, ring: KeyRing) -> Database:
    db = Database(make_engine(f"sqlite:///{data_dir / 'pointage.db'}"))
    await migrate_to_head(db.engine)
    await seed(db, Vault(ring))
    return db


async def test_rotate_keys_adds_a_key_to_the_key_file_and_reseals(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    old = KeyRing.load_or_create(data_dir / "vault.keys")
    db = await seeded_database(data_dir, old)
    code, out, err = await rotate_keys(data_dir)
    assert code == 0, err
    ring = KeyRing.load_or_create(data_dir / "vault.keys")
    assert ring.ids[1:] == [old.active_id] and ring.active_id in out
    assert "Re-encrypted 3 secret(s)" in out and "gone" in out
    assert await opened(db, Vault(ring.without(old.active_id))) == SECRETS
    assert (data_dir / "vault.keys").stat().st_mode & 0o077 == 0
    await db.dispose()


async def test_rotate_keys_with_vault_keys_prints_the_new_value(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    old_spec = "k1:" + "B" * 43 + "="
    db = await seeded_database(data_dir, KeyRing.parse(old_spec))
    code, out, err = await rotate_keys(data_dir, VAULT_KEYS=old_spec)
    assert code == 0, err
    found = re.search(r"^VAULT_KEYS=(\S+)$", out, re.MULTILINE)
    assert found is not None and found.group(1).endswith("," + old_spec)
    ring = KeyRing.parse(found.group(1))
    assert await opened(db, Vault(ring.without("k1"))) == SECRETS
    assert not (data_dir / "vault.keys").exists()
    assert old_spec not in err and ring.active_id not in err

    code, out, _ = await rotate_keys(data_dir, "--reseal-only", VAULT_KEYS=found.group(1))
    assert code == 0 and "Re-encrypted 0 secret(s)" in out and "3 already" in out
    async with db.engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM connections")) == 4
    await db.dispose()
