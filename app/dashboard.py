"""What 工作台 shows, computed in one place: overdue visits, what is due, drafts, waiting records,
visit rates, safety red flags, children with an open 发现报告 and adaptations not yet accepted."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta

from app.registry import visit_rates

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


def flag_text(flags: list[str]) -> str:
    return "、".join(FLAG_LABELS.get(f, f) for f in flags)


def build(store, today: date | None = None, *, overdue_limit: int = 300) -> Dashboard:
    today = today or date.today()
    iso = today.isoformat()
    board = Dashboard()
    board.overdue = store.overdue(today=iso, limit=overdue_limit)
    persons, person_params = store.scope.persons_sql()  # only what the signed-in account may see
    records, record_params = store.scope.records_sql("r")
    board.overdue_total = store.query("SELECT count(*) AS n FROM persons WHERE status = 'active' AND next_due != '' "
                                      f"AND next_due < ? AND {persons}", [iso, *person_params])[0]["n"]
    board.due_this_week = store.query(
        f"SELECT count(*) AS n FROM persons WHERE status = 'active' AND next_due >= ? AND next_due < ? AND {persons}",
        [iso, (today + timedelta(days=7)).isoformat(), *person_params])[0]["n"]
    board.drafts = store.drafts()
    counts = store.counts_by_status()
    board.waiting_to_sync = counts["finalized"] + counts["queued"]
    board.rates = visit_rates(store, today)
    since = (today - timedelta(days=60)).isoformat()
    for row in store.query(
        "SELECT r.uuid, r.form_id, r.title, r.updated_at, r.flags, r.person_id, p.name AS person_name "
        "FROM records r LEFT JOIN persons p ON p.id = r.person_id "
        f"WHERE r.flags != '[]' AND r.updated_at >= ? AND {records} ORDER BY r.updated_at DESC LIMIT 200",
            [since, *record_params]):
        flags = json.loads(row["flags"])
        row["flags"] = flags
        row["flag_text"] = flag_text(flags)
        board.red_flags.append(row)
        if "report" in flags or "child_alone" in flags or "child_missing" in flags:
            later = store.query("SELECT count(*) AS n FROM records WHERE person_id = ? AND form_id = ? AND "
                                "updated_at > ? AND flags = '[]' AND status != 'draft'",
                                [row["person_id"], row["form_id"], row["updated_at"]])[0]["n"]
            if not later:  # no calmer visit since: the report is still open
                board.open_reports.append(row)
    for row in store.query(
        "SELECT r.uuid, r.title, r.data, r.updated_at, p.name AS person_name FROM records r "
        "LEFT JOIN persons p ON p.id = r.person_id WHERE r.form_id = 'home_adaptation' AND r.status != 'draft' "
        f"AND {records} ORDER BY r.updated_at DESC LIMIT 500", record_params):
        data = json.loads(row.pop("data") or "{}")
        if int(data.get("plan_count") or 0) > 0 and not data.get("accept_date"):
            row["planned"] = int(data.get("plan_count") or 0)
            board.adaptations_pending.append(row)
    return board
