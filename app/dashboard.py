"""What 工作台 shows, computed in one place: overdue visits, what is due, drafts, waiting records,
visit rates, safety red flags, children with an open 发现报告 and adaptations not yet accepted."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from app.registry import visit_rates
from app.store import persons, records

FLAG_LABELS = {
    "no_heating": "冬季无取暖", "fall_alone": "跌倒后无人照看", "lost_contact": "独居失联", "no_food": "断炊缺水",
    "sick_alone": "患病无人照料", "house_danger": "居住危房", "abuse": "疑似虐待遗弃", "other": "其他紧急情况",
    "child_alone": "儿童独自居住", "child_missing": "儿童下落不明", "report": "发现报告",
}


@dataclass
class Dashboard:
    overdue: list[dict] = field(default_factory=list)
    overdue_total: int = 0
    due_this_week: int = 0
    drafts: list[dict] = field(default_factory=list)
    waiting_to_sync: int = 0
    rates: list[dict] = field(default_factory=list)
    red_flags: list[dict] = field(default_factory=list)
    open_reports: list[dict] = field(default_factory=list)
    adaptations_pending: list[dict] = field(default_factory=list)


def _local_day(stamp: str) -> date:
    """The day on this laptop's calendar of a date or date-time as the forms write them (with an offset)."""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return date.fromisoformat(stamp[:10])
    return moment.astimezone().date() if moment.tzinfo else moment.date()


def flag_text(flags: list[str]) -> str:
    return "、".join(FLAG_LABELS.get(f, f) for f in flags)


def build(store, today: date | None = None, *, overdue_limit: int = 300) -> Dashboard:
    today = today or date.today()
    iso = today.isoformat()
    board = Dashboard()
    board.overdue = store.overdue(today=iso, limit=overdue_limit)
    # every figure below is of what the signed-in account may see (app/store/persons.py, records.py)
    board.overdue_total = persons.overdue_count(store, iso)
    board.due_this_week = persons.due_count(store, iso, (today + timedelta(days=7)).isoformat())
    board.drafts = store.drafts()
    board.waiting_to_sync = records.waiting_count(store)
    board.rates = visit_rates(store, today)
    since = (today - timedelta(days=60)).isoformat()
    reported = set()
    for row in [*records.finished_of_form(store, "child_finding_report", limit=2000),
                *records.finished_of_form(store, "elder_finding_report", limit=2000)]:
        data = row.pop("data")
        if data.get("case_status") == "closed":
            continue
        found = _local_day(str(data.get("found_time") or row["updated_at"]))
        row.update(person_name=row["person_name"] or data.get("subject_name", ""), found=found.isoformat(),
                   days_open=max(0, (today - found).days), kind="report")
        board.open_reports.append(row)  # a 发现报告 of its own, open until 已结案
        reported.add(row.get("person_id"))
    for row in records.flagged_since(store, since):
        flags = row["flags"]
        row["flag_text"] = flag_text(flags)
        board.red_flags.append(row)
        if ("report" in flags or "child_alone" in flags or "child_missing" in flags) and \
                row["person_id"] not in reported:
            if not records.calm_visit_after(store, row["person_id"], row["form_id"], row["updated_at"]):
                row.update(found=row["updated_at"][:10], kind="visit",
                           days_open=max(0, (today - date.fromisoformat(row["updated_at"][:10])).days))
                board.open_reports.append(row)  # a visit that found it, no calmer visit since: still open
    board.open_reports.sort(key=lambda r: -r["days_open"])  # the oldest first
    for row in records.finished_of_form(store, "home_adaptation", limit=500):
        data = row.pop("data")
        if int(data.get("plan_count") or 0) > 0 and not data.get("accept_date"):
            row["planned"] = int(data.get("plan_count") or 0)
            board.adaptations_pending.append(row)
    return board
