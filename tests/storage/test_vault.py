"""Secrets at rest: sealing, binding to the slot, key rings, key files and rotation."""

from __future__ import annotations

import base64
import os
import pickle
import stat
from pathlib import Path

import pytest

from bot.domain.secret import Secret
from storage.vault import KeyRing, Sealed, SecretSlot, Vault, VaultError

KEY_A = bytes(range(32))
KEY_B = bytes(range(100, 132))
KEY_A_B64 = base64.b64encode(KEY_A).decode()
KEY_B_B64 = base64.b64encode(KEY_B).decode()

SLOT = SecretSlot(table="connections", column="secret", row_id=7, book_id=3)


def vault_ab() -> Vault:
    return Vault(KeyRing([("a", KEY_A), ("b", KEY_B)]))


def key_texts(*keys: bytes) -> list[str]:
    """Every form a key could leak in: raw, hex, standard and URL-safe base64."""
    texts: list[str] = []
    for key in keys:
        texts += [
            repr(key),
            key.hex(),
            base64.b64encode(key).decode(),
            base64.urlsafe_b64encode(key).decode(),
        ]
    return texts


# --- seal / open -------------------------------------------------------------


def test_sealed_secret_opens_in_its_slot() -> None:
    vault = vault_ab()
    sealed = vault.seal(Secret("user=alice;password=hunter2"), SLOT)
    assert sealed.key_id == "a"
    assert vault.open(sealed, SLOT) == Secret("user=alice;password=hunter2")


def test_non_ascii_and_empty_secrets_round_trip() -> None:
    vault = vault_ab()
    for text in ("mot de passe: ça-marche-€", ""):
        assert vault.open(vault.seal(Secret(text), SLOT), SLOT).reveal() == text


def test_blob_is_nonce_then_ciphertext_and_tag() -> None:
    sealed = vault_ab().seal(Secret("hunter2"), SLOT)
    assert len(sealed.blob) == 12 + len(b"hunter2") + 16
    assert b"hunter2" not in sealed.blob


def test_same_secret_sealed_twice_gives_different_blobs() -> None:
    vault = vault_ab()
    first = vault.seal(Secret("hunter2"), SLOT)
    second = vault.seal(Secret("hunter2"), SLOT)
    assert first.blob != second.blob
    assert first.blob[:12] != second.blob[:12]


def test_secret_moved_to_another_row_does_not_open() -> None:
    vault = vault_ab()
    sealed = vault.seal(Secret("hunter2"), SLOT)
    with pytest.raises(
        VaultError, match=r"^secret could not be decrypted for connections\.secret row 8$"
    ):
        vault.open(sealed, SecretSlot("connections", "secret", row_id=8, book_id=3))


def test_secret_moved_to_another_column_does_not_open() -> None:
    vault = vault_ab()
    sealed = vault.seal(Secret("hunter2"), SLOT)
    with pytest.raises(VaultError, match=r"connections\.refresh_token row 7"):
        vault.open(sealed, SecretSlot("connections", "refresh_token", row_id=7, book_id=3))


def test_secret_moved_to_another_table_does_not_open() -> None:
    vault = vault_ab()
    sealed = vault.seal(Secret("hunter2"), SLOT)
    with pytest.raises(VaultError, match=r"bank_accounts\.secret row 7"):
        vault.open(sealed, SecretSlot("bank_accounts", "secret", row_id=7, book_id=3))


def test_secret_moved_to_another_book_does_not_open() -> None:
    vault = vault_ab()
    sealed = vault.seal(Secret("hunter2"), SLOT)
    with pytest.raises(VaultError, match=r"could not be decrypted for connections\.secret row 7"):
        vault.open(sealed, SecretSlot("connections", "secret", row_id=7, book_id=4))


