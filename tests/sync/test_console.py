"""The bureau's web console over HTTP against a real ``cunfang-server serve`` (SQLite and PostgreSQL):
accounts, lockout, sessions shared by hosts, CSRF, and what each role may see. Browser tests:
test_console_browser.py."""

from __future__ import annotations

import os
import re

import pytest
import sqlalchemy as sa

from sync.server import tables as t
from sync.server.console.accounts import IDLE_SECONDS, ConsoleAccounts
from tests.sync.console_data import PASSWORD, TOWN_A, TOWN_B, csrf_of, expected, seed, sign_in


@pytest.fixture
def county(server):
    return server, seed(server.service)


def cells(html: str, village: str) -> dict[str, str]:
    row = re.search(rf'<tr class="\w+" data-village="{village}">(.*?)</tr>', html, re.S).group(1)
    return {col: re.sub(r"<[^>]+>", "", text).strip()
            for col, text in re.findall(r'data-col="(\w+)">(.*?)</td>', row, re.S)}


def test_sign_in_shows_the_overview_with_the_databases_numbers(county):
    server, people = county
    session, answer = sign_in(server.url, "kezhang")
    assert answer.status_code == 200 and answer.url.endswith("/console/")
    cookie = answer.history[0].headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie  # plain HTTP here
    for code in (TOWN_A, TOWN_B, f"{TOWN_A}201", f"{TOWN_A}202", f"{TOWN_B}201"):
        shown = cells(answer.text, code)
        for key, n in expected(people, code).items():
            assert shown[key] == str(n), (code, key)


def test_wrong_password_then_wait_doubling_and_never_a_session(county):
    server, _ = county
    for _ in range(5):  # five free tries
        _, answer = sign_in(server.url, "kezhang", "wrong-password")
        assert answer.status_code == 401 and "用户名或密码不正确" in answer.text
    _, answer = sign_in(server.url, "kezhang", "wrong-password")
    assert "请等" in answer.text
    _, answer = sign_in(server.url, "kezhang", PASSWORD)  # even the right password waits
    assert answer.status_code == 401 and "请等" in answer.text
    with server.service.db.read() as conn:
        row = conn.execute(sa.select(t.console_logins).where(t.console_logins.c.name == "kezhang")).one()
        assert row.failures == 5  # the refused try during the wait counted nothing more
        assert conn.execute(sa.select(sa.func.count()).select_from(t.console_sessions)).scalar() == 0
    env = {**os.environ, "CUNFANG_CONSOLE_PASSWORD": "Another!pass42"}
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "sync.server.cli", "--db", server.db, "console-user", "reset", "kezhang"],
                   env=env, check=True, capture_output=True)
    _, answer = sign_in(server.url, "kezhang", "Another!pass42")  # a reset lifts the wait
    assert answer.url.endswith("/console/")


def test_unknown_names_share_one_counter(county):
    server, _ = county
    for i in range(6):
        _, answer = sign_in(server.url, f"nobody{i}", "whatever-pass")
    assert "请等" in answer.text
    _, answer = sign_in(server.url, "chakan")  # a real account is not slowed by guessed names
    assert answer.url.endswith("/console/")


def test_post_without_the_csrf_token_is_refused(county):
    server, _ = county
    token = server.user("zhang", "village_cadre", f"{TOWN_A}201")
    device = server.service.enroll(token, "笔记本").device_id
    session, _ = sign_in(server.url, "kezhang")
    page = session.get(server.url + "/console/users")
    assert device[:8] in page.text
    refused = session.post(server.url + f"/console/devices/{device}/revoke", data={})
    assert refused.status_code == 403 and "页面已过期或来源不明" in refused.text
    wrong = session.post(server.url + f"/console/devices/{device}/revoke", data={"csrf": "x" * 43})
    assert wrong.status_code == 403
    assert not [d for d in server.service.list_devices() if d["revoked_at"]]
    done = session.post(server.url + f"/console/devices/{device}/revoke", data={"csrf": csrf_of(page.text)})
    assert done.status_code == 200
    assert [d for d in server.service.list_devices() if d["revoked_at"]]
    login = session.get(server.url + "/console/login")
    assert session.post(server.url + "/console/login", data={"name": "kezhang", "password": PASSWORD,
                                                              "csrf": "forged"}).status_code == 403
    assert login.status_code == 200


