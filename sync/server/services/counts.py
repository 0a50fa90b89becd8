"""What the console counts, kept by the services as they write: the one place each derived value is computed.

- ``person_columns``: a registry row's typed columns (kind, status, last_visit, next_due, normalized name,
  pinyin initials and full pinyin, the ID number reversed) from its ``fields``, at every registry write;
- ``name_terms``: the one- and two-character parts of a person's name (``registry_name_terms``);
- ``record_columns``: a 发现报告's open state and found date from its ``data``, at every record write;
- ``refresh_persons``: persons per village and kind by status, visit month and due month (``person_counts``),
  recomputed from the registry's typed columns for the villages a registry write touched, in its transaction;
- ``refresh``: the per-village record counts by month (``record_months``) and each person's newest visit per
  visit form with its red flag (``latest_visits``), recomputed from ``records`` for the villages and persons a
  write touched, in the same transaction (``refresh_all`` recomputes everything: migration 0006's backfill,
  and what the tests compare against).

The registry writer, the record writer, migration 0006, ``benchmarks/console.py`` and the tests all call these.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.schedule import red_flags
from app.store.persons import VISITED_KINDS
from app.store.search import name_pinyin, normalize_query, reversed_tail
from sync.server import tables as t

VISIT_FORMS = ("elder_visit", "child_visit")
FINDING_FORMS = ("child_finding_report", "elder_finding_report")
COUNTS_LOCK = 7032  # PostgreSQL advisory lock: one transaction at a time recomputes counts (after its writes)
CHUNK = 500


def _text(value: object) -> str:
    return "" if value is None else str(value)


def normalized_name(name: object) -> str:
    """A name as searched: NFKC, lower case, no spaces (``app.store.search.normalize_query``)."""
    return "".join(normalize_query(_text(name)).split())


def person_columns(kind: str, fields: dict) -> dict:
    """The typed columns of a registry row (empty for villages and households)."""
    if kind != "person":
        return {"person_kind": "", "status": "", "last_visit": "", "next_due": "", "name": "", "initials": "",
                "pinyin": "", "id_rev": ""}
    name = normalized_name(fields.get("name"))
    full, initials = name_pinyin(name)
    return {"person_kind": _text(fields.get("kind")) or "other", "status": _text(fields.get("status"))[:20],
            "last_visit": _text(fields.get("last_visit"))[:40], "next_due": _text(fields.get("next_due"))[:40],
            "name": name[:100], "initials": initials[:40], "pinyin": full[:200],
            "id_rev": reversed_tail(_text(fields.get("id_number")), 40)}


def name_terms(name: object) -> set[str]:
    """Every one- and two-character part of a name: ``王秀英`` → 王 秀 英 王秀 秀英."""
    text = normalized_name(name)
    return {text[i:i + n] for n in (1, 2) for i in range(len(text) - n + 1)}


def write_name_terms(conn: Connection, person_id: str, name: object) -> None:
    conn.execute(t.registry_name_terms.delete().where(t.registry_name_terms.c.person_id == person_id))
    terms = sorted(name_terms(name))
    if terms:
        conn.execute(t.registry_name_terms.insert(), [{"term": term, "person_id": person_id} for term in terms])


def found_date(data: dict, updated_at: str) -> str | None:
    """The day a 发现报告's case was found (found_time, else its last update), or None when it is no date."""
    try:
        return date.fromisoformat(str(data.get("found_time") or updated_at)[:10]).isoformat()
    except ValueError:
        return None


def record_columns(form_id: str, data: dict, updated_at: str) -> dict:
    """A record's typed columns: for a 发现报告, whether its case is open and when it was found."""
    if form_id not in FINDING_FORMS:
        return {"case_open": None, "found_on": None}
    return {"case_open": data.get("case_status") != "closed", "found_on": found_date(data, updated_at)}


def _text_key(column):
    return sa.func.coalesce(column, "")


