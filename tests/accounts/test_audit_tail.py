"""Cutting the newest audit entries (with the data key, which every account's password unwraps) is noticed:
by `cunfang audit verify`, by the next sign-in (which records the cut before its own entry), and for good."""

from __future__ import annotations

import json
import re
from pathlib import Path

from app import accounts
from app.store import Store, connection, keyring
from app.store.audit import integrity_report, verify

from .conftest import ADMIN_PW, USER_PW
from .test_cli_accounts import cunfang


def data_key(data_dir: Path) -> bytes:
    store = accounts.sign_in(data_dir, "cadre1", USER_PW)
    key = store.data_key
    store.close()
    return key


def cut_tail(data_dir: Path, key: bytes, n: int) -> int:
    """What a village cadre could do with the data key: delete the newest ``n`` entries and make the table's own
    record of its head agree. Returns how many entries are left."""
    conn = connection.open_connection(data_dir, key)
    conn.execute("DROP TRIGGER audit_log_no_delete")
    last = conn.execute("SELECT max(id) FROM audit_log").fetchone()[0]
    conn.execute("DELETE FROM audit_log WHERE id > ?", (last - n,))
    left, digest = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    conn.execute("UPDATE settings SET value = ? WHERE key = 'audit.head'", (f"{left}:{digest}",))
    conn.execute("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN "
                 "SELECT RAISE(ABORT, 'the audit log is append-only'); END")
    conn.close()
    return left


def opened_without_signing_in(data_dir: Path, key: bytes) -> Store:
    return Store(connection.open_connection(data_dir, key), data_dir, data_key=key)


def test_a_cut_tail_is_found_by_verify_before_anyone_signs_in(township):
    key = data_key(township)
    for _ in range(3):
        accounts.sign_in(township, "admin", ADMIN_PW).close()  # a morning's work: sign-ins, sign-outs
    left = cut_tail(township, key, 4)
    with opened_without_signing_in(township, key) as store:
        result = verify(store)
    assert not result.ok and "末尾的记录被删除了" in result.problem.message and str(left) in result.problem.message


def test_the_next_sign_in_records_the_cut_and_verify_keeps_reporting_it(township):
    key = data_key(township)
    accounts.sign_in(township, "admin", ADMIN_PW).close()
    cut_tail(township, key, 2)
    checked = cunfang(township, "audit", "verify", user="admin")  # signing in appends: it must not hide the cut
    assert checked.returncode == 1, checked.stdout
    assert "审计记录末尾曾被删除" in checked.stderr and "Traceback" not in checked.stderr
    listed = json.loads(cunfang(township, "audit", "list", "--json", "--action", "audit_cut", user="admin").stdout)
    assert len(listed) == 1  # recorded once, by the first sign-in after the cut
    again = cunfang(township, "audit", "verify", user="admin")
    assert again.returncode == 1 and "审计记录末尾曾被删除" in again.stderr
    with accounts.sign_in(township, "admin", ADMIN_PW) as store:
        report = integrity_report(store)  # what the next sync tells the bureau
    assert report["tampered"] and {p["code"] for p in report["problems"]} == {"AUDIT_TAIL_WAS_CUT"}
    assert all(re.fullmatch(r"[A-Z][A-Z0-9_]{0,59}", p["code"]) and p["message"] and len(p["subject"]) <= 200
               for p in report["problems"])


def test_an_intact_store_reports_nothing_to_the_bureau(township):
    with accounts.sign_in(township, "admin", ADMIN_PW) as store:
        assert integrity_report(store) == {"tampered": False, "problems": []}


def test_the_head_in_the_keyring_cannot_be_rewritten_without_the_data_key(township):
    accounts.sign_in(township, "admin", ADMIN_PW).close()
    key_path = township / connection.KEYRING_NAME
    data = json.loads(key_path.read_text(encoding="utf-8"))
    data["audit_head"]["id"] -= 1  # a thief with the files only, trying to make room for a cut
    key_path.write_text(json.dumps(data), encoding="utf-8")
    with opened_without_signing_in(township, data_key_from_admin(township)) as store:
        result = verify(store)
    assert not result.ok and "审计记录末尾被改动过" in result.problem.message


def data_key_from_admin(data_dir: Path) -> bytes:
    ring = keyring.load(data_dir / connection.KEYRING_NAME)
    return ring.open(keyring.user_slot("admin"), ADMIN_PW)


def test_an_untouched_log_still_verifies_after_many_sign_ins(township):
    for login in ("admin", "cadre1", "staff", "admin"):
        accounts.sign_in(township, login, ADMIN_PW if login == "admin" else USER_PW).close()
    ok = cunfang(township, "audit", "verify", user="admin")
    assert ok.returncode == 0, ok.stderr
