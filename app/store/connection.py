"""Opening the encrypted database: SQLCipher with the data key, WAL, foreign keys, migrations.

A wrong password is refused by the keyring before SQLCipher sees the key (and
counted, see lockout), and a missing database is never silently created: only
``create_connection`` makes a new one.
"""

from __future__ import annotations

import math
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlcipher3

from app.errors import CunFangError, ErrorCode, disk_full
from app.store import keyring, lockout, relayout
from app.store.pages import LAYOUTS, Layout

DB_NAME = "cunfang.db"
KEYRING_NAME = "keyring.json"
BUSY_TIMEOUT_S = 10  # how long opening waits for another program's write to end


def _keyed(path: Path, data_key: bytes, layout: Layout) -> sqlcipher3.Connection:
    """A connection to ``path`` that has read its first page with ``layout``'s page HMAC (raises if it fails)."""
    conn = sqlcipher3.connect(str(path), timeout=BUSY_TIMEOUT_S, check_same_thread=False, isolation_level=None)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
    except sqlcipher3.DatabaseError:
        pass
    try:
        conn.execute(f"PRAGMA key = \"x'{data_key.hex()}'\"")
        conn.execute(f"PRAGMA cipher_hmac_algorithm = {layout.pragma}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        conn.close()
        raise
    return conn


def _connect(path: Path, data_key: bytes) -> sqlcipher3.Connection:
    """Open ``path`` with the page layout it has (a new file gets the new stores' one, ``LAYOUTS[0]``)."""
    conn, exc = None, None
    for layout in LAYOUTS:
        try:
            conn = _keyed(path, data_key, layout)
            break
        except sqlcipher3.DatabaseError as failure:
            exc = failure
            if not _not_a_database(failure):  # locked, an I/O error: another layout would not help
                break
    if conn is None and not _not_a_database(exc):  # it could not be read at all: not a question of keys or pages
        if (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED):
            raise CunFangError(ErrorCode.STORE_BUSY) from exc
        raise disk_full(exc, action="打开数据库", path=path.parent) or CunFangError(
            ErrorCode.STORE_DAMAGED, reason=str(exc)) from exc
    if conn is None:
        from app.store.pages import key_fits

        if key_fits(path, data_key):  # the key opens other pages: the database is damaged, not the keyring
            raise CunFangError(ErrorCode.STORE_PAGES_DAMAGED, reason="数据库文件头或目录页损坏") from exc
        with open(path, "rb") as fh:
            head = fh.read(16)
        if head != b"SQLite format 3\x00" and path.stat().st_size >= 2 * 4096:
            raise CunFangError(ErrorCode.STORE_KEY_MISMATCH, path=path.parent / KEYRING_NAME) from exc
        raise CunFangError(ErrorCode.STORE_DAMAGED, reason=str(exc)) from exc
    conn.execute("PRAGMA journal_mode = WAL")
    # A laptop can lose power mid-visit. FULL syncs the WAL at every COMMIT: a power cut loses at most the
    # transaction being written. NORMAL (cheaper under WAL) syncs only at checkpoints, so a cut could take every
    # record saved since the last one (up to wal_autocheckpoint = 1000 pages), not just the last: kept FULL.
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA temp_store = MEMORY")  # no plaintext temp files
    # Decrypting pages costs more than reading them: keep a registry of 50,000 persons in memory so a
    # name search does not decrypt the whole table again (benchmarks/store.py: 55 ms → ~12 ms).
    conn.execute("PRAGMA cache_size = -65536")
    return conn


def create_connection(data_dir: Path, slots: dict[str, str], *, kdf: keyring.Kdf = keyring.DEFAULT_KDF,
                      signing_key: bytes | None = None, accounts_key: bytes = b""):
    """Make a new encrypted database in ``data_dir`` and a keyring with one slot per (name → secret); with
    ``signing_key`` every slot also holds the accounts signing key (whose public half is ``accounts_key``)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    _private(data_dir)
    db_path, key_path = data_dir / DB_NAME, data_dir / KEYRING_NAME
    if db_path.exists() or key_path.exists():
        raise CunFangError(ErrorCode.STORE_EXISTS, path=data_dir)
    data_key = keyring.new_data_key()
    ring = keyring.Keyring()
    for name, secret in slots.items():
        ring.seal(name, data_key, secret, kdf, signing_key=signing_key)
    ring.accounts_key = accounts_key.hex()
    with keyring.locked(key_path):
        keyring.save(key_path, ring)
    return _connect(db_path, data_key), data_key


def unlock(data_dir: Path, slot: str, secret: str, *, now: float | None = None) -> tuple[bytes, keyring.Keyring]:
    """The data key from one slot, counting wrong secrets and refusing while a slot must wait (see lockout).

    The slow key derivation runs outside the keyring's lock; the outcome is recorded under it (re-reading
    the file), so parallel sign-ins in several processes are all counted and all
    reach the audit log. A failure for a name with no slot is recorded without the name (people type
    passwords and ID numbers into the name field). A slot from a version-1 keyring (PBKDF2) is sealed
    again with argon2id once opened.
    """
    db_path, key_path = data_dir / DB_NAME, data_dir / KEYRING_NAME
    if not db_path.exists():
        raise CunFangError(ErrorCode.STORE_MISSING, path=data_dir)
    now = time.time() if now is None else now
    ring = keyring.load(key_path)
    counter = slot if slot in ring.slots else lockout.UNKNOWN
    wait = lockout.wait_seconds(ring.attempts, counter, now)
    if wait:
        raise CunFangError(ErrorCode.ACCOUNT_WAIT, seconds=wait)
    try:
        data_key = ring.open(slot, secret)
    except CunFangError:
        failure: dict = {}

        def count(fresh: keyring.Keyring) -> None:
            failure["delay"] = lockout.record_failure(fresh.attempts, counter, now)
            fresh.remember_failure({"at": _iso(now), "slot": slot[:64] if counter != lockout.UNKNOWN else "",
                                    "wait": int(failure["delay"])})

        keyring.update(key_path, count)
        if failure["delay"]:
            raise CunFangError(ErrorCode.ACCOUNT_WAIT, seconds=math.ceil(failure["delay"])) from None
        raise

    def succeed(fresh: keyring.Keyring) -> None:
        fresh.carry_opened(ring)
        if fresh.slots.get(slot) is not None and fresh.slots[slot].legacy:
            fresh.seal(slot, data_key, secret)
        lockout.record_success(fresh.attempts, counter)

    return data_key, keyring.update(key_path, succeed)


def open_connection(data_dir: Path, data_key: bytes):
    """The database of ``data_dir`` opened with its data key (from ``unlock``).

    Every opening holds the keyring's lock, so a store still on HMAC-SHA512 pages can be rewritten with
    HMAC-SHA256 ones (app/store/relayout.py) without another process opening the file meanwhile."""
    path = data_dir / DB_NAME
    with keyring.locked(data_dir / KEYRING_NAME):
        conn = _connect(path, data_key)
        if relayout.needs_rewrite(conn):
            conn = relayout.rewrite(conn, path, data_key, lambda p: _connect(p, data_key))
    return conn


def new_database(data_dir: Path, data_key: bytes):
    """A new, empty database in ``data_dir`` encrypted with ``data_key`` (salvage's target)."""
    path = data_dir / DB_NAME
    if path.exists():
        raise CunFangError(ErrorCode.STORE_EXISTS, path=data_dir)
    return _connect(path, data_key)


def update_keyring(data_dir: Path, change, *, opened: keyring.Keyring | None = None) -> keyring.Keyring:
    """Load the keyring, apply ``change(ring)`` and save it atomically, all under the keyring's lock."""
    return keyring.update(data_dir / KEYRING_NAME, change, opened=opened)


_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_NOTADB = 5, 6, 26


def _not_a_database(exc: Exception) -> bool:
    """SQLCipher's answer when page 1 does not authenticate (a wrong key or another page layout)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return (code is not None and code & 0xFF == _SQLITE_NOTADB) or "not a database" in str(exc)


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


def _private(path: Path) -> None:
    """Make the data directory readable by its owner only (no-op where chmod means nothing)."""
    try:
        os.chmod(path, 0o700)
    except OSError:
        pass
