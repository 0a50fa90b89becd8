"""The built-in registry forms (resources/forms/elder_registry.xlsx, home_adaptation.xlsx), filled as staff would."""

from __future__ import annotations

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
ELDER_ID = "34110019400708022X"  # born 1940-07-08, female
OTHER_ID = "341100194203150213"  # born 1942-03-15, male

ID_MSG = "身份证号不正确（应为18位，校验位正确），请逐位核对"
MOBILE_MSG = "手机号应为以1开头的11位数字"


@pytest.fixture(scope="module")
def registry_form():
    return load_form(FORMS / "elder_registry.xlsx")


@pytest.fixture(scope="module")
def adaptation_form():
    return load_form(FORMS / "home_adaptation.xlsx")


def registry(**changes) -> dict:
    """An 86-year-old widow living alone, her son working in Ningbo."""
    answers = {
        "reg_date": "2026-11-20",
        "registrar": "李秀兰",
        "elder_name": "陈桂英",
        "id_type": "resident_id",
        "id_no": ELDER_ID,
        "marital": "30",
        "elder_phone": "无",
        "region_code": "340123101202",
        "group_name": "三组",
        "house_no": "桃园村18号",
        "live_addr": "城关镇桃园村三组18号",
        "elder_type": "alone left_behind advanced_age",
        "living_with": "alone",
        "self_care": "partial",
        "assist": "dibao age_allowance",
        "disability_cert": "0",
        "ability_assessed": "1",
        "ability_level": "2",
        "ability_date": "2026-05-12",
        "has_carer": "1",
        "carers": [
            {
                "carer_name": "陈建华",
                "relation": "2",
                "phone": "13955001234",
                "live_place": "浙江省宁波市",
                "away": "1",
            },
            {
                "carer_name": "陈春梅",
                "relation": "3",
                "phone": "+86 199-0000-5678",
                "live_place": "本县城关镇",
                "away": "0",
            },
        ],
        "helper_name": "王红霞",
        "helper_phone": "18655112233",
        "helper_role": "village_cadre",
        "risk_tier": "high",
        "risk_reason": "age80_alone",
        "visit_interval": "7",
        "consent": "told_self",
        "status": "active",
    }
    answers.update(changes)
    return answers


def adaptation(needed: dict[int, dict] | None = None, **changes) -> dict:
    """An assessed household: every item answered 否 except those in ``needed`` (item number -> answers)."""
    answers = {
        "assess_date": "2026-09-10",
        "assessor": "周明",
        "region_code": "340123101202",
        "address": "城关镇桃园村三组18号",
        "elder_name": "王德福",
        "id_type": "resident_id",
        "id_no": OTHER_ID,
        "elder_phone": "0551-63456789",
        "elder_is_head": "1",
        "eligibility": "dibao",
        "elder_cond": "advanced_age alone",
        "ability_assessed": "1",
        "ability_level": "1",
        "house_owner": "own",
        "house_type": "rural_single",
        "toilet_type": "squat",
        "risks": "slippery no_handrail",
    }
    for n in range(1, 31):
        answers[f"item{n:02d}_need"] = "0"
    for n, item in (needed or {}).items():
        answers[f"item{n:02d}_need"] = "1"
        answers.update({f"item{n:02d}_{key}": value for key, value in item.items()})
    answers.update(changes)
    return answers


# 防滑处理 and 如厕洗浴扶手 (both 基础类) done; 轮椅/助行器 (可选类) needed but left out of the plan.
WORKS = {
    1: {"plan": "1", "done": "1", "cost": "1200", "funding": "gov", "photo_before": "floor-before.jpg",
        "photo_after": "floor-after.jpg"},
    13: {"plan": "1", "done": "1", "qty": "2", "price": "430.25", "cost": "860.5", "funding": "mixed", "subsidy": "500",
         "photo_before": "bath-before.jpg", "photo_after": "bath-after.jpg"},
    25: {"plan": "0", "done": "0"},
}
ACCEPTANCE = {
    "plan_consent": "1",
    "works_date": "2026-10-15",
    "contractor": "县康养工程队",
    "accept_date": "2026-10-20",
    "acceptor": "李秀兰、周明",
    "accept_result": "pass",
    "satisfaction": "satisfied",
    "accept_sign": "signature-20261020.png",
}


