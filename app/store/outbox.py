"""The outbox's SQL on the local store: which records and registry rows one sync credential may carry.

It also holds every other statement the sync client (sync/client/) needs on the local store: the server's
answers (each status change through ``lifecycle.move``), USB packages, and the registry rows a run sends and
receives. sync/client holds no SQL (tests/test_sql_in_store.py) and speaks in plain dicts here, so app/ never
imports sync/.

A laptop can hold the records of several local accounts (a shared township laptop), and each account
may have its own server credential (docs/sync-protocol.md, "Shared laptops"). A sync run carries only
what both the signed-in account's scope and the credential's server scope cover: ``covering`` takes
those scopes (``app/access.Scope``) and every query here ANDs their conditions, so nothing outside
either is queued, sent, counted or packaged.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.access import Scope
from app.store import lifecycle
from app.store.lifecycle import Event

# Waiting for the server's answer: queued, or written to a USB package and not yet confirmed.
OUTBOX_WHERE = "(status = 'queued' OR (status = 'sent' AND sync_outcome = 'packaged'))"
WAITING_WHERE = lifecycle.waiting_sql()  # "待同步": finalized, or in the outbox
REGISTRY_TABLES = {"village": "villages", "household": "households", "person": "persons"}
# the server's answer (sync.protocol.Outcome's values) → the life-cycle event it is for the record
ANSWER_EVENTS = {"accepted": Event.ACCEPT, "duplicate": Event.ACCEPT, "conflict": Event.CONFLICT,
                 "rejected": Event.REJECT, "retry": Event.RETRY}


def _records(scopes: Sequence[Scope]) -> tuple[str, list]:
    parts, params = [], []
    for scope in scopes:
        sql, values = scope.records_sql("")
        parts.append(f"({sql})")
        params += values
    return " AND ".join(parts) or "1", params


def _registry(kind: str, scopes: Sequence[Scope]) -> tuple[str, list]:
    parts, params = [], []
    for scope in scopes:
        if kind == "person":
            sql, values = scope.persons_sql()
        elif kind == "household":
            sql, values = scope.households_sql()
        elif scope.every_village:
            sql, values = "1", []
        else:
            sql, values = f"id IN ({', '.join('?' * len(scope.villages))})", list(scope.villages)
        parts.append(f"({sql})")
        params += values
    return " AND ".join(parts) or "1", params


def queue_finalized(store, scopes: Sequence[Scope]) -> int:
    """Move the finalized records these scopes cover into the outbox; returns how many."""
    where, params = _records(scopes)
    from app.store.lifecycle import queue_finalized_where

    with store.transaction():
        return queue_finalized_where(store, where, params)


def waiting_count(store, scopes: Sequence[Scope]) -> int:
    """Finalized records and records in the outbox that these scopes cover."""
    where, params = _records(scopes)
    return store.query(f"SELECT count(*) AS n FROM records WHERE {WAITING_WHERE} AND {where}", params)[0]["n"]


def pending_rows(store, scopes: Sequence[Scope], limit: int, *, after: tuple[str, str] | None = None) -> list[dict]:
    """The next outbox records to send, oldest first; ``after`` = (updated_at, uuid) of the last one tried."""
    where, params = _records(scopes)
    sql = f"SELECT * FROM records WHERE {OUTBOX_WHERE} AND {where}"
    if after is not None:
        sql += " AND (updated_at > ? OR (updated_at = ? AND uuid > ?))"
        params += [after[0], after[0], after[1]]
    return store.query(sql + " ORDER BY updated_at, uuid LIMIT ?", [*params, limit])


def not_covered(store, visible: Scope, covered: Sequence[Scope]) -> list[dict]:
    """Records waiting to be sent that ``visible`` (the signed-in account) sees but ``covered`` does not:
    uuid, revision, created_by and server_message, for telling why they stay on the laptop."""
    seen, seen_params = visible.records_sql("")
    where, params = _records(covered)
    return store.query(f"SELECT uuid, revision, created_by, server_message FROM records WHERE {WAITING_WHERE} "
                       f"AND ({seen}) AND NOT ({where}) ORDER BY created_by, uuid", [*seen_params, *params])


def attachment_refs(store, record_uuid: str) -> list[dict]:
    """name, hash, size and mime of a record's attachments, by name (what its envelope lists)."""
    return store.query("SELECT ra.name, ra.hash, a.size, a.mime FROM record_attachments ra "
                       "JOIN attachments a ON a.hash = ra.hash WHERE ra.record_uuid = ? ORDER BY ra.name",
                       [record_uuid])


