"""elder_registry: the risk tier follows its reasons, as the county's settings say.

The tiers are 内蒙古's model (domain research §2.1 [S1]): 高风险 — 80+ living alone, empty-nest or left-behind, or an
illness that may endanger life at any time; 重点 — 失能失智, 分散供养特困, 计划生育特殊家庭; 一般 — the rest. Provinces
differ, so the reason → lowest tier table is a county setting (settings.json "visits.tier_by_reason"), read by the
form as instance('county_settings'). A tier below it is allowed only with a written reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_builtin_registry_forms import NOW, registry

from app.forms.fill import fill
from app.forms.xlsform import load_form
from app.settings import Settings, VisitRules, form_instances

FORMS = Path(__file__).resolve().parents[2] / "resources" / "forms"


@pytest.fixture(scope="module")
def form():
    return load_form(FORMS / "elder_registry.xlsx")


def test_an_80_year_old_living_alone_cannot_quietly_be_general(form):
    # the base answers: 86, 独居 + 农村留守 + 高龄; the cadre ticks no reason of its own but 其他
    answers = registry(risk_tier="general", risk_reason="other", risk_reason_other="子女常回来", visit_interval="90")
    result = fill(form, answers, now=NOW)
    assert result["errors"] == {"tier_low_reason": "风险等级低于建议，请写明理由"}
    assert result["data"]["suggested_tier_text"] == "高风险"
    result = fill(form, {**answers, "tier_low_reason": "女儿每周回家两次，邻居每日照看"}, now=NOW)
    assert result["valid"], result["errors"]


@pytest.mark.parametrize("elder_type, reason, tier", [
    ("disabled", "disabled_dementia", "key"), ("dementia", "other", "key"), ("tekun", "other", "key"),
    ("fp_special", "fp_special", "key"), ("dibao", "life_threat", "high"), ("dibao", "other", "general"),
])
def test_the_suggested_tier_from_type_and_reason(form, elder_type, reason, tier):
    answers = registry(elder_type=elder_type, living_with="spouse", risk_reason=reason, risk_reason_other="见备注",
                       risk_tier=tier, visit_interval="7")
    result = fill(form, answers, now=NOW)
    assert result["valid"], result["errors"]
    assert result["data"]["suggested_tier_text"] == {"high": "高风险", "key": "重点", "general": "一般"}[tier]


def test_a_higher_tier_than_suggested_needs_no_reason(form):
    answers = registry(elder_type="dibao", living_with="spouse", risk_reason="other", risk_reason_other="独自照顾病重老伴",
                       risk_tier="high", visit_interval="7")
    assert fill(form, answers, now=NOW)["valid"]


def test_the_county_decides_which_reasons_call_for_which_tier(form):
    # a county that treats 失能失智 as 高风险, and allows 14 days for 高风险
    county = Settings(visits=VisitRules(elder_by_tier={"high": 14, "key": 30, "general": 90},
                                        tier_by_reason={"age80_alone": "high", "life_threat": "high",
                                                        "disabled_dementia": "high", "tekun_scattered": "key",
                                                        "fp_special": "key"}))
    answers = registry(elder_type="disabled", living_with="spouse", risk_reason="disabled_dementia", risk_tier="key",
                       visit_interval="30")
    assert fill(form, answers, now=NOW)["valid"]  # the defaults: 重点 is enough
    result = fill(form, answers, now=NOW, instances=form_instances(county))
    assert set(result["errors"]) == {"tier_low_reason"}
    high = {**answers, "risk_tier": "high", "visit_interval": "14"}
    assert fill(form, high, now=NOW)["errors"].keys() == {"visit_interval"}  # 7 days by default
    assert fill(form, high, now=NOW, instances=form_instances(county))["valid"]


def test_ethnicity_illnesses_and_income_are_recorded(form):
    answers = registry(ethnicity="03", chronic="hypertension diabetes", income_src="pension children")
    result = fill(form, answers, now=NOW)
    assert result["valid"], result["errors"]
    assert (result["data"]["ethnicity"], result["data"]["chronic"], result["data"]["income_src"]) == \
        ("03", "hypertension diabetes", "pension children")
    result = fill(form, registry(chronic="none hypertension"), now=NOW)
    assert result["errors"] == {"chronic": "选了「无」就不能再选其他项"}
