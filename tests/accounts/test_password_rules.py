"""Passwords a thief guesses first are refused, each with a plain reason: the common ones (Chinese favourites
included), the login name, the person's name in pinyin, their phone number."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import accounts, passwords
from app.errors import CunFangError, ErrorCode

from .conftest import ADMIN_PW
from .test_cli_accounts import cunfang


@pytest.fixture
def admin(township):
    store = accounts.sign_in(township, "admin", ADMIN_PW)
    yield store
    store.close()


def refused(store, password: str, *, login="wangxy", name="王秀英", phone="13987654321") -> CunFangError:
    with pytest.raises(CunFangError) as info:
        accounts.add_account(store, login, name, "village_cadre", ["v1"], password, phone=phone)
    assert not [a for a in accounts.list_accounts(store) if a.login == login]  # nothing half-made
    return info.value


@pytest.mark.parametrize("password", ["12345678", "88888888", "woaini1314", "1qaz2wsx", "a123456789", "WoAiNi1314",
                                      "11111111", "qq123456", "19880808", "aaaabbbb"])
def test_common_passwords_are_refused_as_too_common(admin, password):
    error = refused(admin, password)
    assert error.code == ErrorCode.ACCOUNT_PASSWORD_COMMON and "太常见" in error.message


@pytest.mark.parametrize("password, code, words", [
    ("wangxy-2026!", ErrorCode.ACCOUNT_PASSWORD_LOGIN, "用户名"),
    ("Wangxiuying88", ErrorCode.ACCOUNT_PASSWORD_NAME, "wangxiuying"),
    ("13987654321", ErrorCode.ACCOUNT_PASSWORD_PHONE, "手机号"),
    ("tel13987654321", ErrorCode.ACCOUNT_PASSWORD_PHONE, "手机号"),
    ("87654321x", None, None),  # not the phone: accepted (below)
])
def test_the_persons_own_login_name_and_phone_are_refused_with_the_reason(admin, password, code, words):
    if code is None:
        accounts.add_account(admin, "wangxy", "王秀英", "village_cadre", ["v1"], password, phone="13987654321")
        return
    error = refused(admin, password)
    assert error.code == code and words in error.message


def test_a_surname_is_read_as_a_surname():
    assert passwords.name_pinyin("曾国明") == "zengguoming"
    with pytest.raises(CunFangError) as info:
        passwords.check("Zengguoming1", login="zgm", name="曾国明")
    assert info.value.code == ErrorCode.ACCOUNT_PASSWORD_NAME


def test_changing_ones_own_password_follows_the_same_rules(township):
    store = accounts.sign_in(township, "cadre1", "user-password-1")
    with pytest.raises(CunFangError) as info:
        accounts.change_password(store, "user-password-1", "88888888")
    assert info.value.code == ErrorCode.ACCOUNT_PASSWORD_COMMON
    accounts.change_password(store, "user-password-1", "Dongshan-visits-7")
    store.close()


def test_the_cli_says_why_a_password_is_refused(township):
    added = cunfang(township, "account", "add", "zhaolei", "--role", "村干部", "--village", "v1", user="admin",
                    CUNFANG_NEW_PASSWORD="woaini1314")
    assert added.returncode != 0 and "太常见" in added.stderr and "Traceback" not in added.stderr


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(p for p in passwords.common_passwords() if len(p) >= 8)), st.randoms())
def test_any_common_password_in_any_case_is_refused(common, rnd):
    typed = "".join(c.upper() if rnd.random() < 0.5 else c for c in common)
    with pytest.raises(CunFangError) as info:
        passwords.check(typed, login="someone", name="李四")
    assert info.value.code == ErrorCode.ACCOUNT_PASSWORD_COMMON


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_!", min_size=14, max_size=24)
       .filter(lambda p: len(set(p.lower())) >= 6 and "lisi" not in p.lower()))
def test_long_varied_passwords_are_accepted(password):
    passwords.check(password, login="someone", name="李四", phone="13987654321")
