"""The built-in registration and assessment forms, filled as staff would.

resources/forms/left_behind_child.xlsx (农村留守儿童信息登记表), vulnerable_child.xlsx (困境儿童信息登记表),
capability_assessment.xlsx (老年人能力评估, GB/T 42195-2022) and house_number.xlsx (农村门牌登记).
"""

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
CHILD_ID = "341100201406010424"  # born 2014-06-01, female: 12 on 2026-11-23
ADULT_ID = "341100200803100218"  # born 2008-03-10, male: 18 on 2026-11-23
ELDER_ID = "341100194203150213"  # born 1942-03-15, male
ID_MESSAGE = "身份证号不正确（应为18位，校验位正确），请逐位核对"


@pytest.fixture(scope="module")
def left_behind_form():
    return load_form(FORMS / "left_behind_child.xlsx")


@pytest.fixture(scope="module")
def vulnerable_form():
    return load_form(FORMS / "vulnerable_child.xlsx")


@pytest.fixture(scope="module")
def assessment_form():
    return load_form(FORMS / "capability_assessment.xlsx")


@pytest.fixture(scope="module")
def house_form():
    return load_form(FORMS / "house_number.xlsx")


def child_block(**changes) -> dict:
    answers = {
        "region_code": "340123101202",
        "fill_date": "2026-11-23",
        "child_name": "刘小雨",
        "child_hukou": "1",
        "child_id": CHILD_ID,
        "child_ethnicity": "01",
        "child_hukou_place": "安徽省某县城关镇青山村",
        "child_live_place": "青山村三组",
        "child_body": "healthy",
        "child_boarding": "0",
        "child_school": "primary",
    }
    answers.update(changes)
    return answers


def left_behind(**changes) -> dict:
    """Both parents work away; the grandmother is the entrusted guardian."""
    answers = child_block(child_hukou_type="rural")
    answers.update({
        "grandparents": [
            {"gp_role": "grandmother", "gp_name": "刘桂英", "gp_alive": "1", "gp_birth": "1958-03-02"},
            {"gp_role": "grandfather", "gp_name": "刘长顺", "gp_alive": "0"},
        ],
        "father_name": "刘建军",
        "father_state": "away",
        "father_work_place": "广东省东莞市",
        "father_phone": "13800001234",
        "mother_name": "陈秀梅",
        "mother_state": "away",
        "mother_work_place": "浙江省宁波市",
        "mother_phone": "199 0000 5678",
        "entrusted": "1",
        "g_name": "刘桂英",
        "g_relation": "6",
        "g_phone": "15900001111",
        "g_addr": "青山村三组",
        "g_confirm_signed": "1",
        "g_age": "63",
        "g_health": "chronic",
        "g_able": "able",
        "guard_type": "fair",
        "guard_eval": "fair",
        "income_src": "work farming",
        "assist": "none",
        "filler": "张春梅",
        "reviewer": "王德明",
    })
    answers.update(changes)
    return answers


def vulnerable(**changes) -> dict:
    """Father dead, mother out of contact for over a year: 事实无人抚养儿童."""
    answers = child_block()
    answers.update({
        "father_name": "刘建军",
        "father_situation": "deceased",
        "mother_name": "陈秀梅",
        "mother_situation": "lost_contact",
        "mother_situation_note": "2025年3月起失联，派出所已受案，查找无果",
        "dk_main": "poverty guardianship",
        "dk_sub": "fact_unattended",
        "evidence": "court_doc police_note",
        "g_name": "刘桂英",
        "g_relation": "6",
        "g_phone": "15900001111",
        "g_capacity": "partial",
        "guard_eval": "fair",
        "protect_status": "basic_living medical education",
        "filler": "张春梅",
        "reviewer": "王德明",
    })
    answers.update(changes)
    return answers


