"""The laptop's side of sync inside the store: what to send, and what the server's answers change.

Every function here is one store transaction, so a crash between two of them
loses nothing: a record whose answer never arrived is simply sent again, and
the server answers "duplicate".
"""

from __future__ import annotations

import json

from app.access import Scope
from app.store import Store
from app.store import outbox as local
from app.store.outbox import OUTBOX_WHERE
from app.store.store import PERSON_FIELDS, utc_now
from sync.client.credentials import coverage
from sync.protocol import (
    AttachmentRef,
    Outcome,
    RecordEnvelope,
    RecordResult,
    RegistryEntity,
    RegistryResult,
    content_hash,
)

__all__ = ["OUTBOX_WHERE"]
REGISTRY_TABLES = (("village", "villages"), ("household", "households"), ("person", "persons"))
HOUSEHOLD_FIELDS = ("village_id", "group_name", "house_number", "address", "created_at")
VILLAGE_FIELDS = ("name", "town", "county", "created_at")
PERSON_SYNC_FIELDS = (*PERSON_FIELDS, "guardian_id", "created_at")
STATUS_AFTER = {Outcome.ACCEPTED: "accepted", Outcome.DUPLICATE: "accepted", Outcome.CONFLICT: "sent",
                Outcome.REJECTED: "rejected", Outcome.RETRY: "queued"}


def queue_finalized(store: Store, scopes: list[Scope] | None = None) -> int:
    """Move the finalized records this run may carry (``credentials.coverage``) into the outbox; returns how many."""
    return local.queue_finalized(store, coverage(store) if scopes is None else scopes)


def outbox_count(store: Store, scopes: list[Scope] | None = None) -> int:
    """Records waiting to be sent that this laptop's signed-in account may send now."""
    return local.waiting_count(store, coverage(store) if scopes is None else scopes)


def pending(store: Store, limit: int, *, after: tuple[str, str] | None = None,
            scopes: list[Scope] | None = None) -> list[RecordEnvelope]:
    """The next records to send, oldest first, as envelopes; ``after`` = (updated_at, uuid) of the last one
    tried in this run, so a record the server asked to send later is not tried again in the same run."""
    rows = local.pending_rows(store, coverage(store) if scopes is None else scopes, limit, after=after)
    return [envelope(store, row) for row in rows]


def note_not_covered(store: Store, config: dict, scopes: list[Scope]) -> list[str]:
    """Records the signed-in account sees that this credential may not carry stay on the laptop: give each the
    reason (kept with the record) and return one line per reason for the run's report."""
    from app.errors import CunFangError, ErrorCode

    rows = local.not_covered(store, store.scope, scopes)
    if not rows:
        return []
    enrolled = local.accounts_with_credentials(store)
    user = json.loads(config.get("user") or "{}")
    by_reason: dict[str, list[dict]] = {}
    for row in rows:
        owner = row["created_by"] or ""
        if owner and owner not in enrolled:
            key = f"account:{owner}"
        else:
            key = "scope"
        by_reason.setdefault(key, []).append(row)
    reasons: dict[tuple[str, int], str] = {}
    lines = []
    for key, group in by_reason.items():
        if key.startswith("account:"):
            error = CunFangError(ErrorCode.SYNC_ACCOUNT_NOT_ENROLLED, login=key[len("account:"):], count=len(group))
        else:
            error = CunFangError(ErrorCode.SYNC_NOT_COVERED, user=user.get("name") or "（未知）",
                                 role=user.get("role_label") or user.get("role") or "", count=len(group))
        lines.append(error.message)
        reasons.update({(row["uuid"], row["revision"]): error.message for row in group
                        if row["server_message"] != error.message})
    if reasons:
        local.set_waiting_reasons(store, reasons)
    return lines


