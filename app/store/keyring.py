"""The store's data key, wrapped once per way in: each account's password, the recovery key, or a passphrase.

The database is encrypted (SQLCipher) with a random 256-bit data key that never
changes. ``keyring.json`` holds it only wrapped, in *slots*: for each slot a key is
derived from its secret with argon2id (RFC 9106's second recommended setting: 3
passes over 64 MiB, 4 lanes) and the data key is sealed with AES-256-GCM under it,
the slot's name bound in as associated data. A wrong secret fails the GCM tag before
the database is touched. Adding an account or changing a password adds or re-seals
one slot; the database is never re-encrypted.

Slot names: ``user:<login>`` (an account), ``recovery`` (the key printed once at
setup), ``passphrase`` (a store made before accounts, or by scripts and tests).
Besides slots the file keeps, per login name, the count of wrong passwords in a row and
the time the slot is locked until (see ``lockout``), and the failed logins not yet
written to the audit log (the log is inside the database, which a failed login
cannot open). It holds no personal data: login names and counters only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from app.crypto import AuthenticationFailed, aes_gcm_open, aes_gcm_seal
from app.errors import CunFangError, ErrorCode

KEY_BYTES = 32
FORMAT_VERSION = 2
PASSPHRASE_SLOT = "passphrase"
RECOVERY_SLOT = "recovery"
MAX_PENDING = 500  # failed logins kept for the audit log; older ones are dropped (and counted)


@dataclass(frozen=True)
class Kdf:
    """argon2id cost: passes, memory in KiB, lanes."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 4

    def derive(self, secret: str, salt: bytes) -> bytes:
        from argon2.low_level import Type, hash_secret_raw

        return hash_secret_raw(secret.encode("utf-8"), salt, self.time_cost, self.memory_kib, self.parallelism,
                               KEY_BYTES, Type.ID)

    @classmethod
    def of_slot(cls, slot: Slot) -> Kdf:
        """The cost a slot was sealed with (the default for a version-1 PBKDF2 slot)."""
        if slot.legacy:
            return cls()
        return cls(int(slot.kdf["t"]), int(slot.kdf["m"]), int(slot.kdf["p"]))


DEFAULT_KDF = Kdf()
FAST_KDF = Kdf(time_cost=1, memory_kib=64, parallelism=1)  # tests and benchmarks only: cheap to guess


@dataclass
class Slot:
    kdf: dict  # {"name": "argon2id", "t", "m", "p", "salt"} or, read from a version-1 file, PBKDF2
    nonce: bytes
    sealed: bytes

    def to_json(self) -> dict:
        return {"kdf": self.kdf, "nonce": self.nonce.hex(), "sealed": self.sealed.hex()}

    @classmethod
    def from_json(cls, data: dict) -> Slot:
        return cls(dict(data["kdf"]), bytes.fromhex(data["nonce"]), bytes.fromhex(data["sealed"]))

    @property
    def legacy(self) -> bool:
        return self.kdf.get("name") == "pbkdf2-hmac-sha256"


@dataclass
class Keyring:
    slots: dict[str, Slot] = field(default_factory=dict)
    attempts: dict[str, dict] = field(default_factory=dict)  # slot → {"failures", "locked_until"}: see lockout
    pending: list[dict] = field(default_factory=list)  # failed logins for the audit log
    dropped: int = 0

    def seal(self, name: str, data_key: bytes, secret: str, kdf: Kdf = DEFAULT_KDF) -> None:
        """Add (or replace) the slot ``name``: the data key sealed under ``secret``."""
        salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
        wrapping = kdf.derive(secret, salt)
        sealed = aes_gcm_seal(wrapping, nonce, data_key, name.encode("utf-8"))
        self.slots[name] = Slot({"name": "argon2id", "t": kdf.time_cost, "m": kdf.memory_kib,
                                 "p": kdf.parallelism, "salt": salt.hex()}, nonce, sealed)

    def open(self, name: str, secret: str) -> bytes:
        """The data key from slot ``name``, or CunFangError(STORE_WRONG_PASSPHRASE)."""
        slot = self.slots.get(name)
        if slot is None:
            raise CunFangError(ErrorCode.STORE_WRONG_PASSPHRASE)
        if slot.legacy:
            return _open_pbkdf2(slot, secret)
        wrapping = Kdf.of_slot(slot).derive(secret, bytes.fromhex(slot.kdf["salt"]))
        try:
            return aes_gcm_open(wrapping, slot.nonce, slot.sealed, name.encode("utf-8"))
        except AuthenticationFailed as exc:
            raise CunFangError(ErrorCode.STORE_WRONG_PASSPHRASE) from exc

    def remember_failure(self, event: dict) -> None:
        self.pending.append(event)
        if len(self.pending) > MAX_PENDING:
            self.dropped += len(self.pending) - MAX_PENDING
            del self.pending[:-MAX_PENDING]

    def to_json(self) -> dict:
        return {"version": FORMAT_VERSION, "slots": {k: s.to_json() for k, s in sorted(self.slots.items())},
                "attempts": self.attempts, "pending": self.pending, "dropped": self.dropped}

    @classmethod
    def from_json(cls, data: dict) -> Keyring:
        if data.get("version", 1) == 1:  # one passphrase, PBKDF2 + XOR + HMAC (stores made before accounts)
            return cls({PASSPHRASE_SLOT: Slot(
                {"name": "pbkdf2-hmac-sha256", "salt": data["salt"], "iterations": int(data["iterations"]),
                 "check": data["check"]}, b"", bytes.fromhex(data["wrapped_key"]))})
        return cls({name: Slot.from_json(s) for name, s in data["slots"].items()}, dict(data.get("attempts", {})),
                   list(data.get("pending", [])), int(data.get("dropped", 0)))


def _open_pbkdf2(slot: Slot, secret: str) -> bytes:
    material = hashlib.pbkdf2_hmac("sha256", secret.encode("utf-8"), bytes.fromhex(slot.kdf["salt"]),
                                   int(slot.kdf["iterations"]), dklen=2 * KEY_BYTES)
    wrapping, checking = material[:KEY_BYTES], material[KEY_BYTES:]
    check = hmac.new(checking, slot.sealed, hashlib.sha256).digest()
    if not hmac.compare_digest(check, bytes.fromhex(slot.kdf["check"])):
        raise CunFangError(ErrorCode.STORE_WRONG_PASSPHRASE)
    return bytes(a ^ b for a, b in zip(slot.sealed, wrapping, strict=True))


def user_slot(login: str) -> str:
    return f"user:{login}"


def new_data_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def save(path: Path, ring: Keyring) -> None:
    """Write atomically (temp file + replace) so a crash never leaves half a keyring."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(ring.to_json(), indent=2), encoding="utf-8")
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def load(path: Path) -> Keyring:
    try:
        return Keyring.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise CunFangError(ErrorCode.STORE_KEYRING_MISSING, path=path) from exc
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CunFangError(ErrorCode.STORE_KEYRING_DAMAGED, path=path) from exc