# The 26 GB/T 42195-2022 items at their best scores (32 + 15 + 28 + 15 = 90).
BEST = {
    "b1_eat": "4", "b1_groom": "4", "b1_bath": "4", "b1_dress_upper": "4", "b1_dress_lower": "4",
    "b1_urine": "4", "b1_bowel": "4", "b1_toilet": "4",
    "b2_bed": "4", "b2_transfer": "4", "b2_walk": "4", "b2_stairs": "3",
    "b3_time": "4", "b3_place": "4", "b3_person": "4", "b3_memory": "4", "b3_understand": "4", "b3_express": "4",
    "b3_aggression": "1", "b3_depression": "1", "b3_consciousness": "2",
    "b4_vision": "2", "b4_hearing": "2", "b4_daily_tasks": "4", "b4_transport": "3", "b4_social": "4",
}

# A frail elder: B.1 = 2+2+1+2+2+3+3+2 = 17, B.2 = 3+2+2+1 = 8, B.3 = 3+3+4+2+3+3+1+0+2 = 21,
# B.4 = 1+1+2+1+3 = 8; total 54 → 能力中度受损.
FRAIL = {
    "b1_eat": "2", "b1_groom": "2", "b1_bath": "1", "b1_dress_upper": "2", "b1_dress_lower": "2",
    "b1_urine": "3", "b1_bowel": "3", "b1_toilet": "2",
    "b2_bed": "3", "b2_transfer": "2", "b2_walk": "2", "b2_stairs": "1",
    "b3_time": "3", "b3_place": "3", "b3_person": "4", "b3_memory": "2", "b3_understand": "3", "b3_express": "3",
    "b3_aggression": "1", "b3_depression": "0", "b3_consciousness": "2",
    "b4_vision": "1", "b4_hearing": "1", "b4_daily_tasks": "2", "b4_transport": "1", "b4_social": "3",
}


def assessment(scores: dict | None = None, **changes) -> dict:
    answers = {
        "assess_date": "2026-11-23",
        "assess_reason": "first",
        "assess_place": "老人家中",
        "elder_name": "王德福",
        "elder_id": ELDER_ID,
        "provider_name": "王建国",
        "provider_relation": "child",
        "provider_phone": "13900002222",
        "base_date": "2026-11-23",
        "education": "primary",
        "marital": "20",
        "living_with": "spouse",
        "med_pay": "resident",
        "income_src": "pension children",
        "diagnoses": "hypertension",
        "pressure_injury": "none",
        "wounds": "none",
        "special_care": "none",
        "pain": "mild",
        "swallow": "0",
        "teeth_loss": "1",
        "denture": "1",
        "airway": "0",
        "malnutrition": "0",
        **(scores or FRAIL),
        "coma": "0",
        "dx_dementia": "0",
        "dx_mental": "0",
        "assessor1": "李秀兰",
        "assessor2": "赵文华",
    }
    answers.update(changes)
    return answers


def house(**changes) -> dict:
    answers = {
        "region_code": "340123101202",  # 三河镇太华村, in resources/forms/villages.csv
        "group_name": "三组",
        "house_no": "12",
        "side": "even",
        "plate_type": "small",
        "plate_status": "new",
        "install_date": "2026-11-20",
        "bldg_use": "residence",
        "occupied": "resident",
        "head_name": "王德福",
        "head_phone": "138 0000 1234",
        "location": "31.5201 117.3102 28 6",
        "photo": "plate-12.jpg",
        "registrar": "李秀兰",
    }
    answers.update(changes)
    return answers


# --------------------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("file", "form_id", "title"),
    [
        ("left_behind_child.xlsx", "left_behind_child", "农村留守儿童信息登记表"),
        ("vulnerable_child.xlsx", "vulnerable_child", "困境儿童信息登记表"),
        ("capability_assessment.xlsx", "capability_assessment", "老年人能力评估"),
        ("house_number.xlsx", "house_number", "农村门牌登记"),
    ],
)
def test_form_settings(file, form_id, title):
    from app.forms.library import version_key

    form = load_form(FORMS / file)
    assert form.form_id == form_id
    assert version_key(form.version) >= version_key("2026.1")  # a changed rule means a new version
    assert form.title == title
    assert form.default_lang == "中文 (zh)"