def refresh_persons(conn: Connection, villages: Iterable[str | None] | None = None) -> None:
    """Recompute ``person_counts`` of these villages (None: of all) from the registry's typed columns; called in the
    registry write's transaction, after it (on PostgreSQL under the same lock as ``refresh``)."""
    r, pc = t.registry, t.person_counts
    if _is_postgres(conn):
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(COUNTS_LOCK)))
    where = [r.c.kind == "person"]
    if villages is not None:
        villages = set(villages)
        if not villages:
            return
        where.append(_village_in(r.c.village_id, villages))
        conn.execute(pc.delete().where(pc.c.village_id.in_(sorted(v or "" for v in villages))))
    else:
        conn.execute(pc.delete())
    village = _text_key(r.c.village_id)

    def grouped(measure: str, key, full, *conditions):
        by = [village, r.c.person_kind, key] + ([] if isinstance(full, sa.sql.elements.False_) else [full])
        return (sa.select(village, r.c.person_kind, sa.literal(measure), key, full, sa.func.count())
                .where(*where, *conditions).group_by(*by))

    active = r.c.status == "active"
    month = sa.func.substr(r.c.last_visit, 1, 7)
    query = sa.union_all(
        grouped("status", r.c.status, sa.false()),
        grouped("visited", month, sa.func.substr(r.c.last_visit, 8) >= "-01", active,
                r.c.person_kind.in_(VISITED_KINDS)),
        grouped("due", sa.func.substr(r.c.next_due, 1, 7), sa.false(), active, r.c.next_due != ""))
    conn.execute(pc.insert().from_select(["village_id", "person_kind", "measure", "key", "full", "n"], query))


def refresh_all(conn: Connection) -> None:
    """Every count recomputed from the rows (migration 0006's backfill; the tests' reference)."""
    refresh(conn)
    refresh_persons(conn)


def _village_in(column, villages: set[str | None]):
    named = sorted(v for v in villages if v)
    parts = [column.in_(named)] if named else []
    if any(not v for v in villages):
        parts.append(column.is_(None))
    return sa.or_(*parts) if parts else sa.false()


def _is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def refresh(conn: Connection, villages: Iterable[str | None] | None = None,
            persons: Iterable[str | None] | None = None) -> None:
    """Recompute the counts of these villages and persons from ``records`` (None: of all of them).

    Called inside the writing transaction after its writes. On PostgreSQL an advisory lock makes these
    recomputations one at a time, and each statement after it sees every transaction committed before it
    (READ COMMITTED): two pushes about the same village cannot each count without the other's records.
    SQLite has one writer at a time anyway.
    """
    if _is_postgres(conn):
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(COUNTS_LOCK)))
    _refresh_months(conn, None if villages is None else set(villages))
    _refresh_latest(conn, None if persons is None else {p for p in persons if p})


def _refresh_months(conn: Connection, villages: set[str | None] | None) -> None:
    rec, rm = t.records, t.record_months
    village = sa.func.coalesce(rec.c.village_id, "")
    month = sa.func.substr(rec.c.updated_at, 1, 7)
    query = sa.select(village, rec.c.form_id, month, sa.func.count()).group_by(village, rec.c.form_id, month)
    if villages is not None:
        if not villages:
            return
        query = query.where(_village_in(rec.c.village_id, villages))
        conn.execute(rm.delete().where(rm.c.village_id.in_(sorted(v or "" for v in villages))))
    else:
        conn.execute(rm.delete())
    conn.execute(rm.insert().from_select(["village_id", "form_id", "month", "n"], query))


def _refresh_latest(conn: Connection, persons: set[str] | None) -> None:
    rec, lv = t.records, t.latest_visits
    if persons is not None and not persons:
        return
    ids = sorted(persons) if persons is not None else None
    chunks = [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)] if ids is not None else [None]
    for chunk in chunks:
        where = [rec.c.form_id.in_(VISIT_FORMS), rec.c.person_id.is_not(None)]
        if chunk is not None:
            where.append(rec.c.person_id.in_(chunk))
            conn.execute(lv.delete().where(lv.c.person_id.in_(chunk)))
        else:
            conn.execute(lv.delete())
        newest = (sa.select(rec.c.uuid, rec.c.form_id, rec.c.village_id, rec.c.person_id, rec.c.updated_at,
                            rec.c.data, sa.func.row_number().over(
                                partition_by=(rec.c.person_id, rec.c.form_id),
                                order_by=(rec.c.updated_at.desc(), rec.c.uuid.desc())).label("n"))
                  .where(*where).subquery())
        result = conn.execute(sa.select(newest).where(newest.c.n == 1))
        while batch := result.fetchmany(5000):
            conn.execute(lv.insert(), [
                {"person_id": row.person_id, "form_id": row.form_id, "uuid": row.uuid, "village_id": row.village_id,
                 "updated_at": row.updated_at, "flagged": bool(red_flags(json.loads(row.data)))} for row in batch])


def snapshot(conn: Connection) -> dict[str, list[tuple]]:
    """The counts as stored, sorted (to compare with a full recomputation)."""
    return {table.name: sorted(tuple(r) for r in conn.execute(sa.select(table)))
            for table in (t.record_months, t.latest_visits, t.person_counts)}