def test_slot_fields_are_not_confused_by_separators() -> None:
    vault = vault_ab()
    sealed = vault.seal(Secret("hunter2"), SecretSlot("a.b", "c", row_id=1, book_id=1))
    with pytest.raises(VaultError):
        vault.open(sealed, SecretSlot("a", "b.c", row_id=1, book_id=1))
    sealed = vault.seal(Secret("hunter2"), SecretSlot("t", "c", row_id=12, book_id=3))
    with pytest.raises(VaultError):
        vault.open(sealed, SecretSlot("t", "c", row_id=1, book_id=23))


def test_tampered_blob_does_not_open() -> None:
    vault = vault_ab()
    sealed = vault.seal(Secret("hunter2"), SLOT)
    for index in (0, 12, len(sealed.blob) - 1):
        flipped = bytearray(sealed.blob)
        flipped[index] ^= 0x01
        with pytest.raises(VaultError, match="secret could not be decrypted"):
            vault.open(Sealed(sealed.key_id, bytes(flipped)), SLOT)


def test_truncated_blob_does_not_open() -> None:
    vault = vault_ab()
    sealed = vault.seal(Secret("hunter2"), SLOT)
    for blob in (b"", sealed.blob[:20], sealed.blob[:-1]):
        with pytest.raises(VaultError, match="secret could not be decrypted"):
            vault.open(Sealed(sealed.key_id, blob), SLOT)


def test_blob_relabelled_with_another_known_key_id_does_not_open() -> None:
    vault = vault_ab()
    sealed = vault.seal(Secret("hunter2"), SLOT)
    with pytest.raises(VaultError, match="secret could not be decrypted"):
        vault.open(Sealed("b", sealed.blob), SLOT)


def test_unknown_key_id_names_the_id_and_says_what_to_do() -> None:
    sealed = vault_ab().seal(Secret("hunter2"), SLOT)
    other = Vault(KeyRing([("c", KEY_B)]))
    with pytest.raises(VaultError) as caught:
        other.open(sealed, SLOT)
    message = str(caught.value)
    assert message.startswith("unknown key id 'a': add it to VAULT_KEYS")
    for text in [*key_texts(KEY_A, KEY_B), "hunter2"]:
        assert text not in message


def test_decryption_error_hides_plaintext_and_cause() -> None:
    vault = vault_ab()
    sealed = vault.seal(Secret("hunter2"), SLOT)
    with pytest.raises(VaultError) as caught:
        vault.open(sealed, SecretSlot("connections", "secret", row_id=7, book_id=99))
    assert "hunter2" not in str(caught.value)
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


def test_memoryview_blob_from_a_database_driver_is_accepted() -> None:
    vault = vault_ab()
    sealed = vault.seal(Secret("hunter2"), SLOT)
    from_db = Sealed(sealed.key_id, memoryview(sealed.blob))  # type: ignore[arg-type]
    assert vault.open(from_db, SLOT).reveal() == "hunter2"


def test_seal_refuses_a_plain_string() -> None:
    with pytest.raises(VaultError, match="seal takes a Secret, not str"):
        vault_ab().seal("hunter2", SLOT)  # type: ignore[arg-type]


def test_slot_without_a_flushed_row_id_is_refused() -> None:
    with pytest.raises(VaultError, match=r"positive row_id.*flush the row first"):
        SecretSlot("connections", "secret", row_id=None, book_id=3)  # type: ignore[arg-type]
    with pytest.raises(VaultError, match="positive book_id"):
        SecretSlot("connections", "secret", row_id=1, book_id=0)
    with pytest.raises(VaultError, match="non-empty table"):
        SecretSlot("", "secret", row_id=1, book_id=1)


# --- reprs -------------------------------------------------------------------


def test_reprs_hold_no_key_material_or_plaintext() -> None:
    vault = vault_ab()
    sealed = vault.seal(Secret("hunter2"), SLOT)
    shown = " ".join([repr(vault.ring), str(vault.ring), repr(vault), str(vault), repr(sealed)])
    for text in [*key_texts(KEY_A, KEY_B), "hunter2"]:
        assert text not in shown
    assert repr(vault.ring) == "KeyRing(active='a', ids=['a', 'b'])"
    assert repr(sealed) == f"Sealed(key_id='a', blob=<{len(sealed.blob)} bytes>)"


