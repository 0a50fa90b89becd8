"""`cunfang` as each account: the same role matrix from the command line, and a newcomer's path with accounts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ADMIN_PW, PEOPLE, USER_PW
from .test_role_matrix import MAY, SEES

ROOT = Path(__file__).resolve().parents[2]


def cunfang(data_dir: Path, *args: str, user: str | None = None, password: str | None = None,
            **env_extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUNFANG_")}
    env["CUNFANG_DATA_DIR"] = str(data_dir)
    if user:
        env["CUNFANG_USER"] = user
        env["CUNFANG_PASSWORD"] = password or (ADMIN_PW if user == "admin" else USER_PW)
    env.update(env_extra)
    return subprocess.run([sys.executable, "-m", "ui.entry", *args], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", env=env, stdin=subprocess.DEVNULL, timeout=300)


@pytest.mark.parametrize("login", list(SEES))
def test_each_account_lists_searches_and_exports_only_what_its_role_allows(township, tmp_path, login):
    listed = cunfang(township, "records", "list", "--json", user=login)
    assert listed.returncode == 0, listed.stderr
    titles = {json.loads(line)["title"] for line in listed.stdout.splitlines()}
    assert titles == {f"探访 {name}" for name in SEES[login]}
    found = cunfang(township, "persons", "search", "", "--limit", "100", "--json", user=login)
    assert {json.loads(line)["name"] for line in found.stdout.splitlines()} == SEES[login]
    exported = cunfang(township, "export", "--form", "elder_visit", "--out", str(tmp_path / "out.xlsx"), user=login)
    assert (exported.returncode == 0) == ("export" in MAY[login]), exported.stderr
    accounts_listed = cunfang(township, "account", "list", user=login)
    assert (accounts_listed.returncode == 0) == ("accounts" in MAY[login])
    for refused in (exported, accounts_listed):
        if refused.returncode:
            assert "不能" in refused.stderr and "Traceback" not in refused.stderr


def test_without_credentials_a_script_is_told_what_to_set(township):
    result = cunfang(township, "records", "list")
    assert result.returncode == 2
    assert "CUNFANG_USER" in result.stderr and "Traceback" not in result.stderr
    wrong = cunfang(township, "records", "list", user="cadre1", password="wrong-password")
    assert wrong.returncode == 2 and "用户名或密码不正确" in wrong.stderr


def test_a_newcomer_sets_up_accounts_for_two_villages_and_verifies_the_audit_chain(tmp_path):
    """The issue's end-to-end check, from the command line (default argon2id cost)."""
    data = tmp_path / "data"
    made = cunfang(data, "init", "--admin", "admin", "--name", "王站长", CUNFANG_NEW_PASSWORD=ADMIN_PW)
    assert made.returncode == 0, made.stderr
    assert "恢复密钥" in made.stdout
    demo = cunfang(data, "demo", "--persons", "80", "--seed", "2", user="admin")
    assert demo.returncode == 0, demo.stderr
    from app import accounts

    with accounts.sign_in(data, "admin", ADMIN_PW) as store:
        villages = [v["id"] for v in store.villages()][:2]
    for login, role, village in (("zhang", "村干部", villages[0]), ("li", "儿童主任", villages[1])):
        added = cunfang(data, "account", "add", login, "--role", role, "--village", village, user="admin",
                        CUNFANG_NEW_PASSWORD=USER_PW)
        assert added.returncode == 0, added.stderr
    seen = {}
    for login in ("zhang", "li"):  # the first sign-in asks for their own password before anything else
        refused = cunfang(data, "persons", "search", "", "--json", user=login)
        assert refused.returncode != 0 and "请先设置一个新密码" in refused.stderr and refused.stdout == ""
        listed = cunfang(data, "persons", "search", "", "--limit", "1000", "--json", user=login,
                         CUNFANG_NEW_PASSWORD="Own-choice-2026x")
        assert listed.returncode == 0, listed.stderr
        assert "新密码已设置" in listed.stderr
        seen[login] = [json.loads(line) for line in listed.stdout.splitlines()]
        again = cunfang(data, "persons", "search", "", "--json", user=login, password="Own-choice-2026x")
        assert again.returncode == 0, again.stderr
    assert seen["zhang"] and {p["village_id"] for p in seen["zhang"]} == {villages[0]}
    assert {p["kind"] for p in seen["zhang"]} <= {"elder", "guardian", "other"}
    assert seen["li"] and {p["village_id"] for p in seen["li"]} == {villages[1]}
    assert {p["kind"] for p in seen["li"]} <= {"child", "guardian"}
    verified = cunfang(data, "audit", "verify", user="admin")
    assert verified.returncode == 0, verified.stderr
    log = cunfang(data, "audit", "list", "--json", "--limit", "100", user="admin")
    actions = [entry["action"] for entry in json.loads(log.stdout)]
    assert actions.count("account_add") == 2 and "login" in actions
    assert not any(p["name"] in log.stdout for p in seen["zhang"] + seen["li"])
    assert set(PEOPLE)  # the fixture's names are unrelated to the demo data
