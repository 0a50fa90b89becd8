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
the time the slot is locked until (see ``lockout``), the failed logins not yet written
to the audit log (the log is inside the database, which a failed login cannot open;
an unknown name is recorded without the name, since people type passwords there), the
audit log's newest entry (MACed with a key derived from the data key, so cutting the
log's tail inside the database is noticed), and the accounts public key: the private
key that signs account rows is sealed only in administrators' slots and the recovery
slot. It holds no personal data: login names and counters only.

Several processes (the app, the CLI) write it: every read-modify-write happens under
``locked`` (a lock file: ``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows), each
writer uses its own temporary file, and every save also refreshes ``keyring.backup.json``
(see ``restore_backup``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from app.crypto import AuthenticationFailed, aes_gcm_open, aes_gcm_seal
from app.errors import CunFangError, ErrorCode

KEY_BYTES = 32
FORMAT_VERSION = 2
PASSPHRASE_SLOT = "passphrase"
RECOVERY_SLOT = "recovery"
MAX_PENDING = 500  # failed logins kept for the audit log; older ones are dropped (and counted)
BACKUP_SUFFIX = ".backup.json"  # keyring.json → keyring.backup.json
LOCK_SUFFIX = ".lock"
SIGNING_AD = b"|accounts-signing-key"


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
    signing: dict | None = None  # administrators and recovery: {"nonce", "sealed"}: the accounts signing key

    def to_json(self) -> dict:
        data = {"kdf": self.kdf, "nonce": self.nonce.hex(), "sealed": self.sealed.hex()}
        if self.signing:
            data["signing"] = self.signing
        return data

    @classmethod
    def from_json(cls, data: dict) -> Slot:
        signing = data.get("signing")
        return cls(dict(data["kdf"]), bytes.fromhex(data["nonce"]), bytes.fromhex(data["sealed"]),
                   dict(signing) if signing else None)

    @property
    def legacy(self) -> bool:
        return self.kdf.get("name") == "pbkdf2-hmac-sha256"


@dataclass
class Keyring:
    slots: dict[str, Slot] = field(default_factory=dict)
    attempts: dict[str, dict] = field(default_factory=dict)  # slot → {"failures", "locked_until"}: see lockout
    pending: list[dict] = field(default_factory=list)  # failed logins for the audit log
    dropped: int = 0
    audit_head: dict | None = None  # {"id", "hash", "mac"}: the audit log's newest entry (app/store/audit.py)
    accounts_key: str = ""  # hex Ed25519 public key that verifies account rows (app/accounts.py); "" before
    # the slots' wrapping keys derived by ``open`` in this process (never saved): ``signing_key`` reuses them
    _opened: dict[str, bytes] = field(default_factory=dict, repr=False, compare=False)

    def seal(self, name: str, data_key: bytes, secret: str, kdf: Kdf = DEFAULT_KDF, *,
             signing_key: bytes | None = None) -> None:
        """Add (or replace) the slot ``name``: the data key (and, for administrators and the recovery slot,
        the accounts signing key) sealed under ``secret``."""
        salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
        wrapping = kdf.derive(secret, salt)
        sealed = aes_gcm_seal(wrapping, nonce, data_key, name.encode("utf-8"))
        signing_nonce = secrets.token_bytes(12)
        if signing_key is not None:
            signing = {"nonce": signing_nonce.hex(), "sealed": aes_gcm_seal(
                wrapping, signing_nonce, signing_key, name.encode("utf-8") + SIGNING_AD).hex()}
        else:  # random bytes of the same size, which open to nothing: the file does not say who is an administrator
            signing = {"nonce": signing_nonce.hex(), "sealed": secrets.token_bytes(KEY_BYTES + 16).hex()}
        self.slots[name] = Slot({"name": "argon2id", "t": kdf.time_cost, "m": kdf.memory_kib,
                                 "p": kdf.parallelism, "salt": salt.hex()}, nonce, sealed, signing)
        self._opened[name] = wrapping

    def open(self, name: str, secret: str) -> bytes:
        """The data key from slot ``name``, or CunFangError(STORE_WRONG_PASSPHRASE)."""
        slot = self.slots.get(name)
        if slot is None:
            raise CunFangError(ErrorCode.STORE_WRONG_PASSPHRASE)
        if slot.legacy:
            return _open_pbkdf2(slot, secret)
        wrapping = Kdf.of_slot(slot).derive(secret, bytes.fromhex(slot.kdf["salt"]))
        try:
            data_key = aes_gcm_open(wrapping, slot.nonce, slot.sealed, name.encode("utf-8"))
        except AuthenticationFailed as exc:
            raise CunFangError(ErrorCode.STORE_WRONG_PASSPHRASE) from exc
        self._opened[name] = wrapping
        return data_key

    def signing_key(self, name: str) -> bytes | None:
        """The accounts signing key sealed in slot ``name`` (opened by ``open`` or ``seal`` in this process), or
        None: the slot holds none (not an administrator), or it does not open (an edited file)."""
        slot, wrapping = self.slots.get(name), self._opened.get(name)
        if slot is None or wrapping is None or not slot.signing:
            return None
        try:
            return aes_gcm_open(wrapping, bytes.fromhex(slot.signing["nonce"]), bytes.fromhex(slot.signing["sealed"]),
                                name.encode("utf-8") + SIGNING_AD)
        except (AuthenticationFailed, ValueError, KeyError, TypeError):
            return None

    def carry_opened(self, other: Keyring) -> Keyring:
        """Keep the wrapping keys ``other`` (an older read of the same file) derived; returns self."""
        for name, wrapping in other._opened.items():
            if name in self.slots and other.slots.get(name) == self.slots[name]:
                self._opened.setdefault(name, wrapping)
        return self

    def remember_failure(self, event: dict) -> None:
        """Keep a failed login (or another event) for the audit log; its random id lets two sign-ins at once
        write it exactly once (``Store.record_failed_logins``)."""
        event.setdefault("id", secrets.token_hex(8))
        self.pending.append(event)
        if len(self.pending) > MAX_PENDING:
            self.dropped += len(self.pending) - MAX_PENDING
            del self.pending[:-MAX_PENDING]

    def to_json(self) -> dict:
        data = {"version": FORMAT_VERSION, "slots": {k: s.to_json() for k, s in sorted(self.slots.items())},
                "attempts": self.attempts, "pending": self.pending, "dropped": self.dropped}
        if self.audit_head:
            data["audit_head"] = self.audit_head
        if self.accounts_key:
            data["accounts_key"] = self.accounts_key
        return data

    @classmethod
    def from_json(cls, data: dict) -> Keyring:
        if data.get("version", 1) == 1:  # one passphrase, PBKDF2 + XOR + HMAC (stores made before accounts)
            return cls({PASSPHRASE_SLOT: Slot(
                {"name": "pbkdf2-hmac-sha256", "salt": data["salt"], "iterations": int(data["iterations"]),
                 "check": data["check"]}, b"", bytes.fromhex(data["wrapped_key"]))})
        head = data.get("audit_head")
        return cls({name: Slot.from_json(s) for name, s in data["slots"].items()}, dict(data.get("attempts", {})),
                   list(data.get("pending", [])), int(data.get("dropped", 0)), dict(head) if head else None,
                   str(data.get("accounts_key", "")))


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


def backup_path(path: Path) -> Path:
    return path.with_name(path.stem + BACKUP_SUFFIX)


def save(path: Path, ring: Keyring) -> None:
    """Write atomically (a temporary file of this writer's own + replace), then the same to the backup.

    Call it under ``locked(path)`` after reading the file there (``update`` does both)."""
    text = json.dumps(ring.to_json(), indent=2)
    _write_atomic(path, text)
    _write_atomic(backup_path(path), text)


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        for attempt in range(50):
            try:
                os.replace(tmp, path)
                break
            except PermissionError:  # Windows: a reader has the file open for a moment
                if attempt == 49:
                    raise
                time.sleep(0.02)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def load(path: Path) -> Keyring:
    try:
        return _parse(path.read_text(encoding="utf-8"), path)
    except FileNotFoundError as exc:
        backup = backup_path(path)
        if backup.exists() and path.parent.joinpath("cunfang.db").exists():
            raise CunFangError(ErrorCode.STORE_KEYRING_MISSING_BACKUP, path=path, backup=backup.name) from exc
        raise CunFangError(ErrorCode.STORE_KEYRING_MISSING, path=path) from exc


def _parse(text: str, path: Path) -> Keyring:
    try:
        return Keyring.from_json(json.loads(text))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CunFangError(ErrorCode.STORE_KEYRING_DAMAGED, path=path) from exc


def update(path: Path, change: Callable[[Keyring], object], *, opened: Keyring | None = None) -> Keyring:
    """Read, change and save the keyring under its lock, so no other process's change is lost."""
    with locked(path):
        ring = load(path)
        if opened is not None:
            ring.carry_opened(opened)
        change(ring)
        save(path, ring)
    return ring


def restore_backup(path: Path) -> bool:
    """Put ``keyring.backup.json`` back as ``keyring.json`` when that is missing or damaged; True if restored.

    The backup is rewritten with every save, so it holds the same slots: no older password or recovery key
    comes back with it."""
    with locked(path):
        try:
            load(path)
            return False
        except CunFangError:
            pass
        backup = backup_path(path)
        try:
            ring = _parse(backup.read_text(encoding="utf-8"), backup)
        except FileNotFoundError as exc:
            raise CunFangError(ErrorCode.STORE_KEYRING_MISSING, path=path) from exc
        ring.remember_failure({"at": _now_iso(), "slot": "", "event": "keyring_restored"})
        _write_atomic(path, json.dumps(ring.to_json(), indent=2))
    return True


def _now_iso() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="seconds")


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the keyring's lock (``keyring.json.lock``) against other processes and threads.

    POSIX: ``flock`` on the lock file; Windows: ``msvcrt.locking`` on its first byte. The lock file stays
    (removing it would let two writers lock two different files)."""
    fd = os.open(path.with_name(path.name + LOCK_SUFFIX), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        _lock_fd(fd)
        try:
            yield
        finally:
            _unlock_fd(fd)
    finally:
        os.close(fd)


if os.name == "nt":  # pragma: no cover - exercised on Windows
    import msvcrt

    def _lock_fd(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # retries for about 10 s itself
                return
            except OSError:
                time.sleep(0.05)

    def _unlock_fd(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _lock_fd(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _unlock_fd(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