def test_ring_and_vault_refuse_to_be_pickled() -> None:
    vault = vault_ab()
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(vault.ring)
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(vault)


# --- KeyRing -----------------------------------------------------------------


def test_ring_first_key_is_active() -> None:
    ring = KeyRing([("b", KEY_B), ("a", KEY_A)])
    assert ring.active_id == "b"
    assert ring.ids == ["b", "a"]


def test_ring_refuses_duplicate_ids_bad_sizes_bad_ids_and_emptiness() -> None:
    with pytest.raises(VaultError, match="duplicate key id 'a'"):
        KeyRing([("a", KEY_A), ("a", KEY_B)])
    with pytest.raises(VaultError, match="16 bytes; vault keys are 32 bytes"):
        KeyRing([("a", KEY_A[:16])])
    with pytest.raises(VaultError, match="invalid id"):
        KeyRing([("has space", KEY_A)])
    with pytest.raises(VaultError, match="invalid id"):
        KeyRing([("x" * 33, KEY_A)])
    with pytest.raises(VaultError, match="at least one key"):
        KeyRing([])


def test_parse_reads_standard_and_urlsafe_base64_first_is_active() -> None:
    urlsafe_unpadded = base64.urlsafe_b64encode(KEY_B).decode().rstrip("=")
    ring = KeyRing.parse(f" k2026-01:{KEY_A_B64} , old_1:{urlsafe_unpadded},")
    assert ring.active_id == "k2026-01"
    assert ring.ids == ["k2026-01", "old_1"]
    sealed = Vault(KeyRing([("old_1", KEY_B)])).seal(Secret("hunter2"), SLOT)
    assert Vault(ring).open(sealed, SLOT).reveal() == "hunter2"


def test_parse_refuses_bad_specs_without_echoing_them() -> None:
    bad_specs = {
        "": "holds no keys",
        " , ": "holds no keys",
        KEY_A_B64: "entry 1 is not in the form 'id:base64key'",
        f"a:{KEY_A_B64},b:": "entry 2 is not in the form",
        f"a b:{KEY_A_B64}": "entry 1 has an invalid key id",
        "a:not*base64!": "key 'a' is not valid base64",
        f"a:{base64.b64encode(KEY_A[:16]).decode()}": "key 'a' is 16 bytes",
        f"a:{KEY_A_B64},a:{KEY_B_B64}": "duplicate key id 'a'",
    }
    for spec, expected in bad_specs.items():
        with pytest.raises(VaultError) as caught:
            KeyRing.parse(spec)
        message = str(caught.value)
        assert expected in message, spec
        for text in key_texts(KEY_A, KEY_B):
            assert text not in message


# --- key file ----------------------------------------------------------------


