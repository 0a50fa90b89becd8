"""Rewriting a store whose pages carry HMAC-SHA512 into one with HMAC-SHA256 pages.

Stores made before this version use SQLCipher 4's default page HMAC, SHA-512. New stores use HMAC-SHA256:
tamper detection stays, each page costs less to write (benchmarks/store.py). SQLCipher cannot change a
file's page HMAC in place, so an older store is copied whole with ``sqlcipher_export`` into
``cunfang.db.relayout`` (same data key, encrypted throughout), checked table by table, then put in the old
file's place with one atomic rename.

It runs when the store is opened (``connection.open_connection``, under the keyring's lock, which every
open takes), and only when no other connection has the store open: switching the old file out of WAL
mode needs that, so a second app or CLI holding it makes the rewrite wait for the next opening. The old file
stays locked (``locking_mode = EXCLUSIVE``) until the copy is in its place (POSIX) or until just before
(Windows, which cannot replace an open file). Any failure (full disk, a copy that does not match, a file
another program holds) leaves the old file as it was and the store opens on it; nothing is lost, and the
rewrite is tried again a day later (``cunfang.db.relayout-failed`` holds when and why, no personal data).
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlcipher3

from app.store.pages import LAYOUTS

SUFFIX = ".relayout"
FAILED_SUFFIX = ".relayout-failed"  # a failed rewrite is not tried again for RETRY_AFTER_S
RETRY_AFTER_S = 24 * 3600
NEW = LAYOUTS[0]
log = logging.getLogger(__name__)


class CopyMismatch(Exception):
    """The copy does not hold what the store holds (a table, a row count, the rowids or a header value differ)."""


class Postponed(Exception):
    """The rewrite cannot be put in place now (another program wrote to the store meanwhile)."""


def layout_name(conn) -> str:
    """The page HMAC of the open database (``HMAC_SHA256`` or ``HMAC_SHA512``)."""
    return conn.execute("PRAGMA cipher_hmac_algorithm").fetchone()[0]


def needs_rewrite(conn) -> bool:
    return layout_name(conn) != NEW.pragma


def rewrite(conn, path: Path, data_key: bytes, reopen) -> sqlcipher3.Connection:
    """The store at ``path`` with HMAC-SHA256 pages, opened by ``reopen(path)``; or the store on its old pages
    where the rewrite cannot be done now (``conn`` itself if it was never changed). ``conn`` is the only
    connection this process has to ``path``; it is closed whenever a new one is returned."""
    copy, failed = path.with_name(path.name + SUFFIX), path.with_name(path.name + FAILED_SUFFIX)
    if _failed_lately(failed):
        return conn
    if not _alone(conn):
        log.info("store page rewrite postponed: another connection has %s open", path.name)
        return conn
    try:
        _export(conn, copy, data_key)
        _reached("exported")
        _fsync(copy)
        _reached("synced")
        if os.name != "nt":  # POSIX: put it in place while the old file is still locked by this connection
            _replace(copy, path)
        conn.close()
        if os.name == "nt":  # Windows cannot replace a file that is open
            _replace(copy, path)
    except (sqlcipher3.Error, OSError, CopyMismatch, Postponed) as exc:
        log.warning("store page rewrite failed, the store stays as it was: %s", exc)
        _remove(copy)
        with contextlib.suppress(OSError):
            failed.write_text(f"{datetime.now(UTC).isoformat(timespec='seconds')} {type(exc).__name__}\n",
                              encoding="utf-8")
        with contextlib.suppress(sqlcipher3.Error):
            conn.close()
        return reopen(path)
    _reached("replaced")
    _fsync_dir(path.parent)
    failed.unlink(missing_ok=True)
    return reopen(path)


def _export(conn, copy: Path, data_key: bytes) -> None:
    """``sqlcipher_export`` of the store into ``copy`` with the new pages, checked, committed; the store stays
    locked against every other connection until ``conn`` is closed."""
    _remove(copy)
    if copy.exists():
        raise Postponed(f"{copy.name} is in the way")
    conn.execute("PRAGMA main.locking_mode = EXCLUSIVE")
    conn.execute("ATTACH DATABASE ? AS relayout KEY ?", (str(copy), f"x'{data_key.hex()}'"))
    try:
        conn.execute(f"PRAGMA relayout.cipher_hmac_algorithm = {NEW.pragma}")
        conn.execute("BEGIN EXCLUSIVE")
        try:
            conn.execute("SELECT sqlcipher_export('relayout')")
            for header in ("user_version", "application_id"):  # sqlcipher_export leaves them at 0
                value = int(conn.execute(f"PRAGMA main.{header}").fetchone()[0])
                conn.execute(f"PRAGMA relayout.{header} = {value}")
            _check_copy(conn)
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlcipher3.Error):
                conn.execute("ROLLBACK")
            raise
    finally:
        with contextlib.suppress(sqlcipher3.Error):
            conn.execute("DETACH DATABASE relayout")


def _replace(copy: Path, path: Path) -> None:
    """The atomic rename, unless something wrote to the old file outside this connection (its journal shows)."""
    for journal in (Path(f"{path}-journal"), Path(f"{path}-wal")):
        if journal.exists() and journal.stat().st_size:
            raise Postponed(f"{journal.name} appeared beside the store")
    os.replace(copy, path)


def _reached(step: str) -> None:
    """A point of the rewrite a crash test stops the process at (tests/store/test_relayout.py)."""


def _failed_lately(marker: Path) -> bool:
    try:
        return time.time() - marker.stat().st_mtime < RETRY_AFTER_S
    except OSError:
        return False


def _alone(conn) -> bool:
    """Whether this is the only connection to the store: leaving WAL mode succeeds only then."""
    wait_ms = conn.execute("PRAGMA busy_timeout").fetchone()[0]
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    except sqlcipher3.OperationalError:
        mode = ""
    conn.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
    return mode == "delete"


def _check_copy(conn) -> None:
    """Every table of the store is in the copy with the same definition, row count and rowids; the same
    AUTOINCREMENT counters and header values."""
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
    if "sqlite_sequence" in tables:
        query = "SELECT name, seq FROM {db}.sqlite_sequence ORDER BY name"
        if conn.execute(query.format(db="main")).fetchall() != conn.execute(query.format(db="relayout")).fetchall():
            raise CopyMismatch("AUTOINCREMENT counters differ")
    for header in ("user_version", "application_id"):
        if (conn.execute(f"PRAGMA main.{header}").fetchone() != conn.execute(f"PRAGMA relayout.{header}").fetchone()):
            raise CopyMismatch(f"{header} differs")


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