def test_township_account_sees_only_its_township(county):
    server, people = county
    session, answer = sign_in(server.url, "xiangzhen")
    assert f'data-village="{TOWN_A}"' in answer.text and f'data-village="{TOWN_B}"' not in answer.text
    listing = session.get(server.url + "/console/persons").text
    theirs = [p for p in people if p["village_id"].startswith(TOWN_B)]
    mine = [p for p in people if p["village_id"].startswith(TOWN_A)]
    assert all(p["name"] not in listing for p in theirs) and all(p["name"] in listing for p in mine)
    assert session.get(server.url + f"/console/persons/{theirs[0]['id']}").status_code == 404
    assert session.get(server.url + f"/console/persons?village={TOWN_B}").text.count("/console/persons/p") == 0
    assert session.get(server.url + "/console/users").status_code == 403


def test_it_account_sees_no_personal_data(county):
    server, people = county
    session, answer = sign_in(server.url, "xinxi")
    assert answer.url.endswith("/console/users")
    for path in ("/console/persons", f"/console/persons/{people[0]['id']}", "/console/records", "/console/queue"):
        assert session.get(server.url + path).status_code == 403, path
    assert people[0]["name"] not in session.get(server.url + "/console/audit").text


def test_full_id_number_is_shown_on_request_and_audited(county):
    server, people = county
    session, _ = sign_in(server.url, "chakan")
    person = people[1]
    page = session.get(server.url + f"/console/persons/{person['id']}").text
    assert person["id_number"] not in page and person["id_number"][-4:] in page
    shown = session.post(server.url + f"/console/persons/{person['id']}/id-number", data={"csrf": csrf_of(page)})
    assert person["id_number"] in shown.text
    with server.service.db.read() as conn:
        rows = conn.execute(sa.select(t.audit).where(t.audit.c.action == "console_view_id")).all()
    assert [(r.subject, r.user_name) for r in rows] == [(person["id"], "chakan")]


def test_sessions_live_in_the_database_shared_by_hosts(county, start_server):
    server, _ = county
    other = start_server(server.db)  # a second host on the same database
    session, _ = sign_in(server.url, "kezhang")
    assert session.get(other.url + "/console/persons").status_code == 200
    page = session.get(other.url + "/console/").text
    session.post(other.url + "/console/logout", data={"csrf": csrf_of(page)})
    assert session.get(server.url + "/console/persons", allow_redirects=False).status_code == 303


def test_idle_session_ends_and_disabled_account_is_signed_out(county):
    server, _ = county
    accounts = ConsoleAccounts(server.service.db)
    token = accounts.sign_in("kezhang", PASSWORD, now=1_000_000)
    assert accounts.session(token, now=1_000_000 + IDLE_SECONDS - 60) is not None
    assert accounts.session(token, now=1_000_000 + 2 * IDLE_SECONDS - 120) is not None  # use restarted the clock
    assert accounts.session(token, now=1_000_000 + 3 * IDLE_SECONDS) is None
    session, _ = sign_in(server.url, "chakan")
    accounts.disable("chakan")
    assert session.get(server.url + "/console/persons", allow_redirects=False).status_code == 303


def test_console_user_commands(sqlite_server):
    import subprocess
    import sys

    env = {**os.environ, "CUNFANG_CONSOLE_PASSWORD": PASSWORD}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "sync.server.cli", "--db", sqlite_server.db, "console-user",
                               *args], env=env, capture_output=True, text=True, cwd=sqlite_server.log.parent)

    assert run("add", "liu", "--role", "乡镇").returncode == 1  # a township account needs its township
    added = run("add", "liu", "--role", "乡镇", "--township", TOWN_A, "--display-name", "刘乡长")
    assert added.returncode == 0, added.stderr
    assert "liu  刘乡长  乡镇  341100101  有效" in run("list").stdout
    assert run("disable", "liu").returncode == 0 and "已停用" in run("list").stdout
    weak = subprocess.run([sys.executable, "-m", "sync.server.cli", "--db", sqlite_server.db, "console-user", "reset",
                           "liu"], env={**os.environ, "CUNFANG_CONSOLE_PASSWORD": "12345678"}, capture_output=True,
                          text=True)
    assert weak.returncode == 1 and "太常见" in weak.stderr and "Traceback" not in weak.stderr


