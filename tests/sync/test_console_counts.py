"""The console's counts kept by the services (``sync/server/services/counts.py``) on SQLite and PostgreSQL:
after pushes, revisions, a calm visit after a flagged one, a closed 发现报告, a person and a record moved to
another village and a conflict resolved, 总览 and the 12-month trend show what a recount straight from the stored
registry and records gives (counted here, from the JSON, without the console's code), the kept counts equal a
full recomputation, a 乡镇 account sees its own township's numbers only, and migration 0006 rebuilds the same
counts from the rows. Person search finds by name part, pinyin and ID tail within the caller's scope."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.demo import _VisitData
from app.forms.fill import fill
from app.schedule import red_flags
from sync.protocol import Outcome, RecordEnvelope, RegistryEntity, content_hash
from sync.server import scope
from sync.server import tables as t
from sync.server.api import open_service
from sync.server.console.accounts import CONSOLE_ROLES
from sync.server.console.views import Views, today
from sync.server.scope import Caller
from sync.server.services import counts
from tests.sync.console_data import TOWN_A, TOWN_B, VILLAGES, seed

CALM, FLAGGED = 0, 4  # app.demo's elder visit variants: the fifth finds no heating in winter


@pytest.fixture
def service(server_db):
    service = open_service(server_db)
    yield service
    service.engine.dispose()


def _stamp(day: date) -> str:
    return f"{day.isoformat()}T09:00:00.000+08:00"


class County:
    """Records pushed through the server's own service, as laptops' pushes arrive."""

    def __init__(self, service):
        self.service = service
        self.caller = scope.operator("测试")
        self.visits = _VisitData(today())
        self.revisions: dict[str, RecordEnvelope] = {}
        self.n = 0

    def envelope(self, form_id: str, data: dict, village: str, person: str | None, day: date,
                 uuid: str | None = None) -> RecordEnvelope:
        form = self.visits.form(form_id)
        before = self.revisions.get(uuid or "")
        if uuid is None:
            self.n += 1
            uuid = f"00000000-0000-4000-8000-{self.n:012d}"
        revision = before.revision + 1 if before else 1
        return RecordEnvelope(uuid=uuid, revision=revision, prev_revision=before.revision if before else None,
                              base_revision=before.revision if before else None, form_id=form_id,
                              form_version=form.version, village_id=village, person_id=person, author="测试",
                              title=f"{form_id} {person}", created_at=_stamp(day), updated_at=_stamp(day), data=data,
                              content_hash=content_hash(form_id, form.version, data, []))

    def push(self, env: RecordEnvelope) -> RecordEnvelope:
        result = self.service.push_one(self.caller, env)
        assert result.outcome == Outcome.ACCEPTED, result
        self.revisions[env.uuid] = env
        return env

    def visit(self, person: dict, days_ago: int, variant: int, uuid: str | None = None) -> RecordEnvelope:
        day = today() - timedelta(days=days_ago)
        data = self.visits.make("elder_visit", day, 30, variant, {})
        return self.push(self.envelope("elder_visit", data, person["village_id"], person["id"], day, uuid))

    def report(self, person: dict, days_ago: int, status: str = "open", uuid: str | None = None) -> RecordEnvelope:
        day = today() - timedelta(days=days_ago)
        found = datetime.combine(day, datetime.min.time()).replace(hour=8).astimezone()
        answers = {"subject_name": person["name"], "subject_place": "家中", "found_time": found.isoformat(),
                   "found_how": "visit", "situation": "no_food", "situation_desc": "独居老人断粮两天",
                   "reported_to": "village civil_affairs", "receiver": "民政办 李主任",
                   "report_time": (found + timedelta(minutes=40)).isoformat(), "immediate_measures": "送去米面",
                   "case_status": status}
        if status == "closed":
            answers.update(close_date=day.isoformat(), close_reason="子女已接回照料")
        result = fill(self.visits.form("elder_finding_report"), answers,
                      now=lambda: found + timedelta(hours=2))
        assert result["valid"], result["errors"]
        return self.push(self.envelope("elder_finding_report", result["data"], person["village_id"], person["id"],
                                       day, uuid))


def fill_county(service) -> list[dict]:
    """Villages, persons and a history of visits and 发现报告 with revisions, moves and a resolved conflict."""
    people = seed(service)
    county = County(service)
    elders = [p for p in people if p["kind"] == "elder"]
    a1, a2, a3, b1 = elders[0], elders[1], elders[2], next(p for p in elders if p["village_id"].startswith(TOWN_B))
    county.visit(a1, 40, FLAGGED)  # flagged, then a calm visit closes it
    county.visit(a1, 5, CALM)
    county.visit(a2, 70, FLAGGED)  # flagged, but older than 60 days: no longer open
    county.visit(a2, 3, FLAGGED)  # open
    calm = county.visit(a3, 10, CALM)
    county.visit(a3, 10, FLAGGED, uuid=calm.uuid)  # a revision that finds a flag after all
    county.visit(b1, 200, CALM)  # last year: in the trend's first month or before it
    county.visit(b1, 1, FLAGGED)
    county.report(a1, 12)
    closed = county.report(a2, 30)
    county.report(a2, 2, status="closed", uuid=closed.uuid)  # closed by its next revision
    county.report(b1, 45)
    # a person moves to another village of the township, then their newest visit is filed there too
    moved = dict(a3, village_id=f"{TOWN_A}202")
    fields = {k: v for k, v in moved.items() if k != "id"}
    answer = service.registry_push(county.caller, [RegistryEntity(
        kind="person", id=a3["id"], village_id=moved["village_id"], fields=fields, updated_at=today().isoformat(),
        base_seq=_seq(service, a3["id"]))])
    assert answer[0].outcome == Outcome.ACCEPTED, answer
    result = service.move_record(calm.uuid, moved["village_id"])
    assert result.outcome == Outcome.ACCEPTED, result
    # two laptops edit one visit: the second is set aside, then kept by the county
    first = county.visit(b1, 20, CALM)
    other = county.envelope("elder_visit", county.visits.make("elder_visit", today() - timedelta(days=2), 30, FLAGGED,
                                                               {}), b1["village_id"], b1["id"], today(), first.uuid)
    other = other.model_copy(update={"revision": 2, "prev_revision": 1, "base_revision": 1})
    assert service.push_one(scope.operator("甲"), other.model_copy(update={"content_hash": content_hash(
        "elder_visit", other.form_version, {**other.data, "issues": "另一台"}, []), "data": {**other.data,
                                                                                          "issues": "另一台"}})
    ).outcome == Outcome.ACCEPTED
    assert service.push_one(scope.operator("乙"), other).outcome == Outcome.CONFLICT
    service.resolve_conflict(service.list_conflicts()[0]["id"], "laptop", resolver="科长")
    return [dict(p, village_id=moved["village_id"]) if p["id"] == a3["id"] else p for p in people]


def _seq(service, person_id: str) -> int:
    with service.db.read() as conn:
        return conn.execute(sa.select(t.registry.c.seq).where(t.registry.c.id == person_id)).scalar_one()


def recount(service, villages_seen) -> tuple[dict[str, dict], dict[str, int]]:
    """What 总览 must show per village, and the visits per month, counted from the stored rows' JSON."""
    day = today()
    month, since = day.replace(day=1).isoformat(), (day - timedelta(days=60)).isoformat()
    out: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    trend: dict[str, int] = defaultdict(int)
    with service.db.read() as conn:
        for row in conn.execute(sa.select(t.registry.c.village_id, t.registry.c.fields)
                                .where(t.registry.c.kind == "person")):
            if not villages_seen(row.village_id):
                continue
            f, v = json.loads(row.fields), out[row.village_id]
            v[f["kind"]] += 1
            active = f["status"] == "active"
            if active and f["kind"] in ("elder", "child"):
                v["to_visit"] += 1
                v["visited"] += f["last_visit"] >= month
            v["overdue"] += active and f["next_due"] != "" and f["next_due"] < day.isoformat()
        newest: dict[tuple, object] = {}
        for row in conn.execute(sa.select(t.records)):
            if row.form_id in counts.VISIT_FORMS:
                if villages_seen(row.village_id):
                    trend[row.updated_at[:7]] += 1
                key = (row.person_id, row.form_id)
                if key not in newest or newest[key].updated_at < row.updated_at:
                    newest[key] = row
            elif row.form_id in counts.FINDING_FORMS and villages_seen(row.village_id):
                data = json.loads(row.data)
                if data["case_status"] != "closed":
                    v = out[row.village_id]
                    v["reports"] += 1
                    found = date.fromisoformat(str(data.get("found_time") or row.updated_at)[:10])
                    v["oldest_report"] = max(v["oldest_report"], (day - found).days)
        for row in newest.values():
            if villages_seen(row.village_id) and row.updated_at >= since and red_flags(json.loads(row.data)):
                out[row.village_id]["flags"] += 1
    return out, trend


