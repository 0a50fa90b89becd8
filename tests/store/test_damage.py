"""A damaged database file: doctor names the damaged part, salvage copies every readable row (real SQLCipher files).

Damage is one flipped byte at a chosen place of a copy of a real store. What "readable" means is
checked against SQLCipher itself: every row SQLCipher can still read by its rowid from the damaged
file must come out of the salvage, equal to the undamaged copy's row.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app import accounts
from app.demo import load_demo
from app.errors import CunFangError, ErrorCode
from app.store import connection
from app.store.audit import append, verify
from app.store.keyring import FAST_KDF
from app.store.pages import INDEX_INTERIOR, INDEX_LEAF, TABLE_LEAF, parse_node, read_pages
from app.store.salvage import salvage, survey

PW = "East-hill-2026-a"  # passes the password rules (app/passwords.py)
ROOT = Path(__file__).resolve().parents[2]
TABLES = ("records", "persons", "households", "villages", "attachments", "record_attachments", "audit_log",
          "accounts", "settings", "schema_migrations")


def build(directory: Path) -> bytes:
    store, _ = accounts.create_with_admin(directory, "admin", "管理员", PW, kdf=FAST_KDF)
    load_demo(store, persons=150, seed=3)
    uuids = [r["uuid"] for r in store.list_records(limit=6)]
    for i, uuid in enumerate(uuids):  # photos large enough to spill onto overflow pages
        store.add_attachment(uuid, f"photo{i}.jpg", os.urandom(9000 + 1000 * i), "image/jpeg")
    for i in range(30):
        append(store, "export", user="admin", subject=f"导出 {i}")
    store.set_setting("township", "示范镇")
    key = store.data_key
    store.close()
    return key


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> tuple[Path, bytes]:
    directory = tmp_path_factory.mktemp("damage") / "data"
    return directory, build(directory)


def rows_of(conn, table: str) -> dict[int, tuple]:
    return {row[0]: row[1:] for row in conn.execute(f"SELECT rowid, * FROM {table}")}


def contents(directory: Path, key: bytes) -> dict[str, dict[int, tuple]]:
    conn = connection.open_connection(directory, key)
    try:
        return {table: rows_of(conn, table) for table in TABLES}
    finally:
        conn.close()


def readable_by_sqlcipher(directory: Path, key: bytes, original: dict) -> dict[str, set[int]]:
    """The rowids SQLCipher can still read one by one from the damaged file (empty if it cannot open it)."""
    try:
        conn = connection.open_connection(directory, key)
    except CunFangError:
        return {table: set() for table in TABLES}
    found: dict[str, set[int]] = {}
    try:
        for table, rows in original.items():
            found[table] = set()
            for rowid in rows:
                try:
                    if conn.execute(f"SELECT * FROM {table} NOT INDEXED WHERE rowid = ?", (rowid,)).fetchone():
                        found[table].add(rowid)
                except Exception:  # noqa: BLE001 - a damaged page on the way to this row
                    pass
    finally:
        conn.close()
    return found


def pages_of(directory: Path, key: bytes, name: str) -> list[int]:
    with survey(directory, key) as found:
        return sorted(next(p for p in found.parts if p.name == name).tree.pages)


def kind(directory: Path, key: bytes, pgno: int) -> int | None:
    node = parse_node(_pages(directory, key), pgno)
    return node.kind if node else None


_PAGE_FILES: dict = {}


def _pages(directory: Path, key: bytes):
    if directory not in _PAGE_FILES:
        _PAGE_FILES[directory] = read_pages(directory / "cunfang.db", key)
    return _PAGE_FILES[directory]


def flip(directory: Path, offset: int) -> None:
    path = directory / "cunfang.db"
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x24
    path.write_bytes(bytes(data))


def place(directory: Path, key: bytes, where: str) -> tuple[int, str]:
    """(byte offset to flip, the words doctor must use for it) for each kind of damage."""
    if where == "header":
        return 300, "第 1 页"
    if where == "salt":
        return 7, "盐值"
    if where == "records data page":
        leaves = [p for p in pages_of(directory, key, "records") if kind(directory, key, p) == TABLE_LEAF]
        page = leaves[len(leaves) // 2]
        return (page - 1) * 4096 + 1500, f"记录表（records）的第 {page} 页"
    if where == "records directory page":
        page = pages_of(directory, key, "records")[0]
        assert kind(directory, key, page) not in (TABLE_LEAF, None)
        return (page - 1) * 4096 + 20, f"记录表（records）的第 {page} 页（这个表的目录页）"
    if where == "index page":
        page = [p for p in pages_of(directory, key, "records_status")
                if kind(directory, key, p) in (INDEX_LEAF, INDEX_INTERIOR)][-1]
        return (page - 1) * 4096 + 900, f"（records_status）的第 {page} 页"
    if where == "photo page":
        pf = _pages(directory, key)
        tree_pages = pages_of(directory, key, "attachments")
        overflow = [p for p in tree_pages if parse_node(pf, p) is None]
        return (overflow[0] - 1) * 4096 + 100, "附件（照片、签名）表（attachments）"
    raise AssertionError(where)


@pytest.mark.parametrize("where", ["records data page", "index page", "header", "salt", "records directory page",
                                   "photo page"])
def test_salvage_keeps_every_readable_row(template, tmp_path, where):
    source, key = template
    damaged = tmp_path / "damaged"
    shutil.copytree(source, damaged)
    original = contents(source, key)
    offset, words = place(damaged, key, where)
    flip(damaged, offset)

    with survey(damaged, key) as found:
        assert found.pf.key_matches and not found.healthy or where == "salt"
        assert any(words in line for line in found.describe()), found.describe()
    readable = readable_by_sqlcipher(damaged, key, original)

    report = salvage(damaged, key, tmp_path / "saved")
    saved = contents(tmp_path / "saved", key)
    for table in TABLES:
        if table == "schema_migrations":
            continue  # made again by the migrations, with their own times
        for rowid, row in saved[table].items():
            assert original[table][rowid] == row, (table, rowid)  # nothing invented or altered
        missing = set(original[table]) - set(saved[table])
        assert not missing & readable[table], (table, sorted(missing & readable[table])[:5])
        if where in ("index page", "header", "salt", "records directory page"):
            assert not missing, (where, table, len(missing))  # these places hold no rows
    lost = sum(len(set(original[t]) - set(saved[t])) for t in TABLES if t != "schema_migrations")
    assert bool(report.lost) == bool(lost)
    if where == "records data page":
        assert 0 < len(set(original["records"]) - set(saved["records"])) < len(original["records"]) // 10
    if where == "photo page":
        assert len(saved["attachments"]) == len(original["attachments"]) - 1
        assert any("长内容" in line for line in report.lost)

    store = accounts.sign_in(tmp_path / "saved", "admin", PW)  # the same keyring: the account signs in
    try:
        assert store.query("PRAGMA integrity_check") == [{"integrity_check": "ok"}]
        assert store.search_persons(store.query("SELECT name FROM persons LIMIT 1")[0]["name"])
        assert verify(store).ok
    finally:
        store.close()
    assert (damaged / "cunfang.db").read_bytes()[offset] != (source / "cunfang.db").read_bytes()[offset]


def test_keyring_from_another_store_is_named_as_such(template, tmp_path):
    source, _ = template
    mine, other = tmp_path / "mine", tmp_path / "other"
    shutil.copytree(source, mine)
    accounts.create_with_admin(other, "admin", "管理员", PW, kdf=FAST_KDF)[0].close()
    shutil.copy(other / "keyring.json", mine / "keyring.json")
    with pytest.raises(CunFangError) as caught:
        accounts.sign_in(mine, "admin", PW)
    assert caught.value.code is ErrorCode.STORE_KEY_MISMATCH
    assert "钥匙文件与数据库不匹配" in str(caught.value)
    result = cli(mine, "doctor")
    assert result.returncode == 2 and "钥匙文件与数据库不匹配" in result.stderr


def test_header_damage_is_not_called_a_wrong_keyring(template, tmp_path):
    source, _ = template
    damaged = tmp_path / "damaged"
    shutil.copytree(source, damaged)
    flip(damaged, 300)
    with pytest.raises(CunFangError) as caught:
        accounts.sign_in(damaged, "admin", PW)
    assert caught.value.code is ErrorCode.STORE_PAGES_DAMAGED


def cli(directory: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, CUNFANG_USER="admin", CUNFANG_PASSWORD=PW, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "ui.entry", "--data-dir", str(directory), *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)


def test_cli_doctor_names_the_damage_and_salvages(template, tmp_path):
    source, key = template
    damaged = tmp_path / "damaged"
    shutil.copytree(source, damaged)
    offset, words = place(damaged, key, "records data page")
    flip(damaged, offset)

    listed = cli(damaged, "records", "list", "--limit", "100000")
    assert listed.returncode == 2, listed.stderr
    assert "意外错误" not in listed.stderr and "cunfang doctor" in listed.stderr

    checked = cli(damaged, "doctor")
    assert checked.returncode == 1
    assert "意外错误" not in checked.stderr and words in checked.stderr and "--salvage" in checked.stderr

    saved = tmp_path / "saved"
    salvaged = cli(damaged, "doctor", "--salvage", str(saved))
    assert salvaged.returncode == 1 and "无法读取" in salvaged.stdout and "记录（records）" in salvaged.stdout
    assert cli(saved, "records", "list", "--limit", "100000").returncode == 0
    healthy = cli(saved, "doctor")
    assert healthy.returncode == 0 and "数据库健康" in healthy.stdout


def test_salvage_reads_the_write_ahead_log_of_a_store_left_open(template, tmp_path):
    """A laptop that lost power: the newest rows are still in cunfang.db-wal, and the salvage must find them."""
    source, key = template
    live = tmp_path / "live"
    shutil.copytree(source, live)
    store = accounts.sign_in(live, "admin", PW)
    try:
        store.conn.execute("PRAGMA wal_autocheckpoint = 0")
        new = [store.save_draft(form_id="elder_visit", form_version="1", data={"note": f"停电前 {i}"})
               for i in range(40)]
        crashed = tmp_path / "crashed"
        crashed.mkdir()
        for name in ("cunfang.db", "cunfang.db-wal", "keyring.json"):
            shutil.copy(live / name, crashed / name)  # what the disk held at the moment the power went
    finally:
        store.close()
    assert (crashed / "cunfang.db-wal").stat().st_size > 0
    report = salvage(crashed, key, tmp_path / "saved")
    assert not report.lost
    saved = contents(tmp_path / "saved", key)
    uuids = {row[0] for row in saved["records"].values()}
    assert set(new) <= uuids


def test_a_damaged_free_page_loses_nothing(template, tmp_path):
    source, key = template
    directory = tmp_path / "data"
    shutil.copytree(source, directory)
    store = accounts.sign_in(directory, "admin", PW)
    try:
        for i in range(40):
            store.set_setting(f"scratch.{i}", "x" * 3000)
        with store.transaction():
            store.conn.execute("DELETE FROM settings WHERE key LIKE 'scratch.%'")  # pages go to the free list
    finally:
        store.close()
    from app.store.pages import freelist

    with read_pages(directory / "cunfang.db", key) as pf:
        free = sorted(freelist(pf))
    assert free
    original = contents(directory, key)
    flip(directory, (free[-1] - 1) * 4096 + 2000)
    with survey(directory, key) as found:
        assert any("空闲页" in line for line in found.describe()) and not found.losses()
    report = salvage(directory, key, tmp_path / "saved")
    assert not report.lost
    saved = contents(tmp_path / "saved", key)
    assert all(saved[t] == original[t] for t in TABLES if t != "schema_migrations")
