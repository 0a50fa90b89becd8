"""What people type into the login-name field by mistake (their password, an ID number) is never written down."""

from __future__ import annotations

import json

import pytest

from app import accounts
from app.errors import CunFangError
from app.store import connection, keyring

from .conftest import USER_PW
from .test_cli_accounts import cunfang

TYPED_BY_MISTAKE = ["Secret-Passw0rd!", "110101199003070017"]  # a password, a full resident ID number


@pytest.mark.parametrize("typed", TYPED_BY_MISTAKE)
def test_a_secret_typed_as_the_login_name_is_kept_nowhere_and_listed_as_unknown(township, typed):
    with pytest.raises(CunFangError):
        accounts.sign_in(township, typed, USER_PW)
    for path in township.iterdir():
        if path.is_file() and path.name.startswith("keyring"):
            assert typed.lower().encode() not in path.read_bytes(), path.name
    listed = cunfang(township, "audit", "list", "--action", "login_failed", user="admin")
    assert listed.returncode == 0, listed.stderr
    assert typed.lower() not in listed.stdout and typed[-6:] not in listed.stdout
    assert "未知登录名" in listed.stdout
    as_json = cunfang(township, "audit", "list", "--json", user="admin")
    assert typed.lower() not in as_json.stdout and typed[-6:] not in as_json.stdout


def test_names_kept_by_an_older_keyring_are_not_shown_either(township):
    """A keyring written before this fix kept the typed name; it is dropped when it reaches the log."""
    def old_style(ring: keyring.Keyring) -> None:
        ring.remember_failure({"at": "2026-01-05T08:00:00+00:00", "slot": "user:mima12345678", "wait": 0})
        ring.remember_failure({"at": "2026-01-05T08:00:01+00:00", "slot": "user:cadre1", "wait": 0})

    connection.update_keyring(township, old_style)
    listed = cunfang(township, "audit", "list", "--json", "--action", "login_failed", user="admin")
    rows = json.loads(listed.stdout)
    assert sorted(r["subject"] for r in rows) == ["cadre1", "未知登录名"]
    assert "mima12345678" not in listed.stdout
