"""elder_visit: the next visit follows the elder's risk tier and the county's settings; a visit that did not see the
elder records no guessed observations.

Tiers and intervals: 内蒙古's model as configurable defaults (domain research §2.1 [S1]: 高风险 weekly and within 24 h of
a major event, 重点 monthly, 一般 quarterly; 青海 monthly for everyone [S5] = the monthly_floor setting).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_builtin_visit_forms import NOW, elder_visit

from app.forms.fill import fill
from app.forms.xlsform import load_form
from app.settings import Settings, VisitRules, form_instances

FORMS = Path(__file__).resolve().parents[2] / "resources" / "forms"


@pytest.fixture(scope="module")
def form():
    return load_form(FORMS / "elder_visit.xlsx")


@pytest.mark.parametrize("tier, last_ok, first_late", [
    ("high", "2026-11-30", "2026-12-01"), ("key", "2026-12-23", "2026-12-24"), ("general", "2027-02-21", "2027-02-22"),
])
def test_the_next_visit_follows_the_tier(form, tier, last_ok, first_late):
    ok = fill(form, elder_visit(risk_tier=tier, next_visit=last_ok), now=NOW)
    assert ok["valid"], ok["errors"]
    assert ok["data"]["suggest_next"] == last_ok
    assert set(fill(form, elder_visit(risk_tier=tier, next_visit=first_late), now=NOW)["errors"]) == {"next_visit"}


def test_a_red_flag_brings_the_next_visit_within_a_day_whatever_the_tier(form):
    answers = elder_visit(risk_tier="general", red_flags="fall_alone", issues="独自在家跌倒", action="contact_family",
                          next_visit="2026-12-20")
    assert set(fill(form, answers, now=NOW)["errors"]) == {"next_visit"}
    assert fill(form, {**answers, "next_visit": "2026-11-24"}, now=NOW)["valid"]


def test_the_tier_is_asked_when_not_carried_from_the_registry(form):
    answers = elder_visit()
    del answers["risk_tier"]
    assert fill(form, answers, now=NOW)["errors"] == {"risk_tier": "请选择老人的风险等级（决定下次探访的期限）"}


def test_a_monthly_county_caps_every_tier_at_30_days(form):
    monthly = form_instances(Settings(visits=VisitRules(monthly_floor=True)))
    answers = elder_visit(risk_tier="general", next_visit="2027-01-20")
    assert fill(form, answers, now=NOW)["valid"]
    result = fill(form, answers, now=NOW, instances=monthly)
    assert set(result["errors"]) == {"next_visit"}
    assert result["data"]["suggest_next"] == "2026-12-23"


@pytest.mark.parametrize("method", ["phone"])
def test_a_phone_visit_records_no_observations_of_the_person_or_the_house(form, method):
    answers = elder_visit(visit_method=method)
    for key in ("photo", "location", "signature"):
        answers.pop(key)
    result = fill(form, answers, now=NOW)
    # the observed answers given are not kept silently: the engine reports them or leaves them out as not relevant
    data = result["data"]
    for observed in ("h_mobility", "h_express", "h_mental", "s_house", "s_utilities", "s_fall_risk", "s_hygiene"):
        assert observed not in data
    assert data["h_illness"] == "none" and data["h_meds"] == "yes"  # what the elder can say on the phone stays


def test_a_phone_visit_needs_no_observations_to_be_complete(form):
    answers = elder_visit(visit_method="phone")
    for key in ("photo", "location", "signature", "h_mobility", "h_express", "h_mental", "s_house", "s_utilities",
                "s_fall_risk", "s_hygiene"):
        answers.pop(key)
    result = fill(form, answers, now=NOW)
    assert result["valid"], result["errors"]


def test_a_video_visit_sees_the_elder_but_not_the_house(form):
    answers = elder_visit(visit_method="video")
    for key in ("photo", "location", "signature", "s_house", "s_utilities", "s_fall_risk", "s_hygiene"):
        answers.pop(key)
    result = fill(form, answers, now=NOW)
    assert result["valid"], result["errors"]
    assert result["data"]["h_mobility"] == "slow"


def test_not_meeting_the_elder_at_home_skips_what_needs_seeing(form):
    answers = elder_visit(met_in_person="0", not_met_reason="外出就医")
    for key in ("h_mobility", "h_express", "h_mental", "s_house", "s_utilities", "s_fall_risk", "s_hygiene"):
        answers.pop(key)
    result = fill(form, answers, now=NOW)
    assert result["valid"], result["errors"]


def test_the_not_seen_notices_wait_for_how_the_visit_was_made():
    # the notices tell what to leave out on a phone visit or when the elder was not seen: an empty form is neither
    from form_helpers import shown

    form = load_form(FORMS / "elder_visit.xlsx")
    assert not shown(form, {}, "not_seen_info") and not shown(form, {}, "not_home_info")
    assert shown(form, {"visit_method": "phone"}, "not_seen_info")
    assert shown(form, {"visit_method": "home", "met_in_person": "0"}, "not_seen_info")
    assert shown(form, {"visit_method": "video", "met_in_person": "1"}, "not_home_info")
    assert not shown(form, {"visit_method": "home", "met_in_person": "1"}, "not_home_info")
