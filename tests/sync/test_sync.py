"""Sync as a township would see it: records go to the bureau server once, with a plain answer for each."""

from __future__ import annotations

import hashlib
import json

import pytest
import sqlalchemy as sa
from conftest import add_visit, visit_form
from openpyxl import load_workbook

from app.errors import ErrorCode
from sync.client import outbox
from sync.client.client import SyncClient, SyncReport, enroll, settings
from sync.protocol import Outcome
from sync.server import tables as t


def sync(store, **kwargs):
    with SyncClient(store, **kwargs) as client:
        return client.run()


def test_records_filled_offline_reach_the_server_once(server, laptop_factory, tmp_path):
    laptop = laptop_factory(server)
    uuids = [add_visit(laptop, "V1", name=name) for name in ("王秀英", "李建国", "张桂兰")]
    draft = add_visit(laptop, "V1", name="赵草稿", finalize=False)

    report = sync(laptop)

    assert report.error == ""
    assert sorted(r.uuid for r in report.results) == sorted(uuids)  # drafts never leave the laptop
    assert {r.outcome for r in report.results} == {Outcome.ACCEPTED}
    assert all(laptop.get_record(u)["status"] == "accepted" for u in uuids)
    assert laptop.get_record(draft)["status"] == "draft"
    assert server.service.count_records() == {"records": 3, "revisions": 3, "conflicts": 0,
                                              "by_form": {"elder_visit": 3}}
    again = sync(laptop)  # nothing new: nothing sent
    assert again.results == [] and again.error == ""
    from app.store.audit import entries, verify

    assert [e["action"] for e in entries(laptop)][:3] == ["sync", "sync", "enroll"]  # in the laptop's audit log
    assert entries(laptop, action="sync")[1]["detail"]["counts"] == {"accepted": 3} and verify(laptop).ok
    out = tmp_path / "bureau.xlsx"
    server.cli("export", "--out", str(out))
    sheet = load_workbook(out)["elder_visit"]
    assert sheet.max_row == 4 and {row[0].value for row in sheet.iter_rows(min_row=2)} == set(uuids)


def test_a_record_sent_again_is_a_duplicate_not_a_second_copy(sqlite_server, laptop_factory):
    laptop = laptop_factory(sqlite_server)
    uuid = add_visit(laptop, "V1")
    assert [r.outcome for r in sync(laptop).results] == [Outcome.ACCEPTED]
    # the answer was lost: the laptop still thinks the record is queued
    laptop.conn.execute("UPDATE records SET status = 'queued', base_revision = NULL WHERE uuid = ?", [uuid])

    report = sync(laptop)

    assert [r.outcome for r in report.results] == [Outcome.DUPLICATE]
    assert laptop.get_record(uuid)["status"] == "accepted"
    assert sqlite_server.service.count_records()["revisions"] == 1


def test_one_bad_record_never_blocks_the_others(server, laptop_factory):
    laptop = laptop_factory(server)
    good = add_visit(laptop, "V1", name="王秀英")
    laptop.add_village("V9", "外村")
    elsewhere = add_visit(laptop, "V9", name="外村人")  # not one of this user's villages
    unknown = add_visit(laptop, "V1", name="新版本")
    laptop.conn.execute("UPDATE records SET form_version = '2099.9' WHERE uuid = ?", [unknown])
    invalid = add_visit(laptop, "V1", name="有问题")
    data = laptop.get_record(invalid)["data"]
    data["visit_date"] = "不是日期"
    laptop.conn.execute("UPDATE records SET data = ? WHERE uuid = ?", [json.dumps(data, ensure_ascii=False), invalid])

    report = sync(laptop)

    outcomes = {r.uuid: r for r in report.results}
    assert outcomes[good].outcome is Outcome.ACCEPTED
    assert elsewhere not in outcomes  # not this credential's village: it stays here, with the reason
    record = laptop.get_record(elsewhere)
    assert record["status"] == "finalized" and record["server_message"] == report.waiting[0]
    assert "不负责" in report.waiting[0]
    assert outcomes[unknown].code == ErrorCode.SYNC_FORM_UNKNOWN.name
    assert outcomes[invalid].code == ErrorCode.SYNC_RECORD_INVALID.name
    for uuid in (unknown, invalid):
        record = laptop.get_record(uuid)  # rejected records stay on the laptop, with the reason in Chinese
        assert record["status"] == "rejected" and outcomes[uuid].outcome is Outcome.REJECTED
        assert record["server_message"] == outcomes[uuid].message
    assert "visit_date" in outcomes[invalid].message
    assert server.service.count_records()["records"] == 1


