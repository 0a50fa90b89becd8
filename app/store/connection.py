"""Opening the encrypted database: SQLCipher with the data key, WAL, foreign keys, migrations.

A wrong passphrase is refused by the keyring before SQLCipher sees the key, and a
missing database is never silently created: only ``create`` makes a new one.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlcipher3

from app.errors import CunFangError, ErrorCode
from app.store import keyring

DB_NAME = "cunfang.db"
KEYRING_NAME = "keyring.json"


def _connect(path: Path, data_key: bytes) -> sqlcipher3.Connection:
    conn = sqlcipher3.connect(str(path), timeout=10, check_same_thread=False, isolation_level=None)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
    except sqlcipher3.DatabaseError:
        pass
    conn.execute(f"PRAGMA key = \"x'{data_key.hex()}'\"")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        raise CunFangError(ErrorCode.STORE_DAMAGED, reason=str(exc)) from exc
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")  # a laptop can lose power mid-visit
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA temp_store = MEMORY")  # no plaintext temp files
    # Decrypting pages costs more than reading them: keep a registry of 50,000 persons in memory so a
    # name search does not decrypt the whole table again (benchmarks/store.py: 55 ms → ~12 ms).
    conn.execute("PRAGMA cache_size = -65536")
    return conn


def create_connection(data_dir: Path, passphrase: str, *, iterations: int = keyring.DEFAULT_ITERATIONS):
    """Make a new encrypted database and its keyring in ``data_dir``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    _private(data_dir)
    db_path, key_path = data_dir / DB_NAME, data_dir / KEYRING_NAME
    if db_path.exists() or key_path.exists():
        raise CunFangError(ErrorCode.STORE_EXISTS, path=data_dir)
    data_key = keyring.new_data_key()
    keyring.save(key_path, keyring.wrap(data_key, passphrase, iterations))
    return _connect(db_path, data_key)


def open_connection(data_dir: Path, passphrase: str):
    """Open an existing database; never creates one."""
    db_path, key_path = data_dir / DB_NAME, data_dir / KEYRING_NAME
    if not db_path.exists():
        raise CunFangError(ErrorCode.STORE_MISSING, path=data_dir)
    data_key = keyring.unwrap(keyring.load(key_path), passphrase)
    return _connect(db_path, data_key)


def change_passphrase(data_dir: Path, old: str, new: str) -> None:
    key_path = data_dir / KEYRING_NAME
    data_key = keyring.unwrap(keyring.load(key_path), old)
    keyring.save(key_path, keyring.wrap(data_key, new))


def _private(path: Path) -> None:
    """Make the data directory readable by its owner only (no-op where chmod means nothing)."""
    try:
        os.chmod(path, 0o700)
    except OSError:
        pass
