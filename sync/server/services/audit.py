"""The laptops' own audit logs, kept per device with a check that each chain is unbroken."""

from __future__ import annotations

import sqlalchemy as sa

from sync import protocol
from sync.server import tables as t
from sync.server.scope import Caller
from sync.server.services.common import Database, utc_now


class DeviceAudit:
    def __init__(self, db: Database):
        self.db = db

    def push(self, caller: Caller, entries: list[protocol.AuditEntry]) -> protocol.AuditPushResponse:
        """Keep a laptop's audit entries, checking that each links to the one before (on the laptop's chain)."""
        from app.store.audit import GENESIS, entry_hash

        now = utc_now()
        entries = sorted(entries, key=lambda e: e.id)
        with self.db.engine.begin() as conn:
            known = dict(conn.execute(sa.select(t.device_audit.c.entry_id, t.device_audit.c.hash).where(
                t.device_audit.c.device_id == caller.device_id,
                t.device_audit.c.entry_id.in_([e.id - 1 for e in entries] + [e.id for e in entries]))).all())
            hashes, chain_ok = dict(known), True
            for entry in entries:
                expected = GENESIS if entry.id == 1 else hashes.get(entry.id - 1)
                recomputed = entry_hash(entry.prev_hash, entry.id, entry.at, entry.user, entry.action,
                                        entry.subject, entry.detail)
                if (recomputed != entry.hash or (expected is not None and entry.prev_hash != expected)
                        or hashes.get(entry.id, entry.hash) != entry.hash):
                    chain_ok = False  # altered, removed or rewritten on the laptop
                hashes[entry.id] = entry.hash
            rows = [{"device_id": caller.device_id, "entry_id": e.id, "at": e.at, "user_name": e.user,
                     "action": e.action, "subject": e.subject, "detail": e.detail, "prev_hash": e.prev_hash,
                     "hash": e.hash, "received_at": now} for e in entries]
            stored = self.db.insert_ignore(conn, t.device_audit, rows) if rows else 0
            if not chain_ok:
                self.db.audit(conn, action="device_audit", caller=caller, outcome="broken",
                              message="a laptop's audit log does not chain: entries removed or altered on the laptop")
            last = conn.execute(sa.select(sa.func.max(t.device_audit.c.entry_id)).where(
                t.device_audit.c.device_id == caller.device_id)).scalar_one() or 0
        return protocol.AuditPushResponse(stored=stored, last_id=last, chain_ok=chain_ok)