def test_attachments_upload_in_chunks_and_resume_where_they_stopped(sqlite_server, laptop_factory):
    import requests

    laptop = laptop_factory(sqlite_server)
    photo = bytes(range(256)) * 4000  # 1 MB: four chunks
    digest = hashlib.sha256(photo).hexdigest()
    add_visit(laptop, "V1", attachments={"photo.jpg": photo})
    # a first attempt was cut after one chunk
    credential = settings(laptop)["credential"]
    first = requests.put(f"{sqlite_server.url}/api/v1/attachments/{digest}", data=photo[:262144],
                         params={"offset": 0, "total": len(photo)}, headers={"Authorization": f"Bearer {credential}"},
                         timeout=10)
    assert first.json() == {"hash": digest, "received": 262144, "complete": False}

    report = sync(laptop)

    assert [r.outcome for r in report.results] == [Outcome.ACCEPTED]
    with sqlite_server.service.engine.connect() as conn:
        stored = conn.execute(sa.select(t.attachments.c.content).where(t.attachments.c.hash == digest)).scalar_one()
        leftovers = conn.execute(sa.select(sa.func.count()).select_from(t.attachment_chunks)).scalar_one()
    assert bytes(stored) == photo and leftovers == 0


def test_a_record_is_never_applied_without_its_attachments(sqlite_server, laptop_factory):
    laptop = laptop_factory(sqlite_server)
    uuid = add_visit(laptop, "V1", attachments={"sign.png": b"signature"})
    envelope = outbox.envelope(laptop, laptop.query("SELECT * FROM records WHERE uuid = ?", [uuid])[0])
    caller = sqlite_server.service.authenticate(settings(laptop)["credential"])

    result = sqlite_server.service.push_one(caller, envelope)  # pushed before its attachment arrived

    assert result.outcome is Outcome.RETRY and result.missing == [hashlib.sha256(b"signature").hexdigest()]
    assert sqlite_server.service.count_records()["records"] == 0
    assert [r.outcome for r in sync(laptop).results] == [Outcome.ACCEPTED]


def test_an_edit_after_sending_is_a_new_revision_on_the_server(server, laptop_factory):
    laptop = laptop_factory(server)
    uuid = add_visit(laptop, "V1")
    sync(laptop)
    data = laptop.get_record(uuid)["data"]
    data["visitor"] = "李四"
    laptop.edit_record(uuid, visit_form(), data, author="李四", reason="探访人写错了")

    report = sync(laptop)

    assert [(r.revision, r.outcome) for r in report.results] == [(2, Outcome.ACCEPTED)]
    assert server.service.count_records() == {"records": 1, "revisions": 2, "conflicts": 0,
                                              "by_form": {"elder_visit": 1}}
    assert laptop.get_record(uuid)["base_revision"] == 2


def test_two_edits_of_the_same_revision_keep_both_and_flag_a_conflict(sqlite_server, laptop_factory):
    a = laptop_factory(sqlite_server, "a")
    b = laptop_factory(sqlite_server, "b")
    uuid = add_visit(a, "V1")
    sync(a)
    row = a.query("SELECT * FROM records WHERE uuid = ?", [uuid])[0]
    person = a.get_person(row["person_id"])
    b.insert_persons([{k: person[k] for k in ("id", "name", "kind", "village_id")}])
    b.db["records"].insert(row)  # the same record on a second laptop (a restored backup, say)
    for laptop, visitor in ((a, "甲"), (b, "乙")):
        data = laptop.get_record(uuid)["data"]
        data["visitor"] = visitor
        laptop.edit_record(uuid, visit_form(), data, author=visitor, reason="补充")

    first, second = sync(a), sync(b)

    assert [r.outcome for r in first.results] == [Outcome.ACCEPTED]
    assert [r.outcome for r in second.results] == [Outcome.CONFLICT]
    assert "两份都已保留" in second.results[0].message
    assert b.get_record(uuid)["sync_outcome"] == "conflict"
    with sqlite_server.service.engine.connect() as conn:
        kept = json.loads(conn.execute(sa.select(t.conflicts.c.envelope)).scalar_one())
    assert kept["data"]["visitor"] == "乙"
    assert sqlite_server.service.count_records()["conflicts"] == 1
    assert [r.outcome for r in sync(b).results] == []  # not sent again and again

    listed = json.loads(sqlite_server.cli("conflicts", "list", "--json").stdout)
    assert [(c["uuid"], c["head"]) for c in listed] == [(uuid, 2)]
    done = sqlite_server.cli("conflicts", "resolve", str(listed[0]["id"]), "--keep", "laptop", "--by", "王主任")
    assert "成为第 3 版" in done.stdout
    with sqlite_server.service.engine.connect() as conn:
        head = conn.execute(sa.select(t.records.c.revision, t.records.c.data, t.records.c.conflicts)).one()
    assert (head.revision, json.loads(head.data)["visitor"], head.conflicts) == (3, "乙", 0)
    assert sqlite_server.service.count_records()["conflicts"] == 0
    assert "没有待处理的冲突" in sqlite_server.cli("conflicts", "list").stdout