def apply_answers(store, answers: Sequence[dict], now: str) -> None:
    """The server's answer for each record sent: ``{"uuid", "revision", "outcome", "message"}`` (outcome a
    ``sync.protocol.Outcome`` value). A record still awaiting its answer moves by the life cycle
    (``ANSWER_EVENTS``); one edited again meanwhile (another revision) is left for the next run; every
    answer goes into ``sync_log``. One transaction."""
    with store.transaction():
        for answer in answers:
            outcome = answer["outcome"]
            rows = store.query("SELECT uuid, revision, status, sync_outcome FROM records WHERE uuid = ? AND "
                               "revision = ?", [answer["uuid"], answer["revision"]])
            if rows and lifecycle.state_of(rows[0]) in lifecycle.AWAITING_ANSWER:
                columns = {"sync_outcome": outcome, "synced_at": now}
                if outcome in ("accepted", "duplicate"):
                    columns["base_revision"] = answer["revision"]  # the server's newest is this one now
                lifecycle.move(store, rows[0], ANSWER_EVENTS[outcome], message=answer.get("message") or "",
                               columns=columns, touch=False)
            store.conn.execute("INSERT INTO sync_log (at, record_uuid, revision, outcome, message) "
                               "VALUES (?, ?, ?, ?, ?)",
                               (now, answer["uuid"], answer["revision"], outcome, answer.get("message") or ""))


def mark_packaged(store, keys: Sequence[tuple[str, int]], now: str) -> None:
    """Records written to a USB package (uuid, revision): carried, the server's answer awaited (the next sync
    asks for it). By the life cycle's ``package`` event; one edited since is left as it is."""
    with store.transaction():
        for uuid, revision in keys:
            rows = store.query("SELECT uuid, status, sync_outcome FROM records WHERE uuid = ? AND revision = ?",
                               [uuid, revision])
            if rows and (lifecycle.state_of(rows[0]), Event.PACKAGE) in lifecycle.TRANSITIONS:
                lifecycle.move(store, rows[0], Event.PACKAGE, columns={"synced_at": now}, touch=False)


def set_waiting_reasons(store, reasons: dict[tuple[str, int], str]) -> None:
    """Keep why each record waits (shown with the record) without changing its status."""
    with store.transaction():
        store.conn.executemany("UPDATE records SET server_message = ? WHERE uuid = ? AND revision = ?",
                               [(text, uuid, revision) for (uuid, revision), text in reasons.items()])


def dirty_registry_rows(store, kind: str, table: str, scopes: Sequence[Scope], limit: int) -> list[dict]:
    """Villages, households or persons changed on this laptop and not yet on the server, that the scopes cover."""
    where, params = _registry(kind, scopes)
    return store.query(f"SELECT * FROM {table} WHERE dirty = 1 AND {where} ORDER BY rowid LIMIT ?",
                       [*params, limit])


def apply_registry_results(store, sent: Sequence[dict], results: Sequence[dict]) -> int | None:
    """Clear "dirty" for rows the server now has, unless they changed again while the answer was on its way.

    ``sent``: ``{"kind", "id", "updated_at"}`` as pushed; ``results``: ``{"kind", "id", "outcome", "seq",
    "merged", "same_as"}`` (outcome a ``sync.protocol.Outcome`` value). Returns the lowest server version the
    next pull must start below (the server kept its own newer copy of a row, or knew the person under another
    id), or None.
    """
    by_key = {(item["kind"], item["id"]): item for item in sent}
    refetch: list[int] = []
    with store.transaction():
        store.conn.execute("PRAGMA defer_foreign_keys = ON")
        for result in results:
            item = by_key.get((result["kind"], result["id"]))
            if item is None:
                continue
            table, outcome, seq = REGISTRY_TABLES[result["kind"]], result["outcome"], result.get("seq")
            if (outcome in ("duplicate", "conflict") or result.get("merged")) and seq is not None:
                refetch.append(seq)
            if outcome == "duplicate" and result.get("same_as") and result["kind"] == "person":
                merge_person(store, result["id"], result["same_as"])
            elif outcome in ("accepted", "conflict") and seq is not None:
                # accepted: ours is the server's now; conflict: the server kept a newer one, the next pull brings it
                column = "updated_at" if result["kind"] != "village" else \
                    "coalesce(nullif(updated_at, ''), created_at)"
                store.conn.execute(
                    f"UPDATE {table} SET server_seq = ?, dirty = CASE WHEN {column} = ? THEN 0 ELSE 1 END "
                    "WHERE id = ?", (-1 if result.get("merged") or outcome == "conflict" else seq,
                                     item["updated_at"], result["id"]))
    return min(refetch) if refetch else None