def test_export_is_scoped_audited_and_needs_the_csrf_token(county):
    server, _ = county
    from io import BytesIO

    from openpyxl import load_workbook

    session, _ = sign_in(server.url, "chakan")
    page = session.get(server.url + "/console/export").text
    assert session.post(server.url + "/console/export", data={}).status_code == 403
    answer = session.post(server.url + "/console/export", data={"csrf": csrf_of(page), "what": "records"})
    assert answer.status_code == 200 and answer.content[:2] == b"PK"
    load_workbook(BytesIO(answer.content))
    with server.service.db.read() as conn:
        who = conn.execute(sa.select(t.audit.c.user_name).where(t.audit.c.action == "console_export")).all()
    assert who == [("chakan",)]
    it, _ = sign_in(server.url, "xinxi")
    assert it.get(server.url + "/console/export").status_code == 403  # 信息化: no personal data
    # 乡镇 exports its own township only: tests/sync/test_console_export.py


def test_two_hosts_push_on_one_console_and_revocation_on_the_other(county, start_server):
    """Two ``serve`` processes on one database: a laptop pushes to the first, the county sees it and revokes the
    laptop on the second, and the first refuses the laptop's very next request."""
    import requests

    host_a, _ = county
    host_b = start_server(host_a.db)
    token = host_a.user("zhang", "village_cadre", f"{TOWN_A}201")
    enrolled = requests.post(host_a.url + "/api/v1/enroll", json={"token": token, "device_name": "东山村笔记本"},
                             timeout=30).json()
    bearer = {"Authorization": f"Bearer {enrolled['credential']}"}
    person = {"kind": "person", "id": "new-1", "village_id": f"{TOWN_A}201", "updated_at": "2026-01-05T09:00:00Z",
              "fields": {"name": "欧阳新来", "kind": "elder", "status": "active", "next_due": "2020-01-01",
                         "last_visit": "2019-12-01", "village_id": f"{TOWN_A}201"}}
    pushed = requests.post(host_a.url + "/api/v1/registry", json={"items": [person]}, headers=bearer, timeout=30)
    assert pushed.json()["results"][0]["outcome"] == "accepted"

    session, _ = sign_in(host_b.url, "kezhang")
    found = session.get(host_b.url + "/console/persons?q=欧阳").text
    assert "欧阳新来" in found
    page = session.get(host_b.url + "/console/users").text
    session.post(host_b.url + f"/console/devices/{enrolled['device_id']}/revoke", data={"csrf": csrf_of(page)})
    refused = requests.get(host_a.url + "/api/v1/me", headers=bearer, timeout=30)
    assert refused.status_code == 401


def _child_visit(uuid: str, visitor: str, village: str, person: str):
    from datetime import date

    from app.demo import _VisitData
    from sync.protocol import RecordEnvelope, content_hash
    from tests.sync.conftest import visit_form

    form = visit_form("child_visit")
    data = _VisitData(date.today()).make("child_visit", date.today(), 30, 0, {})
    data["visitor"] = visitor
    return RecordEnvelope(uuid=uuid, revision=1, form_id="child_visit", form_version=form.version,
                          village_id=village, person_id=person, author=visitor, title="冲突测试",
                          created_at="2026-01-05T09:00:00Z", updated_at="2026-01-05T09:00:00Z", data=data,
                          content_hash=content_hash("child_visit", form.version, data, []))


def test_conflict_side_by_side_and_resolved_with_a_reason(county):
    from sync.protocol import Outcome
    from sync.server.scope import operator

    server, people = county
    child = next(p for p in people if p["kind"] == "child" and p["village_id"].startswith(TOWN_A))
    uuid = "c0ffee00-0000-4000-8000-000000000001"
    first = server.service.push_one(operator("甲"), _child_visit(uuid, "李秀兰", child["village_id"], child["id"]))
    second = server.service.push_one(operator("乙"), _child_visit(uuid, "张春梅", child["village_id"], child["id"]))
    assert (first.outcome, second.outcome) == (Outcome.ACCEPTED, Outcome.CONFLICT)

    viewer, _ = sign_in(server.url, "chakan")
    page = viewer.get(server.url + "/console/conflicts").text
    assert "李秀兰" in page and "张春梅" in page and "resolve" not in page  # 县局查看 sees, does not decide
    conflict_id = server.service.list_conflicts()[0]["id"]
    assert viewer.post(server.url + f"/console/conflicts/{conflict_id}/resolve",
                       data={"csrf": csrf_of(page), "keep": "laptop", "reason": "x"}).status_code == 403

    admin, _ = sign_in(server.url, "kezhang")
    page = admin.get(server.url + "/console/conflicts").text
    no_reason = admin.post(server.url + f"/console/conflicts/{conflict_id}/resolve",
                           data={"csrf": csrf_of(page), "keep": "laptop", "reason": " "})
    assert "写明理由" in no_reason.text and server.service.list_conflicts()
    done = admin.post(server.url + f"/console/conflicts/{conflict_id}/resolve",
                      data={"csrf": csrf_of(page), "keep": "laptop", "reason": "电话核实，以张春梅的走访为准"})
    assert "已处理" in done.text and not server.service.list_conflicts()
    with server.service.db.read() as conn:
        record = conn.execute(sa.select(t.records).where(t.records.c.uuid == uuid)).one()
        reason = conn.execute(sa.select(t.audit.c.message).where(t.audit.c.action == "console_resolve")).scalar()
    assert record.revision == 2 and "张春梅" in record.data and reason == "电话核实，以张春梅的走访为准"


