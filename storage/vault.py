"""Secrets at rest: AES-GCM bound to where each ciphertext lives, under a rotating key ring.

Each secret (bank credentials, a token, a consent id) is sealed with AES-256-GCM under the
ring's active key. The associated data names the table, column, row id and book id the
ciphertext belongs to, so a ciphertext copied to another row, column, table or book does not
open. The key id is stored beside each ciphertext (``Sealed.key_id``): a new key becomes
active at once and old ciphertexts keep opening with their own key until they are resealed.

Nothing here ever puts plaintext or key material in a message, a repr or a traceback.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import re
import secrets
import stat
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bot.domain.secret import Secret

__all__ = ["KeyRing", "Sealed", "SecretSlot", "Vault", "VaultError"]

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
# Version of the associated-data layout; bump it (and keep reading the old one) if it changes.
AAD_VERSION = 1

_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
_KEY_FILE_HEADER = (
    "# Pointage vault keys: one 'id:base64key' a line, the first is active.\n"
    "# Keep this file private (mode 0600) and back it up: without it secrets cannot be read.\n"
)


class VaultError(Exception):
    """A secret could not be sealed or opened, or the key ring is unusable.

    Messages say what is wrong and what to do; they never hold plaintext or key material.
    """


@dataclass(frozen=True, slots=True, repr=False)
class Sealed:
    """A sealed secret as stored: the id of the key that sealed it and nonce || ciphertext+tag."""

    key_id: str
    blob: bytes

    def __post_init__(self) -> None:
        # Database drivers may hand back memoryview or bytearray for binary columns.
        blob: object = self.blob
        if isinstance(blob, bytearray | memoryview):
            object.__setattr__(self, "blob", bytes(blob))
        elif not isinstance(blob, bytes):
            raise VaultError(f"sealed blob must be bytes, not {type(blob).__name__}")
        if not isinstance(self.key_id, str):
            raise VaultError(f"sealed key id must be a str, not {type(self.key_id).__name__}")

    def __repr__(self) -> str:
        return f"Sealed(key_id={self.key_id!r}, blob=<{len(self.blob)} bytes>)"


@dataclass(frozen=True, slots=True)
class SecretSlot:
    """Where a ciphertext lives; it becomes the associated data of the seal."""

    table: str
    column: str
    row_id: int
    book_id: int

    def __post_init__(self) -> None:
        for name in ("table", "column"):
            value: object = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise VaultError(f"secret slot needs a non-empty {name} name")
        for name in ("row_id", "book_id"):
            number: object = getattr(self, name)
            if isinstance(number, bool) or not isinstance(number, int) or number <= 0:
                hint = ": flush the row first so its id exists" if name == "row_id" else ""
                raise VaultError(
                    f"secret slot for {self.table}.{self.column} needs a positive {name}, "
                    f"got {number!r}{hint}"
                )

    @classmethod
    def of_flow(cls, telegram_id: int) -> SecretSlot:
        """A sign-in flow's kept consent, bound to its user (the flow has no book row yet)."""
        return cls("ptb_state", "connect_flow", telegram_id, telegram_id)

    @classmethod
    def of_connection(cls, connection_id: int, book_id: int) -> SecretSlot:
        """A connection's sign-in secret: opened anywhere else, it fails."""
        return cls("connections", "secret_blob", connection_id, book_id)

    def describe(self) -> str:
        return f"{self.table}.{self.column} row {self.row_id}"

    def associated_data(self, key_id: str) -> bytes:
        """The unambiguous encoding authenticated with the ciphertext (canonical JSON)."""
        return json.dumps(
            {
                "v": AAD_VERSION,
                "table": self.table,
                "column": self.column,
                "row": self.row_id,
                "book": self.book_id,
                "key": key_id,
            },
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=True,
        ).encode("ascii")


def _new_key_id(taken: set[str]) -> str:
    while True:
        key_id = f"k{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(3)}"
        if key_id not in taken:
            return key_id


def _decode_key(text: str, key_id: str, source: str) -> bytes:
    """Standard or URL-safe base64, padding optional. Errors never quote the key."""
    cleaned = "".join(text.split()).replace("-", "+").replace("_", "/")
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        key = base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        raise VaultError(f"{source}: key {key_id!r} is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise VaultError(
            f"{source}: key {key_id!r} is {len(key)} bytes; vault keys are "
            f"{KEY_BYTES} bytes (256 bits)"
        )
    return key


