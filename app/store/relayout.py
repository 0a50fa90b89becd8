"""Rewriting a store whose pages carry HMAC-SHA512 into one with HMAC-SHA256 pages.

Stores made before this version use SQLCipher 4's default page HMAC, SHA-512 (80 bytes of each 4096-byte
page reserved). New stores use HMAC-SHA256 (48 bytes): tamper detection stays, each page costs less to
write (benchmarks/store.py). SQLCipher cannot change the reserve of a file in place, so an older store is
copied whole with ``sqlcipher_export`` into ``cunfang.db.relayout`` (same data key, encrypted throughout),
checked table by table, then put in the old file's place with one atomic rename.

It runs when the store is opened (``connection.open_connection``, under the keyring's lock, which every
open takes), and only when no other connection has the store open: switching the old file out of WAL
mode needs that, so a second app or CLI holding it makes the rewrite wait for the next opening. Any
failure (full disk, a copy that does not match, a file another program holds) leaves the old file as it
was and the store opens on it; nothing is lost, the rewrite is tried again next time.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

import sqlcipher3

from app.store.pages import LAYOUTS

SUFFIX = ".relayout"
NEW = LAYOUTS[0]
log = logging.getLogger(__name__)


class CopyMismatch(Exception):
    """The copy does not hold what the store holds (a table, a row count or the rowids differ)."""


def layout_name(conn) -> str:
    """The page HMAC of the open database (``HMAC_SHA256`` or ``HMAC_SHA512``)."""
    return conn.execute("PRAGMA cipher_hmac_algorithm").fetchone()[0]


def needs_rewrite(conn) -> bool:
    return layout_name(conn) != NEW.pragma


def rewrite(conn, path: Path, data_key: bytes, reopen) -> sqlcipher3.Connection:
    """The store at ``path`` with HMAC-SHA256 pages, opened by ``reopen(path)``; or ``conn`` (open on the old
    file, as it came) where the rewrite cannot be done now. ``conn`` is closed when the rewrite is done."""
    copy = path.with_name(path.name + SUFFIX)
    if not _alone(conn):
        log.info("store page rewrite postponed: another connection has %s open", path.name)
        return conn
    try:
        for leftover in (copy, Path(f"{copy}-journal")):
            leftover.unlink(missing_ok=True)
        conn.execute("ATTACH DATABASE ? AS relayout KEY ?", (str(copy), f"x'{data_key.hex()}'"))
        try:
            conn.execute(f"PRAGMA relayout.cipher_hmac_algorithm = {NEW.pragma}")
            conn.execute("BEGIN EXCLUSIVE")
            try:
                conn.execute("SELECT sqlcipher_export('relayout')")
                _check_copy(conn)
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlcipher3.Error):
                    conn.execute("ROLLBACK")
                raise
        finally:
            with contextlib.suppress(sqlcipher3.Error):
                conn.execute("DETACH DATABASE relayout")
        _fsync(copy)
    except (sqlcipher3.Error, OSError, CopyMismatch) as exc:
        log.warning("store page rewrite failed, the store stays as it was: %s", exc)
        _remove(copy)
        return _back_to_wal(conn)
    conn.close()
    try:
        os.replace(copy, path)
    except OSError as exc:  # Windows: another program (a virus scanner, a backup tool) holds the file
        log.warning("store page rewrite not put in place, the store stays as it was: %s", exc)
        _remove(copy)
        return reopen(path)
    _fsync_dir(path.parent)
    return reopen(path)


def _alone(conn) -> bool:
    """Whether this is the only connection to the store: leaving WAL mode succeeds only then."""
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    except sqlcipher3.OperationalError:
        mode = ""
    if mode != "delete":
        conn.execute("PRAGMA busy_timeout = 10000")
        return False
    return True


def _back_to_wal(conn) -> sqlcipher3.Connection:
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def _check_copy(conn) -> None:
    """Every table of the store is in the copy with the same definition, row count and rowids."""
    schema = "SELECT type, name, tbl_name, sql FROM {db}.sqlite_master ORDER BY type, name"
    if conn.execute(schema.format(db="main")).fetchall() != conn.execute(schema.format(db="relayout")).fetchall():
        raise CopyMismatch("schema differs")
    tables = [row[0] for row in conn.execute(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND rootpage > 0")]
    for table in tables:
        name = '"' + table.replace('"', '""') + '"'
        try:
            query = f"SELECT count(*), total(rowid), max(rowid) FROM {{db}}.{name}"
            before = conn.execute(query.format(db="main")).fetchone()
        except sqlcipher3.OperationalError:  # a WITHOUT ROWID table
            query = f"SELECT count(*) FROM {{db}}.{name}"
            before = conn.execute(query.format(db="main")).fetchone()
        if conn.execute(query.format(db="relayout")).fetchone() != before:
            raise CopyMismatch(f"table {table} differs")


def _remove(path: Path) -> None:
    """Remove our copy (and its journal) if it is a file; something else in its place is left alone."""
    for leftover in (path, Path(f"{path}-journal")):
        with contextlib.suppress(OSError):
            if leftover.is_file():
                leftover.unlink()


def _fsync(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    """Make the rename durable (POSIX; Windows has no directory handles to sync)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
