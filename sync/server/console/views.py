"""What the console's pages show, read from the server's tables through ``scope.py``.

The server's definitions, each made once here (ARCHITECTURE.md, "The web console"):

- a **person** is a registry row of kind ``person`` as the laptops push it (``fields`` holds name, kind,
  status, last_visit, next_due …); the laptop computed last_visit and next_due from its visits;
- **overdue** (逾期) is the laptop's own rule (``app.store.persons.overdue_sql``): an active person whose
  next_due is before today (China Standard Time);
- **visited this month** is the laptop's visit-rate rule (``app.store.persons.visit_rates``): an active elder or
  child whose last_visit is on or after the 1st of this month; the rate is visited ÷ active elders and children,
  beside the target ``VISIT_TARGET`` (every one of them visited every month, the 2025 monthly target);
- an **open red flag** is a person's newest visit record per visit form (``VISIT_FORMS``), if it is of the last
  ``FLAG_DAYS`` days and raised a safety flag (``app.schedule.red_flags``): a later calm visit closes it, as on
  the laptop's 工作台 (which also looks back 60 days); "newest" is over all the person's records, counted in
  that record's village;
- an **open 发现报告** is the newest revision of a ``child_finding_report`` / ``elder_finding_report`` whose
  case_status is not ``closed``; its days open count from found_time (else its last update);
- the **12-month trend** counts visit records per month of their last update.

None of these reads JSON row by row: the services keep typed columns and per-village counts as they write
(``sync/server/services/counts.py``, migration 0006), and the pages read those.
"""

from __future__ import annotations

import json
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from app.china import mask_id
from app.dashboard import flag_text
from app.schedule import red_flags
from app.store.persons import KIND_LABELS, VISITED_KINDS
from app.store.search import normalize_query, reversed_tail
from sync.server import scope
from sync.server import tables as t
from sync.server.scope import Caller
from sync.server.services import counts
from sync.server.services.common import Database
from sync.server.services.counts import VISIT_FORMS

FLAG_DAYS = 60  # red flags older than this have left 工作台 on the laptop too
VISIT_TARGET = 100  # percent of active elders and children visited this month
CHINA = ZoneInfo("Asia/Shanghai")
PAGE = 100


def today() -> date:
    return datetime.now(CHINA).date()


def township_of(village_id: str | None) -> str:
    return (village_id or "")[:9]


def _days_since(day_text: str | None, day: date) -> int:
    """Days from an ISO date to ``day`` (0 for none, or a date to come)."""
    return max(0, (day - date.fromisoformat(day_text)).days) if day_text else 0


def _prefix(column, text: str):
    """Values starting with ``text``, as a range the column's B-tree index answers (``tables.Key``)."""
    return sa.and_(column >= text, column < text[:-1] + chr(ord(text[-1]) + 1))


class Fields:
    """Reading one key of the JSON ``fields`` / ``data`` text column on SQLite and PostgreSQL alike."""

    def __init__(self, db: Database):
        self.pg = db.is_postgres

    def get(self, column, key: str):
        if self.pg:
            parsed = column if isinstance(column.type, JSONB) else sa.cast(column, JSONB)
            return sa.func.coalesce(parsed[key].astext, "")
        return sa.func.coalesce(sa.func.json_extract(column, f"$.{key}"), "")


@dataclass
class VillageRow:
    village_id: str
    name: str = ""
    town: str = ""
    kinds: dict[str, int] = field(default_factory=dict)
    to_visit: int = 0
    visited: int = 0
    overdue: int = 0
    flags: int = 0
    reports: int = 0
    oldest_report: int = 0

    @property
    def rate(self) -> int:
        return round(100 * self.visited / self.to_visit) if self.to_visit else 0

    def add(self, other: VillageRow) -> None:
        for key, n in other.kinds.items():
            self.kinds[key] = self.kinds.get(key, 0) + n
        self.to_visit += other.to_visit
        self.visited += other.visited
        self.overdue += other.overdue
        self.flags += other.flags
        self.reports += other.reports
        self.oldest_report = max(self.oldest_report, other.oldest_report)


@dataclass
class Township:
    code: str
    name: str
    total: VillageRow
    villages: list[VillageRow]


