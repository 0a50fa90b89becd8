"""A village cadre holding the data key (every password unwraps it) edits the accounts table to become 管理员:
the row no longer verifies, so the elevated role is refused at sign-in, `doctor` names the row, and the
tampering is in the audit log that sync reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app import accounts
from app.crypto import ed25519_keypair, ed25519_sign
from app.errors import CunFangError, ErrorCode
from app.store import connection, keyring
from app.store.audit import entries, integrity_report

from .conftest import ADMIN_PW, USER_PW
from .test_cli_accounts import cunfang


def with_data_key(data_dir: Path, sql: str, params=()) -> None:
    """What the cadre does: sign in, keep the data key, edit the table with plain SQLCipher."""
    store = accounts.sign_in(data_dir, "cadre1", USER_PW)
    key = store.data_key
    store.close()
    conn = connection.open_connection(data_dir, key)
    conn.execute(sql, params)
    conn.close()


@pytest.mark.parametrize("edit", [
    "UPDATE accounts SET role = 'admin', villages = '[\"*\"]' WHERE login = 'cadre1'",
    "UPDATE accounts SET villages = '[\"v1\", \"v2\"]' WHERE login = 'cadre1'",
])
def test_a_cadre_who_edits_their_own_row_is_refused_the_new_rights(township, edit):
    with_data_key(township, edit)
    with pytest.raises(CunFangError) as info:
        accounts.sign_in(township, "cadre1", USER_PW)
    assert info.value.code == ErrorCode.ACCOUNT_TAMPERED
    assert "改动过" in info.value.message
    store = accounts.sign_in(township, "admin", ADMIN_PW)
    tampered = entries(store, action="account_tampered")
    report = integrity_report(store)
    store.close()
    assert {e["subject"] for e in tampered} == {"cadre1"}
    assert report["tampered"]  # what sync tells the bureau (sync.protocol.IntegrityReport)
    assert {(p["code"], p["subject"]) for p in report["problems"]} == {("ACCOUNT_TAMPERED", "cadre1")}
    doctor = cunfang(township, "doctor", user="admin")
    assert doctor.returncode == 1 and "账户“cadre1”的资料" in doctor.stderr and "Traceback" not in doctor.stderr


def test_an_account_row_added_with_the_data_key_cannot_sign_in(township):
    with_data_key(township, "INSERT INTO accounts (login, name, role, villages, active, must_change, created_at, "
                            "updated_at) VALUES ('boss', 'boss', 'admin', '[\"*\"]', 1, 0, '', '')")
    store = accounts.sign_in(township, "admin", ADMIN_PW)
    assert [a.login for a, _ in accounts.tampered_rows(store)] == ["boss"]
    store.close()


def test_an_administrator_fixes_a_tampered_row_by_saving_it(township):
    with_data_key(township, "UPDATE accounts SET role = 'admin' WHERE login = 'cadre1'")
    store = accounts.sign_in(township, "admin", ADMIN_PW)
    accounts.update_account(store, "cadre1", role_name="village_cadre", villages=["v1"])
    assert accounts.tampered_rows(store) == []
    store.close()
    again = accounts.sign_in(township, "cadre1", USER_PW)
    assert again.account.role == "village_cadre"
    again.close()


def test_a_cadre_holds_no_signing_key_and_an_administrator_does(township):
    ring = keyring.load(township / connection.KEYRING_NAME)
    assert all(slot.signing for slot in ring.slots.values())  # the file does not tell who is an administrator
    sizes = {len(slot.signing["sealed"]) for slot in ring.slots.values()}
    assert len(sizes) == 1
    cadre = accounts.sign_in(township, "cadre1", USER_PW)
    assert cadre.signing_key is None
    cadre.close()
    admin = accounts.sign_in(township, "admin", ADMIN_PW)
    assert admin.signing_key is not None
    admin.close()
    assert not [e for e in entries_of(township, "account_tampered")]  # a decoy is not taken for a forged key


def entries_of(data_dir: Path, action: str) -> list[dict]:
    with accounts.sign_in(data_dir, "admin", ADMIN_PW) as store:
        return entries(store, action=action)


def test_a_cadre_who_makes_their_own_key_is_caught_by_the_next_administrator_sign_in(township):
    """The thorough forgery: a new key pair, every row re-signed, the public key in keyring.json replaced."""
    seed, public = ed25519_keypair()
    store = accounts.sign_in(township, "cadre1", USER_PW)
    key = store.data_key
    rows = accounts.list_accounts(store)
    store.close()
    conn = connection.open_connection(township, key)
    for account in rows:
        forged = accounts.Account(account.login, account.name, "admin" if account.login == "cadre1" else account.role,
                                  ("*",) if account.login == "cadre1" else account.villages, account.active)
        conn.execute("UPDATE accounts SET role = ?, villages = ?, signature = ? WHERE login = ?",
                     (forged.role, json.dumps(list(forged.villages)), ed25519_sign(seed, forged.signed_bytes()).hex(),
                      account.login))
    conn.close()
    connection.update_keyring(township, lambda ring: setattr(ring, "accounts_key", public.hex()))
    store = accounts.sign_in(township, "admin", ADMIN_PW)
    noticed = entries(store, action="account_tampered")
    store.close()
    assert any(e["detail"].get("problem") == "accounts_key_mismatch" for e in noticed)


def test_a_store_from_before_signed_rows_is_signed_at_the_first_administrator_sign_in(township):
    def as_before(ring: keyring.Keyring) -> None:  # what an older version wrote: no key, no signatures
        ring.accounts_key = ""
        for slot in ring.slots.values():
            slot.signing = None

    with_data_key(township, "UPDATE accounts SET signature = ''")
    connection.update_keyring(township, as_before)
    accounts.sign_in(township, "cadre1", USER_PW).close()  # before an administrator comes: signs in as before
    store = accounts.sign_in(township, "admin", ADMIN_PW)  # the first administrator sign-in signs every row
    assert accounts.tampered_rows(store) == [] and store.signing_key is not None
    accounts.add_account(store, "newcomer", "新人", "village_cadre", ["v1"], "Field-work-2026")
    store.close()
    with_data_key(township, "UPDATE accounts SET role = 'admin' WHERE login = 'cadre1'")
    with pytest.raises(CunFangError) as info:
        accounts.sign_in(township, "cadre1", USER_PW)
    assert info.value.code == ErrorCode.ACCOUNT_TAMPERED


def test_the_sync_client_carries_a_tampered_row_to_the_bureau(township):
    """What the audit upload's ``integrity`` field holds after a cadre edited their row (sync.protocol.IntegrityReport)."""
    from sync.client.client import integrity_report as sync_report

    with_data_key(township, "UPDATE accounts SET role = 'admin' WHERE login = 'cadre1'")
    with pytest.raises(CunFangError):
        accounts.sign_in(township, "cadre1", USER_PW)
    store = accounts.sign_in(township, "admin", ADMIN_PW)
    report = sync_report(store)
    store.close()
    assert report is not None and report.tampered
    assert ("ACCOUNT_TAMPERED", "cadre1") in {(p.code, p.subject) for p in report.problems}