def envelope(store: Store, row: dict) -> RecordEnvelope:
    data = json.loads(row["data"]) if isinstance(row["data"], str) else row["data"]
    refs = [AttachmentRef(name=a["name"], hash=a["hash"], size=a["size"], mime=a["mime"] or "")
            for a in store.query("SELECT ra.name, ra.hash, a.size, a.mime FROM record_attachments ra "
                                 "JOIN attachments a ON a.hash = ra.hash WHERE ra.record_uuid = ? ORDER BY ra.name",
                                 [row["uuid"]])]
    return RecordEnvelope(
        uuid=row["uuid"], revision=row["revision"], prev_revision=row["prev_revision"],
        base_revision=row["base_revision"], form_id=row["form_id"], form_version=row["form_version"] or "",
        village_id=row["village_id"], person_id=row["person_id"], household_id=row["household_id"],
        author=row["author"] or "", title=(row["title"] or "")[:500], created_at=row["created_at"],
        updated_at=row["updated_at"], data=data, attachments=refs,
        content_hash=content_hash(row["form_id"], row["form_version"] or "", data, refs))


def apply_results(store: Store, results: list[RecordResult]) -> None:
    """Record the server's answer for each record, unless it was edited again meanwhile (then it goes next time)."""
    now = utc_now()
    with store.transaction():
        for result in results:
            status = STATUS_AFTER[result.outcome]
            base = result.revision if result.outcome in (Outcome.ACCEPTED, Outcome.DUPLICATE) else None
            store.conn.execute(
                "UPDATE records SET status = CASE WHEN status IN ('queued', 'sent') THEN ? ELSE status END, "
                "sync_outcome = ?, server_message = ?, synced_at = ?, base_revision = coalesce(?, base_revision) "
                "WHERE uuid = ? AND revision = ?",
                (status, result.outcome.value, result.message, now, base, result.uuid, result.revision))
            store.conn.execute("INSERT INTO sync_log (at, record_uuid, revision, outcome, message) "
                               "VALUES (?, ?, ?, ?, ?)",
                               (now, result.uuid, result.revision, result.outcome.value, result.message))


def mark_packaged(store: Store, envelopes: list[RecordEnvelope]) -> None:
    """Records written to a USB package: sent, awaiting the server's answer (the next sync asks for it)."""
    with store.transaction():
        for env in envelopes:
            store.conn.execute("UPDATE records SET status = 'sent', sync_outcome = 'packaged', synced_at = ? "
                               "WHERE uuid = ? AND revision = ?", (utc_now(), env.uuid, env.revision))


# ---------------------------------------------------------------------- registry


def dirty_registry(store: Store, limit: int, scopes: list[Scope] | None = None) -> list[RegistryEntity]:
    """Villages, then households, then persons changed on this laptop and not yet on the server (those this run
    may carry)."""
    scopes = coverage(store) if scopes is None else scopes
    items: list[RegistryEntity] = []
    for kind, table in REGISTRY_TABLES:
        if len(items) >= limit:
            break
        fields = {"village": VILLAGE_FIELDS, "household": HOUSEHOLD_FIELDS, "person": PERSON_SYNC_FIELDS}[kind]
        for row in local.dirty_registry_rows(store, kind, table, scopes, limit - len(items)):
            values = {k: row[k] for k in fields}
            for key in ("categories", "extra"):
                if key in values and isinstance(values[key], str):
                    values[key] = json.loads(values[key] or ("[]" if key == "categories" else "{}"))
            items.append(RegistryEntity(kind=kind, id=row["id"], village_id=row["id"] if kind == "village"
                                        else row["village_id"], fields=values,
                                        updated_at=row.get("updated_at") or row["created_at"],
                                        base_seq=row["server_seq"]))
    return items


def apply_registry_results(store: Store, sent: list[RegistryEntity], results: list[RegistryResult]) -> int | None:
    """Clear "dirty" for rows the server now has, unless they changed again while the answer was on its way.

    Returns the lowest server version the next pull must start below (the server kept its own newer copy of a
    row, or knew the person under another id), or None.
    """
    by_key = {(item.kind, item.id): item for item in sent}
    refetch: list[int] = []
    with store.transaction():
        store.conn.execute("PRAGMA defer_foreign_keys = ON")
        for result in results:
            item = by_key.get((result.kind, result.id))
            table = dict(REGISTRY_TABLES)[result.kind]
            if item is None:
                continue
            if (result.outcome in (Outcome.DUPLICATE, Outcome.CONFLICT) or result.merged) and result.seq is not None:
                refetch.append(result.seq)
            if result.outcome is Outcome.DUPLICATE and result.same_as and result.kind == "person":
                merge_person(store, result.id, result.same_as)
            elif result.outcome in (Outcome.ACCEPTED, Outcome.CONFLICT) and result.seq is not None:
                # accepted: ours is the server's now; conflict: the server kept a newer one, the next pull brings it
                column = "updated_at" if result.kind != "village" else "coalesce(nullif(updated_at, ''), created_at)"
                store.conn.execute(
                    f"UPDATE {table} SET server_seq = ?, dirty = CASE WHEN {column} = ? THEN 0 ELSE 1 END "
                    "WHERE id = ?", (-1 if result.merged or result.outcome is Outcome.CONFLICT else result.seq,
                                     item.updated_at, result.id))
    return min(refetch) if refetch else None


