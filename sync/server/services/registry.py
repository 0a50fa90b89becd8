"""The registry (villages, households, persons): pulls by change counter, pushes merged field by field."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.errors import CunFangError, ErrorCode
from sync import protocol
from sync.protocol import Outcome, RegistryEntity, RegistryResult
from sync.server import scope
from sync.server import tables as t
from sync.server.scope import Caller
from sync.server.services import counts
from sync.server.services.common import REGISTRY_LOCK, Database, utc_now


def bounded_by_now(item: RegistryEntity) -> RegistryEntity:
    """A laptop's time no later than the server's: a laptop clock days ahead must not make its change count as
    newer than every change made after it (the merge's "newer change" and the row's time), nor pass a future
    time to the other laptops (whose clock checks read it)."""
    from datetime import UTC, datetime

    from app.clock import parse_time

    stamp = parse_time(item.updated_at)
    if stamp is not None and stamp > datetime.now(UTC):
        return item.model_copy(update={"updated_at": utc_now()})
    return item

class Registry:
    def __init__(self, db: Database):
        self.db = db

    def pull(self, caller: Caller, cursor: int, limit: int = protocol.REGISTRY_PAGE) -> protocol.RegistryPage:
        """Villages, households and persons changed after ``cursor``, of the caller's villages and kinds only."""
        query = (sa.select(t.registry).where(t.registry.c.seq > cursor, scope.registry_where(caller, t.registry))
                 .order_by(t.registry.c.seq).limit(limit))
        with self.db.read() as conn:
            rows = conn.execute(query).all()
        items = []
        for row in rows:
            fields = json.loads(row.fields)
            if not scope.sees_registry_row(caller, row.kind, fields):
                continue
            items.append(RegistryEntity(kind=row.kind, id=row.id, village_id=row.village_id, fields=fields,
                                        updated_at=row.updated_at, seq=row.seq))
        last = rows[-1].seq if rows else cursor
        return protocol.RegistryPage(items=items, cursor=last, more=len(rows) == limit)

    def push(self, caller: Caller, items: list[RegistryEntity]) -> list[RegistryResult]:
        return [self._one(caller, item) for item in items]

    @staticmethod
    def _refused(item: RegistryEntity, error: CunFangError) -> RegistryResult:
        return RegistryResult(kind=item.kind, id=item.id, outcome=Outcome.REJECTED, code=error.code.name,
                              message=error.message)

    @staticmethod
    def _held(conn: Connection, item: RegistryEntity) -> scope.HeldRow | None:
        row = conn.execute(sa.select(t.registry.c.village_id, t.registry.c.fields).where(
            t.registry.c.kind == item.kind, t.registry.c.id == item.id)).one_or_none()
        if row is None:
            return None
        return scope.HeldRow(row.village_id, str(json.loads(row.fields).get("kind") or "other")
                             if item.kind == "person" else None)

    def _one(self, caller: Caller, item: RegistryEntity) -> RegistryResult:
        """One row, judged on what it claims and on the row the server holds (``scope.judge_registry``)."""
        item = bounded_by_now(item)
        with self.db.read() as conn:
            verdict = scope.judge_registry(caller, item, self._held(conn, item))
        if verdict.refusal is not None:
            return self._refused(item, verdict.refusal)
        id_number = str(item.fields.get("id_number") or "") if item.kind == "person" else ""
        if len(id_number) > t.registry.c.id_number.type.length or "\x00" in id_number:
            return self._refused(item, CunFangError(ErrorCode.SYNC_BAD_REQUEST, reason="身份证号过长或含有无效字符"))
        with self.db.engine.begin() as conn:
            if self.db.is_postgres:
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(REGISTRY_LOCK)))
            verdict = scope.judge_registry(caller, item, self._held(conn, item))  # again, under the lock
            if verdict.refusal is not None:
                return self._refused(item, verdict.refusal)
            village_id = verdict.village_id
            existing = conn.execute(sa.select(t.registry.c.seq, t.registry.c.updated_at, t.registry.c.fields,
                                              t.registry.c.village_id).where(
                t.registry.c.kind == item.kind, t.registry.c.id == item.id)).one_or_none()
            if existing is None and id_number:
                other = conn.execute(sa.select(t.registry.c.id, t.registry.c.seq, t.registry.c.village_id,
                                               t.registry.c.fields).where(
                    t.registry.c.kind == "person", t.registry.c.id_number == id_number)).one_or_none()
                if other is not None:
                    held = scope.HeldPerson(other.village_id, str(json.loads(other.fields).get("kind") or "other"))
                    if not scope.sees_person(caller, held):  # say nothing of who it is or where
                        self.db.audit(conn, action="registry", caller=caller, subject=item.id, outcome="rejected",
                                      code=ErrorCode.SYNC_PERSON_ELSEWHERE.name)
                        return self._refused(item, CunFangError(ErrorCode.SYNC_PERSON_ELSEWHERE))
                    self.db.audit(conn, action="registry", caller=caller, subject=item.id, outcome="duplicate",
                                  message=f"same person as {other.id}")
                    return RegistryResult(kind=item.kind, id=item.id, outcome=Outcome.DUPLICATE, same_as=other.id,
                                          seq=other.seq)
            fields, updated_at, lost = dict(item.fields), item.updated_at, {}
            if existing is not None and existing.seq != item.base_seq:
                fields, lost = self._merge(conn, existing, item)
                updated_at = max(existing.updated_at, item.updated_at)
            if existing is not None and protocol.canonical_json(fields) == existing.fields:
                # sent again (its answer was lost) or changed back: nothing new for the other laptops to pull
                return RegistryResult(kind=item.kind, id=item.id, outcome=Outcome.ACCEPTED, seq=existing.seq,
                                      merged=fields != item.fields)
            seq = conn.execute(t.registry_seq.insert().values(kind=item.kind, id=item.id,
                                                              fields=protocol.canonical_json(fields))
                               ).inserted_primary_key[0]
            values = {"village_id": village_id, "id_number": id_number or None,
                      "fields": protocol.canonical_json(fields), "updated_at": updated_at, "seq": seq,
                      **counts.person_columns(item.kind, fields)}
            if existing is None:
                conn.execute(t.registry.insert().values(kind=item.kind, id=item.id, **values))
            else:
                conn.execute(t.registry.update().where(t.registry.c.kind == item.kind, t.registry.c.id == item.id)
                             .values(**values))
            if item.kind == "person":
                counts.write_name_terms(conn, item.id, fields.get("name"))
                counts.refresh_persons(conn, {village_id, existing.village_id if existing is not None else village_id})
            outcome = Outcome.CONFLICT if lost else Outcome.ACCEPTED
            self.db.audit(conn, action="registry", caller=caller, subject=item.id, outcome=outcome.value,
                          message=protocol.canonical_json(lost) if lost else "")
            if verdict.moved:
                self.db.audit(conn, action="registry_move", caller=caller, subject=item.id, outcome="ok",
                              message=f"{verdict.moved_from or '（无）'} → {village_id or '（无）'}")
        return RegistryResult(kind=item.kind, id=item.id, outcome=outcome, seq=seq, merged=fields != item.fields)

    @staticmethod
    def _merge(conn: Connection, existing, item: RegistryEntity) -> tuple[dict, dict]:
        """Three-way merge of a laptop's change into a row someone else changed since the laptop last saw it.

        Fields only the laptop changed take its value; fields only the server side changed keep theirs;
        a field both changed takes the newer change, and the other value is returned (for the audit).
        """
        base: dict = {}
        if item.base_seq is not None:
            text = conn.execute(sa.select(t.registry_seq.c.fields).where(t.registry_seq.c.seq == item.base_seq)
                                ).scalar_one_or_none()
            base = json.loads(text) if text else {}
        current = json.loads(conn.execute(sa.select(t.registry.c.fields).where(
            t.registry.c.kind == item.kind, t.registry.c.id == item.id)).scalar_one())
        merged, lost = dict(current), {}
        laptop_newer = item.updated_at > existing.updated_at
        for key, ours in item.fields.items():
            theirs = current.get(key)
            if ours == theirs:
                continue
            # without a base (the laptop never saw this row from the server) both sides count as changed
            we_changed = key not in base or ours != base[key]
            they_changed = key not in base or theirs != base[key]
            if not we_changed:
                continue
            if they_changed and not laptop_newer:
                lost[key] = ours
                continue
            if they_changed:
                lost[key] = theirs
            merged[key] = ours
        return merged, lost
