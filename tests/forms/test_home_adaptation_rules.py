"""home_adaptation against MZ/T 218-2024 《老年人居家环境适老化改造通用要求》 (改造评估与方案 → 改造 → 验收):
works follow a plan the elder agreed to; each item's money is accounted for; completed items are shown by photos."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_builtin_registry_forms import ACCEPTANCE, NOW, WORKS, adaptation  # noqa: I001 (tests/ has no packages)

from app.forms.fill import fill
from app.forms.xlsform import load_form

FORMS = Path(__file__).resolve().parents[2] / "resources" / "forms"


@pytest.fixture(scope="module")
def form():
    return load_form(FORMS / "home_adaptation.xlsx")


def test_nothing_can_be_done_when_the_elder_refused_the_plan(form):
    # MZ/T 218-2024 改造评估与方案: the plan is agreed with the elder before works start
    result = fill(form, adaptation(WORKS, **dict(ACCEPTANCE, plan_consent="0", plan_refuse_reason="不想动工")), now=NOW)
    assert "老人或家属不同意改造方案" in result["errors"]["plan_consent"]
    # with nothing done, a refusal is recorded without works or acceptance
    planned = {1: {"plan": "1", "done": "0", "funding": "gov"}}
    result = fill(form, adaptation(planned, plan_consent="0", plan_refuse_reason="不想动工"), now=NOW)
    assert result["valid"], result["errors"]
    assert "works_date" not in result["data"] and "accept_result" not in result["data"]


def test_the_explanation_is_asked_only_after_a_result_other_than_pass(form):
    # 验收 (MZ/T 218-2024 改造验收): 整改说明 belongs to 整改后合格 / 不合格, not to a result not yet chosen
    no_result = dict(ACCEPTANCE)
    del no_result["accept_result"]
    result = fill(form, adaptation(WORKS, **no_result), now=NOW)
    assert set(result["errors"]) == {"accept_result"}
    for outcome in ("pass_after_fix", "fail"):
        result = fill(form, adaptation(WORKS, **dict(ACCEPTANCE, accept_result=outcome)), now=NOW)
        assert set(result["errors"]) == {"accept_issue"}
    assert fill(form, adaptation(WORKS, **ACCEPTANCE), now=NOW)["valid"]


@pytest.mark.parametrize("photo", ["photo_before", "photo_after"])
def test_a_completed_item_needs_photos_before_and_after(form, photo):
    item = dict(WORKS[1])
    del item[photo]
    result = fill(form, adaptation({**WORKS, 1: item}, **ACCEPTANCE), now=NOW)
    assert set(result["errors"]) == {f"item01_{photo}"}
    assert "照片" in result["errors"][f"item01_{photo}"]


def test_each_planned_item_says_who_pays(form):
    item = dict(WORKS[1])
    del item["funding"]
    result = fill(form, adaptation({**WORKS, 1: item}, **ACCEPTANCE), now=NOW)
    assert result["errors"] == {"item01_funding": "请选择资金来源"}


def test_mixed_funding_needs_the_subsidy_within_the_cost(form):
    item = {**WORKS[13], "subsidy": "900"}
    result = fill(form, adaptation({**WORKS, 13: item}, **ACCEPTANCE), now=NOW)
    assert result["errors"] == {"item13_subsidy": "政府补贴不能为负数，也不能超过费用"}


def test_quantity_times_unit_price_is_the_cost(form):
    item = {**WORKS[13], "qty": "3"}
    result = fill(form, adaptation({**WORKS, 13: item}, **ACCEPTANCE), now=NOW)
    assert result["errors"] == {"item13_cost": "费用不能为负数；填了数量和单价的，费用应等于数量×单价"}


def test_subsidy_and_self_paid_totals(form):
    works = {**WORKS, 25: {"plan": "1", "done": "1", "cost": "300", "funding": "self", "photo_before": "w-b.jpg",
                           "photo_after": "w-a.jpg"}}
    data = fill(form, adaptation(works, **ACCEPTANCE), now=NOW)["data"]
    assert data["total_cost"] == 2360.5
    assert data["subsidy_total"] == 1700  # 1200 (政府补贴) + 500 (混合中的补贴)
    assert data["self_paid_total"] == 660.5
