"""Local accounts: sign in, roles and villages, wrong passwords slowed, recovery, and the keyring kept small."""

from __future__ import annotations

import hashlib
import json

import pytest

from app import accounts
from app.accounts import normalize_recovery_key as normalize
from app.errors import CunFangError, ErrorCode
from app.store import Store, keyring, lockout
from app.store.audit import entries, verify
from app.store.keyring import FAST_KDF

from .conftest import ADMIN_PW, USER_PW


def test_the_first_administrator_signs_in_and_the_recovery_key_is_shown_once(tmp_path):
    store, recovery = accounts.create_with_admin(tmp_path / "d", "Admin", "管理员老王", ADMIN_PW, kdf=FAST_KDF)
    assert store.account.login == "admin" and store.account.role == "admin"
    assert len(recovery.replace("-", "")) == 32
    store.close()
    text = (tmp_path / "d" / "keyring.json").read_text()
    assert recovery not in text and ADMIN_PW not in text and "管理员老王" not in text
    assert set(json.loads(text)["slots"]) == {"user:admin", "recovery"}
    store = accounts.sign_in(tmp_path / "d", "ADMIN ", ADMIN_PW)
    assert [e["action"] for e in entries(store)][:2] == ["login", "login"]
    store.close()


def test_a_passphrase_no_longer_opens_a_store_with_accounts(township):
    with pytest.raises(CunFangError) as info:
        Store.open(township, ADMIN_PW)
    assert info.value.code == ErrorCode.ACCOUNT_LOGIN_NEEDED


def test_wrong_passwords_are_refused_in_plain_words_and_written_to_the_audit_log(township):
    for _ in range(2):
        with pytest.raises(CunFangError) as info:
            accounts.sign_in(township, "cadre1", "not-my-password")
        assert info.value.code == ErrorCode.ACCOUNT_BAD_LOGIN
        assert "用户名或密码不正确" in str(info.value)
    with pytest.raises(CunFangError) as info:
        accounts.sign_in(township, "nobody", USER_PW)
    assert info.value.code == ErrorCode.ACCOUNT_BAD_LOGIN  # an unknown name is refused the same way
    store = accounts.sign_in(township, "admin", ADMIN_PW)
    failed = entries(store, action="login_failed")
    assert sorted(e["subject"] for e in failed) == ["cadre1", "cadre1", "未知登录名"]  # the name typed is not kept
    assert all(e["user"] == "" for e in failed)  # nobody was signed in
    assert verify(store).ok
    store.close()
    assert json.loads((township / "keyring.json").read_text())["pending"] == []


def test_repeated_wrong_passwords_make_the_account_wait_longer_each_time_never_for_good(township):
    now = 1_000_000.0
    for _ in range(lockout.FREE_ATTEMPTS - 1):
        with pytest.raises(CunFangError) as info:
            accounts.sign_in(township, "cadre1", "guess-guess", now=now)
        assert info.value.code == ErrorCode.ACCOUNT_BAD_LOGIN
    with pytest.raises(CunFangError) as info:
        accounts.sign_in(township, "cadre1", "guess-guess", now=now)
    assert info.value.code == ErrorCode.ACCOUNT_WAIT and info.value.context["seconds"] == 30
    with pytest.raises(CunFangError) as info:  # even the right password waits
        accounts.sign_in(township, "cadre1", USER_PW, now=now + 10)
    assert info.value.code == ErrorCode.ACCOUNT_WAIT and info.value.context["seconds"] == 20
    with pytest.raises(CunFangError) as info:
        accounts.sign_in(township, "cadre1", "guess-again", now=now + 31)
    assert info.value.context["seconds"] == 60  # doubled
    accounts.sign_in(township, "director1", USER_PW, now=now + 31).close()  # other accounts are not held up
    store = accounts.sign_in(township, "cadre1", USER_PW, now=now + 92)
    store.close()
    assert "user:cadre1" not in json.loads((township / "keyring.json").read_text())["attempts"]
    assert lockout.delay_after(100) == lockout.MAX_DELAY


def test_adding_users_and_changing_passwords_never_re_encrypts_the_database(township):
    def key_of(login, password):
        store = accounts.sign_in(township, login, password)
        key = store.data_key
        store.close()
        return key

    first_page = (township / "cunfang.db").read_bytes()[:16]  # SQLCipher's per-database salt
    key = key_of("admin", ADMIN_PW)
    store = accounts.sign_in(township, "cadre1", USER_PW)
    accounts.change_password(store, USER_PW, "a-new-password-1")
    assert not store.account.must_change
    store.close()
    with pytest.raises(CunFangError):
        accounts.sign_in(township, "cadre1", USER_PW)
    assert key_of("cadre1", "a-new-password-1") == key == key_of("director1", USER_PW)
    assert (township / "cunfang.db").read_bytes()[:16] == first_page


def test_an_administrator_resets_a_forgotten_password_and_the_user_must_change_it(township):
    store = accounts.sign_in(township, "admin", ADMIN_PW)
    accounts.reset_password(store, "director1", "temporary-pw")
    store.close()
    store = accounts.sign_in(township, "director1", "temporary-pw")
    assert store.account.must_change
    assert store.list_records()  # nothing was lost
    with pytest.raises(CunFangError) as info:
        accounts.change_password(store, "temporary-pw", "temporary-pw")
    assert info.value.code == ErrorCode.ACCOUNT_PASSWORD_SAME
    store.close()


