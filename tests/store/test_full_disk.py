"""A full disk (a small tmpfs, filled to the last byte): autosave, 定稿, an import and an export fail with
磁盘空间不足 and what to do, the store stays intact, nothing already saved is lost, and the same work succeeds
once space is freed. (The pull is in tests/sync/test_full_disk_pull.py, the form filler in tests/ui.)"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from app.demo import _VisitData
from app.errors import CunFangError, ErrorCode
from app.forms.library import FormLibrary
from app.spreadsheets.importer import ImportOptions, mapping_for, read_table, run_import
from app.spreadsheets.records import export_records
from app.store import Store
from app.store.keyring import FAST_KDF
from tests.disk import fill, free, small_disk

PASS = "村访通-secret"
ROOT = Path(__file__).resolve().parents[2]
TABLES = ("records", "persons", "households", "villages", "audit_log", "settings", "imports")


@pytest.fixture
def disk(tmp_path):
    with small_disk(tmp_path / "disk", 8) as mounted:
        yield mounted


@pytest.fixture
def store(disk):
    store = Store.create(disk / "data", PASS, kdf=FAST_KDF)
    store.add_village("v1", "东山村", town="示范镇")
    form = FormLibrary().get("elder_visit")
    visits = _VisitData(date.today())
    for i in range(5):
        person = store.add_person(name=f"王秀英{i}", kind="elder", village_id="v1")
        record = store.save_draft(form_id="elder_visit", form_version=form.version, person_id=person,
                                  village_id="v1", data=visits.make("elder_visit", date.today(), 30, 0, {}))
        if i % 2 == 0:
            store.finalize(record, form)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # no room left over in the write-ahead log
    yield store
    if not store.closed:
        free(disk)
        store.close()


def snapshot(store: Store) -> dict[str, list]:
    return {t: store.query(f"SELECT * FROM {t} ORDER BY rowid") for t in TABLES}


def assert_full(exc: CunFangError, folder: Path) -> None:
    assert exc.code is ErrorCode.DISK_FULL
    assert "磁盘空间不足" in str(exc) and str(folder) in str(exc) and "腾出空间" in str(exc)


def reopened(store: Store) -> dict[str, list]:
    """Close, open again from the files, check SQLite's and SQLCipher's integrity, and return the contents."""
    directory = store.data_dir
    store.close()
    again = Store.open(directory, PASS)
    try:
        assert again.query("PRAGMA integrity_check") == [{"integrity_check": "ok"}]
        assert again.query("PRAGMA cipher_integrity_check") == []
        return snapshot(again)
    finally:
        again.close()


def test_autosave_and_finalize_on_a_full_disk(store, disk):
    form = FormLibrary().get("elder_visit")
    draft = store.drafts()[0]["uuid"]
    before = snapshot(store)
    kept = store.get_record(draft)["data"]
    fill(disk)
    with pytest.raises(CunFangError) as caught:  # autosave of a bigger answer
        store.save_draft(form_id="elder_visit", form_version=form.version, record_uuid=draft,
                         data=kept | {"remarks": "情况说明" * 2000})
    assert_full(caught.value, store.data_dir)
    with pytest.raises(CunFangError) as caught:  # 定稿
        store.finalize(draft, form)
    assert_full(caught.value, store.data_dir)
    with pytest.raises(CunFangError) as caught:  # a new visit
        store.save_draft(form_id="elder_visit", form_version=form.version, data={"note": "新的"})
    assert_full(caught.value, store.data_dir)
    assert snapshot(store) == before  # nothing half-written, nothing lost
    free(disk)
    store.save_draft(form_id="elder_visit", form_version=form.version, record_uuid=draft,
                     data=kept | {"remarks": "情况说明"})
    assert store.finalize(draft, form)["status"] == "finalized"
    after = reopened(store)
    assert len(after["records"]) == len(before["records"])
    assert {r["uuid"] for r in after["records"]} == {r["uuid"] for r in before["records"]}


def roster(path: Path, count: int) -> Path:
    from app import china

    book = openpyxl.Workbook()
    book.active.append(["姓名", "性别", "身份证号", "所在村"])
    for i in range(count):
        book.active.append([f"李桂兰{i}", "女", china.make_id("340102", date(1940, 1, 1 + i % 28), 100 + i), "东山村"])
    book.save(path)
    return path


def test_import_on_a_full_disk(store, disk, tmp_path):
    table = read_table(roster(tmp_path / "roster.xlsx", 300))
    mapping, _ = mapping_for(store, table.headers)
    before = snapshot(store)
    fill(disk)
    with pytest.raises(CunFangError) as caught:
        run_import(store, table, mapping, ImportOptions(kind="elder"))
    assert_full(caught.value, store.data_dir)
    assert snapshot(store) == before
    free(disk)
    result = run_import(store, table, mapping, ImportOptions(kind="elder"))
    assert result.preview.counts["add"] == 300
    assert len(reopened(store)["persons"]) == len(before["persons"]) + 300


def test_export_onto_a_full_disk_leaves_no_partial_file(store, disk):
    out = disk / "exports"
    out.mkdir()
    fill(disk)
    for name in ("探访.xlsx", "探访.csv"):
        with pytest.raises(CunFangError) as caught:
            export_records(store, out / name, forms=["elder_visit"])
        assert_full(caught.value, out)
        assert list(out.iterdir()) == []  # no half-written workbook and no temporary files
    free(disk)
    export_records(store, out / "探访.xlsx", forms=["elder_visit"])
    assert [p.name for p in out.iterdir()] == ["探访.xlsx"]


def test_cli_says_disk_full_with_the_data_directory(store, disk):
    directory = store.data_dir
    store.close()
    store.closed = True
    fill(disk)
    env = dict(os.environ, CUNFANG_PASSPHRASE=PASS, PYTHONPATH=str(ROOT))
    out = disk / "out.xlsx"
    result = subprocess.run([sys.executable, "-m", "ui.entry", "--data-dir", str(directory), "export",
                             "--form", "elder_visit", "--out", str(out)], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    free(disk)
    assert result.returncode == 2, result.stderr
    assert "磁盘空间不足" in result.stderr and str(directory) in result.stderr and "意外错误" not in result.stderr
    assert not out.exists()
    again = Store.open(directory, PASS)
    try:
        assert again.query("PRAGMA integrity_check") == [{"integrity_check": "ok"}]
    finally:
        again.close()