def shown(towns) -> dict[str, dict]:
    out = {}
    for town in towns:
        for v in town.villages:
            numbers = {**v.kinds, "to_visit": v.to_visit, "visited": v.visited, "overdue": v.overdue,
                       "flags": v.flags, "reports": v.reports, "oldest_report": v.oldest_report}
            out[v.village_id] = {k: n for k, n in numbers.items() if n}
    return out


def assert_overview_is_the_recount(service, caller, villages_seen) -> None:
    views = Views(service.db)
    expected, trend = recount(service, villages_seen)
    assert shown(views.overview(caller)) == {vid: {k: n for k, n in v.items() if n} for vid, v in expected.items()
                                             } | {vid: {} for vid in VILLAGES if villages_seen(vid)
                                                  and vid not in expected}
    months = dict(views.trend(caller))
    assert months == {m: trend.get(m, 0) for m in months} and sum(months.values()) > 0


def full_recount_equals_kept(service) -> None:
    with service.engine.connect() as conn:
        kept = counts.snapshot(conn)
        counts.refresh_all(conn)  # everything recounted from the records, then thrown away
        recomputed = counts.snapshot(conn)
        conn.rollback()
    assert kept == recomputed
    assert kept["latest_visits"] and kept["record_months"]


def township_caller() -> Caller:
    return Caller("乡镇", CONSOLE_ROLES["township"].scope_role, [], "console", township=TOWN_A)


