"""The audit log: every edit and sync is written, hash-chained; removing or altering an entry is detected."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.store import Store
from app.store.audit import append, entries, verify
from app.store.keyring import FAST_KDF

PASS = "secret-123"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(tmp_path):
    s = Store.create(tmp_path / "data", PASS, kdf=FAST_KDF)
    yield s
    if not s.closed:
        s.close()


def some_entries(store: Store, n: int = 5) -> None:
    for i in range(n):
        append(store, "export", subject=f"file{i}.xlsx", user="王主任", detail={"rows": i})


def bypass_triggers(store: Store, sql: str, params=()) -> None:
    """What someone holding the key could do: drop the append-only triggers and change the table."""
    store.conn.execute("DROP TRIGGER audit_log_no_update")
    store.conn.execute("DROP TRIGGER audit_log_no_delete")
    store.conn.execute(sql, params)


def test_an_intact_log_verifies(store):
    some_entries(store)
    result = verify(store)
    assert result.ok and result.entries == 5


def test_the_log_refuses_updates_and_deletes_through_sql(store):
    some_entries(store, 2)
    for sql in ("UPDATE audit_log SET user = '别人' WHERE id = 1", "DELETE FROM audit_log WHERE id = 1"):
        with pytest.raises(Exception, match="append-only"):
            store.conn.execute(sql)
    assert verify(store).ok


@pytest.mark.parametrize("tamper, bad_id, words", [
    ("DELETE FROM audit_log WHERE id = 3", 3, "不见了"),
    ("UPDATE audit_log SET user = '别人' WHERE id = 2", 2, "被修改过"),
    ("UPDATE audit_log SET detail = '{\"rows\": 99}' WHERE id = 4", 4, "被修改过"),
    ("DELETE FROM audit_log WHERE id = 5", 5, "末尾的记录被删除了"),
])
def test_removing_or_altering_an_entry_is_detected(store, tamper, bad_id, words):
    some_entries(store)
    bypass_triggers(store, tamper)
    result = verify(store)
    assert not result.ok and result.bad_id == bad_id and words in result.problem.message


def test_rewriting_an_entry_with_a_fresh_hash_breaks_the_next_link(store):
    import hashlib

    some_entries(store)
    row = store.conn.execute("SELECT prev_hash, id, at, user, action, subject, detail FROM audit_log WHERE id = 2"
                             ).fetchone()
    forged = hashlib.sha256(json.dumps([row[0], 2, row[2], "别人", row[4], row[5], row[6]], ensure_ascii=False,
                                       separators=(",", ":")).encode()).hexdigest()
    bypass_triggers(store, "UPDATE audit_log SET user = '别人', hash = ? WHERE id = 2", [forged])
    result = verify(store)
    assert not result.ok and result.bad_id == 3


def test_an_edit_is_logged_with_old_and_new_values_and_ids_masked(store):
    from datetime import date

    from app.demo import _VisitData
    from app.forms.xlsform import load_form

    form = load_form(ROOT / "resources" / "forms" / "elder_visit.xlsx")
    store.add_village("V1", "东山村")
    person = store.add_person(name="王秀英", kind="elder", village_id="V1")
    data = _VisitData(date.today()).make("elder_visit", date.today(), 30, 0, {})
    record = store.save_draft(form_id="elder_visit", form_version=form.version, data=data, person_id=person,
                              village_id="V1")
    store.finalize(record, form)
    changed = dict(store.get_record(record)["data"], remarks="儿子身份证 110101197001011237，电话 13800138000")

    store.edit_record(record, form, changed, author="李会计", reason="补充联系方式")

    [entry] = entries(store, action="edit")
    assert entry["user"] == "李会计" and entry["subject"] == record
    assert entry["detail"]["reason"] == "补充联系方式" and entry["detail"]["revision"] == 2
    logged = json.dumps(entry["detail"], ensure_ascii=False)
    assert "remarks" in logged and "110101197001011237" not in logged and "13800138000" not in logged
    assert verify(store).ok


def test_the_cli_verifies_and_lists(store, tmp_path):
    some_entries(store, 3)
    directory = store.data_dir
    store.close()
    env = os.environ | {"CUNFANG_PASSPHRASE": PASS, "CUNFANG_DATA_DIR": str(directory)}

    def cunfang(*args):
        return subprocess.run([sys.executable, "-m", "ui.entry", *args], capture_output=True, text=True, env=env,
                              timeout=120, cwd=ROOT)

    ok = cunfang("audit", "verify")
    assert ok.returncode == 0 and "共 3 条" in ok.stdout
    listed = json.loads(cunfang("audit", "list", "--json").stdout)
    assert [e["subject"] for e in listed] == ["file2.xlsx", "file1.xlsx", "file0.xlsx"]
    with Store.open(directory, PASS) as reopened:
        bypass_triggers(reopened, "DELETE FROM audit_log WHERE id = 2")
    broken = cunfang("audit", "verify")
    assert broken.returncode == 1 and "第 2 条审计记录不见了" in broken.stderr and "Traceback" not in broken.stderr