def test_load_or_create_creates_a_private_key_file_and_its_directory(tmp_path: Path) -> None:
    path = tmp_path / "data" / "vault.keys"
    ring = KeyRing.load_or_create(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(ring.ids) == 1
    assert ring.ids == [ring.active_id]
    assert f"{ring.active_id}:" in path.read_text()
    assert [p.name for p in path.parent.iterdir()] == ["vault.keys"]  # no temp file left


def test_load_or_create_reloads_the_same_key(tmp_path: Path) -> None:
    path = tmp_path / "vault.keys"
    first = Vault(KeyRing.load_or_create(path))
    sealed = first.seal(Secret("hunter2"), SLOT)
    second = Vault(KeyRing.load_or_create(path))
    assert second.ring.ids == first.ring.ids
    assert second.open(sealed, SLOT).reveal() == "hunter2"


def test_load_or_create_refuses_a_key_file_others_can_read(tmp_path: Path) -> None:
    path = tmp_path / "vault.keys"
    path.write_text(f"a:{KEY_A_B64}\n")
    os.chmod(path, 0o644)
    with pytest.raises(VaultError) as caught:
        KeyRing.load_or_create(path)
    message = str(caught.value)
    assert "accessible by group or others (mode 0644)" in message
    assert f"chmod 600 {path}" in message
    assert KEY_A_B64 not in message
    assert path.read_text() == f"a:{KEY_A_B64}\n"  # left untouched


def test_load_or_create_reads_comma_or_line_separated_files_with_comments(
    tmp_path: Path,
) -> None:
    path = tmp_path / "vault.keys"
    path.write_text(f"# rotated in March\nnew:{KEY_B_B64}\n\nold:{KEY_A_B64}, \n")
    os.chmod(path, 0o600)
    assert KeyRing.load_or_create(path).ids == ["new", "old"]
    path.write_text(f"new:{KEY_B_B64},old:{KEY_A_B64}")
    assert KeyRing.load_or_create(path).ids == ["new", "old"]


def test_load_or_create_refuses_an_empty_key_file_rather_than_replacing_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "vault.keys"
    path.write_text("")
    os.chmod(path, 0o600)
    with pytest.raises(VaultError, match="holds no keys"):
        KeyRing.load_or_create(path)


def test_save_writes_a_private_file_that_loads_back(tmp_path: Path) -> None:
    path = tmp_path / "vault.keys"
    path.write_text("stale")
    os.chmod(path, 0o644)
    ring = KeyRing([("b", KEY_B), ("a", KEY_A)])
    ring.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert KeyRing.load_or_create(path).ids == ["b", "a"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vault.keys"]


# --- rotation ----------------------------------------------------------------


def test_new_active_key_keeps_the_old_keys_for_opening() -> None:
    ring = KeyRing([("a", KEY_A)])
    rotated = ring.with_new_active_key()
    assert rotated.ids[1:] == ["a"]
    assert rotated.active_id != "a"
    assert ring.ids == ["a"]  # the original ring is unchanged
    sealed = Vault(ring).seal(Secret("hunter2"), SLOT)
    assert Vault(rotated).open(sealed, SLOT).reveal() == "hunter2"


def test_resealed_secret_opens_with_only_the_new_key_and_the_old_blob_does_not(
    tmp_path: Path,
) -> None:
    old_vault = Vault(KeyRing([("a", KEY_A)]))
    old = old_vault.seal(Secret("hunter2"), SLOT)
    rotated = old_vault.ring.with_new_active_key()
    vault = Vault(rotated)
    assert vault.needs_reseal(old)

    resealed = vault.reseal(old, SLOT)
    assert resealed.key_id == rotated.active_id
    assert not vault.needs_reseal(resealed)

    path = tmp_path / "vault.keys"
    rotated.without("a").save(path)
    new_only = Vault(KeyRing.load_or_create(path))
    assert new_only.ring.ids == [rotated.active_id]
    assert new_only.open(resealed, SLOT).reveal() == "hunter2"
    with pytest.raises(VaultError, match="unknown key id 'a'"):
        new_only.open(old, SLOT)


def test_reseal_keeps_the_slot_binding() -> None:
    vault = Vault(KeyRing([("a", KEY_A)]).with_new_active_key())
    old = Vault(KeyRing([("a", KEY_A)])).seal(Secret("hunter2"), SLOT)
    resealed = vault.reseal(old, SLOT)
    with pytest.raises(VaultError, match="could not be decrypted"):
        vault.open(resealed, SecretSlot("connections", "secret", row_id=7, book_id=4))
    with pytest.raises(VaultError, match="could not be decrypted"):
        vault.reseal(old, SecretSlot("connections", "secret", row_id=8, book_id=3))


def test_the_active_key_cannot_be_removed() -> None:
    ring = KeyRing([("a", KEY_A), ("b", KEY_B)])
    with pytest.raises(VaultError, match="active key"):
        ring.without("a")


def test_load_or_create_refuses_a_directory_in_place_of_the_key_file(tmp_path: Path) -> None:
    with pytest.raises(VaultError, match="is not a regular file"):
        KeyRing.load_or_create(tmp_path)
