"""Records: pushes judged per record, every accepted revision kept, conflicts set aside for a person.

Each batch is written in one transaction and the unique key (uuid, revision) decides races
between workers: there is no check-then-insert window to lose.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.errors import CunFangError, ErrorCode
from sync import protocol
from sync.protocol import Outcome, RecordEnvelope, RecordResult
from sync.server import scope
from sync.server import tables as t
from sync.server.scope import Caller
from sync.server.services import counts
from sync.server.services.attachments import Attachments
from sync.server.services.common import Database, ServiceError, utc_now
from sync.server.services.forms import Forms
from sync.server.services.regions import Regions

COUNTY_SETTINGS_ENV = "CUNFANG_COUNTY_SETTINGS"


def county_instances() -> dict | None:
    """The county's settings as the forms read them (``instance('county_settings')``), from the settings.json
    named by ``serve --county-settings`` (CUNFANG_COUNTY_SETTINGS): the same file the county's laptops hold, so a
    record that follows the county's visit intervals or 留守 rule is judged by them here too. None: the defaults
    shipped beside the forms (what laptops use until the county changes them)."""
    import os

    path = os.environ.get(COUNTY_SETTINGS_ENV, "")
    if not path:
        return None
    from app.settings import Settings, form_instances

    try:
        with open(path, encoding="utf-8") as fh:
            return form_instances(Settings.from_json(json.load(fh)))
    except (OSError, ValueError, TypeError):
        return None  # serve checked the file at start; a file gone since leaves the defaults


def refuse_practice(envelopes: list[RecordEnvelope]) -> None:
    """The second line behind the laptop's own (app/practice.py): records made in a practice store never
    reach the server's data. 422 with SYNC_PRACTICE_REFUSED; nothing of the batch is stored."""
    if any(env.practice for env in envelopes):
        raise ServiceError(422, ErrorCode.SYNC_PRACTICE_REFUSED)