# --------------------------------------------------------------------------- elder registry


def test_registry_form_settings(registry_form):
    assert registry_form.form_id == "elder_registry"
    assert registry_form.version == "2026.4"
    assert registry_form.title == "特殊困难老年人基本信息台账"
    assert registry_form.default_lang == "中文 (zh)"


def test_realistic_registry_record_is_valid(registry_form):
    result = fill(registry_form, registry(), now=NOW)
    assert result["errors"] == {}
    assert result["valid"]
    data = result["data"]
    assert data["sex"] == "2"
    assert data["birth_date"] == "1940-07-08"
    assert data["age"] == 86
    assert data["elder_type"] == "alone left_behind advanced_age"
    assert data["carers"][0] == {
        "carer_name": "陈建华",
        "relation": "2",
        "phone": "13955001234",
        "live_place": "浙江省宁波市",
        "away": "1",
    }
    assert len(data["carers"]) == 2
    assert data["max_interval"] == 7
    assert "sex_input" not in data and "birth_input" not in data
    assert "status_date" not in data and "status_reason" not in data


def test_id_with_wrong_check_digit_is_refused(registry_form):
    bad = ELDER_ID[:-1] + "5"
    result = fill(registry_form, registry(id_no=bad), now=NOW)
    assert not result["valid"]
    assert result["errors"]["id_no"] == ID_MSG
    assert result["data"]["sex"] in (None, "")


def test_passport_number_is_not_checked_and_sex_is_asked(registry_form):
    answers = registry(id_type="passport", id_no="E12345678")
    result = fill(registry_form, answers, now=NOW)
    assert set(result["errors"]) == {"sex_input", "birth_input"}

    result = fill(registry_form, dict(answers, sex_input="2", birth_input="1940-07-08"), now=NOW)
    assert result["valid"], result["errors"]
    assert result["data"]["sex"] == "2"
    assert result["data"]["age"] == 86


def test_no_document_needs_a_reason(registry_form):
    answers = registry(id_type="none", sex_input="2", birth_input="1940-07-08")
    del answers["id_no"]
    result = fill(registry_form, answers, now=NOW)
    assert result["errors"] == {"id_none_reason": "请填写暂无证件的原因"}


def test_bad_mobile_in_carers_is_refused_at_its_row(registry_form):
    carers = [
        {"carer_name": "陈建华", "relation": "2", "phone": "13955001234"},
        {"carer_name": "赵桂芝", "relation": "38", "phone": "1395500123"},
    ]
    result = fill(registry_form, registry(carers=carers), now=NOW)
    assert not result["valid"]
    assert result["errors"] == {"carers[2]/phone": MOBILE_MSG}

    carers = [{"carer_name": "陈建华", "relation": "2", "phone": "0551-6543210"}]
    result = fill(registry_form, registry(carers=carers), now=NOW)
    assert result["errors"] == {"carers[1]/phone": MOBILE_MSG}


def test_carers_needed_unless_there_are_none(registry_form):
    result = fill(registry_form, registry(carers=[]), now=NOW)
    assert result["errors"] == {"has_carer": "选了「是」，请至少登记一名赡(扶)养人或家属"}

    answers = registry(has_carer="0")
    del answers["carers"]
    result = fill(registry_form, answers, now=NOW)
    assert result["valid"], result["errors"]
    assert "carers" not in result["data"] or result["data"]["carers"] == []


def test_own_phone_may_be_none_mobile_or_landline(registry_form):
    for phone in ("无", "13955001234", "0551-63456789"):
        result = fill(registry_form, registry(elder_phone=phone), now=NOW)
        assert result["valid"], (phone, result["errors"])
    result = fill(registry_form, registry(elder_phone="没有"), now=NOW)
    assert list(result["errors"]) == ["elder_phone"]


def test_visit_interval_cannot_exceed_the_risk_tier(registry_form):
    result = fill(registry_form, registry(visit_interval="30"), now=NOW)
    assert list(result["errors"]) == ["visit_interval"]
    result = fill(
        registry_form, registry(risk_tier="key", risk_reason="disabled_dementia", visit_interval="30",
                                elder_type="disabled", living_with="spouse"), now=NOW
    )
    assert result["valid"], result["errors"]


