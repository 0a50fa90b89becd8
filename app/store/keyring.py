"""The store's data key, wrapped by a key derived from the passphrase.

The database is encrypted (SQLCipher) with a random 256-bit data key. That key is
kept in ``keyring.json`` only in wrapped form: XOR-ed with a PBKDF2-HMAC-SHA256
key derived from the passphrase and a random salt, plus an HMAC that tells a
wrong passphrase apart before the database is touched. Changing the passphrase
(and, later, one wrapping per user account) re-wraps the key without
re-encrypting the database.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from app.errors import CunFangError, ErrorCode

DEFAULT_ITERATIONS = 600_000  # OWASP 2023 guidance for PBKDF2-HMAC-SHA256
KEY_BYTES = 32


@dataclass
class WrappedKey:
    salt: bytes
    iterations: int
    wrapped: bytes
    check: bytes

    def to_json(self) -> dict:
        return {
            "version": 1,
            "kdf": "pbkdf2-hmac-sha256",
            "salt": self.salt.hex(),
            "iterations": self.iterations,
            "wrapped_key": self.wrapped.hex(),
            "check": self.check.hex(),
        }

    @classmethod
    def from_json(cls, data: dict) -> WrappedKey:
        return cls(bytes.fromhex(data["salt"]), int(data["iterations"]), bytes.fromhex(data["wrapped_key"]),
                   bytes.fromhex(data["check"]))


def _derive(passphrase: str, salt: bytes, iterations: int) -> tuple[bytes, bytes]:
    material = hashlib.pbkdf2_hmac("sha256", passphrase.encode("utf-8"), salt, iterations, dklen=2 * KEY_BYTES)
    return material[:KEY_BYTES], material[KEY_BYTES:]  # wrapping key, check key


def wrap(data_key: bytes, passphrase: str, iterations: int = DEFAULT_ITERATIONS) -> WrappedKey:
    salt = secrets.token_bytes(16)
    wrapping, checking = _derive(passphrase, salt, iterations)
    wrapped = bytes(a ^ b for a, b in zip(data_key, wrapping, strict=True))
    check = hmac.new(checking, wrapped, hashlib.sha256).digest()
    return WrappedKey(salt, iterations, wrapped, check)


def unwrap(key: WrappedKey, passphrase: str) -> bytes:
    """The data key, or CunFangError(STORE_WRONG_PASSPHRASE)."""
    wrapping, checking = _derive(passphrase, key.salt, key.iterations)
    if not hmac.compare_digest(hmac.new(checking, key.wrapped, hashlib.sha256).digest(), key.check):
        raise CunFangError(ErrorCode.STORE_WRONG_PASSPHRASE)
    return bytes(a ^ b for a, b in zip(key.wrapped, wrapping, strict=True))


def new_data_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def save(path: Path, key: WrappedKey) -> None:
    """Write atomically (temp file + replace) so a crash never leaves half a keyring."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(key.to_json(), indent=2), encoding="utf-8")
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def load(path: Path) -> WrappedKey:
    try:
        return WrappedKey.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise CunFangError(ErrorCode.STORE_KEYRING_MISSING, path=path) from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise CunFangError(ErrorCode.STORE_KEYRING_DAMAGED, path=path) from exc