def test_registry_reaches_the_laptops_of_the_same_village_only(server, laptop_factory):
    a = laptop_factory(server, "a", villages="V1")
    same_village = laptop_factory(server, "b", villages="V1")
    other_village = laptop_factory(server, "c", villages="V2")
    person = a.add_person(name="王秀英", kind="elder", village_id="V1", id_number="110101194001011234")
    sync(a)

    sync(same_village)
    sync(other_village)

    assert same_village.get_person(person)["name"] == "王秀英"
    assert not other_village.query("SELECT 1 FROM persons WHERE id = ?", [person])
    # a pull never overwrites a change made here and not yet sent; changes to different fields both stay
    same_village.update_person(person, phone="13800138000")
    a.update_person(person, risk_tier="高风险")
    sync(a)
    pulled = SyncReport()
    with SyncClient(same_village) as client:
        client._pull_registry(pulled)  # only the pull, before this laptop sends its change
    assert pulled.registry_received == 0
    assert same_village.get_person(person)["phone"] == "13800138000"
    sync(same_village)
    sync(a)
    for laptop in (a, same_village):
        assert (laptop.get_person(person)["phone"], laptop.get_person(person)["risk_tier"]) == ("13800138000", "高风险")


def test_the_same_person_registered_on_two_laptops_becomes_one(sqlite_server, laptop_factory):
    a = laptop_factory(sqlite_server, "a")
    b = laptop_factory(sqlite_server, "b")
    first = a.add_person(name="王秀英", kind="elder", village_id="V1", id_number="110101194001011234")
    second = b.add_person(name="王秀英", kind="elder", village_id="V1", id_number="110101194001011234")
    sync(a)

    sync(b)

    assert b.query("SELECT id FROM persons WHERE id_number = '110101194001011234'") == [{"id": first}]
    assert not b.query("SELECT 1 FROM persons WHERE id = ?", [second])


def test_enrollment_tokens_work_once_and_revoked_laptops_are_refused(sqlite_server, laptop_factory, tmp_path):
    from conftest import new_laptop

    from app.errors import CunFangError

    token = sqlite_server.user("li")
    first = new_laptop(tmp_path / "l1")
    first.add_village("V1", "东山村")
    enroll(first, sqlite_server.url, token)
    second = new_laptop(tmp_path / "l2")
    with pytest.raises(CunFangError) as refused:
        enroll(second, sqlite_server.url, token)
    assert refused.value.code is ErrorCode.SYNC_TOKEN_INVALID and "登记码" in refused.value.message
    sqlite_server.service.revoke_device(settings(first)["device_id"])
    add_visit(first, "V1")

    report = sync(first)

    assert "停用" in report.error
    assert first.query("SELECT status FROM records")[0]["status"] == "finalized"  # kept, to be sent once sorted out
    first.close()
    second.close()


def test_no_server_is_a_plain_message_and_nothing_changes(laptop_factory, sqlite_server):
    laptop = laptop_factory(sqlite_server)
    uuid = add_visit(laptop, "V1")
    laptop.set_setting("sync.url", "http://127.0.0.1:9")  # nothing listens there

    report = sync(laptop, sleep=lambda s: None, timeout=(1, 1))

    assert "连不上服务器" in report.error and "保存在本机" in report.error
    assert laptop.get_record(uuid)["status"] == "finalized"


