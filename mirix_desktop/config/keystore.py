"""Secrets (API keys, the vault key): the OS keyring, or an encrypted file where none exists.

On a headless machine there is often no keyring service. Secrets then go to
``secrets.enc`` in the config folder, encrypted with AES-GCM under a random key
kept beside it in ``secrets.key``, readable only by the user. That keeps
secrets out of the data folder, backups of it and casual reading, but not from
someone who can read your files: :meth:`SecretStore.describe` says so.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
from contextlib import suppress
from pathlib import Path

from agents.errors import KeyLost, SecretError
from agents.store.crypto import VaultCipher, new_key
from agents.store.locking import process_lock
from mirix_desktop.config.paths import Paths

SERVICE = "mirix-desktop"
VAULT_KEY = "vault-key"


def _usable_keyring() -> object | None:
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) <= 0:
        return None
    if getattr(backend, "backends", None) == []:
        return None
    return backend


class _FileBackend:
    def __init__(self, config_dir: Path) -> None:
        self.path = config_dir / "secrets.enc"
        self.key_path = config_dir / "secrets.key"
        self._lock = threading.Lock()

    def _cipher(self) -> VaultCipher:
        if not self.key_path.exists():
            if self.path.exists():  # a new key would lock what the old one encrypted
                raise KeyLost(
                    f"{self.key_path} is missing but {self.path.name} holds secrets encrypted "
                    f"with it: restore {self.key_path.name} from a backup of "
                    f"{self.key_path.parent}, or reset the vault (mirix-desktop repair "
                    "--reset-vault)"
                )
            self.key_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.key_path.with_suffix(f".{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(base64.b64encode(new_key()))
                    fh.flush()
                    os.fsync(fh.fileno())
                # the first process to link its key wins; the others use that one
                os.link(tmp, self.key_path)
            except FileExistsError:
                pass
            finally:
                tmp.unlink(missing_ok=True)
        return VaultCipher(base64.b64decode(self.key_path.read_bytes()))

    def _load(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        try:
            plain = self._cipher().decrypt(self.path.read_text("ascii"), bound_to="secrets")
        except KeyLost:
            raise
        except SecretError as exc:
            raise KeyLost(
                f"{self.path.name} cannot be decrypted with {self.key_path} ({exc}): restore "
                f"the {self.key_path.name} that belongs to it from a backup, or reset the "
                "vault (mirix-desktop repair --reset-vault)"
            ) from exc
        data: dict[str, str] = json.loads(plain)
        return data

    def _save(self, data: dict[str, str]) -> None:
        token = self._cipher().encrypt(json.dumps(data), bound_to="secrets")
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(token)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        finally:  # nothing half-written stays (a full disk, say)
            tmp.unlink(missing_ok=True)

    def get(self, name: str) -> str | None:
        with self._lock:
            return self._load().get(name)

    def set(self, name: str, value: str) -> None:
        with self._lock, process_lock(self.path.with_name("secrets.enc.lock")):
            data = self._load()
            data[name] = value
            self._save(data)

    def delete(self, name: str) -> None:
        with self._lock, process_lock(self.path.with_name("secrets.enc.lock")):
            data = self._load()
            if data.pop(name, None) is not None:
                self._save(data)


class SecretStore:
    """Get, set and delete named secrets; ``backend`` is "auto", "keyring" or "file"."""

    def __init__(self, paths: Paths, backend: str = "auto") -> None:
        self._paths = paths
        # Separate homes (tests, portable installs) keep separate keyring entries.
        self.service = SERVICE
        if paths.home is not None:
            digest = hashlib.sha256(str(paths.home).encode()).hexdigest()[:12]
            self.service = f"{SERVICE}:{digest}"
        ring = _usable_keyring() if backend in ("auto", "keyring") else None
        if backend == "keyring" and ring is None:
            raise SecretError("no OS keyring is available (secrets.backend = 'keyring')")
        self._ring = ring
        self._file = _FileBackend(paths.config_dir) if ring is None else None

    @property
    def uses_keyring(self) -> bool:
        return self._ring is not None

    def describe(self) -> str:
        if self._ring is not None:
            return f"OS keyring ({type(self._ring).__name__}, service {self.service!r})"
        assert self._file is not None
        return (
            f"encrypted file {self._file.path} (no OS keyring found; its key is in "
            f"{self._file.key_path}, readable only by you: this protects against casual "
            "reading, not against someone who can read your files)"
        )

    def get(self, name: str) -> str | None:
        if self._ring is not None:
            import keyring

            return keyring.get_password(self.service, name)
        assert self._file is not None
        return self._file.get(name)

    def set(self, name: str, value: str) -> None:
        if self._ring is not None:
            import keyring

            keyring.set_password(self.service, name, value)
            return
        assert self._file is not None
        self._file.set(name, value)

    def delete(self, name: str) -> None:
        if self._ring is not None:
            import keyring
            from keyring.errors import PasswordDeleteError

            with suppress(PasswordDeleteError):
                keyring.delete_password(self.service, name)
            return
        assert self._file is not None
        self._file.delete(name)

    def reset(self) -> list[Path]:
        """Forget every stored secret (the vault key and API keys) when they can no longer
        be read: the files of the encrypted file store, or the keyring's vault key.
        Returns the files removed (copy them first)."""
        if self._ring is not None:
            self.delete(VAULT_KEY)
            return []
        assert self._file is not None
        removed = [p for p in (self._file.path, self._file.key_path) if p.exists()]
        for path in removed:
            path.unlink()
        return removed

    def files(self) -> list[Path]:
        """The files that hold the secrets (none with the OS keyring)."""
        if self._file is None:
            return []
        return [p for p in (self._file.path, self._file.key_path) if p.exists()]

    def vault_key(self, *, create: bool = True) -> bytes:
        """The knowledge vault's key, made on first use unless ``create`` is False.

        Raises KeyLost when the key (or the file key that protects it) is missing or
        wrong, or when it is missing and ``create`` is False (values encrypted with
        it exist); a new key is never made then."""
        with process_lock(self._paths.config_dir / "vault-key.lock"):
            stored = self.get(VAULT_KEY)
            if stored is None and not create:
                raise KeyLost(
                    "the vault key is missing but vault values encrypted with it exist: "
                    f"restore it ({self.describe()}) or reset the vault (mirix-desktop "
                    "repair --reset-vault)"
                )
            if stored is None:
                self.set(VAULT_KEY, base64.b64encode(new_key()).decode("ascii"))
                stored = self.get(VAULT_KEY)
                if stored is None:
                    raise SecretError("the vault key could not be stored")
        return base64.b64decode(stored)
