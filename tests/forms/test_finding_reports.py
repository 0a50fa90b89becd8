"""发现报告 as forms of their own (child_finding_report, elder_finding_report): how it was found, to whom and when it
was reported, follow-ups until closed; 工作台 lists the open ones, the oldest first, with the days they have been open.

The duty: 未成年人保护法 第十一条 — 居民委员会、村民委员会 … 发现未成年人身心健康受到侵害、疑似受到侵害或者面临其他
危险情形的，应当立即向公安、民政、教育等有关部门报告 (domain research §3.4 [S19], Form F §3.5).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest

from app.dashboard import build
from app.forms.fill import fill
from app.forms.xlsform import load_form
from app.store import Store
from app.store.keyring import FAST_KDF

FORMS = Path(__file__).resolve().parents[2] / "resources" / "forms"
CST = timezone(timedelta(hours=8))


def NOW() -> datetime:
    return datetime(2026, 11, 23, 10, 0, tzinfo=CST)


@pytest.fixture(scope="module")
def child_form():
    return load_form(FORMS / "child_finding_report.xlsx")


@pytest.fixture(scope="module")
def elder_form():
    return load_form(FORMS / "elder_finding_report.xlsx")


def report(**changes) -> dict:
    answers = {"subject_name": "刘小雨", "subject_place": "祖母家", "found_time": "2026-11-23T08:00:00+08:00",
               "found_how": "visit", "situation": "alone", "situation_desc": "父母外出，祖母住院，儿童独自在家约一周",
               "reported_to": "police village", "receiver": "城关派出所 王警官",
               "report_time": "2026-11-23T08:40:00+08:00", "immediate_measures": "联系姑姑接回照料",
               "case_status": "open"}
    answers.update(changes)
    return answers


def test_an_open_child_report_is_complete(child_form):
    result = fill(child_form, report(), now=NOW)
    assert result["valid"], result["errors"]
    assert result["data"]["subject_kind"] == "child"
    assert result["data"]["days_open"] == 0


@pytest.mark.parametrize("to", ["village", "town_supervisor other", "medical"])
def test_a_child_report_must_reach_police_civil_affairs_or_education(child_form, to):
    result = fill(child_form, report(reported_to=to), now=NOW)
    assert "第十一条" in result["errors"]["reported_to"]


def test_an_elder_report_names_whoever_was_told(elder_form):
    answers = report(subject_name="王德福", situation="no_food", reported_to="village civil_affairs")
    result = fill(elder_form, answers, now=NOW)
    assert result["valid"], result["errors"]


def test_situations_follow_the_kind(child_form, elder_form):
    assert "不是本题的选项" in fill(child_form, report(situation="no_food"), now=NOW)["errors"]["situation"]
    assert "不是本题的选项" in fill(elder_form, report(situation="sexual"), now=NOW)["errors"]["situation"]


def test_reported_more_than_a_day_after_it_was_found_needs_a_reason(child_form):
    late = report(found_time="2026-11-20T08:00:00+08:00", report_time="2026-11-21T09:00:00+08:00")
    assert fill(child_form, late, now=NOW)["errors"] == {"late_reason": "报告超过24小时，请写明原因"}
    assert fill(child_form, {**late, "late_reason": "山区无信号"}, now=NOW)["valid"]


def test_follow_ups_until_it_is_closed(child_form):
    answers = report(followups=[{"fu_date": "2026-11-23", "fu_action": "派出所上门核实", "fu_result": "已由姑姑照料"}],
                     case_status="closed")
    result = fill(child_form, answers, now=NOW)
    assert set(result["errors"]) == {"close_date", "close_reason"}
    closed = {**answers, "close_date": "2026-11-23", "close_reason": "父母一方返乡，落实监护"}
    result = fill(child_form, closed, now=NOW)
    assert result["valid"], result["errors"]
    before = fill(child_form, {**closed, "close_date": "2026-11-19"}, now=NOW)
    assert before["errors"] == {"close_date": "结案日期应在发现之后，且不晚于今天"}


def test_the_dashboard_lists_open_reports_oldest_first_with_days_open(tmp_path):
    store = Store.create(tmp_path / "data", "secret-123", kdf=FAST_KDF)
    store.add_village("V1", "东山村")
    form = load_form(FORMS / "child_finding_report.xlsx")
    today = date.today()

    def saved(name: str, days_ago: int, status: str) -> str:
        found = datetime.combine(today - timedelta(days=days_ago), time(8)).astimezone()  # 8 o'clock here
        answers = report(subject_name=name, found_time=found.isoformat(),
                         report_time=(found + timedelta(minutes=30)).isoformat(), case_status=status)
        if status == "closed":
            answers.update(close_date=str(today), close_reason="已落实监护")
        person = store.add_person(name=name, kind="child", village_id="V1")
        uuid = store.save_draft(form_id=form.form_id, form_version=form.version, data=answers, person_id=person,
                                village_id="V1", author="张春梅", title=f"发现报告 {name}")
        store.finalize(uuid, form, author="张春梅")
        return uuid

    recent, old, _closed = saved("刘小雨", 2, "open"), saved("陈小军", 9, "open"), saved("周小花", 20, "closed")
    board = build(store, today)
    assert [(r["uuid"], r["days_open"]) for r in board.open_reports] == [(old, 9), (recent, 2)]
    store.close()


def test_the_elder_report_speaks_of_elders():
    # an example written for children (父母返乡落实监护) has no place on the elder's report
    form = load_form(FORMS / "elder_finding_report.xlsx")
    hints = [str(t) for c in form.walk() for t in c.hints.values()]
    assert hints and not any("父母返乡" in h for h in hints)
