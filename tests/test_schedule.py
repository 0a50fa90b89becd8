"""Visit schedules with a fixed clock: tiers, major events, red flags, children, status, monthly rates."""

from __future__ import annotations

import json
import textwrap
from datetime import date
from pathlib import Path

import pytest

from app.china import make_id
from app.forms.xlsform import load_form
from app.registry import visit_rates
from app.schedule import next_due
from app.settings import Settings, VisitRules, load_settings, save_settings
from app.store import Store
from app.store.keyring import FAST_KDF

VISIT = load_form(textwrap.dedent(
    """
    | survey |
    |        | type                   | name        | label  |
    |        | date                   | visit_date  | 日期    |
    |        | select_one yesno       | major_event | 重大变故 |
    |        | select_multiple flag   | red_flags   | 红线    |
    |        | select_one guard       | guard_eval  | 监护    |
    |        | date                   | next_visit  | 下次    |
    | choices |
    |         | list_name | name        | label  |
    |         | yesno     | 1           | 是     |
    |         | yesno     | 0           | 否     |
    |         | flag      | none        | 无     |
    |         | flag      | no_heating  | 无取暖  |
    |         | guard     | good        | 较好    |
    |         | guard     | fair        | 一般    |
    |         | guard     | poor        | 差     |
    | settings |
    |          | form_id     | version |
    |          | elder_visit | 1       |
    """
))
RULES = VisitRules()


@pytest.fixture
def store(tmp_path):
    s = Store.create(tmp_path / "data", "schedule-pass", kdf=FAST_KDF)
    s.add_village("v1", "东山村")
    s.set_township("340123101")  # 三河镇: the registry form offers its villages
    yield s
    s.close()


def visit(store, person_id: str, data: dict) -> dict:
    uuid = store.save_draft(form_id="elder_visit", form_version="1", data=data, person_id=person_id)
    return store.finalize(uuid, VISIT)


@pytest.mark.parametrize(("tier", "days"), [("高风险", 7), ("重点", 30), ("一般", 90), ("high", 7), ("", 90)])
def test_interval_follows_the_risk_tier(tier, days):
    due = next_due({"kind": "elder", "risk_tier": tier}, date(2026, 11, 2), {}, RULES)
    assert (due - date(2026, 11, 2)).days == days


def test_major_event_or_red_flag_means_a_visit_within_a_day():
    person = {"kind": "elder", "risk_tier": "一般"}
    assert next_due(person, date(2026, 11, 2), {"major_event": "1"}, RULES) == date(2026, 11, 3)
    assert next_due(person, date(2026, 11, 2), {"red_flags": "no_heating"}, RULES) == date(2026, 11, 3)
    assert next_due(person, date(2026, 11, 2), {"red_flags": "none"}, RULES) == date(2027, 1, 31)


def test_children_by_guardianship_and_a_planned_earlier_visit():
    child = {"kind": "child", "guardianship": "poor"}
    assert next_due(child, date(2026, 11, 2), {}, RULES) == date(2026, 12, 2)
    assert next_due({"kind": "child"}, date(2026, 11, 2), {}, RULES) == date(2027, 11, 2)
    assert next_due(child, date(2026, 11, 2), {"next_visit": "2026-11-20"}, RULES) == date(2026, 11, 20)


def test_finalized_visit_moves_the_schedule_and_keeps_red_flags(store):
    elder = store.add_person(name="王秀英", kind="elder", risk_tier="高风险", village_id="v1")
    record = visit(store, elder, {"visit_date": "2026-11-02", "major_event": "0", "red_flags": "none"})
    person = store.get_person(elder)
    assert (person["last_visit"], person["next_due"]) == ("2026-11-02", "2026-11-09")
    assert json.loads(record["flags"]) == []
    record = visit(store, elder, {"visit_date": "2026-11-09", "red_flags": "no_heating"})
    assert store.get_person(elder)["next_due"] == "2026-11-10"
    assert json.loads(record["flags"]) == ["no_heating"]
    # a late-entered older visit does not move the schedule back
    visit(store, elder, {"visit_date": "2026-10-01", "red_flags": "none"})
    assert store.get_person(elder)["last_visit"] == "2026-11-09"


def test_tier_change_changes_the_interval(store):
    elder = store.add_person(name="李四", kind="elder", risk_tier="一般", village_id="v1")
    visit(store, elder, {"visit_date": "2026-11-02"})
    assert store.get_person(elder)["next_due"] == "2027-01-31"
    store.update_person(elder, risk_tier="重点")
    visit(store, elder, {"visit_date": "2026-11-03"})
    assert store.get_person(elder)["next_due"] == "2026-12-03"