def merge_person(store: Store, local_id: str, server_id: str) -> None:
    """The server already knows this person (same ID number) under ``server_id``: use its id everywhere."""
    if store.query("SELECT 1 FROM persons WHERE id = ?", [server_id]):
        store.conn.execute("DELETE FROM persons WHERE id = ?", [local_id])  # foreign keys are checked at commit
    else:
        store.conn.execute("UPDATE persons SET id = ?, server_seq = -1, dirty = 0 WHERE id = ?",
                           (server_id, local_id))
    for sql in ("UPDATE records SET person_id = ? WHERE person_id = ?",
                "UPDATE persons SET guardian_id = ? WHERE guardian_id = ?"):
        store.conn.execute(sql, (server_id, local_id))


def apply_registry_page(store: Store, items: list[RegistryEntity]) -> int:
    """Take the server's villages, households and persons, except rows changed here and not yet sent."""
    applied = 0
    with store.transaction():
        store.conn.execute("PRAGMA defer_foreign_keys = ON")
        for item in items:
            table = dict(REGISTRY_TABLES)[item.kind]
            local = store.query(f"SELECT dirty, server_seq FROM {table} WHERE id = ?", [item.id])
            if local and local[0]["dirty"]:
                continue  # a local change waits to be sent; the server's copy comes back after that
            if local and item.seq is not None and (local[0]["server_seq"] or 0) >= item.seq:
                continue  # this laptop sent that very version
            values = _registry_row(store, item)
            if local:
                sets = ", ".join(f"{k} = ?" for k in values)
                store.conn.execute(f"UPDATE {table} SET {sets} WHERE id = ?", (*values.values(), item.id))
            else:
                names = ", ".join(["id", *values])
                marks = ", ".join("?" * (len(values) + 1))
                store.conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", (item.id, *values.values()))
            applied += 1
        # a row may point at one the user may not see (another kind of person): keep it, drop the pointer
        store.conn.execute("UPDATE persons SET household_id = NULL WHERE household_id IS NOT NULL AND "
                           "household_id NOT IN (SELECT id FROM households)")
        store.conn.execute("UPDATE persons SET guardian_id = NULL WHERE guardian_id IS NOT NULL AND "
                           "guardian_id NOT IN (SELECT id FROM persons)")
        for table, column in (("persons", "village_id"), ("households", "village_id")):
            store.conn.execute(f"INSERT OR IGNORE INTO villages (id, name, created_at, dirty, server_seq) "
                               f"SELECT DISTINCT {column}, {column}, ?, 0, 0 FROM {table} WHERE {column} IS NOT NULL "
                               f"AND {column} NOT IN (SELECT id FROM villages)", [utc_now()])
    return applied


def _registry_row(store: Store, item: RegistryEntity) -> dict:
    fields = item.fields
    now = utc_now()
    if item.kind == "village":
        row = {k: str(fields.get(k) or "") for k in ("name", "town", "county")}
        row["created_at"] = fields.get("created_at") or now
    elif item.kind == "household":
        row = {k: str(fields.get(k) or "") for k in ("group_name", "house_number", "address")}
        row["village_id"] = fields.get("village_id") or item.village_id
        row["created_at"] = fields.get("created_at") or now
    else:
        row = store._person_row({k: fields[k] for k in PERSON_FIELDS if k in fields})
        row["guardian_id"] = fields.get("guardian_id")
        row["created_at"] = fields.get("created_at") or now
    row["updated_at"] = item.updated_at
    row["dirty"] = 0
    row["server_seq"] = item.seq
    return row