def test_advanced_age_needs_80_years(registry_form):
    result = fill(registry_form, registry(reg_date="2020-07-07", ability_date="2020-05-12"), now=NOW)
    assert result["errors"] == {"elder_type": "「失能」和「半失能」只能选一项；「高龄」指80周岁以上"}


def test_death_needs_a_date_and_a_reason(registry_form):
    result = fill(registry_form, registry(status="deceased"), now=NOW)
    assert not result["valid"]
    assert result["errors"] == {"status_date": "请填写状态变更日期", "status_reason": "请填写状态变更的原因"}

    result = fill(
        registry_form, registry(status="deceased", status_date="2026-11-18", status_reason="因病在家中去世"), now=NOW
    )
    assert result["valid"], result["errors"]
    assert result["data"]["status"] == "deceased"

    result = fill(registry_form, registry(status="deceased", status_date="2026-11-24", status_reason="去世"), now=NOW)
    assert list(result["errors"]) == ["status_date"]


# --------------------------------------------------------------------------- home adaptation


def test_adaptation_form_settings(adaptation_form):
    assert adaptation_form.form_id == "home_adaptation"
    assert adaptation_form.version == "2026.4"
    assert adaptation_form.title == "居家适老化改造入户评估与验收"


def test_adaptation_with_works_done_is_valid_and_totalled(adaptation_form):
    result = fill(adaptation_form, adaptation(WORKS, **ACCEPTANCE), now=NOW)
    assert result["errors"] == {}
    assert result["valid"]
    data = result["data"]
    assert data["age"] == 84
    assert data["need_count"] == 3
    assert data["basic_need_count"] == 2
    assert data["plan_count"] == 2
    assert data["done_count"] == 2
    assert data["total_cost"] == 2060.5
    assert data["basic_cost"] == 2060.5
    assert data["optional_cost"] == 0
    assert data["item01_photo_after"] == "floor-after.jpg"
    assert (data["subsidy_total"], data["self_paid_total"]) == (1700, 360.5)
    assert "item02_plan" not in data and "item25_photo_after" not in data


def test_assessment_only_skips_acceptance(adaptation_form):
    plan = {1: {"plan": "1", "done": "0", "cost": "1200", "funding": "gov"},
            17: {"plan": "1", "done": "0", "funding": "self"}}
    result = fill(adaptation_form, adaptation(plan, plan_consent="1"), now=NOW)
    assert result["valid"], result["errors"]
    data = result["data"]
    assert (data["need_count"], data["done_count"], data["total_cost"]) == (2, 0, 1200)
    assert "accept_date" not in data and "works_date" not in data


def test_acceptance_before_the_works_is_refused(adaptation_form):
    result = fill(adaptation_form, adaptation(WORKS, **dict(ACCEPTANCE, accept_date="2026-10-14")), now=NOW)
    assert not result["valid"]
    assert result["errors"] == {"accept_date": "验收日期不能早于改造完成日期，也不能晚于今天"}


def test_done_item_needs_a_cost_that_is_not_negative(adaptation_form):
    item = {"plan": "1", "done": "1", "funding": "self", "photo_before": "b.jpg", "photo_after": "a.jpg"}
    works = {**WORKS, 13: item}
    result = fill(adaptation_form, adaptation(works, **ACCEPTANCE), now=NOW)
    assert result["errors"] == {"item13_cost": "已完成的项目请填写费用(元)，没有费用的填0"}

    works = {**WORKS, 13: {**item, "cost": "-5"}}
    result = fill(adaptation_form, adaptation(works, **ACCEPTANCE), now=NOW)
    assert result["errors"] == {"item13_cost": "费用不能为负数；填了数量和单价的，费用应等于数量×单价"}


def test_item_outside_the_plan_cannot_be_done(adaptation_form):
    works = {**WORKS, 25: {"plan": "0", "done": "1", "cost": "300", "photo_before": "b.jpg", "photo_after": "a.jpg"}}
    result = fill(adaptation_form, adaptation(works, **ACCEPTANCE), now=NOW)
    assert result["errors"] == {"item25_done": "未纳入改造方案的项目不能标记为已完成"}