def test_county_settings_change_the_rules(store, tmp_path):
    save_settings(store.data_dir, Settings(visits=VisitRules(elder_by_tier={"high": 3, "key": 14, "general": 30})))
    assert load_settings(store.data_dir).visits.elder_by_tier["general"] == 30
    elder = store.add_person(name="赵五", kind="elder", risk_tier="一般", village_id="v1")
    visit(store, elder, {"visit_date": "2026-11-02"})
    assert store.get_person(elder)["next_due"] == "2026-12-02"


def test_a_damaged_settings_file_falls_back_to_the_defaults(tmp_path):
    (tmp_path / "settings.json").write_text("{not json", encoding="utf-8")
    assert load_settings(tmp_path).visits == VisitRules()


def test_month_visit_rate_and_status_changes(store):
    a = store.add_person(name="甲", kind="elder", risk_tier="一般", village_id="v1")
    b = store.add_person(name="乙", kind="elder", risk_tier="一般", village_id="v1")
    gone = store.add_person(name="丙", kind="elder", risk_tier="一般", village_id="v1")
    visit(store, a, {"visit_date": "2026-11-02"})
    visit(store, b, {"visit_date": "2026-10-20"})
    store.update_person(gone, status="deceased", status_reason="2026-10-30 去世")
    (row,) = visit_rates(store, date(2026, 11, 23))
    assert (row["total"], row["visited"], row["rate"]) == (2, 1, 50.0)
    assert store.get_person(gone)["status_reason"] == "2026-10-30 去世"  # kept, never deleted




REGISTRY_FORM = load_form(Path(__file__).resolve().parents[1] / "resources" / "forms" / "elder_registry.xlsx")


def registry_answers() -> dict:
    return {
        "reg_date": "2026-11-20", "registrar": "李秀兰", "elder_name": "陈桂英", "id_type": "resident_id",
        "id_no": make_id("341100", date(1940, 3, 12), 2), "marital": "30", "elder_phone": "无",
        "region_code": "340123101202", "group_name": "三组", "house_no": "18号", "live_addr": "桃园村三组18号",
        "elder_type": "alone left_behind advanced_age", "living_with": "alone", "self_care": "partial",
        "assist": "dibao", "disability_cert": "0", "ability_assessed": "0", "has_carer": "0",
        "helper_name": "王红霞", "helper_phone": "18655112233", "helper_role": "village_cadre",
        "risk_tier": "high", "risk_reason": "age80_alone", "visit_interval": "7", "consent": "told_self",
        "status": "active",
    }


def test_registry_form_sets_the_tier_and_a_status_change_keeps_the_person(store):
    form = REGISTRY_FORM
    elder = store.add_person(name="陈桂英", kind="elder", risk_tier="一般", village_id="v1")
    answers = registry_answers()
    first = store.save_draft(form_id="elder_registry", form_version="2026.1", person_id=elder, data=answers)
    store.finalize(first, form)
    assert store.get_person(elder)["risk_tier"] == "high"
    moved = dict(answers, status="deceased", status_date="2026-11-22", status_reason="病故")
    second = store.save_draft(form_id="elder_registry", form_version="2026.1", person_id=elder, data=moved)
    store.finalize(second, form)
    person = store.get_person(elder)
    assert (person["status"], person["status_reason"]) == ("deceased", "2026-11-22 病故")
    assert store.search_persons("桂英")[0]["id"] == elder  # never deleted
    assert store.overdue(today="2027-06-01") == []  # no longer on the visit list




def test_a_registry_record_creates_the_person_once(store):
    answers = registry_answers()
    first = store.finalize(store.save_draft(form_id="elder_registry", form_version="2026.1", data=answers,
                                            village_id="v1"), REGISTRY_FORM)
    person = store.get_person(first["person_id"])
    assert (person["name"], person["kind"], person["risk_tier"], person["sex"]) == ("陈桂英", "elder", "high", "2")
    assert person["birth_date"] == "1940-03-12" and person["village_id"] == "v1"
    again = store.finalize(store.save_draft(form_id="elder_registry", form_version="2026.1", data=answers),
                           REGISTRY_FORM)
    assert again["person_id"] == first["person_id"]
    assert store.count_persons() == 1
