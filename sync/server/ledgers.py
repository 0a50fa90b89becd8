"""The laptop's 台账 layouts on the bureau server: the server's side of ``app.spreadsheets.ledgers.write_ledger``.

The layouts, their columns, cell types, masking and the writer are the laptop's own (``resources/ledgers``,
``app/spreadsheets``); this module only reads the rows, from the registry (villages, households, persons as the
laptops pushed them) and the records (the newest accepted revision; ``created_at`` from that revision), within
a caller's scope (``scope.py``), and shapes each row as the laptop's ``app.store.exports.ledger_select`` does.

What differs from the laptop, by nature: the order of rows inside a village (the laptop lists them in the order
they were entered on it; the server by creation time, then persons in the order it last received them and records
by uuid), every record's status is 已接收 (the server holds
only accepted records), and the dates are cut on the server's calendar.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from app.spreadsheets.ledgers import GUARDIAN, Ledger, write_ledger
from app.spreadsheets.records import Filters, day_bounds
from sync.server import scope
from sync.server import tables as t
from sync.server.scope import Caller

CHUNK = 500  # ids per IN (...) list


class ServerForms:
    """The published forms as the layouts need them: ``get(form_id)`` is the newest version."""

    def __init__(self, service):
        self.service = service

    def get(self, form_id: str, version: str | None = None):
        from app.forms.library import version_key

        if version is None:
            with self.service.db.read() as conn:
                versions = list(conn.execute(sa.select(t.forms.c.version).where(t.forms.c.form_id == form_id))
                                .scalars())
            if not versions:
                return None
            version = max(versions, key=version_key)
        return self.service.form_def(form_id, version)


@dataclass
class Choice:
    """What the console's 导出 asks for: a township (code), a village (code), record dates."""

    township: str = ""
    village: str = ""
    since: date | None = None
    until: date | None = None

    def describe(self, names: dict[str, str]) -> str:
        parts = [f"乡镇：{names.get(self.township, self.township)}" if self.township else "",
                 f"村：{names.get(self.village, self.village)}" if self.village else "",
                 f"填写日期 {self.since or '不限'} 至 {self.until or '不限'}" if self.since or self.until else ""]
        return "；".join(p for p in parts if p) or "全部（查看范围内）"


def visible_villages(service, caller: Caller) -> dict[str, tuple[str, str]]:
    """The villages ``caller`` sees: code → (name, township name), in code order."""
    r = t.registry
    with service.db.read() as conn:
        rows = conn.execute(sa.select(r.c.id, r.c.fields).where(r.c.kind == "village", caller.village_where(r.c.id))
                            .order_by(r.c.id)).all()
    return {row.id: (str(f.get("name") or row.id), str(f.get("town") or "")) for row in rows
            for f in [_fields(row.fields)]}


def _fields(text: str | None) -> dict:
    try:
        value = json.loads(text or "{}")
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def record_choice(choice: Choice, rec: sa.Table) -> list[sa.ColumnElement[bool]]:
    """``choice`` as conditions on the records table: its township and village, and its dates on the creation
    time of the record (kept with each revision)."""
    rev = t.record_revisions
    parts: list[sa.ColumnElement[bool]] = []
    if choice.township:
        parts.append(rec.c.village_id.startswith(choice.township, autoescape=True))
    if choice.village:
        parts.append(rec.c.village_id == choice.village)
    since, before = day_bounds(Filters(since=choice.since, until=choice.until))
    for bound, compare in ((since, "ge"), (before, "lt")):
        if bound:
            created = (sa.select(rev.c.created_at).where(rev.c.uuid == rec.c.uuid, rev.c.revision == rec.c.revision)
                       .scalar_subquery())
            parts.append(created >= bound if compare == "ge" else created < bound)
    return parts


