"""Knowledge-vault values are encrypted at rest: the plain value is nowhere in the data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.errors import SecretError
from agents.store import SearchOptions, VaultCipher, new_key

SECRET = "4111-1111-1111-1111-SECRET-7f3a"


def _grep(folder: Path, needle: str) -> list[Path]:
    raw = needle.encode()
    return [p for p in folder.rglob("*") if p.is_file() and raw in p.read_bytes()]


def test_secret_never_reaches_the_data_folder(ctx) -> None:
    store = ctx.store
    mem = store.add(
        "knowledge_vault",
        {
            "caption": "Visa card",
            "entry_type": "card",
            "secret_value": SECRET,
            "sensitivity": "high",
        },
    )
    assert store.get(mem.id).data.secret_value == SECRET  # type: ignore[union-attr]
    store.update(mem.id, {"caption": "Old visa card", "secret_value": SECRET + "-2"})
    store.optimize()
    other = store.add("knowledge_vault", {"caption": "Visa card copy", "secret_value": SECRET})
    store.merge(mem.id, [other.id])
    store.delete(mem.id)
    hits = store.search("visa card", SearchOptions(k=5))
    assert all(SECRET not in h.text for h in hits)
    assert _grep(ctx.paths.data_dir, SECRET) == []
    assert _grep(ctx.paths.data_dir, SECRET[:14]) == []
    # Nor in the secrets file, which is encrypted too.
    assert _grep(ctx.paths.config_dir, SECRET) == []


def test_cipher_rejects_tampering_and_other_keys() -> None:
    cipher = VaultCipher(new_key())
    token = cipher.encrypt("pin 1234", bound_to="vault_1")
    assert cipher.decrypt(token, bound_to="vault_1") == "pin 1234"
    with pytest.raises(SecretError):
        cipher.decrypt(token, bound_to="vault_2")
    with pytest.raises(SecretError):
        VaultCipher(new_key()).decrypt(token, bound_to="vault_1")
    with pytest.raises(SecretError):
        VaultCipher(b"short")


def test_vault_key_persists_across_restarts(ctx) -> None:
    from mirix_desktop.services.context import open_context

    mem = ctx.store.add("knowledge_vault", {"caption": "wifi", "secret_value": "hunter22"})
    ctx.close()
    again = open_context()
    assert again.store.get(mem.id).data.secret_value == "hunter22"  # type: ignore[union-attr]
    assert "encrypted file" in again.secrets.describe()
    again.close()