def merge_person(store, local_id: str, server_id: str) -> None:
    """The server already knows this person (same ID number) under ``server_id``: use its id everywhere
    (inside the caller's transaction, foreign keys deferred)."""
    if store.query("SELECT 1 FROM persons WHERE id = ?", [server_id]):
        store.conn.execute("DELETE FROM persons WHERE id = ?", [local_id])  # foreign keys are checked at commit
    else:
        store.conn.execute("UPDATE persons SET id = ?, server_seq = -1, dirty = 0 WHERE id = ?",
                           (server_id, local_id))
    for sql in ("UPDATE records SET person_id = ? WHERE person_id = ?",
                "UPDATE persons SET guardian_id = ? WHERE guardian_id = ?"):
        store.conn.execute(sql, (server_id, local_id))


def apply_registry_page(store, items: Sequence[dict], now: str) -> int:
    """Take the server's villages, households and persons (``{"kind", "id", "village_id", "fields",
    "updated_at", "seq"}``), except rows changed here and not yet sent. Inside the caller's transaction."""
    from app.store.store import PERSON_FIELDS

    applied = 0
    with store.transaction():
        store.conn.execute("PRAGMA defer_foreign_keys = ON")
        for item in items:
            table = REGISTRY_TABLES[item["kind"]]
            here = store.query(f"SELECT dirty, server_seq FROM {table} WHERE id = ?", [item["id"]])
            if here and here[0]["dirty"]:
                continue  # a local change waits to be sent; the server's copy comes back after that
            if here and item.get("seq") is not None and (here[0]["server_seq"] or 0) >= item["seq"]:
                continue  # this laptop sent that very version
            fields = item["fields"]
            if item["kind"] == "village":
                values = {k: str(fields.get(k) or "") for k in ("name", "town", "county")}
            elif item["kind"] == "household":
                values = {k: str(fields.get(k) or "") for k in ("group_name", "house_number", "address")}
                values["village_id"] = fields.get("village_id") or item.get("village_id")
            else:
                values = store._person_row({k: fields[k] for k in PERSON_FIELDS if k in fields})
                values["guardian_id"] = fields.get("guardian_id")
            values.update(created_at=fields.get("created_at") or now, updated_at=item["updated_at"], dirty=0,
                          server_seq=item.get("seq"))
            if here:
                sets = ", ".join(f"{k} = ?" for k in values)
                store.conn.execute(f"UPDATE {table} SET {sets} WHERE id = ?", (*values.values(), item["id"]))
            else:
                names = ", ".join(["id", *values])
                marks = ", ".join("?" * (len(values) + 1))
                store.conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})",
                                   (item["id"], *values.values()))
            applied += 1
        # a row may point at one the user may not see (another kind of person): keep it, drop the pointer
        store.conn.execute("UPDATE persons SET household_id = NULL WHERE household_id IS NOT NULL AND "
                           "household_id NOT IN (SELECT id FROM households)")
        store.conn.execute("UPDATE persons SET guardian_id = NULL WHERE guardian_id IS NOT NULL AND "
                           "guardian_id NOT IN (SELECT id FROM persons)")
        for table, column in (("persons", "village_id"), ("households", "village_id")):
            store.conn.execute(f"INSERT OR IGNORE INTO villages (id, name, created_at, dirty, server_seq) "
                               f"SELECT DISTINCT {column}, {column}, ?, 0, 0 FROM {table} WHERE {column} IS NOT NULL "
                               f"AND {column} NOT IN (SELECT id FROM villages)", [now])
    return applied


def settings_under(store, prefix: str) -> dict[str, str]:
    """Every setting whose key starts with ``prefix`` (the sync client's ``sync.*``), key → value."""
    rows = store.query("SELECT key, value FROM settings WHERE substr(key, 1, ?) = ?", [len(prefix), prefix])
    return {row["key"]: row["value"] for row in rows}


def accounts_with_credentials(store) -> set[str]:
    """Local accounts that enrolled their own server credential on this laptop."""
    rows = store.query("SELECT key FROM settings WHERE key LIKE 'sync.account.%.credential' AND value != ''")
    return {row["key"][len("sync.account."):-len(".credential")] for row in rows}