class ServerRows:
    """A 台账's rows from the server's tables for ``caller``, village by village (villages in code order)."""

    def __init__(self, service, caller: Caller, choice: Choice):
        self.service, self.caller, self.choice = service, caller, choice
        self.library = ServerForms(service)
        r = t.registry
        query = sa.select(r.c.id, r.c.fields).where(r.c.kind == "village", caller.village_where(r.c.id))
        if choice.township:
            query = query.where(r.c.id.startswith(choice.township, autoescape=True))
        if choice.village:
            query = query.where(r.c.id == choice.village)
        with service.db.read() as conn:
            self.villages = {row.id: _fields(row.fields) for row in conn.execute(query.order_by(r.c.id))}
        towns = {str(v.get("town") or "") for v in self.villages.values()} - {""}
        self.town = towns.pop() if len(towns) == 1 else ""
        # persons and records of no village: only for a caller of every village asking for everything
        self.homeless = caller.every_village and not choice.township and not choice.village

    # ------------------------------------------------------------------ persons

    def _persons(self, conn, village: str | None) -> list[tuple[str, str | None, dict]]:
        """Every person of a village the caller may see: (id, village_id, fields), by creation time, then in the
        order the server last received them (a laptop's bulk import shares one creation time)."""
        r = t.registry
        where = r.c.village_id == village if village is not None else r.c.village_id.is_(None)
        rows = [(row.seq, row.id, row.village_id, _fields(row.fields)) for row in conn.execute(
            sa.select(r.c.seq, r.c.id, r.c.village_id, r.c.fields).where(scope.persons_where(self.caller, r), where))]
        rows.sort(key=lambda row: (str(row[3].get("created_at") or ""), row[0]))
        return [row[1:] for row in rows if scope.sees_registry_row(self.caller, "person", row[3])]

    def _persons_by_id(self, conn, ids: set[str]) -> dict[str, tuple[str, str | None, dict]]:
        r = t.registry
        found = {}
        for chunk in _chunks(sorted(ids)):
            for row in conn.execute(sa.select(r.c.id, r.c.village_id, r.c.fields)
                                    .where(scope.persons_where(self.caller, r), r.c.id.in_(chunk))):
                fields = _fields(row.fields)
                if scope.sees_registry_row(self.caller, "person", fields):
                    found[row.id] = (row.id, row.village_id, fields)
        return found

    @staticmethod
    def _wanted(options: dict):
        """The laptop's ``exports.person_conditions`` on one person's fields."""
        def listed(value) -> list:
            return [] if not value else value if isinstance(value, list) else [value]

        kinds, categories = listed(options.get("kind")), listed(options.get("category"))
        status = options.get("status", "active")

        def wanted(fields: dict) -> bool:
            held = fields.get("categories") or []
            held = held if isinstance(held, list) else [held]
            return ((not kinds or fields.get("kind") in kinds)
                    and (not categories or any(c in held for c in categories))
                    and (not status or status == "any" or fields.get("status", "active") == status))
        return wanted

    # ------------------------------------------------------------------ records

    def _records(self, conn, form_id: str, village: str | None):
        """The newest revision of each record of ``form_id`` in a village, with its ``created_at``, by creation
        time then uuid, within the date filters."""
        rec, rev = t.records, t.record_revisions
        query = self._record_query(form_id, village, rec.c.uuid, rec.c.person_id, rec.c.village_id, rec.c.author,
                                   rec.c.title, rec.c.data, rec.c.updated_at, rev.c.created_at)
        return conn.execute(query.order_by(rev.c.created_at, rec.c.uuid)).all()

    def _record_count(self, conn, form_id: str, village: str | None) -> int:
        """How many rows ``_records`` gives, counted by the database (no record's answers read)."""
        return conn.execute(self._record_query(form_id, village, sa.func.count())).scalar_one()

    def _record_query(self, form_id: str, village: str | None, *columns) -> sa.Select:
        rec, rev = t.records, t.record_revisions
        since, before = day_bounds(Filters(since=self.choice.since, until=self.choice.until))
        query = (sa.select(*columns).select_from(rec)
                 .join(rev, sa.and_(rev.c.uuid == rec.c.uuid, rev.c.revision == rec.c.revision))
                 .where(rec.c.form_id == form_id, scope.records_where(self.caller, rec),
                        rec.c.village_id == village if village is not None else rec.c.village_id.is_(None)))
        if since:
            query = query.where(rev.c.created_at >= since)
        if before:
            query = query.where(rev.c.created_at < before)
        return query

    def _about(self, conn, person_ids: list[str], forms: set[str], year_start: str) -> dict[str, dict]:
        """Per person: the newest record's data of each form (``last__``), the counts (``count__``, ``year__``)."""
        rec, rev = t.records, t.record_revisions
        out: dict[str, dict] = defaultdict(dict)
        if not forms:
            return out
        for chunk in _chunks(person_ids):
            rows = conn.execute(
                sa.select(rec.c.person_id, rec.c.form_id, rec.c.data, rev.c.created_at)
                .join(rev, sa.and_(rev.c.uuid == rec.c.uuid, rev.c.revision == rec.c.revision))
                .where(rec.c.person_id.in_(chunk), rec.c.form_id.in_(sorted(forms)),
                       scope.records_where(self.caller, rec)))
            newest: dict[tuple[str, str], str] = {}
            for row in rows:
                about, key = out[row.person_id], (row.person_id, row.form_id)
                about[f"count__{row.form_id}"] = about.get(f"count__{row.form_id}", 0) + 1
                if row.created_at >= year_start:
                    about[f"year__{row.form_id}"] = about.get(f"year__{row.form_id}", 0) + 1
                if row.created_at > newest.get(key, ""):
                    newest[key] = row.created_at
                    about[f"last__{row.form_id}"] = row.data
        return out

    # ------------------------------------------------------------------ rows as the laptop shapes them

    def _groups(self) -> list[str | None]:
        return [*self.villages, *([None] if self.homeless else [])]

    def _households(self, conn, ids: set[str]) -> dict[str, dict]:
        r = t.registry
        found = {}
        for chunk in _chunks(sorted(ids)):
            for row in conn.execute(sa.select(r.c.id, r.c.fields).where(
                    r.c.kind == "household", r.c.id.in_(chunk), scope.registry_where(self.caller, r))):
                found[row.id] = _fields(row.fields)
        return found

    def _guardians(self, conn, people: list[tuple[str, str | None, dict]], everyone: list) -> dict[str, dict]:
        """Each person's guardian: the one named, else the household's first guardian (as the laptop's join)."""
        by_household: dict[str, list] = defaultdict(list)
        for pid, _village, fields in everyone:
            if fields.get("kind") == "guardian" and fields.get("household_id"):
                by_household[fields["household_id"]].append((pid, fields))
        named = {str(f.get("guardian_id")) for _, _, f in people if f.get("guardian_id")}
        known = {pid: fields for pid, _, fields in everyone}
        known.update({pid: f for pid, (_, _, f) in self._persons_by_id(conn, named - set(known)).items()})
        out = {}
        for pid, _village, fields in people:
            guardian = known.get(str(fields.get("guardian_id") or ""))
            if guardian is None:
                guardian = next((f for gid, f in by_household.get(fields.get("household_id") or "", [])
                                 if gid != pid), None)
            if guardian is not None:
                out[pid] = guardian
        return out

    def _shape(self, person: tuple[str, str | None, dict] | None, village: str | None, households: dict,
               guardians: dict, about: dict) -> dict:
        row: dict = {}
        if person is not None:
            pid, person_village, fields = person
            row.update(fields)
            row.update(id=pid, village_id=person_village)
            household = households.get(str(fields.get("household_id") or ""), {})
            row.update(h_address=household.get("address"), h_house_number=household.get("house_number"),
                       h_group_name=household.get("group_name"))
            guardian = guardians.get(pid)
            if guardian is not None:
                row.update({f"g_{k}": guardian.get(k) for k in GUARDIAN})
            row.update(about.get(pid, {}))
        v = self.villages.get(village or "", {})
        row.update(v_name=v.get("name"), v_town=v.get("town"), v_county=v.get("county"),
                   v_id=village if v else None)
        return row

    def count(self, ledger: Ledger) -> int:
        total = 0
        with self.service.db.read() as conn:
            for village in self._groups():
                if ledger.source == "persons":
                    wanted = self._wanted(ledger.options)
                    total += sum(wanted(fields) for _, _, fields in self._persons(conn, village))
                else:
                    total += self._record_count(conn, ledger.form_id, village)
        return total

    def rows(self, ledger: Ledger, resolver) -> Iterator[dict]:
        forms = resolver.last_forms | resolver.count_forms | resolver.year_forms
        for village in self._groups():
            with self.service.db.read() as conn:
                if ledger.source == "persons":
                    everyone = self._persons(conn, village)
                    wanted = self._wanted(ledger.options)
                    people = [p for p in everyone if wanted(p[2])]
                    pairs = [(p, None) for p in people]
                else:
                    records = self._records(conn, ledger.form_id, village)
                    found = self._persons_by_id(conn, {r.person_id for r in records if r.person_id})
                    people = list(found.values())
                    everyone = people
                    if resolver.guardian:
                        everyone = [p for v in {p[1] for p in people} for p in self._persons(conn, v)]
                    pairs = [(found.get(r.person_id or ""), r) for r in records]
                households = self._households(conn, {str(p[2].get("household_id")) for p in people
                                                     if p[2].get("household_id")})
                guardians = self._guardians(conn, people, everyone) if resolver.guardian else {}
                about = self._about(conn, [p[0] for p in people], forms, resolver.year_start)
            for person, record in pairs:
                row = self._shape(person, village, households, guardians, about)
                if record is not None:
                    row.update(r_uuid=record.uuid, r_status="accepted", r_author=record.author,
                               r_title=record.title, r_created=record.created_at, r_updated=record.updated_at,
                               r_data=record.data)
                yield row


def export_ledger(service, caller: Caller, ledger: Ledger, out: Path, choice: Choice, *, full_ids: bool = False,
                  today: date | None = None) -> int:
    """A 台账 of what ``caller`` may read to ``out`` (.xlsx); returns the rows written. The caller (the console)
    checks the rights and writes the audit line."""
    return write_ledger(ledger, ServerRows(service, caller, choice), out, full_ids=full_ids, today=today)