def test_overview_equals_a_recount_from_the_records_and_stays_scoped(service):
    fill_county(service)
    full_recount_equals_kept(service)
    assert_overview_is_the_recount(service, scope.operator(), lambda vid: True)
    assert_overview_is_the_recount(service, township_caller(), lambda vid: (vid or "").startswith(TOWN_A))
    towns = Views(service.db).overview(township_caller())
    assert [town.code for town in towns] == [TOWN_A]
    flagged = shown(Views(service.db).overview(scope.operator()))
    assert flagged[f"{TOWN_A}201"]["flags"] == 1  # a2 open; a1 closed by a calm visit; a3 moved to 202
    assert flagged[f"{TOWN_A}202"]["flags"] == 1 and flagged[f"{TOWN_B}201"]["flags"] == 1
    assert flagged[f"{TOWN_A}201"]["reports"] == 1 and flagged[f"{TOWN_B}201"]["oldest_report"] == 45


def test_migration_0006_rebuilds_the_same_counts(service, server_db):
    from alembic import command
    from alembic.config import Config

    from sync.server.db import MIGRATIONS, migrate

    fill_county(service)
    with service.engine.connect() as conn:
        kept = counts.snapshot(conn)
    before = shown(Views(service.db).overview(scope.operator()))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with service.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0005")
    service.engine.dispose()
    migrate(service.engine)
    with service.engine.connect() as conn:
        assert counts.snapshot(conn) == kept
    assert shown(Views(service.db).overview(scope.operator())) == before
    assert_overview_is_the_recount(service, scope.operator(), lambda vid: True)
    assert [p["name"] for p in Views(service.db).persons(scope.operator(), q="秀英")] == ["王秀英"]


def test_person_search_by_name_part_pinyin_and_id_tail_within_scope(service):
    people = seed(service)
    views = Views(service.db)
    admin, township = scope.operator(), township_caller()

    def names(caller, q):
        return sorted(p["name"] for p in views.persons(caller, q=q))

    assert names(admin, "秀") == ["孙文秀", "王秀英"]
    assert names(admin, "王秀英") == ["王秀英"] and names(admin, "文秀") == ["孙文秀"]
    assert names(admin, "wxy") == ["王秀英"] and names(admin, "WangXiu") == ["王秀英"]
    assert names(admin, "xiu") == []  # pinyin is matched from the start, as on the laptop
    theirs = next(p for p in people if p["village_id"].startswith(TOWN_B))
    assert names(admin, theirs["id_number"][-5:]) == [theirs["name"]]
    assert names(township, theirs["id_number"][-5:]) == [] and names(township, theirs["name"][1:]) == []
    assert names(township, "秀") == ["孙文秀", "王秀英"]  # both of 示范镇
    renamed = dict(people[0], name="欧阳秀")
    service.registry_push(scope.operator("测试"), [RegistryEntity(
        kind="person", id=renamed["id"], village_id=renamed["village_id"],
        fields={k: v for k, v in renamed.items() if k != "id"}, updated_at=today().isoformat(),
        base_seq=_seq(service, renamed["id"]))])
    assert names(admin, "王秀") == [] and names(admin, "欧阳") == ["欧阳秀"] and names(admin, "oyx") == ["欧阳秀"]
    assert len(views.persons(admin, limit=5)) == 5
