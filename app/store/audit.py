"""The laptop's audit log: append-only and hash-chained (PIPL: who did what to whose data, and when).

Each entry's hash covers its own content and the previous entry's hash, so deleting or
editing an entry (even with the database key, bypassing the append-only triggers) breaks
the chain at that point; ``verify`` finds it. Deleting the newest entries leaves a shorter
chain that still links, so the newest entry (its id and hash) is also *anchored outside the
database*: in keyring.json, with an HMAC under a key derived from the data key, updated after
each commit. Before every append the anchored entry must still be in the table; if it is not,
the cut is itself recorded (an ``audit_cut`` entry, so ``verify`` reports it for good and
``integrity_report`` tells the bureau at sync) before the new entry goes on. The server checks at
each sync that the chain continues from the head it last acknowledged. Someone holding the data key
and editing both files can still rebuild a consistent chain; the copy at the bureau is the
backstop.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass

from app.errors import CunFangError, ErrorCode
from app.store import connection, keyring
from app.store.store import Store, utc_now

GENESIS = "0" * 64
HEAD_SETTING = "audit.head"
CUT_ACTION = "audit_cut"
TAMPER_ACTIONS = (CUT_ACTION, "account_tampered")  # tampering this laptop noticed (``integrity_report``)


def entry_hash(prev_hash: str, entry_id: int, at: str, user: str, action: str, subject: str, detail: str) -> str:
    body = json.dumps([prev_hash, entry_id, at, user, action, subject, detail], ensure_ascii=False,
                      separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def append(store: Store, action: str, *, subject: str = "", detail: dict | None = None, user: str = "") -> str:
    """Add one entry (in the caller's transaction if there is one); returns its hash.

    ``detail`` must not hold a full ID number: callers pass masked values. With accounts, the actor is always
    the signed-in account (``user`` is what a store without accounts records: a name typed in settings).
    The anchored head is checked first: a cut tail is recorded before this entry.
    """
    if getattr(store, "account", None) is not None:
        user = store.account.login
    with store.transaction():
        head = check_head(store)
        if head.problem is not None and getattr(store, "_audit_cut_noted", None) != head.anchored:
            store._audit_cut_noted = head.anchored  # once per cut, not once per entry of this transaction
            _insert(store, CUT_ACTION, user, "", {"expected": head.expected, "found": head.found,
                                                  "head_altered": head.altered})
            _log_warning(head)
        digest = _insert(store, action, user, subject, detail or {})
        store.after_commit(lambda: anchor(store))
    return digest


def _insert(store: Store, action: str, user: str, subject: str, detail: dict) -> str:
    text = json.dumps(detail, ensure_ascii=False, sort_keys=True)
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


def _log_warning(head: HeadCheck) -> None:
    import logging

    logging.getLogger("cunfang.audit").warning("audit log tail cut: anchored entry %s, the table ends at %s",
                                               head.expected, head.found)


# ---------------------------------------------------------------------------- the head outside the table


@dataclass
class HeadCheck:
    anchored: tuple[int, str] | None = None  # (id, hash) kept in keyring.json
    found: int = 0  # the newest entry in the table
    problem: ErrorCode | None = None  # AUDIT_TAIL_MISSING or AUDIT_HEAD_ALTERED
    altered: bool = False

    @property
    def expected(self) -> int:
        return self.anchored[0] if self.anchored else 0


def _mac_key(store: Store) -> bytes:
    from app.crypto import hkdf_sha256

    return hkdf_sha256(store.data_key, salt=b"cunfang", info=b"audit head v1")


def _mac(key: bytes, entry_id: int, digest: str) -> str:
    return hmac.new(key, f"{entry_id}:{digest}".encode(), hashlib.sha256).hexdigest()


def _ring(store: Store) -> keyring.Keyring | None:
    if not getattr(store, "data_key", b""):
        return None
    try:
        return keyring.load(store.data_dir / connection.KEYRING_NAME)
    except CunFangError:
        return None


def _newest(store: Store) -> tuple[int, str]:
    last = store.conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    return (last[0], last[1]) if last else (0, GENESIS)


def check_head(store: Store) -> HeadCheck:
    """Is the entry anchored in keyring.json still in the table (with the same hash)?"""
    ring = _ring(store)
    found = _newest(store)[0]
    head = ring.audit_head if ring else None
    if not head:
        return HeadCheck(found=found)
    try:
        anchored = (int(head["id"]), str(head["hash"]))
        genuine = hmac.compare_digest(_mac(_mac_key(store), *anchored), str(head["mac"]))
    except (KeyError, TypeError, ValueError):
        anchored, genuine = (0, ""), False
    if not genuine:
        return HeadCheck(anchored, found, ErrorCode.AUDIT_HEAD_ALTERED, altered=True)
    row = store.conn.execute("SELECT hash FROM audit_log WHERE id = ?", (anchored[0],)).fetchone()
    if row is None or row[0] != anchored[1]:
        return HeadCheck(anchored, found, ErrorCode.AUDIT_TAIL_MISSING)
    return HeadCheck(anchored, found)


def anchor(store: Store) -> None:
    """Write the table's newest entry into keyring.json (after a commit). Never moves the anchor back past an
    entry another process anchored that is still in the table."""
    if store.closed or _ring(store) is None:
        return
    key = _mac_key(store)
    entry_id, digest = _newest(store)
    if not entry_id:
        return

    def change(ring: keyring.Keyring) -> None:
        current = ring.audit_head or {}
        if current.get("id") == entry_id and current.get("hash") == digest:
            return
        if int(current.get("id") or 0) > entry_id:
            row = store.conn.execute("SELECT hash FROM audit_log WHERE id = ?", (current["id"],)).fetchone()
            if row is not None and row[0] == current.get("hash"):
                return  # another process's newer entry: keep it
        ring.audit_head = {"id": entry_id, "hash": digest, "mac": _mac(key, entry_id, digest)}

    try:
        connection.update_keyring(store.data_dir, change)
    except (CunFangError, OSError):  # the database holds the entry; the next append re-anchors
        pass


def head(store: Store) -> dict:
    """The newest entry's id and hash (what sync reports to the server)."""
    entry_id, digest = _newest(store)
    return {"id": entry_id, "hash": digest}


def entries_after(store: Store, after_id: int, limit: int) -> list[dict]:
    """The raw entries after ``after_id``, oldest first, as they are chained (what sync sends the server)."""
    return store.query("SELECT id, at, user, action, subject, detail, prev_hash, hash FROM audit_log "
                       "WHERE id > ? ORDER BY id LIMIT ?", [after_id, limit])


def integrity_report(store: Store) -> dict:
    """What this laptop's own checks find, for the bureau at sync, in the shape of
    ``sync.protocol.IntegrityReport``: ``{"tampered": bool, "problems": [{code, message, at, subject}]}`` (at most
    50, newest kept). It covers the audit log (a chain that does not verify, a cut tail now or noticed before)
    and account rows edited outside the app (noticed at a sign-in, or failing now). Never a secret: subjects are
    login names that have an account, or ``audit_log``."""
    from app.accounts import tampered_rows

    problems: list[dict] = []
    check = verify(store)
    if not check.ok and check.problem is not None:
        problems.append(_problem(check.problem.code, check.problem.message, utc_now(), "audit_log"))
    for row in tamper_reports(store):
        if row["action"] == CUT_ACTION:
            error = CunFangError(ErrorCode.AUDIT_TAIL_WAS_CUT, expected=row["detail"].get("expected"),
                                 found=row["detail"].get("found"), at=row["at"][:19].replace("T", " "))
            problems.append(_problem(error.code, error.message, row["at"], "audit_log"))
        else:
            error = CunFangError(ErrorCode.ACCOUNT_TAMPERED, login=row["subject"])
            problems.append(_problem(error.code, error.message, row["at"], row["subject"]))
    if _has_accounts_table(store):
        for account, _why in tampered_rows(store):
            error = CunFangError(ErrorCode.ACCOUNT_TAMPERED, login=account.login)
            problems.append(_problem(error.code, error.message, utc_now(), account.login))
    unique = list({(p["code"], p["subject"], p["at"]): p for p in problems}.values())
    return {"tampered": bool(unique), "problems": unique[-50:]}


def _problem(code: ErrorCode, message: str, at: str, subject: str) -> dict:
    return {"code": code.name, "message": message[:1000], "at": at[:40], "subject": subject[:200]}


def tamper_reports(store: Store) -> list[dict]:
    """Tampering this laptop noticed, as recorded in its own log (cut tails, altered account rows)."""
    marks = ",".join("?" * len(TAMPER_ACTIONS))
    rows = store.query(f"SELECT id, at, action, subject, detail FROM audit_log WHERE action IN ({marks}) ORDER BY id",
                       TAMPER_ACTIONS)
    for row in rows:
        row["detail"] = json.loads(row["detail"])
    return rows


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
    anchored = check_head(store)
    if anchored.problem is ErrorCode.AUDIT_HEAD_ALTERED:
        return Verification.broken(count, anchored.problem, count + 1)
    if anchored.problem is not None:
        return Verification.broken(count, anchored.problem, count + 1, expected=anchored.expected, found=count)
    head = store.get_setting(HEAD_SETTING)
    if head:
        head_id, head_hash = head.split(":", 1)
        if int(head_id) != count or head_hash != prev_hash:
            return Verification.broken(count, ErrorCode.AUDIT_TAIL_MISSING, count + 1, expected=head_id, found=count)
    for cut in store.query("SELECT id, at, detail FROM audit_log WHERE action = ? ORDER BY id", [CUT_ACTION]):
        detail = json.loads(cut["detail"])
        return Verification.broken(count, ErrorCode.AUDIT_TAIL_WAS_CUT, cut["id"], expected=detail.get("expected"),
                                   found=detail.get("found"), at=cut["at"][:19].replace("T", " "))
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
    """The newest entries, as shown to people: a failed login under a name that is no account shows
    未知登录名 (logs from before kept what was typed, often a password), and ID and phone numbers are masked."""
    from app.store.lockout import UNKNOWN_LOGIN

    sql = "SELECT id, at, user, action, subject, detail FROM audit_log"
    params: list = []
    if action:
        sql += " WHERE action = ?"
        params.append(action)
    rows = store.query(sql + " ORDER BY id DESC LIMIT ?", [*params, limit])
    logins = {r["login"] for r in store.query("SELECT login FROM accounts")} if _has_accounts_table(store) else set()
    for row in rows:
        row["detail"] = masked(json.loads(row["detail"]))
        if not _UUID.fullmatch(row["subject"]):  # a record's uuid is shown whole
            row["subject"] = masked(row["subject"])
        row["user"] = masked(row["user"])
        if row["action"] == "login_failed" and row["subject"] and row["subject"] not in logins | {
                UNKNOWN_LOGIN, "recovery", "passphrase"}:
            row["subject"] = UNKNOWN_LOGIN
    return rows


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _has_accounts_table(store: Store) -> bool:
    return bool(store.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'accounts'"))