class Records:
    def __init__(self, db: Database, forms: Forms, attachments: Attachments, regions: Regions):
        self.db = db
        self.forms = forms
        self.attachments = attachments
        self.regions = regions

    def push(self, caller: Caller, envelopes: list[RecordEnvelope]) -> list[RecordResult]:
        """Apply a batch: each record on its own, so one bad record never blocks the others.

        Each record is judged against what the server holds (the stored record's village, its person and
        the person's village: ``scope.judge_record``) and checked (form engine, attachments) before the
        write transaction; the judgement is made again inside it, on what is there at that moment. The
        batch is written in one transaction with a few statements (one disk flush); a record that loses a
        race to another worker is looked at again. A batch holding a practice record (练习模式) is refused
        whole, before anything is looked at (``refuse_practice``).
        """
        refuse_practice(envelopes)
        with self.db.read() as conn:
            held, persons = self._held(conn, envelopes)
            known = self._known_hashes(conn, envelopes)
        checked = []
        for env in envelopes:
            verdict = self._judge(caller, env, held, persons)
            self._hold(held, env, verdict)
            if protocol.content_hash(env.form_id, env.form_version, env.data, env.attachments) != env.content_hash:
                checked.append((env, (Outcome.RETRY, CunFangError(ErrorCode.SYNC_CONTENT_MISMATCH), [])))
            elif verdict.refusal is not None:
                checked.append((env, (Outcome.REJECTED, verdict.refusal, [])))
            elif known.get((env.uuid, env.revision)) == env.content_hash:
                checked.append((env, None))  # sent again: no need to run the form engine again
            else:
                checked.append((env, self._check(env)))
        with self.db.engine.begin() as conn:
            return self._write_batch(conn, caller, checked)

    @staticmethod
    def _known_hashes(conn: Connection, envelopes: list[RecordEnvelope]) -> dict[tuple[str, int], str]:
        uuids = sorted({env.uuid for env in envelopes})
        if not uuids:
            return {}
        rows = conn.execute(sa.select(t.record_revisions.c.uuid, t.record_revisions.c.revision,
                                      t.record_revisions.c.content_hash)
                            .where(t.record_revisions.c.uuid.in_(uuids))).all()
        return {(row.uuid, row.revision): row.content_hash for row in rows}

    @staticmethod
    def _held(conn: Connection, envelopes: list[RecordEnvelope]
              ) -> tuple[dict[str, scope.HeldRecord], dict[str, scope.HeldPerson]]:
        """What the server holds about these records (their newest revision) and the persons they name."""
        uuids = sorted({env.uuid for env in envelopes})
        held = {row.uuid: scope.HeldRecord(row.form_id, row.village_id, row.person_id) for row in conn.execute(
            sa.select(t.records.c.uuid, t.records.c.form_id, t.records.c.village_id, t.records.c.person_id)
            .where(t.records.c.uuid.in_(uuids)))} if uuids else {}
        ids = sorted({env.person_id for env in envelopes if env.person_id}
                     | {h.person_id for h in held.values() if h.person_id})
        persons = {row.id: scope.HeldPerson(row.village_id, str(json.loads(row.fields).get("kind") or "other"))
                   for row in conn.execute(sa.select(t.registry.c.id, t.registry.c.village_id, t.registry.c.fields)
                                           .where(t.registry.c.kind == "person", t.registry.c.id.in_(ids)))
                   } if ids else {}
        return held, persons

    def _judge(self, caller: Caller, env: RecordEnvelope, held: dict[str, scope.HeldRecord],
               persons: dict[str, scope.HeldPerson]) -> scope.Verdict:
        title = None
        if not scope.may_use_form(caller, env.form_id):
            title = getattr(self.forms.definition(env.form_id, env.form_version), "title", None)
        stored = held.get(env.uuid)
        # a revision that names no person is still about the stored record's person
        person_id = env.person_id or (stored.person_id if stored else None)
        return scope.judge_record(caller, env, stored, persons.get(person_id or ""), title)

    @staticmethod
    def _hold(held: dict[str, scope.HeldRecord], env: RecordEnvelope, verdict: scope.Verdict) -> None:
        """A revision let through counts as held for the later revisions of the same batch (a batch cannot move
        a record that one of its own revisions created)."""
        if verdict.refusal is None:
            before = held.get(env.uuid)
            held[env.uuid] = scope.HeldRecord(env.form_id, verdict.village_id,
                                              env.person_id or (before.person_id if before else None))

    def _check(self, env: RecordEnvelope) -> tuple[Outcome, CunFangError, list[str]] | None:
        """Why a record its caller may send cannot be applied (rejected for good, or retry later), or None."""
        form = self.forms.definition(env.form_id, env.form_version)
        if form is None:
            return Outcome.REJECTED, CunFangError(ErrorCode.SYNC_FORM_UNKNOWN, form_id=env.form_id,
                                                  version=env.form_version or "（无）"), []
        from app.forms.fill import fill

        # the county's settings and the villages of the record's township (the county's list, as laptops have it)
        instances = {**(county_instances() or {}), **self.regions.record_instances(env.data)}
        result = fill(form, env.data, saved=True, instances=instances)
        if not result["valid"]:
            key, first = next(iter(result["errors"].items()))
            return Outcome.REJECTED, CunFangError(ErrorCode.SYNC_RECORD_INVALID, first=f"{key}：{first}",
                                                  count=len(result["errors"])), []
        missing = self.attachments.missing(sorted({a.hash for a in env.attachments}))
        if missing:
            return Outcome.RETRY, CunFangError(ErrorCode.SYNC_ATTACHMENTS_MISSING, count=len(missing)), missing
        return None

    def _write_batch(self, conn: Connection, caller: Caller,
                     checked: list[tuple[RecordEnvelope, tuple | None]]) -> list[RecordResult]:
        now = utc_now()
        results: dict[int, RecordResult] = {}
        for i, (env, refusal) in enumerate(checked):
            if refusal is not None:
                outcome, error, missing = refusal
                results[i] = RecordResult(uuid=env.uuid, revision=env.revision, outcome=outcome,
                                          code=error.code.name, message=error.message, missing=missing)
        todo = [(i, env) for i, (env, refusal) in enumerate(checked) if refusal is None]
        # judged again on what the database holds now, inside the write transaction
        held, persons = self._held(conn, [env for _, env in todo])
        verdicts: dict[tuple[str, int], scope.Verdict] = {}
        for i, env in list(todo):
            verdict = self._judge(caller, env, held, persons)
            self._hold(held, env, verdict)
            if verdict.refusal is not None:
                results[i] = RecordResult(uuid=env.uuid, revision=env.revision, outcome=Outcome.REJECTED,
                                          code=verdict.refusal.code.name, message=verdict.refusal.message)
                todo.remove((i, env))
            verdicts[(env.uuid, env.revision)] = verdict
        villages = {key: verdict.village_id for key, verdict in verdicts.items()}
        accepted: list[RecordEnvelope] = []
        for _attempt in range(5):
            if not todo:
                break
            stored, heads = self._revisions_of(conn, [env for _, env in todo])
            fresh: list[tuple[int, RecordEnvelope]] = []
            for i, env in todo:
                key, head = (env.uuid, env.revision), heads.get(env.uuid)
                if key in stored:
                    results[i] = (RecordResult(uuid=env.uuid, revision=env.revision, outcome=Outcome.DUPLICATE,
                                               server_revision=head) if stored[key][0] == env.content_hash
                                  else self._conflict(conn, caller, env, head or env.revision, now))
                elif head is not None and env.base_revision != head and not (
                        env.revision > head and stored.get((env.uuid, head), ("", ""))[1] == caller.device_id):
                    # edited from an older revision than the newest here, and not this laptop's own line of
                    # edits (whose earlier answer was lost): a competing edit
                    results[i] = self._conflict(conn, caller, env, head, now)
                else:
                    fresh.append((i, env))
                    stored[key] = (env.content_hash, caller.device_id)
                    heads[env.uuid] = max(head or 0, env.revision)
            inserted = self._insert_revisions(conn, caller, [env for _, env in fresh], now, villages)
            for i, env in fresh:
                if (env.uuid, env.revision) in inserted:
                    accepted.append(env)
                    results[i] = RecordResult(uuid=env.uuid, revision=env.revision, outcome=Outcome.ACCEPTED,
                                              server_revision=heads[env.uuid])
            todo = [(i, env) for i, env in fresh if (env.uuid, env.revision) not in inserted]  # lost a race
        if todo:
            raise ServiceError(503, ErrorCode.SYNC_SERVER_ERROR, status="busy")
        self._upsert_heads(conn, accepted, now, villages)
        ordered = [results[i] for i in range(len(checked))]
        if ordered:
            conn.execute(t.audit.insert(), [
                {"at": now, "user_name": caller.user_name, "device_id": caller.device_id, "action": "push",
                 "subject": r.uuid, "revision": r.revision, "outcome": r.outcome.value, "code": r.code,
                 "message": r.message} for r in ordered])
        self._audit_moves(conn, caller, [(env, verdicts[(env.uuid, env.revision)]) for env in accepted])
        return ordered

    def _audit_moves(self, conn: Connection, caller: Caller, accepted: list[tuple[RecordEnvelope, scope.Verdict]]
                     ) -> None:
        """Each accepted revision that moved its record to another village: one audit line (from → to)."""
        for env, verdict in accepted:
            if verdict.moved:
                moved = f"{verdict.moved_from or '（无）'} → {verdict.village_id or '（无）'}"
                self.db.audit(conn, action="record_move", caller=caller, subject=env.uuid, revision=env.revision,
                              outcome="ok", message=moved)

    @staticmethod
    def _revisions_of(conn: Connection, envelopes: list[RecordEnvelope]
                      ) -> tuple[dict[tuple[str, int], tuple[str, str]], dict[str, int]]:
        """Stored revisions of these records ((uuid, revision) → (content hash, device)) and their newest."""
        uuids = sorted({env.uuid for env in envelopes})
        stored = {(row.uuid, row.revision): (row.content_hash, row.device_id) for row in conn.execute(
            sa.select(t.record_revisions.c.uuid, t.record_revisions.c.revision, t.record_revisions.c.content_hash,
                      t.record_revisions.c.device_id).where(t.record_revisions.c.uuid.in_(uuids)))}
        heads = dict(conn.execute(sa.select(t.records.c.uuid, t.records.c.revision)
                                  .where(t.records.c.uuid.in_(uuids))).all())
        return stored, heads

    def _insert_revisions(self, conn: Connection, caller: Caller, envelopes: list[RecordEnvelope],
                          now: str, villages: dict[tuple[str, int], str | None]) -> set[tuple[str, int]]:
        """Insert new revisions in one statement; returns those stored (the rest lost a race to another worker)."""
        if not envelopes:
            return set()
        rows = [{"uuid": env.uuid, "revision": env.revision, "prev_revision": env.prev_revision,
                 "content_hash": env.content_hash, "form_id": env.form_id, "form_version": env.form_version,
                 "village_id": villages[(env.uuid, env.revision)], "person_id": env.person_id,
                 "household_id": env.household_id, "author": env.author, "title": env.title,
                 "data": protocol.canonical_json(env.data),
                 "attachments": protocol.canonical_json([a.model_dump() for a in env.attachments]),
                 "created_at": env.created_at, "updated_at": env.updated_at, "received_at": now,
                 "user_name": caller.user_name, "device_id": caller.device_id}
                for env in sorted(envelopes, key=lambda e: (e.uuid, e.revision))]  # one lock order for all workers
        statement = (self.db.dialect_insert()(t.record_revisions).values(rows).on_conflict_do_nothing()
                     .returning(t.record_revisions.c.uuid, t.record_revisions.c.revision))
        return {(row.uuid, row.revision) for row in conn.execute(statement)}

    def _conflict(self, conn: Connection, caller: Caller, env: RecordEnvelope, server_revision: int,
                  now: str) -> RecordResult:
        added = self.db.insert_ignore(conn, t.conflicts, [{
            "uuid": env.uuid, "revision": env.revision, "content_hash": env.content_hash,
            "envelope": env.model_dump_json(), "server_revision": server_revision, "user_name": caller.user_name,
            "device_id": caller.device_id, "received_at": now}])
        if added:
            conn.execute(t.records.update().where(t.records.c.uuid == env.uuid)
                         .values(conflicts=t.records.c.conflicts + 1))
        error = CunFangError(ErrorCode.SYNC_CONFLICT, server_revision=server_revision)
        return RecordResult(uuid=env.uuid, revision=env.revision, outcome=Outcome.CONFLICT, code=error.code.name,
                            message=error.message, server_revision=server_revision)

    def _upsert_heads(self, conn: Connection, envelopes: list[RecordEnvelope], now: str,
                      villages: dict[tuple[str, int], str | None]) -> None:
        """Make each record's newest revision its head (one statement; an older revision never replaces a newer)."""
        newest: dict[str, RecordEnvelope] = {}
        for env in envelopes:
            if env.uuid not in newest or newest[env.uuid].revision < env.revision:
                newest[env.uuid] = env
        if not newest:
            return
        rows = [{"uuid": env.uuid, "revision": env.revision, "form_id": env.form_id,
                 "form_version": env.form_version, "village_id": villages[(env.uuid, env.revision)],
                 "person_id": env.person_id, "title": env.title, "author": env.author,
                 "data": protocol.canonical_json(env.data), "updated_at": env.updated_at, "received_at": now,
                 "conflicts": 0, **counts.record_columns(env.form_id, env.data, env.updated_at)}
                for _, env in sorted(newest.items())]
        before = conn.execute(sa.select(t.records.c.village_id, t.records.c.person_id)
                              .where(t.records.c.uuid.in_(sorted(newest)))).all()
        statement = self.db.dialect_insert()(t.records).values(rows)
        update = {k: statement.excluded[k] for k in rows[0] if k not in ("uuid", "conflicts")}
        conn.execute(statement.on_conflict_do_update(index_elements=["uuid"], set_=update,
                                                     where=t.records.c.revision < statement.excluded.revision))
        # the console's counts of every village and person these records were or are now about
        counts.refresh(conn, villages={row["village_id"] for row in rows} | {row.village_id for row in before},
                       persons={row["person_id"] for row in rows} | {row.person_id for row in before})

    def move(self, caller: Caller, uuid_: str, village_id: str) -> RecordResult:
        """Move a record to another village: a new revision of its newest one, filed under ``village_id``.

        Judged like any push (township-level roles only, the record's person must live in that village) and
        audited as ``record_move``.
        """
        with self.db.read() as conn:
            head = conn.execute(sa.select(t.record_revisions).join(
                t.records, sa.and_(t.records.c.uuid == t.record_revisions.c.uuid,
                                   t.records.c.revision == t.record_revisions.c.revision))
                .where(t.records.c.uuid == uuid_)).one_or_none()
        if head is None:
            raise ServiceError(404, ErrorCode.SYNC_BAD_REQUEST, reason=f"服务器上没有记录 {uuid_}")
        data, attachments = json.loads(head.data), json.loads(head.attachments)
        env = RecordEnvelope(
            uuid=head.uuid, revision=head.revision + 1, prev_revision=head.revision, base_revision=head.revision,
            form_id=head.form_id, form_version=head.form_version, village_id=village_id, person_id=head.person_id,
            household_id=head.household_id, author=head.author, title=head.title, created_at=head.created_at,
            updated_at=utc_now(), data=data, attachments=attachments,
            content_hash=protocol.content_hash(head.form_id, head.form_version, data, attachments))
        return self.push(caller, [env])[0]

    # ---------------------------------------------------------------- conflicts and counts (the operator's)

    def list_conflicts(self, caller: Caller, *, open_only: bool = True) -> list[dict]:
        """Revisions that lost a race, with what the server has instead (for a person to decide)."""
        query = (sa.select(t.conflicts, t.records.c.revision.label("head"), t.records.c.title)
                 .join(t.records, t.records.c.uuid == t.conflicts.c.uuid, isouter=True)
                 .where(scope.records_where(caller, t.records)).order_by(t.conflicts.c.id))
        if open_only:
            query = query.where(t.conflicts.c.resolved_at.is_(None))
        with self.db.read() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def resolve_conflict(self, caller: Caller, conflict_id: int, keep: str) -> dict:
        """Close a conflict: ``keep="server"`` leaves the record as it is; ``keep="laptop"`` makes the set-aside
        version the record's newest revision (a new revision, so nothing is overwritten)."""
        if keep not in ("server", "laptop"):
            raise ServiceError(422, ErrorCode.SYNC_BAD_REQUEST, reason="keep 只能是 server 或 laptop")
        now = utc_now()
        with self.db.engine.begin() as conn:
            row = conn.execute(sa.select(t.conflicts).where(t.conflicts.c.id == conflict_id,
                                                            t.conflicts.c.resolved_at.is_(None))).one_or_none()
            if row is None:
                raise ServiceError(404, ErrorCode.SYNC_BAD_REQUEST, reason=f"没有待处理的冲突 {conflict_id}")
            revision = None
            if keep == "laptop":
                env = RecordEnvelope.model_validate_json(row.envelope)
                head = conn.execute(sa.select(t.records.c.revision).where(t.records.c.uuid == env.uuid)
                                    ).scalar_one_or_none() or 0
                chosen = env.model_copy(update={"revision": head + 1, "prev_revision": head or None,
                                                "base_revision": head or None, "updated_at": now})
                held, persons = self._held(conn, [chosen])
                verdict = self._judge(caller, chosen, held, persons)
                if verdict.refusal is not None:
                    raise ServiceError(403, verdict.refusal.code, **verdict.refusal.context)
                resolver = Caller(caller.user_name, caller.role, caller.villages, row.device_id)
                villages = {(chosen.uuid, chosen.revision): verdict.village_id}
                self._insert_revisions(conn, resolver, [chosen], now, villages)
                self._upsert_heads(conn, [chosen], now, villages)
                self._audit_moves(conn, resolver, [(chosen, verdict)])
                revision = chosen.revision
            conn.execute(t.conflicts.update().where(t.conflicts.c.id == conflict_id).values(resolved_at=now))
            conn.execute(t.records.update().where(t.records.c.uuid == row.uuid, t.records.c.conflicts > 0)
                         .values(conflicts=t.records.c.conflicts - 1))
            self.db.audit(conn, action="resolve", subject=row.uuid, revision=revision, outcome=keep,
                          message=f"conflict {conflict_id} by {caller.user_name}")
        return {"uuid": row.uuid, "kept": keep, "revision": revision}

    def count(self, caller: Caller) -> dict:
        where = scope.records_where(caller, t.records)
        with self.db.read() as conn:
            by_form = dict(conn.execute(sa.select(t.records.c.form_id, sa.func.count()).where(where)
                                        .group_by(t.records.c.form_id)).all())
            revisions = conn.execute(sa.select(sa.func.count()).select_from(t.record_revisions)
                                     .where(scope.records_where(caller, t.record_revisions))).scalar_one()
            open_conflicts = conn.execute(sa.select(sa.func.count()).select_from(t.conflicts)
                                          .where(t.conflicts.c.resolved_at.is_(None))).scalar_one()
        return {"records": sum(by_form.values()), "revisions": revisions, "conflicts": open_conflicts,
                "by_form": by_form}