def test_usb_package_gives_the_same_results_and_a_second_import_changes_nothing(server, laptop_factory, tmp_path):
    laptop = laptop_factory(server)
    uuids = [add_visit(laptop, "V1", name=n, attachments={"p.jpg": n.encode() * 1000}) for n in ("王秀英", "李建国")]
    laptop.add_village("V9", "外村")
    add_visit(laptop, "V9", name="外村人")
    stick = tmp_path / "usb" / "村访通数据包.cfpkg"
    stick.parent.mkdir()
    from sync.client.packages import export_package

    assert export_package(laptop, stick) == 2  # the V9 record is not this credential's: it stays on the laptop
    assert b"\xe7\x8e\x8b\xe7\xa7\x80\xe8\x8b\xb1" not in stick.read_bytes()  # 王秀英 is not readable on the stick

    first = server.cli("package", "import", str(stick), "--json")
    second = server.cli("package", "import", str(stick), "--json")

    outcomes = [r["outcome"] for r in json.loads(first.stdout)["results"]]
    assert sorted(outcomes) == ["accepted", "accepted"]
    assert sorted(r["outcome"] for r in json.loads(second.stdout)["results"]) == ["duplicate", "duplicate"]
    assert server.service.count_records()["revisions"] == 2
    report = sync(laptop)  # back online: the laptop learns what the package did
    assert {r.uuid: r.outcome for r in report.results if r.uuid in uuids} == {u: Outcome.DUPLICATE for u in uuids}
    assert all(laptop.get_record(u)["status"] == "accepted" for u in uuids)


def test_a_package_for_another_server_is_refused_plainly(sqlite_server, laptop_factory, tmp_path):
    laptop = laptop_factory(sqlite_server)
    add_visit(laptop, "V1")
    from sync import package
    from sync.client.packages import export_package

    laptop.set_setting("sync.package_key", package.new_keypair()[1])
    export_package(laptop, tmp_path / "x.cfpkg")

    result = sqlite_server.cli("package", "import", str(tmp_path / "x.cfpkg"), check=False)

    assert result.returncode == 1 and "不是发给本服务器的" in result.stderr and "Traceback" not in result.stderr


def test_server_cli_for_scripts(tmp_path):
    import subprocess
    import sys

    db = str(tmp_path / "s.db")

    def run(*args):
        return subprocess.run([sys.executable, "-m", "sync.server.cli", "--db", db, *args], capture_output=True,
                              text=True, timeout=120)

    added = run("user", "add", "王主任", "--role", "乡镇工作人员", "--villages", "*")
    assert added.returncode == 0 and added.stdout.strip().splitlines()[-1].startswith("cf-")
    assert run("user", "add", "王主任", "--role", "admin").stderr.strip() == "错误：用户“王主任”已经存在。"
    bad_role = run("user", "add", "x", "--role", "boss")
    assert bad_role.returncode == 1 and "不认识的角色" in bad_role.stderr
    assert json.loads(run("records", "count", "--json").stdout) == {"records": 0, "revisions": 0, "conflicts": 0,
                                                                    "by_form": {}}


def test_the_laptops_audit_log_reaches_the_server_and_tampering_is_flagged(sqlite_server, laptop_factory):
    from app.store.audit import append

    laptop = laptop_factory(sqlite_server)
    add_visit(laptop, "V1")
    sync(laptop)
    with sqlite_server.service.engine.connect() as conn:
        held = conn.execute(sa.select(t.device_audit.c.entry_id, t.device_audit.c.action)
                            .order_by(t.device_audit.c.entry_id)).all()
    assert [a for _, a in held] == ["enroll"]  # the sync's own entry is written after it ends: it goes next time
    sync(laptop)
    # someone with the key rewrites an entry already sent, then adds one: the server notices
    laptop.conn.execute("DROP TRIGGER audit_log_no_update")
    laptop.conn.execute("UPDATE audit_log SET user = '别人' WHERE id = 1")
    append(laptop, "export", subject="x.xlsx")
    laptop.set_setting("sync.audit_sent", "0")
    sync(laptop)
    with sqlite_server.service.engine.connect() as conn:
        actions = [row.action for row in conn.execute(sa.select(t.device_audit.c.action)
                                                      .order_by(t.device_audit.c.entry_id))]
        flagged = conn.execute(sa.select(sa.func.count()).select_from(t.audit)
                               .where(t.audit.c.action == "device_audit", t.audit.c.outcome == "broken")).scalar_one()
    assert actions[:3] == ["enroll", "sync", "sync"] and "export" in actions
    assert flagged == 1


