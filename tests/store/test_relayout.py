"""A store from before HMAC-SHA256 pages: opened as it is, rewritten with SHA-256 pages keeping every row, and
left as it was whenever the rewrite cannot be done (another program has it open, a full disk, a crash).

The stores here are real SQLCipher files: one written by the previous version of CunFang
(tests/store/fixtures/store-before-sha256, see its README), others made now and rewritten with SHA-512
pages by SQLCipher's own ``sqlcipher_export``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlcipher3

from app import accounts
from app.demo import load_demo
from app.errors import CunFangError, ErrorCode
from app.store import Store, connection
from app.store.audit import verify
from app.store.doctor import examine
from app.store.keyring import FAST_KDF
from app.store.pages import HMAC_SHA256, HMAC_SHA512, read_pages
from app.store.relayout import FAILED_SUFFIX, SUFFIX
from app.store.salvage import salvage
from tests.disk import fill, free, small_disk

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "fixtures" / "store-before-sha256"
PW = "East-hill-2026-a"
PASS = "村访通-secret"


def old_store(tmp_path: Path) -> Path:
    directory = tmp_path / "data"
    shutil.copytree(FIXTURE, directory, ignore=shutil.ignore_patterns("README.md"))
    return directory


def raw_open(directory: Path, key: bytes, algorithm: str) -> sqlcipher3.Connection:
    """The database opened by SQLCipher with the given page HMAC, without the app's code."""
    conn = sqlcipher3.connect(str(directory / connection.DB_NAME), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    conn.execute(f"PRAGMA cipher_hmac_algorithm = {algorithm}")
    return conn


def everything(conn) -> dict[str, list]:
    """Every row (with its rowid where it has one) of every table, the FTS index's own tables included, and
    the header's user_version."""
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND rootpage > 0 "
                                         "ORDER BY name")]
    out = {"user_version": conn.execute("PRAGMA user_version").fetchall()}
    for table in tables:
        try:
            out[table] = conn.execute(f'SELECT rowid, * FROM "{table}" ORDER BY rowid').fetchall()
        except sqlcipher3.OperationalError:
            out[table] = sorted(conn.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
    return out


def layout(directory: Path, key: bytes):
    with read_pages(directory / connection.DB_NAME, key) as pf:
        assert not pf.bad
        return pf.layout


def make_sha512(directory: Path, key: bytes) -> None:
    """Rewrite a closed store with SQLCipher's default (SHA-512) page HMAC, as stores before were."""
    path = directory / connection.DB_NAME
    conn = raw_open(directory, key, HMAC_SHA256.pragma)
    conn.execute("ATTACH DATABASE ? AS old KEY ?", (str(path) + ".old", f"x'{key.hex()}'"))
    conn.execute(f"PRAGMA old.cipher_hmac_algorithm = {HMAC_SHA512.pragma}")
    conn.execute("SELECT sqlcipher_export('old')")
    conn.execute("DETACH DATABASE old")
    conn.close()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    Path(str(path) + ".old").replace(path)


def demo_store_with_sha512_pages(directory: Path, *, persons: int, seed: int) -> tuple[bytes, dict]:
    """A passphrase store of demo data with SHA-512 pages: its data key and ``everything`` in it."""
    store = Store.create(directory, PASS, kdf=FAST_KDF)
    load_demo(store, persons=persons, seed=seed)
    with store.transaction():  # gaps in the rowids, as months of deleted drafts and merged duplicates leave
        store.conn.execute("DELETE FROM records WHERE rowid % 7 = 3")
        store.conn.execute("DELETE FROM persons WHERE rowid % 5 = 2 AND id NOT IN "
                           "(SELECT person_id FROM records WHERE person_id IS NOT NULL)")
    store.conn.execute("PRAGMA user_version = 7")  # unused by the app today; a copy must keep it all the same
    key = store.data_key
    store.close()
    make_sha512(directory, key)
    return key, everything(raw_open(directory, key, HMAC_SHA512.pragma))


def test_a_store_written_by_the_previous_version_is_rewritten_at_sign_in_keeping_every_row(tmp_path):
    directory = old_store(tmp_path)
    store = accounts.sign_in(directory, "admin", PW)  # the first sign-in after the update
    key = store.data_key
    store.close()
    assert layout(directory, key) is HMAC_SHA256
    assert not Path(str(directory / connection.DB_NAME) + SUFFIX).exists()

    before = everything(raw_open(old_store(tmp_path / "again"), key, HMAC_SHA512.pragma))
    after = everything(raw_open(directory, key, HMAC_SHA256.pragma))
    signed_in = after.pop("audit_log")  # the sign-in itself is logged (and the log's head setting moves on)
    assert signed_in[:len(before["audit_log"])] == before.pop("audit_log") and len(signed_in) > 1
    assert [row for row in after.pop("settings") if row[1] != "audit.head"] == [
        row for row in before.pop("settings") if row[1] != "audit.head"]
    assert after == before  # same tables, same rows, same rowids (the name index points at persons by rowid)
    assert sum(len(rows) for rows in after.values()) > 400

    store = accounts.sign_in(directory, "admin", PW)
    try:
        person = store.query("SELECT name FROM persons ORDER BY rowid LIMIT 1 OFFSET 17")[0]["name"]
        found = store.search_persons(person[1:])
        assert person in [p["name"] for p in found]
        assert verify(store).ok
        report = examine(store)
        assert report.healthy, report.problems
        assert "加密页校验：通过（HMAC-SHA256）" in report.facts
        photo = store.query("SELECT hash FROM attachments LIMIT 1")[0]["hash"]
        assert len(store.attachment(photo)) == 9000
    finally:
        store.close()


def test_a_store_made_now_has_sha256_pages_and_the_same_80_byte_reserve_sqlite_reads(tmp_path):
    store = Store.create(tmp_path / "data", PASS, kdf=FAST_KDF)
    key = store.data_key
    store.close()
    with read_pages(tmp_path / "data" / connection.DB_NAME, key) as pf:
        assert pf.layout is HMAC_SHA256 and not pf.bad
        assert pf.page(1)[20] == 80  # SQLCipher fixes the reserve at PRAGMA key; salvage relies on it (pages.py)


def test_the_rewrite_waits_while_another_program_has_the_store_open(tmp_path):
    directory = old_store(tmp_path)
    first = accounts.sign_in(directory, "admin", PW)  # rewritten: nobody else had it open
    key = first.data_key
    first.close()
    make_sha512(directory, key)

    other = raw_open(directory, key, HMAC_SHA512.pragma)  # e.g. the CLI in another window
    other.execute("PRAGMA journal_mode = WAL")
    count = other.execute("SELECT count(*) FROM records").fetchone()[0]
    store = accounts.sign_in(directory, "admin", PW)
    try:
        assert store.conn.execute("PRAGMA cipher_hmac_algorithm").fetchone()[0] == HMAC_SHA512.pragma
        store.set_setting("township", "示范镇")  # both keep working on the same file
        assert other.execute("SELECT value FROM settings WHERE key = 'township'").fetchone()[0] == "示范镇"
        assert other.execute("SELECT count(*) FROM records").fetchone()[0] == count
    finally:
        store.close()
        other.close()
    accounts.sign_in(directory, "admin", PW).close()  # alone now: rewritten
    assert layout(directory, key) is HMAC_SHA256


def test_a_rewrite_that_cannot_write_its_copy_leaves_the_store_as_it_was(tmp_path):
    directory = old_store(tmp_path)
    copy = Path(str(directory / connection.DB_NAME) + SUFFIX)
    copy.mkdir()  # something in the way of the copy: SQLCipher cannot create it
    (copy / "keep.txt").write_text("not ours")
    store = accounts.sign_in(directory, "admin", PW)
    key = store.data_key
    try:
        assert store.conn.execute("PRAGMA cipher_hmac_algorithm").fetchone()[0] == HMAC_SHA512.pragma
        assert store.count_persons() == 60
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        store.close()
    assert (copy / "keep.txt").read_text() == "not ours"
    shutil.rmtree(copy)
    accounts.sign_in(directory, "admin", PW).close()  # a failed rewrite is not tried again at every sign-in
    assert layout(directory, key) is HMAC_SHA512
    a_day_later(directory)
    accounts.sign_in(directory, "admin", PW).close()
    assert layout(directory, key) is HMAC_SHA256
    assert not failed_marker(directory).exists()


def failed_marker(directory: Path) -> Path:
    return Path(str(directory / connection.DB_NAME) + FAILED_SUFFIX)


def a_day_later(directory: Path) -> None:
    """Date the failed rewrite's marker back by 25 hours, as if the next sign-in were the next day."""
    marker = failed_marker(directory)
    assert "Postponed" in marker.read_text() or "Error" in marker.read_text()
    then = time.time() - 25 * 3600
    os.utime(marker, (then, then))


def test_a_full_disk_postpones_the_rewrite_and_loses_nothing(tmp_path):
    with small_disk(tmp_path / "disk", 24) as disk:
        directory = disk / "data"
        key, before = demo_store_with_sha512_pages(directory, persons=1500, seed=2)
        fill(disk)
        filler = disk / "filler.bin"
        os.truncate(filler, filler.stat().st_size - (1 << 20))  # room to sign in, not for a copy of the store
        try:
            store = Store.open(directory, PASS)  # no room for the copy
            try:
                assert store.conn.execute("PRAGMA cipher_hmac_algorithm").fetchone()[0] == HMAC_SHA512.pragma
                assert everything(store.conn) == before
            finally:
                store.close()
            assert not Path(str(directory / connection.DB_NAME) + SUFFIX).exists()
        finally:
            free(disk)
        a_day_later(directory)
        Store.open(directory, PASS).close()
        assert layout(directory, key) is HMAC_SHA256
        assert everything(raw_open(directory, key, HMAC_SHA256.pragma)) == before


CRASH_SCRIPT = """
import os, sys
sys.path.insert(0, sys.argv[1])
from app.store import Store, relayout
step = sys.argv[4]
if step != "kill":
    relayout._reached = lambda name: os._exit(9) if name == step else None
print("opening", flush=True)
Store.open(sys.argv[2], sys.argv[3]).close()
"""


@pytest.mark.parametrize("step", ["kill", "exported", "synced", "replaced"])
def test_the_app_dying_at_any_step_of_the_rewrite_loses_nothing(tmp_path, step):
    """Killed while the copy is written (SIGKILL once the copy appears), or stopped dead (os._exit) after the
    copy is complete, after it is synced, after it is put in place: the store opens whole every time."""
    directory = tmp_path / "data"
    key, before = demo_store_with_sha512_pages(directory, persons=1500, seed=4)
    copy = Path(str(directory / connection.DB_NAME) + SUFFIX)
    proc = subprocess.Popen([sys.executable, "-c", CRASH_SCRIPT, str(ROOT), str(directory), PASS, step],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "opening"
        if step == "kill":
            deadline = time.monotonic() + 60
            while not copy.exists() and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.001)  # the rewrite has begun once its copy appears
            proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=60) in (9, -signal.SIGKILL)
    finally:
        proc.kill()
        proc.stdout.close()
    expected = HMAC_SHA256 if step == "replaced" else HMAC_SHA512
    assert layout(directory, key) is expected  # every page of what is there authenticates
    store = Store.open(directory, PASS)  # opens whole, and finishes the rewrite
    try:
        assert everything(store.conn) == before
        assert store.conn.execute("PRAGMA cipher_hmac_algorithm").fetchone()[0] == HMAC_SHA256.pragma
    finally:
        store.close()
    assert not copy.exists() and not failed_marker(directory).exists()


