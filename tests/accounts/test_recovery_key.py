"""The recovery key: replaced after each use and on request (the old one opens nothing), printed as a sheet, never
re-enabling a disabled administrator; and keyring.json, if lost, comes back from its backup."""

from __future__ import annotations

import re

import pytest

from app import accounts
from app.errors import CunFangError, ErrorCode
from app.store import connection, keyring

from .conftest import ADMIN_PW
from .test_cli_accounts import cunfang

KEY = re.compile(r"[A-Z2-7]{4}(?:-[A-Z2-7]{4}){7}")


def recovery_key_of(township) -> str:
    """A known recovery key for the township (its own was shown once and not kept by the fixture)."""
    store = accounts.sign_in(township, "admin", ADMIN_PW)
    key = accounts.replace_recovery_key(store)
    store.close()
    return key


def test_a_new_recovery_key_on_request_with_a_sheet_and_the_old_one_stops_working(township, tmp_path):
    old = recovery_key_of(township)
    sheet = tmp_path / "恢复密钥.txt"
    made = cunfang(township, "account", "recovery-key", "--sheet", str(sheet), user="admin")
    assert made.returncode == 0, made.stderr
    new = KEY.search(made.stdout).group(0)
    assert new != old and new in sheet.read_text(encoding="utf-8") and "作废" in made.stdout
    assert "锁在办公室的柜子里" in sheet.read_text(encoding="utf-8")
    with pytest.raises(CunFangError) as info:
        accounts.recover(township, old, "admin", "Brand-new-2026x")
    assert info.value.code == ErrorCode.ACCOUNT_BAD_RECOVERY_KEY
    store, after = accounts.recover(township, new, "admin", "Brand-new-2026x")
    store.close()
    with pytest.raises(CunFangError):  # used once: gone
        accounts.recover(township, new, "admin", "Another-new-2026y")
    accounts.recover(township, after, "admin", "Another-new-2026y")[0].close()


def test_only_an_administrator_may_ask_for_a_new_recovery_key(township):
    refused = cunfang(township, "account", "recovery-key", user="cadre1")
    assert refused.returncode != 0 and "不能" in refused.stderr and not KEY.search(refused.stdout)


def test_the_recovery_key_does_not_re_enable_a_disabled_administrator(township):
    store = accounts.sign_in(township, "admin", ADMIN_PW)
    accounts.add_account(store, "admin2", "副站长", "admin", [], "Second-admin-26")
    accounts.disable_account(store, "admin2")
    key = accounts.replace_recovery_key(store)
    store.close()
    with pytest.raises(CunFangError) as info:
        accounts.recover(township, key, "admin2", "Taking-over-2026")
    assert info.value.code == ErrorCode.ACCOUNT_DISABLED
    with pytest.raises(CunFangError):
        accounts.sign_in(township, "admin2", "Taking-over-2026")
    store = accounts.sign_in(township, "admin", ADMIN_PW)
    assert not accounts.get(store, "admin2").active
    store.close()


def test_the_cli_recover_prints_the_new_key(township):
    key = recovery_key_of(township)
    done = cunfang(township, "account", "recover", "admin", CUNFANG_RECOVERY_KEY=key,
                   CUNFANG_NEW_PASSWORD="Brand-new-2026x")
    assert done.returncode == 0, done.stderr
    fresh = KEY.search(done.stdout).group(0)
    assert fresh != key and "作废" in done.stdout
    accounts.sign_in(township, "admin", "Brand-new-2026x").close()


def test_a_missing_keyring_is_named_and_restored_from_its_backup(township):
    (township / connection.KEYRING_NAME).unlink()
    listed = cunfang(township, "records", "list", user="admin")
    assert listed.returncode != 0
    assert "找不到密钥文件" in listed.stderr and "备份" in listed.stderr and "数据库密码" not in listed.stderr
    restored = cunfang(township, "account", "restore-keyring")
    assert restored.returncode == 0 and "已从备份恢复" in restored.stdout
    store = accounts.sign_in(township, "admin", ADMIN_PW)
    assert [e["action"] for e in accounts_entries(store, "keyring_restored")] == ["keyring_restored"]
    store.close()


def test_a_missing_keyring_without_a_backup_is_named_not_asked_for_as_a_passphrase(township):
    (township / connection.KEYRING_NAME).unlink()
    keyring.backup_path(township / connection.KEYRING_NAME).unlink()
    listed = cunfang(township, "records", "list", user="admin")
    assert listed.returncode != 0 and "找不到密钥文件" in listed.stderr and "数据库密码”的问题" in listed.stderr


def accounts_entries(store, action):
    from app.store.audit import entries

    return entries(store, action=action)