def test_the_recovery_key_lets_a_forgetful_administrator_in_again(tmp_path):
    store, recovery = accounts.create_with_admin(tmp_path / "d", "admin", "王", ADMIN_PW, kdf=FAST_KDF)
    store.add_village("v1", "东山村")
    store.close()
    with pytest.raises(CunFangError) as info:
        accounts.recover(tmp_path / "d", "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH", "admin", "brand-new-pw")
    assert info.value.code == ErrorCode.ACCOUNT_BAD_RECOVERY_KEY
    typed = recovery.lower().replace("-", " ")  # typed the way people copy it from paper
    store, fresh = accounts.recover(tmp_path / "d", typed, "admin", "brand-new-pw")
    assert store.villages()[0]["name"] == "东山村"
    assert entries(store, action="recovery_used")
    store.close()
    assert normalize(fresh) != normalize(recovery)  # used up: a new key replaces it
    accounts.sign_in(tmp_path / "d", "admin", "brand-new-pw").close()
    with pytest.raises(CunFangError) as info:
        accounts.recover(tmp_path / "d", recovery, "admin", "another-new-pw")
    assert info.value.code == ErrorCode.ACCOUNT_BAD_RECOVERY_KEY


def test_a_disabled_account_opens_nothing_but_its_records_stay(township):
    store = accounts.sign_in(township, "admin", ADMIN_PW)
    before = len(store.list_records())
    accounts.disable_account(store, "cadre1")
    with pytest.raises(CunFangError) as info:
        accounts.disable_account(store, "admin")
    assert info.value.code == ErrorCode.ACCOUNT_LAST_ADMIN
    store.close()
    with pytest.raises(CunFangError) as info:
        accounts.sign_in(township, "cadre1", USER_PW)
    assert info.value.code == ErrorCode.ACCOUNT_BAD_LOGIN
    store = accounts.sign_in(township, "admin", ADMIN_PW)
    assert len(store.list_records()) == before
    store.close()


@pytest.mark.parametrize(("login", "password", "code"), [
    ("张三", USER_PW, ErrorCode.ACCOUNT_BAD_NAME),
    ("a", USER_PW, ErrorCode.ACCOUNT_BAD_NAME),
    ("lisi", "short", ErrorCode.ACCOUNT_PASSWORD_SHORT),
    ("lisi12345", "LISI12345", ErrorCode.ACCOUNT_PASSWORD_SAME),
    ("cadre1", USER_PW, ErrorCode.ACCOUNT_EXISTS),
])
def test_bad_account_details_are_explained_and_change_nothing(township, login, password, code):
    store = accounts.sign_in(township, "admin", ADMIN_PW)
    before = [a.login for a in accounts.list_accounts(store)]
    with pytest.raises(CunFangError) as info:
        accounts.add_account(store, login, "李四", "village_cadre", ["v1"], password)
    assert info.value.code == code
    assert [a.login for a in accounts.list_accounts(store)] == before
    store.close()


def test_village_roles_need_a_known_village(township):
    store = accounts.sign_in(township, "admin", ADMIN_PW)
    for villages, code in (([], ErrorCode.ACCOUNT_NEEDS_VILLAGE), (["v9"], ErrorCode.ACCOUNT_UNKNOWN_VILLAGE)):
        with pytest.raises(CunFangError) as info:
            accounts.add_account(store, "lisi", "李四", "儿童主任", villages, USER_PW)
        assert info.value.code == code
    staff = accounts.add_account(store, "lisi", "李四", "乡镇工作人员", [], USER_PW)
    assert staff.villages == ("*",)
    store.close()


def test_a_store_made_before_accounts_opens_and_its_passphrase_gets_argon2id(tmp_path):
    """keyring.json version 1 (PBKDF2 + XOR + HMAC) from earlier releases keeps working and is upgraded."""
    directory = tmp_path / "d"
    store = Store.create(directory, "old-passphrase", kdf=FAST_KDF)
    store.add_village("v1", "东山村")
    data_key = store.data_key
    store.close()
    salt, iterations = b"s" * 16, 1000
    material = hashlib.pbkdf2_hmac("sha256", b"old-passphrase", salt, iterations, dklen=64)
    wrapped = bytes(a ^ b for a, b in zip(data_key, material[:32], strict=True))
    import hmac

    check = hmac.new(material[32:], wrapped, hashlib.sha256).digest()
    (directory / "keyring.json").write_text(json.dumps({
        "version": 1, "kdf": "pbkdf2-hmac-sha256", "salt": salt.hex(), "iterations": iterations,
        "wrapped_key": wrapped.hex(), "check": check.hex()}))
    store = Store.open(directory, "old-passphrase")
    assert store.villages()[0]["name"] == "东山村"
    store.close()
    ring = json.loads((directory / "keyring.json").read_text())
    assert ring["version"] == 2 and ring["slots"]["passphrase"]["kdf"]["name"] == "argon2id"
    store = Store.open(directory, "old-passphrase")
    draft = store.save_draft(form_id="elder_visit", form_version="2026.1", data={}, village_id="v1")
    recovery = accounts.adopt_accounts(store, "admin", "王", ADMIN_PW)
    store.close()
    assert recovery
    with pytest.raises(CunFangError):
        Store.open(directory, "old-passphrase")
    store = accounts.sign_in(directory, "admin", ADMIN_PW)
    assert [d["uuid"] for d in store.drafts()] == [draft]  # a draft from before accounts is still offered
    store.close()


def test_default_cost_is_rfc9106s_second_recommendation():
    assert (keyring.DEFAULT_KDF.time_cost, keyring.DEFAULT_KDF.memory_kib, keyring.DEFAULT_KDF.parallelism) == (
        3, 64 * 1024, 4)