# --------------------------------------------------------------------------- 留守儿童


def test_left_behind_child_registration_is_valid(left_behind_form):
    result = fill(left_behind_form, left_behind(), now=NOW)
    assert result["errors"] == {}
    assert result["valid"]
    data = result["data"]
    assert data["child_sex"] == "2"
    assert data["child_birth"] == "2014-06-01"
    assert data["child_age"] == 12
    assert data["both_out"] == "1" and data["one_out_other_unable"] == "0"
    assert data["visit_cycle"] == "每季度"
    assert data["grandparents"][1] == {"gp_role": "grandfather", "gp_name": "刘长顺", "gp_alive": "0"}
    assert data["income_src"] == "work farming"


def test_age_is_counted_on_the_registration_date(left_behind_form):
    # Born 2010-12-01: 15 on 2026-11-23, but already 16 if registered on 2026-12-01.
    answers = left_behind(child_hukou="0", child_sex="1", child_birth="2010-12-01", child_school="junior")
    del answers["child_id"], answers["child_hukou_type"], answers["child_hukou_place"]
    result = fill(left_behind_form, answers, now=NOW)
    assert result["valid"], result["errors"]
    assert result["data"]["child_age"] == 15

    later = fill(left_behind_form, {**answers, "fill_date": "2026-12-01"}, now=lambda: datetime(2026, 12, 1, tzinfo=CST))
    assert later["errors"] == {"child_birth": "该儿童已满16周岁，不属于农村留守儿童，可登记为其他儿童"}


def test_eighteen_year_old_is_not_a_left_behind_child(left_behind_form):
    result = fill(left_behind_form, left_behind(child_id=ADULT_ID, child_school="senior"), now=NOW)
    assert not result["valid"]
    assert result["errors"] == {"child_birth": "该儿童已满16周岁，不属于农村留守儿童，可登记为其他儿童"}
    assert result["data"]["child_age"] == 18


def test_id_with_wrong_check_digit_is_refused(left_behind_form):
    bad = CHILD_ID[:-1] + ("5" if CHILD_ID[-1] != "5" else "6")
    result = fill(left_behind_form, left_behind(child_id=bad), now=NOW)
    assert not result["valid"]
    assert result["errors"]["child_id"] == ID_MESSAGE
    assert result["data"]["child_sex"] in (None, "")


def test_sex_and_birth_date_come_from_the_id(left_behind_form):
    result = fill(left_behind_form, left_behind(child_sex="1"), now=NOW)
    assert set(result["errors"]) == {"child_sex"}  # read-only once the ID is valid
    assert result["data"]["child_sex"] == "2"


def test_one_parent_away_and_the_other_seriously_ill(left_behind_form):
    answers = left_behind(mother_state="home_ill", guard_type="parent_unable", guard_eval="poor")
    del answers["mother_work_place"], answers["mother_phone"]
    result = fill(left_behind_form, answers, now=NOW)
    assert result["valid"], result["errors"]
    data = result["data"]
    assert data["both_out"] == "0" and data["one_out_other_unable"] == "1"
    assert data["unable_parent"] == "mother"
    assert data["visit_cycle"] == "每月"
    assert "mother_work_place" not in data


def test_parent_at_home_and_able_is_not_left_behind(left_behind_form):
    result = fill(left_behind_form, left_behind(mother_state="home_able"), now=NOW)
    assert not result["valid"]
    assert result["errors"] == {
        "mother_state": "不符合农村留守儿童条件：须父母双方都外出务工，或一方外出务工、另一方因重病或重残无监护能力。"
                        "其他情况可登记为困境儿童或其他儿童"
    }


