"""left_behind_child: the other parent dead, missing or in prison (a county setting) and the entrusted guardian's ability.

民发〔2016〕42号 defines 农村留守儿童 as children under 16 with rural 户籍 whose parents both work away, or one works
away and the other has no guardianship capacity (重病、重残). Whether a child whose other parent is dead, missing or in
prison counts too differs between provinces, so it is the county's setting (settings.json → instance('county_settings')).
An entrusted guardian's capacity must be assessed and put on file (research §3.1, [S20] 巢湖).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from form_helpers import shown
from test_builtin_child_and_other_forms import NOW, left_behind

from app.forms.fill import fill
from app.forms.xlsform import load_form
from app.settings import ChildRules, Settings, county_settings_xml, form_instances, load_settings

FORMS = Path(__file__).resolve().parents[2] / "resources" / "forms"
COUNTED = form_instances(Settings(children=ChildRules(left_behind_if_other_parent_absent=True)))
NOT_COUNTED = form_instances(Settings())


@pytest.fixture(scope="module")
def form():
    return load_form(FORMS / "left_behind_child.xlsx")


def father_away_mother(state: str) -> dict:
    return left_behind(mother_state=state, mother_work_place=None, mother_phone=None)


def clean(answers: dict) -> dict:
    return {k: v for k, v in answers.items() if v is not None}


@pytest.mark.parametrize("state", ["dead", "missing", "prison"])
def test_by_default_the_other_parent_absent_is_not_left_behind(form, state):
    # 民发〔2016〕42号: only a parent at home without capacity (重病、重残) besides both away
    result = fill(form, clean(father_away_mother(state)), now=NOW, instances=NOT_COUNTED)
    assert set(result["errors"]) == {"mother_state"}
    assert "本县不把另一方死亡、失踪或服刑的儿童算作留守儿童" in result["errors"]["mother_state"]


@pytest.mark.parametrize("state", ["dead", "missing", "prison"])
def test_a_county_that_counts_them_registers_them(form, state):
    # provinces that count a child whose other parent is dead, missing or in prison as 留守 (county setting)
    result = fill(form, clean(father_away_mother(state)), now=NOW, instances=COUNTED)
    assert result["valid"], result["errors"]
    assert result["data"]["one_out_other_unable"] == "1"
    assert result["data"]["unable_parent"] == "mother"


def test_the_setting_does_not_make_a_parent_at_home_and_able_count(form):
    # 民发〔2016〕42号: a parent at home with capacity means the child is not left behind, whatever the setting
    result = fill(form, clean(father_away_mother("home_able")), now=NOW, instances=COUNTED)
    assert set(result["errors"]) == {"mother_state"}
    assert "本县不把" not in result["errors"]["mother_state"]


def test_the_setting_travels_through_settings_json(tmp_path):
    (tmp_path / "settings.json").write_text(json.dumps({"children": {"left_behind_if_other_parent_absent": True}}))
    settings = load_settings(tmp_path)
    assert settings.children.left_behind_if_other_parent_absent
    assert "<left_behind_if_other_parent_absent>1</left_behind_if_other_parent_absent>" in county_settings_xml(settings)


def test_the_shipped_settings_file_holds_the_child_default():
    shipped = (FORMS / "county_settings.xml").read_text(encoding="utf-8")
    expected = int(ChildRules().left_behind_if_other_parent_absent)
    assert f"<left_behind_if_other_parent_absent>{expected}</left_behind_if_other_parent_absent>" in shipped


# --------------------------------------------------------------------------- entrusted guardian


def test_the_entrusted_guardian_is_assessed(form):
    # research §3.1 [S20]: an entrusted guardian's capacity is assessed and put on file
    answers = left_behind()
    for name in ("g_age", "g_health", "g_able"):
        result = fill(form, {k: v for k, v in answers.items() if k != name}, now=NOW)
        assert set(result["errors"]) == {name}


def test_the_guardians_age_comes_from_the_id_number(form):
    answers = left_behind(g_id="341100195001010014")  # born 1950-01-01: 76 on 2026-11-23
    del answers["g_age"]
    result = fill(form, answers, now=NOW)
    assert result["data"]["g_age"] == 76
    assert shown(form, answers, "g_weak_warn")


@pytest.mark.parametrize(("changes", "reason"), [
    ({"g_age": "74"}, "已超过70周岁"),
    ({"g_able": "unable", "guard_type": "guardian_weak", "guard_eval": "poor"}, "照料不了孩子"),
    ({"g_health": "serious"}, "患重病或残疾"),
])
def test_a_guardian_over_70_or_unable_is_warned_about(form, changes, reason):
    # [S20]: the guardian's ability is weighed; over 70 or unable to care → warn, suggest 受委托监护人监护能力不足
    answers = left_behind(**changes)
    assert shown(form, answers, "g_weak_warn")
    result = fill(form, answers, now=NOW)
    assert result["valid"], result["errors"]
    assert result["data"]["g_weak_reason"] == reason


def test_a_healthy_guardian_of_63_gets_no_warning(form):
    assert not shown(form, left_behind(), "g_weak_warn")


def test_a_guardian_unable_to_care_is_not_a_fair_guardianship(form):
    # 2016 登记表 监护类型: a guardian who cannot care is 受委托监护人监护能力不足, not 一般 or 较好
    result = fill(form, left_behind(g_able="unable"), now=NOW)
    assert result["errors"] == {"guard_type": "受委托监护人照料不了孩子的，监护类型应为「受委托监护人监护能力不足」"}
