"""`cunfang records add FORM --answers A.json [--person ID] [--finalize] [--json]`: real records from a script,
through the form engine, all or none."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from app.demo import ELDER_VISIT

ROOT = Path(__file__).resolve().parents[1]
PASS = "村访通-secret"


def run(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUNFANG_")} | {"CUNFANG_PASSPHRASE": PASS}
    return subprocess.run([sys.executable, "-m", "app.cli", "--data-dir", str(data_dir), *args], cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8", env=env, stdin=subprocess.DEVNULL,
                          timeout=300)


def visit(day: date, **more) -> dict:
    return {**ELDER_VISIT, "visit_date": day.isoformat(), "next_visit": (day + timedelta(days=20)).isoformat(), **more}


def records(data: Path) -> list[dict]:
    listed = run("records", "list", "--form", "elder_visit", "--limit", "100000", "--json", data_dir=data)
    return [json.loads(line) for line in listed.stdout.splitlines()]


def test_records_add_writes_all_or_none_and_finalizes_through_the_engine(tmp_path):
    data = tmp_path / "data"
    assert run("init", data_dir=data).returncode == 0
    assert run("demo", "--persons", "40", "--seed", "3", data_dir=data).returncode == 0
    found = run("persons", "search", "--json", "--limit", "50", "", data_dir=data)
    elder = next(p for p in map(json.loads, found.stdout.splitlines()) if p["kind"] == "elder")
    before = len(records(data))
    today = date.today()

    answers = tmp_path / "a.json"
    named = {"elder_name": "王秀英", "visitor": "李干部"}  # without --person the answers name the elder
    answers.write_text(json.dumps([visit(today, **named), visit(today, **named, visit_method="bicycle"),
                                   visit(today, **named)]), encoding="utf-8")
    refused = run("records", "add", "elder_visit", "--answers", str(answers), "--finalize", data_dir=data)
    assert refused.returncode == 1 and "没有写入任何记录" in refused.stderr
    problem = json.loads(refused.stdout.splitlines()[0])
    assert problem["index"] == 1 and not problem["valid"] and "visit_method" in json.dumps(problem["errors"])
    assert len(records(data)) == before, "all or none"

    answers.write_text(json.dumps([visit(today - timedelta(days=1), visitor="李干部"), visit(today, visitor="李干部")]),
                       encoding="utf-8")  # the elder's name and ID come from --person
    added = run("records", "add", "elder_visit", "--answers", str(answers), "--person", elder["id"], "--finalize",
                "--json", data_dir=data)
    assert added.returncode == 0, added.stderr
    rows = [json.loads(line) for line in added.stdout.splitlines()]
    assert len(rows) == 2 and {r["status"] for r in rows} == {"finalized"}
    after = {r["uuid"]: r for r in records(data)}
    assert all(after[r["uuid"]]["status"] == "finalized" for r in rows)
    again = run("persons", "search", "--json", "--limit", "50", elder["name"], data_dir=data)
    person = next(p for p in map(json.loads, again.stdout.splitlines()) if p["id"] == elder["id"])
    assert person["next_due"] > today.isoformat(), "finalized like a visit in the app: the schedule moves on"
    from app.store import Store

    store = Store.open(data, PASS)
    saved = store.get_record(rows[1]["uuid"])
    store.close()
    assert saved["person_id"] == elder["id"] and saved["data"]["elder_name"] == elder["name"], "filled from --person"

    one = tmp_path / "one.json"
    one.write_text(json.dumps(visit(today, **named)), encoding="utf-8")
    draft = run("records", "add", "elder_visit", "--answers", str(one), data_dir=data)
    assert draft.returncode == 0 and "已写入 1 条记录（草稿）" in draft.stdout
    unknown = run("records", "add", "no_such_form", "--answers", str(one), data_dir=data)
    assert unknown.returncode == 2 and "本机没有表单" in unknown.stderr and "Traceback" not in unknown.stderr


def test_records_add_for_an_elder_with_a_phone_fills_only_the_elders_own_questions(tmp_path):
    """The elder's phone is not a contact's 电话 (a question inside the 家属 repeat): the record is written."""
    from app.store import Store

    data = tmp_path / "data"
    assert run("init", data_dir=data).returncode == 0
    assert run("demo", "--persons", "40", "--seed", "3", data_dir=data).returncode == 0
    store = Store.open(data, PASS)
    elder = store.query("SELECT id, name FROM persons WHERE kind = 'elder' AND phone != '' LIMIT 1")[0]
    store.close()
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps([visit(date.today(), visitor="李干部")]), encoding="utf-8")
    added = run("records", "add", "elder_visit", "--answers", str(answers), "--person", elder["id"], "--json",
                data_dir=data)
    assert added.returncode == 0, added.stdout + added.stderr
    uuid = json.loads(added.stdout.splitlines()[0])["uuid"]
    store = Store.open(data, PASS)
    saved = store.get_record(uuid)
    store.close()
    assert saved["data"]["elder_name"] == elder["name"]
    assert saved["data"]["contacts"][0]["phone"] == "199 0000 1234", "the contact keeps the answer given"


def test_records_add_checks_with_the_countys_settings_as_finalizing_does(tmp_path):
    """A county that visits ordinary elders every 30 days: a next visit 60 days away is refused at once, drafts too,
    as 定稿 would refuse it later; the same answers pass where the county keeps the default 90 days."""
    from app.settings import Settings, VisitRules, save_settings

    data = tmp_path / "data"
    assert run("init", data_dir=data).returncode == 0
    today = date.today()
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps([visit(today, elder_name="王秀英", visitor="李干部",
                                         next_visit=(today + timedelta(days=60)).isoformat())]), encoding="utf-8")
    assert run("records", "add", "elder_visit", "--answers", str(answers), data_dir=data).returncode == 0
    save_settings(data, Settings(visits=VisitRules(elder_by_tier={"high": 7, "key": 30, "general": 30})))
    before = len(records(data))
    refused = run("records", "add", "elder_visit", "--answers", str(answers), data_dir=data)
    assert refused.returncode == 1 and "没有写入任何记录" in refused.stderr
    assert "next_visit" in refused.stdout
    assert len(records(data)) == before
