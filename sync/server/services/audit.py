"""The laptops' own audit logs, kept per device, checked at each sync to continue from the acknowledged head."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync import protocol
from sync.server import audit_chain
from sync.server import tables as t
from sync.server.scope import Caller
from sync.server.services.common import Database, sha256, utc_now

AUDIT_LOCK = 7032  # PostgreSQL advisory lock: one laptop's audit pushes are checked one at a time


class DeviceAudit:
    def __init__(self, db: Database):
        self.db = db

    def push(self, caller: Caller, push: protocol.AuditPush) -> protocol.AuditPushResponse:
        """Keep a laptop's audit entries, checking that its log continues from the head acknowledged last time
        (``audit_chain``): a cut, a fork or an altered entry is kept as a finding, as is the laptop's own report."""
        from app.store.audit import GENESIS

        now = utc_now()
        entries = sorted(push.entries, key=lambda e: e.id)
        with self.db.engine.begin() as conn:
            if self.db.is_postgres:  # two pushes of one laptop at once check against the same head, one after the other
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(AUDIT_LOCK, sa.func.hashtext(caller.device_id))))
            row = conn.execute(sa.select(t.device_audit_heads.c.entry_id, t.device_audit_heads.c.hash).where(
                t.device_audit_heads.c.device_id == caller.device_id)).one_or_none()
            acknowledged = (row.entry_id, row.hash) if row else (0, GENESIS)
            ids = [e.id for e in entries if e.id <= acknowledged[0]]
            if push.head is not None and 0 < push.head.id <= acknowledged[0]:
                ids.append(push.head.id)
            held = dict(conn.execute(sa.select(t.device_audit.c.entry_id, t.device_audit.c.hash).where(
                t.device_audit.c.device_id == caller.device_id, t.device_audit.c.entry_id.in_(ids))).all()) \
                if ids else {}
            checked = audit_chain.check(acknowledged, held, entries, push.head)
            rows = [{"device_id": caller.device_id, "entry_id": e.id, "at": e.at, "user_name": e.user,
                     "action": e.action, "subject": e.subject, "detail": e.detail, "prev_hash": e.prev_hash,
                     "hash": e.hash, "received_at": now} for e in entries]
            stored = self.db.insert_ignore(conn, t.device_audit, rows) if rows else 0  # the first version stays
            findings = [{"kind": f.kind, "entry_id": f.entry_id, "code": f.code.name, "message": f.message,
                         "detail": protocol.canonical_json({"acknowledged": acknowledged[0],
                                                            "head": push.head.id if push.head else None})}
                        for f in checked.findings]
            if push.integrity is not None and push.integrity.tampered:
                findings += [{"kind": "tampered", "entry_id": None, "code": p.code, "message": p.message,
                              "detail": protocol.canonical_json(p.model_dump())} for p in push.integrity.problems
                             ] or [{"kind": "tampered", "entry_id": None, "code": "TAMPERED",
                                    "message": "电脑自查发现本机数据被改动过（未说明细节）。", "detail": "{}"}]
            self._record_findings(conn, caller, findings, now)
            if checked.head != acknowledged:
                self._upsert(conn, t.device_audit_heads, {"device_id": caller.device_id, "entry_id": checked.head[0],
                                                          "hash": checked.head[1], "updated_at": now}, ["device_id"])
        return protocol.AuditPushResponse(stored=stored, last_id=checked.head[0], chain_ok=not checked.findings)

    def _record_findings(self, conn: Connection, caller: Caller, findings: list[dict], now: str) -> None:
        """Keep each finding once (the same one reported again is one row) and note new ones in the server's audit."""
        rows = [dict(f, device_id=caller.device_id, user_name=caller.user_name, found_at=now,
                     key=sha256(f"{f['kind']}|{f['entry_id']}|{f['code']}|{f['message']}")) for f in findings]
        if rows and self.db.insert_ignore(conn, t.audit_findings, rows):
            self.db.audit(conn, action="device_audit", caller=caller, outcome="broken",
                        message="; ".join(sorted({f"{f['kind']}@{f['entry_id']}" for f in findings}))[:2000])

    def _upsert(self, conn: Connection, table: sa.Table, values: dict, keys: list[str]) -> None:
        statement = self.db.dialect_insert()(table).values(values)
        conn.execute(statement.on_conflict_do_update(
            index_elements=keys, set_={k: statement.excluded[k] for k in values if k not in keys}))

    def head(self, device_id: str) -> tuple[int, str] | None:
        """The newest entry of this laptop's audit log the server has acknowledged: (id, hash)."""
        with self.db.read() as conn:
            row = conn.execute(sa.select(t.device_audit_heads.c.entry_id, t.device_audit_heads.c.hash).where(
                t.device_audit_heads.c.device_id == device_id)).one_or_none()
        return (row.entry_id, row.hash) if row else None

    def entries(self, device_id: str | None = None) -> list[dict]:
        """The laptops' audit entries as the server holds them (the first version of each)."""
        query = sa.select(t.device_audit).order_by(t.device_audit.c.device_id, t.device_audit.c.entry_id)
        if device_id:
            query = query.where(t.device_audit.c.device_id == device_id)
        with self.db.read() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def findings(self, device_id: str | None = None) -> list[dict]:
        """What was found wrong with laptops (audit logs cut, forked or altered; laptops' own reports), newest first."""
        query = (sa.select(t.audit_findings, t.devices.c.name.label("device_name"))
                 .join(t.devices, t.devices.c.id == t.audit_findings.c.device_id, isouter=True)
                 .order_by(t.audit_findings.c.id.desc()))
        if device_id:
            query = query.where(t.audit_findings.c.device_id == device_id)
        with self.db.read() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]
