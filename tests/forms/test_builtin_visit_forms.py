"""The built-in visit forms (resources/forms/elder_visit.xlsx, child_visit.xlsx), filled as staff would."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.forms.fill import fill
from app.forms.xlsform import load_form

FORMS = Path(__file__).resolve().parents[2] / "resources" / "forms"
CST = timezone(timedelta(hours=8))


def NOW() -> datetime:
    return datetime(2026, 11, 23, 10, 0, tzinfo=CST)


# Fictitious, checksum-valid IDs in the demo region 341100 (never printed on a real card).
ELDER_ID = "341100194203150213"  # born 1942-03-15, male
CHILD_ID = "341100201406010424"  # born 2014-06-01, female


@pytest.fixture(scope="module")
def elder_form():
    return load_form(FORMS / "elder_visit.xlsx")


@pytest.fixture(scope="module")
def child_form():
    return load_form(FORMS / "child_visit.xlsx")


def elder_visit(**changes) -> dict:
    """A routine home visit with nothing wrong found."""
    answers = {
        "visit_date": "2026-11-23",
        "visit_method": "home",
        "visitor": "李秀兰",
        "visitor_role": "village_cadre",
        "elder_name": "王德福",
        "risk_tier": "key",
        "elder_id": ELDER_ID,
        "met_in_person": "1",
        "h_mobility": "slow",
        "h_express": "normal",
        "h_illness": "none",
        "h_mental": "good",
        "h_meds": "yes",
        "e_difficulty": "none",
        "e_benefits": "done",
        "f_contact": "monthly",
        "f_duty": "good",
        "s_house": "ok",
        "s_utilities": "none",
        "s_fall_risk": "handrail",
        "s_hygiene": "fair",
        "needs": "meals emotional",
        "red_flags": "none",
        "major_event": "0",
        "photo": "visit-20261123.jpg",
        "location": "31.7204 117.2271 35 8",
        "signature": "signature-20261123.png",
        "contacts": [{"contact_name": "王建国", "relation": "2", "phone": "199 0000 1234", "away": "1"}],
        "next_visit": "2026-12-20",
    }
    answers.update(changes)
    return answers


def child_visit(**changes) -> dict:
    """A routine home visit to a left-behind child living with grandparents."""
    answers = {
        "visit_date": "2026-11-23",
        "visit_method": "home",
        "visitor": "张春梅",
        "child_name": "刘小雨",
        "child_id": CHILD_ID,
        "child_seen": "1",
        "with_whom": "grandparents",
        "guard_eval": "fair",
        "life_care": "good",
        "school": "normal",
        "health": "none",
        "parent_contact": "weekly",
        "safety": "drowning",
        "needs": "study family_contact",
        "service": "policy guardian_guidance",
        "found_risk": "0",
        "next_visit": "2026-12-08",
    }
    answers.update(changes)
    return answers


# --------------------------------------------------------------------------- elder visit


def test_elder_form_settings(elder_form):
    assert elder_form.form_id == "elder_visit"
    assert elder_form.version == "2026.3"
    assert elder_form.title == "探访关爱记录表"
    assert elder_form.default_lang == "中文 (zh)"


def test_routine_elder_visit_is_valid(elder_form):
    result = fill(elder_form, elder_visit(), now=NOW)
    assert result["errors"] == {}
    assert result["valid"]
    data = result["data"]
    assert data["elder_sex"] == "1"
    assert data["elder_age"] == 84
    assert data["has_problem"] == 0
    assert data["needs"] == "meals emotional"
    assert data["location"] == "31.7204 117.2271 35 8"
    assert data["contacts"] == [{"contact_name": "王建国", "relation": "2", "phone": "199 0000 1234", "away": "1"}]
    assert data["suggest_next"] == "2026-12-23"
    assert "not_met_reason" not in data and "major_event_desc" not in data


def test_elder_visit_by_phone_skips_location_and_signature(elder_form):
    answers = elder_visit(visit_method="phone", met_in_person="0", not_met_reason="电话探访")
    del answers["location"], answers["signature"]
    result = fill(elder_form, answers, now=NOW)
    assert result["valid"], result["errors"]
    assert "location" not in result["data"] and "signature" not in result["data"]


def test_elder_id_is_optional(elder_form):
    answers = elder_visit()
    del answers["elder_id"]
    result = fill(elder_form, answers, now=NOW)
    assert result["valid"], result["errors"]
    assert result["data"]["elder_sex"] in (None, "")
    assert result["data"]["elder_age"] in (None, "")


def test_elder_without_family_has_no_contacts(elder_form):
    answers = elder_visit(f_contact="no_carer", contacts=[])
    del answers["f_duty"]
    result = fill(elder_form, answers, now=NOW)
    assert result["valid"], result["errors"]
    assert result["data"]["contacts"] == []
    assert "f_duty" not in result["data"]


def test_visit_dated_tomorrow_is_refused(elder_form):
    result = fill(elder_form, elder_visit(visit_date="2026-11-24", next_visit="2026-12-20"), now=NOW)
    assert not result["valid"]
    assert result["errors"]["visit_date"] == "探访日期不能晚于今天"


def test_id_with_wrong_check_digit_is_refused(elder_form):
    bad = ELDER_ID[:-1] + ("4" if ELDER_ID[-1] != "4" else "5")
    result = fill(elder_form, elder_visit(elder_id=bad), now=NOW)
    assert not result["valid"]
    assert result["errors"]["elder_id"] == "身份证号不正确（应为18位，校验位正确），请逐位核对"
    assert result["data"]["elder_sex"] in (None, "")


def test_bad_mobile_in_contacts_is_refused_at_its_row(elder_form):
    contacts = [
        {"contact_name": "王建国", "relation": "2", "phone": "19900001234"},
        {"contact_name": "赵桂芝", "relation": "38", "phone": "0551-6543210"},
    ]
    result = fill(elder_form, elder_visit(contacts=contacts), now=NOW)
    assert not result["valid"]
    assert result["errors"] == {"contacts[2]/phone": "手机号应为以1开头的11位数字"}

    contacts = [{"contact_name": "王建国", "relation": "2", "phone": "2990000123"}]
    result = fill(elder_form, elder_visit(contacts=contacts), now=NOW)
    assert result["errors"] == {"contacts[1]/phone": "手机号应为以1开头的11位数字"}


def test_next_visit_must_follow_the_visit(elder_form):
    message = ("下次探访日期应晚于本次探访日期，且不晚于按风险等级和县里规定算出的建议日期"
               "（发现紧急情形或重大变故的，24小时内再次探访）")
    for day in ("2026-11-20", "2026-11-23", "2026-12-24"):  # 重点: 30 days
        result = fill(elder_form, elder_visit(next_visit=day), now=NOW)
        assert result["errors"] == {"next_visit": message}, day


def test_red_flag_needs_issue_and_action(elder_form):
    result = fill(elder_form, elder_visit(red_flags="no_heating lost_contact"), now=NOW)
    assert not result["valid"]
    assert set(result["errors"]) == {"issues", "action", "next_visit"}  # a red flag: visit again within a day
    assert result["data"]["suggest_next"] == "2026-11-24"

    result = fill(
        elder_form,
        elder_visit(red_flags="no_heating", issues="煤炉坏了，屋内无取暖", action="contact_family refer_village",
                    next_visit="2026-11-24"),
        now=NOW,
    )
    assert result["valid"], result["errors"]


def test_none_cannot_be_combined_with_other_red_flags(elder_form):
    result = fill(elder_form, elder_visit(red_flags="none fall_alone"), now=NOW)
    assert result["errors"]["red_flags"] == "选了「无」就不能再选其他项"


def test_major_event_follow_up_questions(elder_form):
    result = fill(elder_form, elder_visit(major_event="1", next_visit="2026-11-24"), now=NOW)
    assert set(result["errors"]) == {"major_event_type", "major_event_desc", "issues"}

    result = fill(
        elder_form,
        elder_visit(
            major_event="1",
            major_event_type="fall hospital",
            major_event_desc="上周在家跌倒，髋部骨折住院",
            issues="术后需人照料",
            action="contact_family follow_up",
            next_visit="2026-11-24",
        ),
        now=NOW,
    )
    assert result["valid"], result["errors"]
    assert result["data"]["major_event_type"] == "fall hospital"


# --------------------------------------------------------------------------- child visit


def test_child_form_settings(child_form):
    assert child_form.form_id == "child_visit"
    assert child_form.version == "2026.3"
    assert child_form.title == "儿童主任走访记录"


def test_routine_child_visit_is_valid(child_form):
    result = fill(child_form, child_visit(), now=NOW)
    assert result["errors"] == {}
    assert result["valid"]
    data = result["data"]
    assert data["child_age"] == 12
    assert data["must_report"] == 0
    assert data["needs"] == "study family_contact"
    assert "reported_to" not in data and "age_input" not in data


def test_child_not_seen_needs_a_reason(child_form):
    result = fill(child_form, child_visit(child_seen="0"), now=NOW)
    assert result["errors"].keys() == {"not_seen_reason"}
    result = fill(child_form, child_visit(child_seen="0", not_seen_reason="at_school"), now=NOW)
    assert result["valid"], result["errors"]


def test_child_living_alone_requires_a_report(child_form):
    result = fill(child_form, child_visit(with_whom="alone", guard_eval="poor", next_visit="2026-11-24"), now=NOW)
    assert not result["valid"]
    assert set(result["errors"]) == {"reported_to", "report_receiver", "found_time", "report_time", "report_content"}
    assert result["errors"]["report_content"] == "请填写报告内容"

    result = fill(
        child_form,
        child_visit(
            with_whom="alone",
            guard_eval="poor",
            reported_to="police town_supervisor",
            report_receiver="城关派出所 值班民警",
            found_time="2026-11-23T09:10:00+08:00",
            report_time="2026-11-23T09:40:00+08:00",
            report_content="父母均在外务工，儿童独自居住约两周，祖母住院",
            next_visit="2026-11-24",
        ),
        now=NOW,
    )
    assert result["valid"], result["errors"]
    assert result["data"]["must_report"] == 1
    assert result["data"]["reported_to"] == "police town_supervisor"


def test_report_time_cannot_be_in_the_future(child_form):
    result = fill(
        child_form,
        child_visit(
            with_whom="alone",
            reported_to="police",
            report_receiver="110",
            found_time="2026-11-23T09:00:00+08:00",
            report_time="2026-11-23T11:00:00+08:00",
            report_content="独自居住",
            next_visit="2026-11-24",
        ),
        now=NOW,
    )
    assert result["errors"] == {"report_time": "报告时间应在发现时间之后，且不晚于现在"}


@pytest.fixture
def beijing_local_time(monkeypatch):
    """Run with the laptop's clock set to China Standard Time, as in the field."""
    if not hasattr(time, "tzset"):
        pytest.skip("needs time.tzset")
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_early_morning_report_on_the_visit_day_is_accepted(child_form, beijing_local_time):
    def early() -> datetime:
        return datetime(2026, 11, 23, 7, 45, tzinfo=CST)

    result = fill(
        child_form,
        child_visit(
            with_whom="alone",
            reported_to="police",
            report_receiver="城关派出所",
            found_time="2026-11-23T07:10:00+08:00",
            report_time="2026-11-23T07:30:00+08:00",
            report_content="儿童独自居住",
            next_visit="2026-11-24",
        ),
        now=early,
    )
    assert result["errors"] == {}


def test_living_alone_at_16_or_older_needs_no_report(child_form):
    result = fill(child_form, child_visit(child_id="", age_input="16", with_whom="alone"), now=NOW)
    assert result["valid"], result["errors"]
    assert result["data"]["must_report"] == 0


def test_missing_or_harmed_child_requires_a_report(child_form):
    result = fill(child_form, child_visit(child_seen="0", not_seen_reason="missing"), now=NOW)
    assert "reported_to" in result["errors"]
    result = fill(child_form, child_visit(found_risk="1", harm_type="violence"), now=NOW)
    assert "reported_to" in result["errors"]


def test_child_age_is_asked_only_without_an_id(child_form):
    answers = child_visit(child_id="")
    result = fill(child_form, answers, now=NOW)
    assert result["errors"] == {"age_input": "此题为必答题，请填写。"}
    result = fill(child_form, child_visit(child_id="", age_input="9"), now=NOW)
    assert result["valid"], result["errors"]
    assert result["data"]["child_age"] == 9


def test_child_visit_dated_tomorrow_is_refused(child_form):
    result = fill(child_form, child_visit(visit_date="2026-11-24", next_visit="2026-12-08"), now=NOW)
    assert result["errors"] == {"visit_date": "走访日期不能晚于今天"}
