"""Encryption at rest for knowledge-vault values (AES-256-GCM)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from agents.errors import SecretError

_PREFIX = "v1:"
KEY_BYTES = 32


def new_key() -> bytes:
    """Return a fresh random 256-bit key."""
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


class VaultCipher:
    """Encrypts and decrypts short strings; the associated data binds a value to its memory id."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise SecretError(f"vault key must be {KEY_BYTES} bytes, got {len(key)}")
        self._aead = AESGCM(key)
        self._mac_key = hmac.new(key, b"mirix fingerprint v1", hashlib.sha256).digest()

    def fingerprint(self, value: str) -> str:
        """A keyed digest of ``value``: equal values match, and without the key
        the digest says nothing about the value (unlike a plain hash of a phone number)."""
        return hmac.new(self._mac_key, value.encode("utf-8"), hashlib.sha256).hexdigest()

    def encrypt(self, plaintext: str, *, bound_to: str) -> str:
        """Seal ``plaintext``; the token opens only with the same ``bound_to`` (the owner's
        id, authenticated as AES-GCM's associated data), so it cannot be moved to another row."""
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), bound_to.encode("utf-8"))
        return _PREFIX + base64.b64encode(nonce + sealed).decode("ascii")

    def decrypt(self, token: str, *, bound_to: str) -> str:
        """Return the plain value; raises SecretError when the token is not ours or was altered."""
        if not token.startswith(_PREFIX):
            raise SecretError("not an encrypted vault value")
        raw = base64.b64decode(token[len(_PREFIX) :])
        try:
            plain = self._aead.decrypt(raw[:12], raw[12:], bound_to.encode("utf-8"))
        except InvalidTag as exc:
            raise SecretError("vault value cannot be decrypted with this key") from exc
        return plain.decode("utf-8")


class LockedCipher(VaultCipher):
    """The cipher of a vault whose key is lost: every use raises SecretError ``why``, so
    vault values stay sealed and nothing new is sealed under another key, while the rest
    of the store reads and writes as usual."""

    def __init__(self, why: str) -> None:  # no key: VaultCipher's set-up is skipped
        self.why = why

    def fingerprint(self, value: str) -> str:
        raise SecretError(self.why)

    def encrypt(self, plaintext: str, *, bound_to: str) -> str:
        raise SecretError(self.why)

    def decrypt(self, token: str, *, bound_to: str) -> str:
        raise SecretError(self.why)