def test_a_damaged_older_store_is_named_damaged_and_salvaged_not_taken_for_another_keyring(tmp_path):
    directory = tmp_path / "data"
    key, before = demo_store_with_sha512_pages(directory, persons=200, seed=6)
    path = directory / connection.DB_NAME
    data = bytearray(path.read_bytes())
    for offset in (300, 4096 + 300):  # one byte in page 1 and one in page 2
        data[offset] ^= 0x24
    path.write_bytes(bytes(data))
    with pytest.raises(CunFangError) as raised:
        connection.open_connection(directory, key)
    assert raised.value.code is ErrorCode.STORE_PAGES_DAMAGED
    with read_pages(path, key) as pf:
        assert pf.layout is HMAC_SHA512 and pf.bad == {1, 2}
    report = salvage(directory, key, tmp_path / "saved")
    saved = connection.open_connection(tmp_path / "saved", key)
    try:
        assert saved.execute("PRAGMA cipher_hmac_algorithm").fetchone()[0] == HMAC_SHA256.pragma
        rows = saved.execute("SELECT rowid, * FROM records ORDER BY rowid").fetchall()
        assert rows and set(rows) <= set(before["records"])  # nothing invented, most of it back
        assert len(rows) >= len(before["records"]) * 0.9, report
    finally:
        saved.close()