def _parse_entries(text: str, source: str) -> list[tuple[str, bytes]]:
    """Parse 'id:base64key' entries split by commas and/or newlines; '#' starts a comment."""
    keys: list[tuple[str, bytes]] = []
    position = 0
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for raw in line.split(","):
            entry = raw.strip()
            if not entry:
                continue
            position += 1
            key_id, colon, encoded = entry.partition(":")
            key_id = key_id.strip()
            if not colon or not encoded.strip():
                raise VaultError(f"{source}: entry {position} is not in the form 'id:base64key'")
            if not _KEY_ID.fullmatch(key_id):
                raise VaultError(
                    f"{source}: entry {position} has an invalid key id: "
                    "use 1 to 32 letters, digits, '_' or '-'"
                )
            keys.append((key_id, _decode_key(encoded, key_id, source)))
    if not keys:
        raise VaultError(f"{source} holds no keys: expected 'id:base64key,id2:base64key'")
    return keys


class KeyRing:
    """Named AES-256 keys; the first is active (seals), all of them open."""

    __slots__ = ("_ciphers", "_ids", "_keys")

    def __init__(self, keys: list[tuple[str, bytes]]) -> None:
        if not keys:
            raise VaultError("a key ring needs at least one key")
        ids: list[str] = []
        stored: dict[str, bytes] = {}
        for key_id, key in keys:
            if not isinstance(key_id, str) or not _KEY_ID.fullmatch(key_id):
                # The id is not echoed: a confused caller may have passed key text as an id.
                raise VaultError(
                    f"key {len(ids) + 1} of the ring has an invalid id: "
                    "use 1 to 32 letters, digits, '_' or '-'"
                )
            if key_id in stored:
                raise VaultError(f"duplicate key id {key_id!r} in the key ring")
            if not isinstance(key, bytes | bytearray) or len(key) != KEY_BYTES:
                size = f"{len(key)} bytes" if isinstance(key, bytes | bytearray) else "not bytes"
                raise VaultError(
                    f"key {key_id!r} is {size}; vault keys are {KEY_BYTES} bytes (256 bits)"
                )
            ids.append(key_id)
            stored[key_id] = bytes(key)
        self._ids: tuple[str, ...] = tuple(ids)
        self._keys: dict[str, bytes] = stored
        self._ciphers: dict[str, AESGCM] = {k: AESGCM(v) for k, v in stored.items()}

    @classmethod
    def generate(cls) -> KeyRing:
        """A ring holding one fresh random key."""
        return cls([(_new_key_id(set()), AESGCM.generate_key(bit_length=256))])

    @classmethod
    def parse(cls, spec: str) -> KeyRing:
        """Read the VAULT_KEYS format ``id:base64key,id2:base64key``; the first is active."""
        return cls(_parse_entries(spec, "VAULT_KEYS"))

    @classmethod
    def load_or_create(cls, path: Path) -> KeyRing:
        """Load the key file, or create it (0600, parent directory 0700) with one fresh key.

        A key file that group or others may access is refused, like ssh does.
        """
        path = Path(path)
        try:
            return cls._load(path)
        except FileNotFoundError:
            pass
        ring = cls.generate()
        ring._write(path, exclusive=True)
        # Another process may have won the race to create it: whatever is on disk is the truth.
        return cls._load(path)

    @classmethod
    def _load(cls, path: Path) -> KeyRing:
        # Symlinks are followed (secret mounts use them); the target's mode is what is checked.
        flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(path, flags)
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise VaultError(f"cannot read key file {path}: {exc.strerror}") from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise VaultError(f"key file {path} is not a regular file")
            mode = stat.S_IMODE(info.st_mode)
            if os.name == "posix" and mode & 0o077:
                raise VaultError(
                    f"key file {path} is accessible by group or others (mode {mode:04o}): "
                    f"run 'chmod 600 {path}' and start again"
                )
        except BaseException:
            os.close(fd)
            raise
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise VaultError(f"key file {path} is not UTF-8 text") from None
        return cls(_parse_entries(text, f"key file {path}"))

    def with_new_active_key(self) -> KeyRing:
        """A copy of this ring with a fresh random key prepended as the active one."""
        new_id = _new_key_id(set(self._ids))
        new_key = AESGCM.generate_key(bit_length=256)
        return KeyRing([(new_id, new_key), *((k, self._keys[k]) for k in self._ids)])

    def without(self, key_id: str) -> KeyRing:
        """A copy of this ring without a retired key (once nothing is sealed with it)."""
        if key_id not in self._keys:
            raise VaultError(f"unknown key id {key_id[:40]!r}")
        if key_id == self.active_id:
            raise VaultError(f"key {key_id!r} is the active key and cannot be removed")
        return KeyRing([(k, self._keys[k]) for k in self._ids if k != key_id])

    def save(self, path: Path) -> None:
        """Write the ring to a key file atomically, mode 0600 (parent directory created 0700)."""
        self._write(Path(path), exclusive=False)

    def _serialize(self) -> bytes:
        lines = [
            f"{key_id}:{base64.b64encode(self._keys[key_id]).decode('ascii')}\n"
            for key_id in self._ids
        ]
        return (_KEY_FILE_HEADER + "".join(lines)).encode("ascii")

    def _write(self, path: Path, *, exclusive: bool) -> None:
        directory = path.parent
        try:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
        except OSError as exc:
            raise VaultError(f"cannot write key file {path}: {exc.strerror}") from None
        temp = Path(temp_name)
        try:
            with os.fdopen(fd, "wb") as handle:
                os.fchmod(handle.fileno(), 0o600)
                handle.write(self._serialize())
                handle.flush()
                os.fsync(handle.fileno())
            if exclusive:
                try:
                    os.link(temp, path)  # atomic, and fails if the file appeared meanwhile
                except FileExistsError:
                    return
                except OSError:  # a file system without hard links
                    _create_exclusive(path, self._serialize())
            else:
                os.replace(temp, path)
            _fsync_directory(directory)
        except OSError as exc:
            raise VaultError(f"cannot write key file {path}: {exc.strerror}") from None
        finally:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()

    @property
    def active_id(self) -> str:
        return self._ids[0]

    @property
    def ids(self) -> list[str]:
        return list(self._ids)

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._keys

    def __len__(self) -> int:
        return len(self._ids)

    def _cipher(self, key_id: str) -> AESGCM | None:
        return self._ciphers.get(key_id)

    def __repr__(self) -> str:
        return f"KeyRing(active={self.active_id!r}, ids={list(self._ids)!r})"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("a KeyRing cannot be pickled: it holds key material")


