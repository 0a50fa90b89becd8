"""child_visit against the law it cites: who a report goes to, when, and how soon the next visit is due.

未成年人保护法 第十一条: 居民委员会、村民委员会 … 发现未成年人身心健康受到侵害、疑似受到侵害或者面临其他危险情形的，
应当立即向公安、民政、教育等有关部门报告. The 2020 强制报告 opinion (最高检等九部门) asks for the report to go to 公安.
The visit intervals are the county's settings (app/settings.py; ../shared/research/domain-china.md §3 "Visit frequency":
no national number, 差 monthly … as configurable defaults), read by the form as instance('county_settings').
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml import etree

from app.forms.fill import fill
from app.forms.xlsform import load_form
from app.settings import Settings, VisitRules, county_settings_xml, form_instances

FORMS = Path(__file__).resolve().parents[2] / "resources" / "forms"
CST = timezone(timedelta(hours=8))
CHILD_ID = "341100201406010424"  # fictitious, demo region 341100


def NOW() -> datetime:
    return datetime(2026, 11, 23, 10, 0, tzinfo=CST)


@pytest.fixture(scope="module")
def form():
    return load_form(FORMS / "child_visit.xlsx")


def visit(**changes) -> dict:
    answers = {
        "visit_date": "2026-11-23", "visit_method": "home", "visitor": "张春梅", "child_name": "刘小雨",
        "child_id": CHILD_ID, "child_seen": "1", "with_whom": "grandparents", "guard_eval": "fair",
        "life_care": "good", "school": "normal", "health": "none", "parent_contact": "weekly", "safety": "none",
        "needs": "none", "service": "policy", "found_risk": "0", "next_visit": "2026-12-08",
    }
    answers.update(changes)
    return answers


def alone(**changes) -> dict:
    """A child under 16 found living alone: a report is due (未成年人保护法 第十一条)."""
    base = visit(with_whom="alone", guard_eval="poor", reported_to="police", report_receiver="城关派出所",
                 found_time="2026-11-23T08:30:00+08:00", report_time="2026-11-23T09:00:00+08:00",
                 report_content="儿童独自居住约两周", next_visit="2026-11-24")
    base.update(changes)
    return base


# ------------------------------------------------------------------ to whom (第十一条: 公安、民政、教育)

@pytest.mark.parametrize("only", ["village", "other", "town_supervisor", "village other town_supervisor"])
def test_a_report_only_to_the_village_committee_or_others_is_not_enough(form, only):
    result = fill(form, alone(reported_to=only), now=NOW)
    assert "第十一条" in result["errors"]["reported_to"]
    assert "公安、民政或教育" in result["errors"]["reported_to"]


@pytest.mark.parametrize("to", ["police", "civil_affairs", "education", "village police"])
def test_a_report_to_police_civil_affairs_or_education_is_accepted(form, to):
    result = fill(form, alone(reported_to=to), now=NOW)
    assert result["valid"], result["errors"]


# ------------------------------------------------------------------ when (立即报告)

def test_the_discovery_time_is_recorded_and_the_report_cannot_precede_it(form):
    result = fill(form, alone(found_time=""), now=NOW)
    assert result["errors"]["found_time"] == "请填写发现时间"
    result = fill(form, alone(found_time="2026-11-23T09:30:00+08:00"), now=NOW)
    assert result["errors"] == {"report_time": "报告时间应在发现时间之后，且不晚于现在"}


def test_a_report_more_than_24_hours_after_discovery_needs_a_reason(form):
    late = alone(visit_date="2026-11-21", found_time="2026-11-21T09:00:00+08:00",
                 report_time="2026-11-22T09:30:00+08:00", next_visit="2026-11-22")
    result = fill(form, late, now=NOW)
    assert result["errors"] == {"report_late_reason": "报告超过24小时，请写明原因"}
    result = fill(form, {**late, "report_late_reason": "山区无信号，次日到乡镇后报告"}, now=NOW)
    assert result["valid"], result["errors"]
    assert result["data"]["report_late_reason"] == "山区无信号，次日到乡镇后报告"


def test_a_report_within_24_hours_needs_no_reason_whatever_the_zone(form):
    # 23 h 59 min later, the times written with different offsets (a laptop set to UTC)
    result = fill(form, alone(visit_date="2026-11-22", found_time="2026-11-22T10:00:00+08:00",
                              report_time="2026-11-23T01:59:00Z", next_visit="2026-11-23"), now=NOW)
    assert result["valid"], result["errors"]
    assert "report_late_reason" not in result["data"]


# ------------------------------------------------------------------ how soon again (county settings)

@pytest.mark.parametrize("evaluation, days", [("poor", 30), ("fair", 90), ("good", 180)])
def test_the_next_visit_follows_the_county_interval_for_the_guardianship(form, evaluation, days):
    day = date(2026, 11, 23)
    ok = fill(form, visit(guard_eval=evaluation, next_visit=str(day + timedelta(days=days))), now=NOW)
    assert ok["valid"], ok["errors"]
    assert ok["data"]["suggest_next"] == str(day + timedelta(days=days))
    late = fill(form, visit(guard_eval=evaluation, next_visit=str(day + timedelta(days=days + 1))), now=NOW)
    assert set(late["errors"]) == {"next_visit"}


def test_a_good_guardianship_can_wait_180_days_as_the_settings_say(form):
    # the old form capped every child at 90 days, so the 较好 interval of the settings never applied
    result = fill(form, visit(guard_eval="good", next_visit="2027-05-22"), now=NOW)
    assert result["valid"], result["errors"]


def test_after_a_report_the_next_visit_is_within_a_day(form):
    result = fill(form, alone(next_visit="2026-11-25"), now=NOW)
    assert set(result["errors"]) == {"next_visit"}
    assert fill(form, alone(next_visit="2026-11-24"), now=NOW)["valid"]


def test_the_county_settings_reach_the_form(form):
    strict = Settings(visits=VisitRules(child_by_guardianship={"poor": 14, "fair": 30, "good": 60}))
    instances = form_instances(strict)
    result = fill(form, visit(guard_eval="fair", next_visit="2026-12-24"), now=NOW, instances=instances)
    assert set(result["errors"]) == {"next_visit"}
    result = fill(form, visit(guard_eval="fair", next_visit="2026-12-23"), now=NOW, instances=instances)
    assert result["valid"], result["errors"]
    assert result["data"]["suggest_next"] == "2026-12-23"


def test_the_file_shipped_beside_the_forms_holds_the_default_settings():
    shipped = etree.parse(str(FORMS / "county_settings.xml")).getroot()
    made = etree.fromstring(county_settings_xml(Settings()).encode())

    def flat(el) -> dict:
        return {"/".join(a.tag for a in [*e.iterancestors()][::-1] + [e]): (e.text or "").strip()
                for e in el.iter() if isinstance(e.tag, str) and len(e) == 0}

    assert flat(shipped) == flat(made)


def test_a_form_received_as_bytes_still_reads_the_settings_the_app_ships():
    # the bureau server and pulled forms load a workbook from bytes, with no folder beside it
    form = load_form((FORMS / "child_visit.xlsx").read_bytes())
    result = fill(form, visit(guard_eval="good", next_visit="2027-05-22"), now=NOW)
    assert result["valid"], result["errors"]