def _workbook(version: str = "", *, bad: bool = False) -> bytes:
    from io import BytesIO
    from pathlib import Path

    from openpyxl import load_workbook

    book = load_workbook(Path(__file__).resolve().parents[2] / "resources" / "forms" / "house_number.xlsx")
    if version:
        settings = book["settings"]
        headers = [c.value for c in settings[1]]
        settings.cell(row=2, column=headers.index("version") + 1, value=version)
    if bad:
        book["survey"].append(["select_one no_such_list", "broken", "坏题目"])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_forms_checked_in_chinese_and_published_by_it(county):
    server, _ = county
    session, answer = sign_in(server.url, "xinxi")
    page = session.get(server.url + "/console/forms").text
    files = {"file": ("门牌.xlsx", _workbook(bad=True))}
    refused = session.post(server.url + "/console/forms", data={"csrf": csrf_of(page), "action": "publish"},
                           files=files)
    assert refused.status_code == 422 and "没有发布" in refused.text and "no_such_list" in refused.text
    assert session.post(server.url + "/console/forms", data={"action": "check"},
                        files={"file": ("a.xlsx", _workbook())}).status_code == 403  # no CSRF token
    published = session.post(server.url + "/console/forms", data={"csrf": csrf_of(page), "action": "publish"},
                             files={"file": ("门牌.xlsx", _workbook("2099.1"))})
    assert "已发布" in published.text and "2099.1" in published.text
    from sync.server.scope import operator

    assert any(f.version == "2099.1" for f in server.service.form_list(operator()).forms)
    township, _ = sign_in(server.url, "xiangzhen")
    assert township.get(server.url + "/console/forms").status_code == 403


def test_add_a_user_shows_a_one_time_code_with_a_qr_slip_that_enrolls(county):
    server, _ = county
    session, _ = sign_in(server.url, "xinxi")
    page = session.get(server.url + "/console/users").text
    slip = session.post(server.url + "/console/users", data={"csrf": csrf_of(page), "action": "add", "name": "赵村官",
                                                             "role": "village_cadre", "villages": f"{TOWN_A}201"})
    token = re.search(r'id="token">([^<]+)<', slip.text).group(1)
    assert "<svg" in slip.text and server.url in slip.text
    enrolled = server.service.enroll(token, "新电脑")
    assert enrolled.user.name == "赵村官" and enrolled.user.villages == [f"{TOWN_A}201"]
    listing = session.get(server.url + "/console/users").text
    assert "新电脑" in listing and "从未同步" in listing
    again = session.post(server.url + "/console/users", data={"csrf": csrf_of(page), "action": "add", "name": "赵村官",
                                                              "role": "village_cadre", "villages": ""})
    assert again.status_code == 422 and "已经存在" in again.text


def test_demo_command_fills_the_console(sqlite_server):
    env = {**os.environ, "CUNFANG_CONSOLE_PASSWORD": PASSWORD}
    import subprocess
    import sys

    loaded = subprocess.run([sys.executable, "-m", "sync.server.cli", "--db", sqlite_server.db, "demo", "--persons",
                             "40"], capture_output=True, text=True, env=env, timeout=300)
    assert loaded.returncode == 0, loaded.stderr
    subprocess.run([sys.executable, "-m", "sync.server.cli", "--db", sqlite_server.db, "console-user", "add",
                    "kezhang", "--role", "county_admin"], env=env, check=True, capture_output=True)
    session, overview = sign_in(sqlite_server.url, "kezhang")
    assert "示范镇" in overview.text and "东山村" in overview.text
    assert int(cells(overview.text, "341100101")["to_visit"]) > 0
    assert "/console/records/" in session.get(sqlite_server.url + "/console/records").text
