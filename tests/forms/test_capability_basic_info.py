"""capability_assessment: the basic information of GB/T 42195-2022 附录A and the signatures.

附录A asks for the 评估编号 and 评估基准日期 (A.1), the elder's height, weight, 文化程度, 居住情况, 医疗费用支付方式 and
经济来源 (A.2), the 信息提供者 and relation (A.3), the diagnosed diseases with the medicines taken (A.4) and the
health problems of A.5 (压力性损伤, 伤口, 特殊护理, 疼痛, 吞咽困难, 牙齿缺失, 义齿, 清理呼吸道无效, 营养不良).
The assessment is signed by both assessors and the information provider.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from form_helpers import control, shown
from test_builtin_child_and_other_forms import NOW, assessment

from app.forms.fill import fill
from app.forms.xlsform import load_form

FORMS = Path(__file__).resolve().parents[2] / "resources" / "forms"
VERSIONS = FORMS / "versions"


@pytest.fixture(scope="module")
def form():
    return load_form(FORMS / "capability_assessment.xlsx")


def test_appendix_a_fields_are_recorded(form):
    # GB/T 42195-2022 附录A A.1–A.5
    result = fill(form, assessment(assess_no="2026-三河-015", height="165", weight="60", medication="氨氯地平 5mg 每日1次"),
                  now=NOW)
    assert result["valid"], result["errors"]
    data = result["data"]
    assert data["assess_no"] == "2026-三河-015" and data["base_date"] == "2026-11-23"
    assert data["bmi"] == 22.0
    assert data["education"] == "primary" and data["marital"] == "20" and data["living_with"] == "spouse"
    assert data["med_pay"] == "resident" and data["income_src"] == "pension children"
    assert data["diagnoses"] == "hypertension" and data["medication"] == "氨氯地平 5mg 每日1次"


@pytest.mark.parametrize("name", ["education", "marital", "living_with", "med_pay", "income_src", "diagnoses",
                                  "pressure_injury", "wounds", "special_care", "pain", "swallow", "malnutrition"])
def test_appendix_a_items_are_required(form, name):
    # GB/T 42195-2022 附录A: the basic information is part of every assessment
    answers = assessment()
    del answers[name]
    result = fill(form, answers, now=NOW)
    assert set(result["errors"]) == {name}


def test_the_reference_date_is_not_after_the_assessment(form):
    # GB/T 42195-2022 A.1 评估基准日期: the state the assessment describes, so not after the day it was made
    result = fill(form, assessment(base_date="2026-11-24"), now=NOW)
    assert result["errors"] == {"base_date": "评估基准日期不能晚于评估日期"}


def test_a_low_bmi_is_recorded_as_malnutrition(form):
    # GB/T 42195-2022 A.5 营养不良 (体重指数 BMI < 18.5)
    thin = assessment(height="170", weight="48")  # BMI 16.6
    result = fill(form, thin, now=NOW)
    assert result["data"]["bmi"] == 16.6
    assert result["errors"] == {"malnutrition": "体重指数低于18.5，应记为营养不良"}
    assert fill(form, {**thin, "malnutrition": "1"}, now=NOW)["valid"]


def test_an_unusual_height_asks_to_check_but_is_accepted(form):
    # research §5.3: height and weight outside the plausible range → ask to confirm, not refuse
    answers = assessment(height="95", weight="40", malnutrition="1")
    assert shown(form, answers, "body_check", now=NOW)
    assert fill(form, answers, now=NOW)["valid"]
    assert not shown(form, assessment(height="165", weight="60"), "body_check", now=NOW)


def test_none_excludes_the_other_choices(form):
    # GB/T 42195-2022 A.5: 无 or the kinds present, not both
    result = fill(form, assessment(wounds="none burn", special_care="none gastric_tube", diagnoses="none diabetes"),
                  now=NOW)
    assert set(result["errors"]) == {"wounds", "special_care", "diagnoses"}


def test_a_diagnosed_dementia_raises_the_level(form):
    # GB/T 42195-2022 能力等级变更依据: 确诊痴呆 raises the level; the diagnosis list and the question agree
    result = fill(form, assessment(diagnoses="hypertension dementia"), now=NOW)
    assert result["errors"] == {"dx_dementia": "上面的已确诊疾病里选了「痴呆」，这里应选「是」"}
    ok = fill(form, assessment(diagnoses="hypertension dementia", dx_dementia="1"), now=NOW)
    assert ok["valid"] and ok["data"]["level_up"] == 1


def test_the_assessment_is_signed_by_both_assessors_and_the_provider(form):
    # research §5.1: 评估员1、评估员2 and 信息提供者 sign (MZ/T 039-2013: 2 assessors, both signing)
    for name in ("assessor1_sign", "assessor2_sign", "provider_sign"):
        assert control(form, name).appearance == "signature"
    result = fill(form, assessment(assessor1_sign="a1.png", assessor2_sign="a2.png", provider_sign="p.png"), now=NOW)
    assert result["valid"], result["errors"]
    assert (result["data"]["assessor1_sign"], result["data"]["provider_sign"]) == ("a1.png", "p.png")


def test_records_of_the_previous_version_keep_their_form():
    # a record made with 2026.2 opens with 2026.2 (resources/forms/versions)
    old = load_form(VERSIONS / "capability_assessment-2026.2.xlsx")
    assert old.version == "2026.2"
    assert load_form(FORMS / "capability_assessment.xlsx").version > "2026.2"