class Views:
    def __init__(self, db: Database, forms=None):
        self.db = db
        self.f = Fields(db)
        self.forms = forms

    # ---------------------------------------------------------------- shared pieces

    def _village_names(self, conn, caller: Caller) -> dict[str, tuple[str, str]]:
        r = t.registry
        rows = conn.execute(sa.select(r.c.id, self.f.get(r.c.fields, "name"), self.f.get(r.c.fields, "town"))
                            .where(r.c.kind == "village", caller.village_where(r.c.id)))
        return {row[0]: (row[1], row[2]) for row in rows}

    def _persons_filter(self, caller: Caller, *, village: str = "", kind: str = "", overdue: bool = False,
                        visited: bool = False, to_visit: bool = False, on: date | None = None):
        r = t.registry
        day = on or today()
        parts = [scope.persons_where(caller, r)]
        if village:
            parts.append(r.c.village_id.startswith(village, autoescape=True))
        if kind:
            parts.append(r.c.person_kind == kind)
        if overdue:
            parts.append(self._overdue(r, day))
        if visited or to_visit:
            parts.append(self._to_visit(r))
        if visited:
            parts.append(r.c.last_visit >= day.replace(day=1).isoformat())
        return sa.and_(*parts)

    @staticmethod
    def _overdue(r, day: date):
        """``app.store.persons.overdue_sql`` on the registry's typed columns (``counts.person_columns``)."""
        return sa.and_(r.c.status == "active", r.c.next_due != "", r.c.next_due < day.isoformat())

    @staticmethod
    def _to_visit(r):
        """An active elder or child: the persons the visit rate counts (``app.store.persons.visit_rates``)."""
        return sa.and_(r.c.status == "active", r.c.person_kind.in_(VISITED_KINDS))

    # ---------------------------------------------------------------- 总览

    def overview(self, caller: Caller, *, on: date | None = None) -> list[Township]:
        """Per village: persons by kind, visited this month and overdue (``person_counts``, and this month's overdue
        days from the registry's typed columns), open red flags (``latest_visits``) and open 发现报告
        (``records.case_open``, a partial index)."""
        day = on or today()
        month = day.replace(day=1).isoformat()[:7]
        pc, r = t.person_counts, t.registry

        def count(*conditions):
            return sa.func.sum(sa.case((sa.and_(*conditions), pc.c.n), else_=0))

        status = pc.c.measure == "status"
        query = (sa.select(pc.c.village_id, pc.c.person_kind.label("kind"), count(status).label("n"),
                           count(status, pc.c.key == "active", pc.c.person_kind.in_(VISITED_KINDS)).label("to_visit"),
                           count(pc.c.measure == "visited", sa.or_(pc.c.key > month, sa.and_(pc.c.key == month,
                                                                                              pc.c.full)))
                           .label("visited"),
                           count(pc.c.measure == "due", pc.c.key < month).label("overdue"))
                 .where(scope.person_villages_where(caller, pc)).group_by(pc.c.village_id, pc.c.person_kind))
        # overdue within this month: its days before today, from the registry (ix_registry_due)
        due_now = (sa.select(r.c.village_id, sa.func.count().label("n"))
                   .where(scope.persons_where(caller, r), self._overdue(r, day), r.c.next_due >= month)
                   .group_by(r.c.village_id))
        lv, rec = t.latest_visits, t.records
        flags = (sa.select(lv.c.village_id, sa.func.count().label("n"))
                 .where(lv.c.flagged, lv.c.updated_at >= (day - timedelta(days=FLAG_DAYS)).isoformat(),
                        scope.records_where(caller, lv)).group_by(lv.c.village_id))
        reports = (sa.select(rec.c.village_id, sa.func.count().label("n"), sa.func.min(rec.c.found_on).label("found"))
                   .where(rec.c.case_open, scope.records_where(caller, rec))  # only 发现报告 have case_open
                   .group_by(rec.c.village_id))
        rows: dict[str, VillageRow] = {}
        with self.db.read() as conn:
            names = self._village_names(conn, caller)
            for row in conn.execute(query):
                v = rows.setdefault(row.village_id or "", VillageRow(row.village_id or ""))
                if row.n:
                    v.kinds[row.kind or "other"] = v.kinds.get(row.kind or "other", 0) + int(row.n)
                v.to_visit += int(row.to_visit or 0)
                v.visited += int(row.visited or 0)
                v.overdue += int(row.overdue or 0)
            for row in conn.execute(due_now):
                rows.setdefault(row.village_id or "", VillageRow(row.village_id or "")).overdue += row.n
            for row in conn.execute(flags):
                rows.setdefault(row.village_id or "", VillageRow(row.village_id or "")).flags += row.n
            for row in conn.execute(reports):
                v = rows.setdefault(row.village_id or "", VillageRow(row.village_id or ""))
                v.reports += row.n
                v.oldest_report = max(v.oldest_report, _days_since(row.found, day))
        for vid in names:
            rows.setdefault(vid, VillageRow(vid))
        towns: dict[str, Township] = {}
        for vid in sorted(rows):
            v = rows[vid]
            v.name, v.town = names.get(vid, (vid or "（未填村）", ""))
            code = township_of(vid)
            town = towns.setdefault(code, Township(code, v.town or code, VillageRow(code), []))
            town.villages.append(v)
            town.total.add(v)
            if v.town and town.name == code:
                town.name = v.town
        return list(towns.values())

    def open_flags(self, caller: Caller, *, conn=None, village: str = "", on: date | None = None) -> list[dict]:
        """Each person's newest visit record per visit form (``latest_visits``) of the last FLAG_DAYS days that
        raised a red flag, oldest first."""
        lv, rec = t.latest_visits, t.records
        since = ((on or today()) - timedelta(days=FLAG_DAYS)).isoformat()
        query = (sa.select(rec.c.uuid, rec.c.form_id, rec.c.village_id, rec.c.person_id, rec.c.title,
                           rec.c.updated_at, rec.c.data)
                 .join(rec, rec.c.uuid == lv.c.uuid)
                 .where(lv.c.flagged, lv.c.updated_at >= since, scope.records_where(caller, lv),
                        *([lv.c.village_id.startswith(village, autoescape=True)] if village else []))
                 .order_by(lv.c.updated_at))
        out = []
        with (nullcontext(conn) if conn is not None else self.db.read()) as c:
            for row in c.execute(query):
                out.append({"uuid": row.uuid, "form_id": row.form_id, "village_id": row.village_id,
                            "person_id": row.person_id, "title": row.title, "updated_at": row.updated_at,
                            "flag_text": flag_text(red_flags(json.loads(row.data))), "since": row.updated_at[:10]})
        return out

    def open_reports(self, caller: Caller, *, conn=None, village: str = "", on: date | None = None) -> list[dict]:
        """Open 发现报告 (``records.case_open``), the oldest first, with days open."""
        day = on or today()
        rec = t.records
        query = (sa.select(rec.c.uuid, rec.c.form_id, rec.c.village_id, rec.c.person_id, rec.c.title,
                           rec.c.updated_at, rec.c.found_on, rec.c.data)
                 .where(rec.c.case_open, scope.records_where(caller, rec),
                        *([rec.c.village_id.startswith(village, autoescape=True)] if village else [])))
        out = []
        with (nullcontext(conn) if conn is not None else self.db.read()) as c:
            for row in c.execute(query):
                data = json.loads(row.data)
                out.append({"uuid": row.uuid, "form_id": row.form_id, "village_id": row.village_id,
                            "person_id": row.person_id, "title": row.title or data.get("subject_name", ""),
                            "updated_at": row.updated_at,
                            "found": str(data.get("found_time") or row.updated_at)[:10],
                            "days_open": _days_since(row.found_on, day),
                            "follow_ups": len(data.get("follow_up") or []) if isinstance(data.get("follow_up"), list)
                            else 0, "case_status": str(data.get("case_status") or "")})
        out.sort(key=lambda item: -item["days_open"])
        return out

    def trend(self, caller: Caller, *, on: date | None = None) -> list[tuple[str, int]]:
        """Visit records per month, the last 12 months (oldest first, months without visits as 0), from the
        per-village counts ``record_months``."""
        day = on or today()
        months = []
        y, m = day.year, day.month
        for _ in range(12):
            months.append(f"{y:04d}-{m:02d}")
            y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        months.reverse()
        rm = t.record_months
        query = (sa.select(rm.c.month, sa.func.sum(rm.c.n).label("n"))
                 .where(rm.c.form_id.in_(VISIT_FORMS), scope.records_where(caller, rm), rm.c.month >= months[0])
                 .group_by(rm.c.month))
        with self.db.read() as conn:
            counts = {row.month: int(row.n) for row in conn.execute(query)}
        return [(m, counts.get(m, 0)) for m in months]

    # ---------------------------------------------------------------- 人员

    def persons(self, caller: Caller, *, q: str = "", village: str = "", kind: str = "", overdue: bool = False,
                visited: bool = False, to_visit: bool = False, offset: int = 0, limit: int = PAGE) -> list[dict]:
        """Persons of the caller's scope: a search (name part, pinyin initials or full pinyin, ID tail) or a
        filtered list, a page at a time. Each kind of search is an index lookup: ``registry_name_terms`` for a
        name part, prefix ranges on ``initials`` / ``pinyin`` and on the reversed ID number ``id_rev``."""
        r = t.registry
        cond = self._persons_filter(caller, village=village, kind=kind, overdue=overdue, visited=visited,
                                    to_visit=to_visit)
        query = sa.select(r.c.id, r.c.village_id, r.c.fields).where(cond)
        text = normalize_query(q)
        if text.isascii() and text.isalpha():
            query = query.where(sa.or_(_prefix(r.c.initials, text), _prefix(r.c.pinyin, text)))
        elif text and text.upper().replace("X", "").isdigit():
            query = query.where(_prefix(r.c.id_rev, reversed_tail(text, 40)))
        elif text:
            name = counts.normalized_name(text)
            terms = t.registry_name_terms
            query = query.where(r.c.id.in_(sa.select(terms.c.person_id).where(terms.c.term == name[:2])))
            if len(name) > 2:
                query = query.where(r.c.name.contains(name, autoescape=True))
        query = query.order_by(r.c.village_id, r.c.name, r.c.id).offset(offset).limit(limit)
        with self.db.read() as conn:
            rows = conn.execute(query).all()
            names = self._village_names(conn, caller)
        out = []
        for row in rows:
            fields = json.loads(row.fields)
            if not scope.sees_registry_row(caller, "person", fields):
                continue
            out.append(self._person_summary(row.id, row.village_id, fields, names))
        return out

    @staticmethod
    def _person_summary(person_id: str, village_id: str | None, fields: dict, names: dict) -> dict:
        due = str(fields.get("next_due") or "")
        day = today().isoformat()
        return {"id": person_id, "name": fields.get("name", ""), "village_id": village_id,
                "village": names.get(village_id or "", (village_id or "", ""))[0],
                "kind": KIND_LABELS.get(str(fields.get("kind") or "other"), "其他人员"),
                "id_masked": mask_id(str(fields.get("id_number") or "")) if fields.get("id_number") else "",
                "categories": "、".join(fields.get("categories") or []) if isinstance(fields.get("categories"), list)
                else str(fields.get("categories") or ""),
                "risk_tier": fields.get("risk_tier", ""), "status": fields.get("status", ""),
                "last_visit": fields.get("last_visit", ""), "next_due": due,
                "overdue": fields.get("status") == "active" and bool(due) and due < day,
                "days_overdue": (today() - date.fromisoformat(due[:10])).days
                if fields.get("status") == "active" and due and due < day else 0}

    def person(self, caller: Caller, person_id: str) -> dict | None:
        """One person of the caller's scope with every record about them and each record's revisions."""
        r = t.registry
        with self.db.read() as conn:
            row = conn.execute(sa.select(r.c.id, r.c.village_id, r.c.fields)
                               .where(r.c.id == person_id, scope.persons_where(caller, r))).one_or_none()
            if row is None:
                return None
            fields = json.loads(row.fields)
            if not scope.sees_registry_row(caller, "person", fields):
                return None
            names = self._village_names(conn, caller)
            rec, rev = t.records, t.record_revisions
            records = [dict(x._mapping) for x in conn.execute(
                sa.select(rec.c.uuid, rec.c.form_id, rec.c.title, rec.c.revision, rec.c.updated_at, rec.c.author,
                          rec.c.conflicts)
                .where(rec.c.person_id == person_id, scope.records_where(caller, rec))
                .order_by(rec.c.updated_at.desc()))]
            history: dict[str, list[dict]] = defaultdict(list)
            if records:
                for x in conn.execute(
                        sa.select(rev.c.uuid, rev.c.revision, rev.c.user_name, rev.c.received_at, rev.c.updated_at)
                        .where(rev.c.uuid.in_([x["uuid"] for x in records]), scope.records_where(caller, rev))
                        .order_by(rev.c.uuid, rev.c.revision)):
                    history[x.uuid].append(dict(x._mapping))
        for item in records:
            item["history"] = history.get(item["uuid"], [])
        summary = self._person_summary(row.id, row.village_id, fields, names)
        summary.update(records=records, fields=fields, id_number=str(fields.get("id_number") or ""),
                       sex=fields.get("sex", ""), birth_date=fields.get("birth_date", ""))
        return summary

    # ---------------------------------------------------------------- 记录

    def records(self, caller: Caller, *, form: str = "", village: str = "", start: str = "", end: str = "",
                conflicts: bool = False, offset: int = 0, limit: int = PAGE) -> list[dict]:
        rec = t.records
        parts = [scope.records_where(caller, rec)]
        if form == "visits":
            parts.append(rec.c.form_id.in_(VISIT_FORMS))
        elif form:
            parts.append(rec.c.form_id == form)
        if village:
            parts.append(rec.c.village_id.startswith(village, autoescape=True))
        if start:
            parts.append(rec.c.updated_at >= start)
        if end:
            parts.append(rec.c.updated_at < end)
        if conflicts:
            parts.append(rec.c.conflicts > 0)
        query = (sa.select(rec.c.uuid, rec.c.form_id, rec.c.village_id, rec.c.person_id, rec.c.title, rec.c.author,
                           rec.c.revision, rec.c.updated_at, rec.c.conflicts)
                 .where(*parts).order_by(rec.c.updated_at.desc()).offset(offset).limit(limit))
        with self.db.read() as conn:
            names = self._village_names(conn, caller)
            rows = [dict(x._mapping) for x in conn.execute(query)]
        for row in rows:
            row["village"] = names.get(row["village_id"] or "", (row["village_id"] or "", ""))[0]
        return rows

    def record(self, caller: Caller, uuid: str) -> dict | None:
        rec = t.records
        with self.db.read() as conn:
            row = conn.execute(sa.select(rec).where(rec.c.uuid == uuid, scope.records_where(caller, rec))
                               ).one_or_none()
        return dict(row._mapping) if row is not None else None

    def form_titles(self) -> dict[str, str]:
        with self.db.read() as conn:
            rows = conn.execute(sa.select(t.forms.c.form_id, t.forms.c.title).order_by(t.forms.c.created_at))
            return {row.form_id: row.title or row.form_id for row in rows}


    # ---------------------------------------------------------------- 用户与设备

    def devices(self) -> list[dict]:
        """Every enrolled device with its user, its last sync (the newest record or audit log it sent) and
        whether its audit chain is intact (no finding against it)."""
        d, u, rev, heads, findings = t.devices, t.users, t.record_revisions, t.device_audit_heads, t.audit_findings
        last_push = sa.select(sa.func.max(rev.c.received_at)).where(rev.c.device_id == d.c.id).scalar_subquery()
        last_audit = sa.select(heads.c.updated_at).where(heads.c.device_id == d.c.id).scalar_subquery()
        found = sa.select(sa.func.count()).select_from(findings).where(findings.c.device_id == d.c.id) \
            .scalar_subquery()
        query = (sa.select(d.c.id, d.c.name, d.c.created_at, d.c.revoked_at, u.c.name.label("user"),
                           u.c.role, u.c.villages, last_push.label("last_push"), last_audit.label("last_audit"),
                           found.label("findings"))
                 .join(u, u.c.id == d.c.user_id).order_by(d.c.created_at))
        with self.db.read() as conn:
            rows = [dict(row._mapping) for row in conn.execute(query)]
        for row in rows:
            row["last_sync"] = max(row["last_push"] or "", row["last_audit"] or "")
            row["villages"] = "、".join(json.loads(row["villages"] or "[]"))
        return rows