def test_urban_household_registration_is_refused(left_behind_form):
    result = fill(left_behind_form, left_behind(child_hukou_type="urban"), now=NOW)
    assert result["errors"] == {"child_hukou_type": "农村留守儿童须为农村户籍；城镇户籍的儿童可登记为其他儿童"}


def test_no_entrusted_guardian_means_no_guardianship(left_behind_form):
    answers = left_behind(entrusted="0")
    result = fill(left_behind_form, answers, now=NOW)
    assert result["errors"] == {"guard_type": "父母均外出且未委托监护人的，监护类型应为「无人监护」"}

    result = fill(left_behind_form, left_behind(entrusted="0", guard_type="none"), now=NOW)
    assert result["errors"] == {
        "guard_eval": "无人监护、父或母无监护能力或受委托监护人监护能力不足的，监护情况评估应为「差」"
    }
    result = fill(left_behind_form, left_behind(entrusted="0", guard_type="none", guard_eval="poor"), now=NOW)
    assert result["valid"], result["errors"]
    assert "g_name" not in result["data"]


def test_birth_date_after_registration_is_refused(left_behind_form):
    answers = left_behind(child_hukou="0", child_sex="2", child_birth="2026-12-01", child_school="not_in_kg")
    del answers["child_id"], answers["child_hukou_type"], answers["child_hukou_place"]
    result = fill(left_behind_form, answers, now=NOW)
    assert result["errors"] == {"child_birth": "出生日期不能晚于填报日期"}


# --------------------------------------------------------------------------- 困境儿童


def test_dead_father_and_missing_mother_is_fact_unattended(vulnerable_form):
    result = fill(vulnerable_form, vulnerable(), now=NOW)
    assert result["errors"] == {}
    assert result["valid"]
    data = result["data"]
    assert data["fact_unattended"] == 1
    assert data["orphan"] == 0
    assert data["dk_sub"] == "fact_unattended"


def test_both_parents_limited_is_fact_unattended(vulnerable_form):
    result = fill(vulnerable_form, vulnerable(father_situation="imprisoned", mother_situation="severe_ill"), now=NOW)
    assert result["valid"], result["errors"]
    assert result["data"]["fact_unattended"] == 1


def test_dead_and_court_declared_missing_is_an_orphan(vulnerable_form):
    result = fill(vulnerable_form, vulnerable(mother_situation="declared_missing", dk_sub="orphan"), now=NOW)
    assert result["valid"], result["errors"]
    assert result["data"]["fact_unattended"] == 0
    assert result["data"]["orphan"] == 1


def test_fact_unattended_needs_the_parents_situation(vulnerable_form):
    result = fill(vulnerable_form, vulnerable(mother_situation="away_work"), now=NOW)
    assert result["data"]["fact_unattended"] == 0
    assert set(result["errors"]) == {"dk_sub"}


def test_vulnerable_child_must_be_under_18(vulnerable_form):
    result = fill(vulnerable_form, vulnerable(child_id=ADULT_ID, child_school="senior"), now=NOW)
    assert result["errors"]["child_birth"] == "该儿童已满18周岁，不属于困境儿童登记范围"
    assert result["data"]["fact_unattended"] == 0
    assert set(result["errors"]) == {"child_birth", "dk_sub"}  # 事实无人抚养 is for children under 18 only


def test_protection_not_in_place_needs_a_reason(vulnerable_form):
    result = fill(vulnerable_form, vulnerable(protect_status="none"), now=NOW)
    assert set(result["errors"]) == {"protect_gap"}
    result = fill(vulnerable_form, vulnerable(protect_status="none medical"), now=NOW)
    assert result["errors"]["protect_status"] == "选了「未落实」就不能再选其他项"


# --------------------------------------------------------------------------- 老年人能力评估