def test_a_store_another_program_is_writing_to_is_named_busy_not_damaged(tmp_path, monkeypatch):
    store = Store.create(tmp_path / "data", PASS, kdf=FAST_KDF)
    key = store.data_key
    store.close()
    other = raw_open(tmp_path / "data", key, HMAC_SHA256.pragma)
    other.execute("PRAGMA journal_mode = DELETE")
    other.execute("BEGIN EXCLUSIVE")
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_S", 0.2)
    try:
        with pytest.raises(CunFangError) as raised:
            connection.open_connection(tmp_path / "data", key)
        assert raised.value.code is ErrorCode.STORE_BUSY
    finally:
        other.execute("ROLLBACK")
        other.close()
    connection.open_connection(tmp_path / "data", key).close()


@pytest.mark.parametrize("algorithm", [HMAC_SHA256, HMAC_SHA512])
def test_a_key_from_another_store_is_named_as_such_whatever_the_page_hmac(tmp_path, algorithm):
    if algorithm is HMAC_SHA512:
        key, _ = demo_store_with_sha512_pages(tmp_path / "data", persons=100, seed=1)
    else:
        store = Store.create(tmp_path / "data", PASS, kdf=FAST_KDF)
        load_demo(store, persons=100, seed=1)
        key = store.data_key
        store.close()
    with pytest.raises(CunFangError) as raised:
        connection.open_connection(tmp_path / "data", bytes(32))
    assert raised.value.code is ErrorCode.STORE_KEY_MISMATCH
    assert layout(tmp_path / "data", key) is algorithm  # a refused open rewrites nothing
