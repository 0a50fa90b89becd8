"""When a person should be visited next, from the registry and the last visit's findings."""

from __future__ import annotations

from datetime import date, timedelta

from app.settings import VisitRules

# Risk tiers are stored as codes by the registry form and as Chinese labels by older data.
TIER_CODES = {"高风险": "high", "重点": "key", "一般": "general", "high": "high", "key": "key", "general": "general"}


def tier_code(tier: str) -> str:
    return TIER_CODES.get((tier or "").strip(), "general")


def visit_interval(person: dict, rules: VisitRules) -> int:
    """Days between routine visits for this person."""
    if person.get("kind") == "child":
        evaluation = person.get("guardianship", "")
        return rules.child_by_guardianship.get(evaluation, rules.child_default_days)
    days = rules.elder_by_tier.get(tier_code(person.get("risk_tier", "")), rules.elder_by_tier["general"])
    return min(days, 30) if rules.monthly_floor else days


def next_due(person: dict, visit_day: date, visit: dict, rules: VisitRules) -> date:
    """The next visit after one on ``visit_day`` with findings ``visit`` (the record's data)."""
    days = visit_interval(person, rules)
    flags = red_flags(visit)
    if flags or str(visit.get("major_event", "")) == "1":
        days = min(days, rules.major_event_days)
    if str(visit.get("must_report", "")) == "1" or str(visit.get("found_risk", "")) == "1":
        days = min(days, rules.report_follow_up_days)
    planned = visit.get("next_visit")
    due = visit_day + timedelta(days=days)
    if planned:
        try:
            due = min(due, date.fromisoformat(str(planned)[:10]))  # the cadre may plan an earlier visit
        except ValueError:
            pass
    return due


def red_flags(visit: dict) -> list[str]:
    """Safety red flags a visit raised (a child alone, no heating in winter, a fall with no one home …)."""
    flags = [f for f in str(visit.get("red_flags") or "").split() if f not in ("none", "")]
    if visit.get("with_whom") == "alone":
        flags.append("child_alone")
    if str(visit.get("child_seen", "")) == "0" and visit.get("not_seen_reason") == "missing":
        flags.append("child_missing")
    if str(visit.get("must_report", "")) == "1":
        flags.append("report")
    return flags