def test_full_assessment_total_and_level(assessment_form):
    result = fill(assessment_form, assessment(), now=NOW)
    assert result["errors"] == {}
    assert result["valid"]
    data = result["data"]
    assert (data["b1_total"], data["b2_total"], data["b3_total"], data["b4_total"]) == (17, 8, 21, 8)
    assert data["total"] == 54
    assert data["prelim_level"] == 2
    assert data["final_level"] == 2
    assert data["final_level_text"] == "能力中度受损（中度失能）"
    assert data["elder_age"] == 84


@pytest.mark.parametrize(
    ("changes", "total", "level"),
    [
        ({}, 90, 0),
        ({"b2_stairs": "2"}, 89, 1),
        ({"b1_eat": "0", "b1_groom": "0", "b1_bath": "0", "b1_dress_upper": "0", "b1_dress_lower": "0",
          "b1_urine": "0"}, 66, 1),
        ({"b1_eat": "0", "b1_groom": "0", "b1_bath": "0", "b1_dress_upper": "0", "b1_dress_lower": "0",
          "b1_urine": "0", "b1_bowel": "3"}, 65, 2),
    ],
)
def test_level_bands(assessment_form, changes, total, level):
    result = fill(assessment_form, assessment({**BEST, **changes}), now=NOW)
    assert result["valid"], result["errors"]
    assert result["data"]["total"] == total
    assert result["data"]["prelim_level"] == level == result["data"]["final_level"]


def test_coma_means_complete_loss_of_ability(assessment_form):
    result = fill(assessment_form, assessment(FRAIL, b3_consciousness="0", coma="1"), now=NOW)
    assert result["valid"], result["errors"]
    data = result["data"]
    assert data["total"] == 52
    assert data["prelim_level"] == 2
    assert data["final_level"] == 4
    assert data["final_level_text"] == "能力完全丧失（完全失能）"
    assert data["change_basis"] == "处于昏迷状态，直接评定为能力完全丧失；"


def test_coma_needs_consciousness_scored_zero(assessment_form):
    result = fill(assessment_form, assessment(coma="1"), now=NOW)
    assert result["errors"] == {"coma": "处于昏迷状态的，B.3.9 意识水平应评为0分"}


def test_dementia_and_risk_events_raise_one_level_together_not_one_each(assessment_form):
    """GB/T 42195-2022 能力等级变更依据: 有以下情况之一的，在原有能力级别上提高一个级别 — (a) 确诊为痴呆
    (F00–F03), (b) 精神科专科医生诊断的其他精神和行为障碍 (F04–F99), (c) 近30天内2次及以上照护风险事件.
    "之一" raises one level whether one or several apply (the primary text was not at hand; this is its wording as
    transcribed by two independent implementations, see ../shared/research/domain-china.md §5.1 [S2nd29])."""
    result = fill(assessment_form, assessment(dx_dementia="1"), now=NOW)
    assert result["data"]["final_level"] == 3

    result = fill(assessment_form, assessment(ev_fall="1", ev_choke="1"), now=NOW)
    assert result["data"]["risk_events"] == 2
    assert result["data"]["final_level"] == 3

    result = fill(assessment_form, assessment(ev_fall="1"), now=NOW)
    assert result["data"]["final_level"] == 2

    result = fill(assessment_form, assessment(dx_mental="1", ev_lost="2"), now=NOW)
    assert result["valid"], result["errors"]
    assert result["data"]["final_level"] == 3  # 2, raised once although (b) and (c) both apply
    assert "提高一个级别" in result["data"]["change_basis"]
    assert "精神和行为障碍" in result["data"]["change_basis"] and "照护风险事件" in result["data"]["change_basis"]
    result = fill(assessment_form, assessment(BEST, dx_dementia="1", ev_fall="3"), now=NOW)
    assert result["data"]["final_level"] == 1  # 0 + 1


def test_the_two_assessors_are_two_people(assessment_form):
    result = fill(assessment_form, assessment(assessor2=" 李秀兰 "), now=NOW)
    assert result["errors"] == {"assessor2": "两名评估员应是不同的人：评估由2名评估员共同完成、分别签名"}


