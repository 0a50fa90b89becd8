"""The laptop's audit log: append-only and hash-chained (PIPL: who did what to whose data, and when).

Each entry's hash covers its own content and the previous entry's hash, so deleting or
editing an entry (even with the database key, bypassing the append-only triggers) breaks
the chain at that point; ``verify`` finds it. The newest hash is also kept in settings so
a cut-off tail is noticed too.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from app.errors import CunFangError, ErrorCode
from app.store.store import Store, utc_now

GENESIS = "0" * 64
HEAD_SETTING = "audit.head"


def entry_hash(prev_hash: str, entry_id: int, at: str, user: str, action: str, subject: str, detail: str) -> str:
    body = json.dumps([prev_hash, entry_id, at, user, action, subject, detail], ensure_ascii=False,
                      separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def append(store: Store, action: str, *, subject: str = "", detail: dict | None = None, user: str = "") -> str:
    """Add one entry (in the caller's transaction if there is one); returns its hash.

    ``detail`` must not hold a full ID number: callers pass masked values. With accounts, the actor is always
    the signed-in account (``user`` is what a store without accounts records: a name typed in settings).
    """
    if getattr(store, "account", None) is not None:
        user = store.account.login
    text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)
    with store.transaction():
        last = store.conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        entry_id, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
        at = utc_now()
        digest = entry_hash(prev_hash, entry_id, at, user, action, subject, text)
        store.conn.execute("INSERT INTO audit_log (id, at, user, action, subject, detail, prev_hash, hash) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           (entry_id, at, user, action, subject, text, prev_hash, digest))
        store.conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                           (HEAD_SETTING, f"{entry_id}:{digest}"))
    return digest


@dataclass
class Verification:
    ok: bool
    entries: int
    problem: CunFangError | None = None  # what is wrong, in plain Chinese (``problem.message``)
    bad_id: int | None = None

    @staticmethod
    def broken(count: int, code: ErrorCode, bad_id: int, **context) -> Verification:
        return Verification(False, count, CunFangError(code, **context), bad_id)


def verify(store: Store) -> Verification:
    """Walk the chain from the first entry; report the first break, a gap, or a missing tail."""
    prev_hash, expected_id, count = GENESIS, 1, 0
    cursor = store.conn.execute("SELECT id, at, user, action, subject, detail, prev_hash, hash FROM audit_log "
                                "ORDER BY id")
    for entry_id, at, user, action, subject, detail, stored_prev, stored_hash in cursor:
        if entry_id != expected_id:
            return Verification.broken(count, ErrorCode.AUDIT_ENTRY_MISSING, expected_id, id=expected_id)
        if stored_prev != prev_hash:
            return Verification.broken(count, ErrorCode.AUDIT_CHAIN_BROKEN, entry_id, id=entry_id)
        if entry_hash(prev_hash, entry_id, at, user, action, subject, detail) != stored_hash:
            return Verification.broken(count, ErrorCode.AUDIT_ENTRY_ALTERED, entry_id, id=entry_id)
        prev_hash, expected_id, count = stored_hash, expected_id + 1, count + 1
    head = store.get_setting(HEAD_SETTING)
    if head:
        head_id, head_hash = head.split(":", 1)
        if int(head_id) != count or head_hash != prev_hash:
            return Verification.broken(count, ErrorCode.AUDIT_TAIL_MISSING, count + 1, expected=head_id, found=count)
    return Verification(True, count)


def masked(value):
    """A value safe for the log: ID and mobile numbers anywhere inside it are masked (as in the app's log file)."""
    from app.paths import mask_sensitive

    if isinstance(value, str):
        return mask_sensitive(value)
    if isinstance(value, list):
        return [masked(v) for v in value]
    if isinstance(value, dict):
        return {k: masked(v) for k, v in value.items()}
    return value


def entries(store: Store, *, action: str | None = None, limit: int = 200) -> list[dict]:
    sql = "SELECT id, at, user, action, subject, detail FROM audit_log"
    params: list = []
    if action:
        sql += " WHERE action = ?"
        params.append(action)
    rows = store.query(sql + " ORDER BY id DESC LIMIT ?", [*params, limit])
    for row in rows:
        row["detail"] = json.loads(row["detail"])
    return rows