def test_a_laptop_not_yet_upgraded_sends_records_of_the_earlier_form_version(sqlite_server, laptop_factory):
    """A new server knows the earlier versions of the built-in forms (resources/forms/versions), so a laptop
    still on the previous program sends its 2026.1 visits and they are judged by the 2026.1 rules."""
    from app.forms.library import archived_path
    from app.forms.xlsform import load_form

    laptop = laptop_factory(sqlite_server)
    old_form = load_form(archived_path("elder_visit", "2026.1"))
    person = laptop.add_person(name="王秀英", kind="elder", village_id="V1")
    record = laptop.save_draft(form_id="elder_visit", form_version="2026.1", data=_old_visit(), person_id=person,
                               village_id="V1", author="测试", title="王秀英 探访")
    laptop.finalize(record, old_form, author="测试")

    report = sync(laptop)

    assert [r.outcome for r in report.results] == [Outcome.ACCEPTED], report.results


def _old_visit() -> dict:
    """A routine visit as the 2026.1 elder_visit asked it (no risk tier, 30 days to the next visit)."""
    from datetime import date, timedelta

    today = date.today()
    return {"visit_date": today.isoformat(), "visit_method": "home", "visitor": "李秀兰",
            "visitor_role": "village_cadre", "elder_name": "王秀英", "met_in_person": "1", "h_mobility": "slow",
            "h_express": "normal", "h_illness": "none", "h_mental": "good", "h_meds": "yes", "e_difficulty": "none",
            "e_benefits": "done", "f_contact": "monthly", "f_duty": "good", "s_house": "ok", "s_utilities": "none",
            "s_fall_risk": "handrail", "s_hygiene": "fair", "needs": "meals", "red_flags": "none",
            "major_event": "0", "next_visit": (today + timedelta(days=30)).isoformat(),
            "contacts": [{"contact_name": "王建国", "relation": "2", "phone": "199 0000 1234", "away": "1"}]}


def test_the_server_judges_records_by_the_countys_own_settings(tmp_path, start_server, laptop_factory, monkeypatch):
    """A county that lets a 较好 child wait 365 days (settings.json on its laptops) gives the server the same file
    (`serve --county-settings`); without it the server holds to the shipped defaults (180 days) and refuses."""
    import json as jsonlib
    from datetime import date, timedelta

    county = {"visits": {"child_by_guardianship": {"poor": 30, "fair": 90, "good": 365}}}
    settings_file = tmp_path / "county-settings.json"
    settings_file.write_text(jsonlib.dumps(county), encoding="utf-8")

    def laptop_visit(server) -> tuple:
        laptop = laptop_factory(server, name=f"zhang{server.port}", role="child_director")
        (laptop.data_dir / "settings.json").write_text(jsonlib.dumps(county), encoding="utf-8")
        form = visit_form("child_visit")
        person = laptop.add_person(name="刘小雨", kind="child", village_id="V1")
        today = date.today()
        data = {"visit_date": today.isoformat(), "visit_method": "home", "visitor": "张春梅", "child_name": "刘小雨",
                "age_input": "10", "child_seen": "1", "with_whom": "grandparents", "guard_eval": "good",
                "life_care": "good", "school": "normal", "health": "none", "parent_contact": "weekly",
                "safety": "none", "needs": "none", "service": "policy", "found_risk": "0",
                "next_visit": (today + timedelta(days=300)).isoformat()}
        uuid = laptop.save_draft(form_id="child_visit", form_version=form.version, data=data, person_id=person,
                                 village_id="V1", author="张春梅", title="刘小雨 走访")
        laptop.finalize(uuid, form, author="张春梅")  # the laptop's county rule allows 300 days
        return laptop, uuid

    plain = start_server(str(tmp_path / "plain.db"))
    laptop, uuid = laptop_visit(plain)
    report = sync(laptop)
    assert [r.outcome for r in report.results] == [Outcome.REJECTED] and "next_visit" in report.results[0].message

    monkeypatch.setenv("CUNFANG_COUNTY_SETTINGS", str(settings_file))
    county_server = start_server(str(tmp_path / "county.db"))
    laptop, uuid = laptop_visit(county_server)
    assert [r.outcome for r in sync(laptop).results] == [Outcome.ACCEPTED]