def test_unfinished_assessment_has_no_level(assessment_form):
    answers = assessment()
    del answers["b4_social"]
    result = fill(assessment_form, answers, now=NOW)
    assert result["errors"] == {"b4_social": "请为此项评分"}
    assert result["data"]["items_done"] == 25
    assert result["data"]["prelim_level"] in (None, "")
    assert result["data"]["final_level"] in (None, "")


# --------------------------------------------------------------------------- 农村门牌


def test_house_number_registration_builds_the_full_address(house_form):
    result = fill(house_form, house(), now=NOW)
    assert result["errors"] == {}
    assert result["valid"]
    data = result["data"]
    assert data["full_addr"] == "安徽省合肥市肥西县三河镇太华村三组12号"
    assert data["house_no"] == 12
    assert data["reg_date"] == "2026-11-23"

    result = fill(house_form, house(house_no_annex="1"), now=NOW)
    assert result["data"]["full_addr"] == "安徽省合肥市肥西县三河镇太华村三组12号之一"


def test_installation_date_tomorrow_is_refused(house_form):
    result = fill(house_form, house(install_date="2026-11-24"), now=NOW)
    assert not result["valid"]
    assert result["errors"] == {"install_date": "安装日期不能晚于今天"}


@pytest.mark.parametrize("code", ["34012310220", "340123102201", "340123101202X", "东山村"])
def test_the_village_is_one_of_the_townships_villages(house_form, code):
    # the village is chosen from the township's list (villages.csv); a code typed from memory is refused
    result = fill(house_form, house(region_code=code), now=NOW)
    assert result["errors"] == {"region_code": f"“{code}”不是本题的选项，请从列表中选择。"}


def test_the_record_keeps_the_code_and_writes_the_names(house_form):
    result = fill(house_form, house(), now=NOW)
    assert result["valid"], result["errors"]
    assert {k: result["data"][k] for k in ("region_code", "county", "town", "village")} == {
        "region_code": "340123101202", "county": "肥西县", "town": "三河镇", "village": "太华村"}


@pytest.mark.parametrize("number", ["0", "-3", "10000"])
def test_house_number_must_be_positive(house_form, number):
    result = fill(house_form, house(house_no=number, side="na"), now=NOW)
    assert result["errors"] == {"house_no": "门牌号应为1–9999的正整数"}


def test_side_must_match_parity_and_location_must_be_precise(house_form):
    result = fill(house_form, house(side="odd"), now=NOW)
    assert result["errors"] == {"side": "门牌号的单双与所在侧不一致"}
    result = fill(house_form, house(location="31.5201 117.3102 28 80"), now=NOW)
    assert result["errors"] == {"location": "定位精度超过50米，请到室外或稍等后重新定位"}


def test_missing_plate_needs_no_photo_or_date(house_form):
    answers = house(plate_status="missing")
    del answers["photo"], answers["install_date"]
    result = fill(house_form, answers, now=NOW)
    assert result["valid"], result["errors"]
    result = fill(house_form, house(plate_status="replaced", install_date=""), now=NOW)
    assert result["errors"] == {"install_date": "新装或更换的门牌，请填写安装日期"}


# --------------------------------------------------------------------------- saved records


@pytest.mark.parametrize(
    ("fixture", "answers"),
    [
        ("left_behind_form", left_behind()),
        ("vulnerable_form", vulnerable()),
        ("assessment_form", assessment(FRAIL, b3_consciousness="0", coma="1")),
        ("house_form", house()),
    ],
)
def test_saved_records_check_again_as_on_the_server(request, fixture, answers):
    form = request.getfixturevalue(fixture)
    first = fill(form, answers, now=NOW)
    assert first["valid"], first["errors"]
    again = fill(form, first["data"], now=NOW, saved=True)
    assert again["valid"], again["errors"]
    assert again["data"] == first["data"]