def _create_exclusive(path: Path, content: bytes) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_directory(directory: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Vault:
    """Seals and opens secrets with a key ring, binding each to its slot."""

    __slots__ = ("_ring",)

    def __init__(self, ring: KeyRing) -> None:
        self._ring = ring

    @property
    def ring(self) -> KeyRing:
        return self._ring

    def seal(self, secret: Secret, slot: SecretSlot) -> Sealed:
        if not isinstance(secret, Secret):
            raise VaultError(f"seal takes a Secret, not {type(secret).__name__}")
        key_id = self._ring.active_id
        cipher = self._ring._cipher(key_id)
        assert cipher is not None
        nonce = os.urandom(NONCE_BYTES)
        plaintext = secret.reveal().encode("utf-8")
        ciphertext = cipher.encrypt(nonce, plaintext, slot.associated_data(key_id))
        return Sealed(key_id=key_id, blob=nonce + ciphertext)

    def open(self, sealed: Sealed, slot: SecretSlot) -> Secret:
        cipher = self._ring._cipher(sealed.key_id)
        if cipher is None:
            raise VaultError(
                f"unknown key id {sealed.key_id[:40]!r}: add it to VAULT_KEYS or the key file "
                f"to open the secret in {slot.describe()}"
            )
        failure = f"secret could not be decrypted for {slot.describe()}"
        blob = sealed.blob
        if len(blob) < NONCE_BYTES + TAG_BYTES:
            raise VaultError(failure)
        try:
            plaintext = cipher.decrypt(
                blob[:NONCE_BYTES], blob[NONCE_BYTES:], slot.associated_data(sealed.key_id)
            )
            return Secret(plaintext.decode("utf-8"))
        except (InvalidTag, UnicodeDecodeError):
            raise VaultError(failure) from None

    def reseal(self, sealed: Sealed, slot: SecretSlot) -> Sealed:
        """Open with the key that sealed it and seal again with the active key (rotation)."""
        return self.seal(self.open(sealed, slot), slot)

    def needs_reseal(self, sealed: Sealed) -> bool:
        return sealed.key_id != self._ring.active_id

    def __repr__(self) -> str:
        return f"Vault({self._ring!r})"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Vault cannot be pickled: it holds key material")
