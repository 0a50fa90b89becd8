"""vulnerable_child: category, sub-type and the child's own facts agree (国发〔2016〕36号's three categories).

困境儿童 are children in (1) 家庭贫困, (2) 自身残疾, (3) 家庭监护缺失或监护不当 (国发〔2016〕36号); a sub-type belongs
to one of them, and a sub-type that names a fact (重残, 重病, 特困) must agree with what the form says of the child.
留守儿童 are registered on their own form (民发〔2016〕42号's 农村留守儿童基本情况登记表), so they are not a 困境 sub-type
here (one child counted twice in the 花名册).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_builtin_child_and_other_forms import NOW, vulnerable

from app.forms.fill import fill
from app.forms.xlsform import load_form

FORMS = Path(__file__).resolve().parents[2] / "resources" / "forms"


@pytest.fixture(scope="module")
def form():
    return load_form(FORMS / "vulnerable_child.xlsx")


def test_left_behind_is_not_offered_as_a_vulnerable_sub_type(form):
    result = fill(form, vulnerable(dk_sub="fact_unattended left_behind"), now=NOW)
    assert result["errors"] == {"dk_sub": "“left_behind”不是本题的选项，请从列表中选择。"}


def test_a_severely_disabled_child_is_disabled_grade_one_or_two(form):
    base = vulnerable(dk_main="disability guardianship", dk_sub="fact_unattended severe_disabled")
    result = fill(form, base, now=NOW)
    assert result["errors"] == {"dk_sub": "「重残儿童」须身体情况为残疾、残疾等级为一级或二级，请核对身体情况"}
    ok = fill(form, {**base, "child_body": "disabled", "child_dis_cat": "1", "child_dis_grade": "2"}, now=NOW)
    assert ok["valid"], ok["errors"]
    grade3 = fill(form, {**base, "child_body": "disabled", "child_dis_cat": "1", "child_dis_grade": "3"}, now=NOW)
    assert set(grade3["errors"]) == {"dk_sub"}


def test_a_severely_disabled_child_falls_under_the_disability_category(form):
    answers = vulnerable(dk_sub="fact_unattended severe_disabled", child_body="disabled", child_dis_cat="1",
                         child_dis_grade="1")
    result = fill(form, answers, now=NOW)
    assert result["errors"] == {"dk_sub": "选了重残儿童，困境类别应包含「自身残疾」"}


def test_a_seriously_ill_child_is_recorded_as_ill(form):
    result = fill(form, vulnerable(dk_sub="fact_unattended severe_ill"), now=NOW)
    assert result["errors"] == {"dk_sub": "「重病儿童」须身体情况为患病，请核对身体情况"}
    ok = fill(form, vulnerable(dk_sub="fact_unattended severe_ill", child_body="ill", child_disease="白血病"), now=NOW)
    assert ok["valid"], ok["errors"]


@pytest.mark.parametrize("sub", ["dibao", "tekun", "dibao_edge"])
def test_poverty_sub_types_need_the_poverty_category(form, sub):
    result = fill(form, vulnerable(dk_main="guardianship", dk_sub=f"fact_unattended {sub}"), now=NOW)
    assert result["errors"] == {"dk_sub": "选了低保、特困或低保边缘家庭儿童，困境类别应包含「家庭贫困」"}


@pytest.mark.parametrize("sub", ["orphan", "fact_unattended", "prisoner_child", "abandoned", "vagrant"])
def test_guardianship_sub_types_need_the_guardianship_category(form, sub):
    result = fill(form, vulnerable(dk_main="poverty", dk_sub=sub), now=NOW)
    assert "家庭监护缺失或监护不当" in result["errors"].get("dk_sub", "") or "父母情况不符" in result["errors"]["dk_sub"]


def test_tekun_children_are_under_16(form):
    # 《特困人员认定办法》: 未满16周岁的未成年人; the child block's child is 12 on the fill date
    assert fill(form, vulnerable(dk_sub="fact_unattended tekun"), now=NOW)["valid"]
    older = vulnerable(dk_sub="fact_unattended tekun", child_hukou="0", child_id="", child_sex="1",
                       child_birth="2009-06-01")
    result = fill(form, older, now=NOW)
    assert set(result["errors"]) == {"dk_sub"}
    assert "未满16周岁" in result["errors"]["dk_sub"]
