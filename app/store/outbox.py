"""The outbox's SQL on the local store: which records and registry rows one sync credential may carry.

A laptop can hold the records of several local accounts (a shared township laptop), and each account
may have its own server credential (docs/sync-protocol.md, "Shared laptops"). A sync run carries only
what both the signed-in account's scope and the credential's server scope cover: ``covering`` takes
those scopes (``app/access.Scope``) and every query here ANDs their conditions, so nothing outside
either is queued, sent, counted or packaged.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.access import Scope

# Waiting for the server's answer: queued, or written to a USB package and not yet confirmed.
OUTBOX_WHERE = "(status = 'queued' OR (status = 'sent' AND sync_outcome = 'packaged'))"
WAITING_WHERE = f"(status = 'finalized' OR {OUTBOX_WHERE})"


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


def accounts_with_credentials(store) -> set[str]:
    """Local accounts that enrolled their own server credential on this laptop."""
    rows = store.query("SELECT key FROM settings WHERE key LIKE 'sync.account.%.credential' AND value != ''")
    return {row["key"][len("sync.account."):-len(".credential")] for row in rows}
