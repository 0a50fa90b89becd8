"""The laptop's side of sync inside the store: what to send, and what the server's answers change.

Every function here is one store transaction, so a crash between two of them
loses nothing: a record whose answer never arrived is simply sent again, and
the server answers "duplicate".
"""

from __future__ import annotations

import json

from app.access import Scope
from app.practice import is_practice
from app.store import Store
from app.store import outbox as local
from app.store.outbox import OUTBOX_WHERE
from app.store.store import PERSON_FIELDS, utc_now
from sync.client.credentials import SETTING, coverage
from sync.protocol import (
    AttachmentRef,
    RecordEnvelope,
    RecordResult,
    RegistryEntity,
    RegistryResult,
    content_hash,
)

__all__ = ["OUTBOX_WHERE"]
HOUSEHOLD_FIELDS = ("village_id", "group_name", "house_number", "address", "created_at")
VILLAGE_FIELDS = ("name", "town", "county", "created_at")
PERSON_SYNC_FIELDS = (*PERSON_FIELDS, "guardian_id", "created_at")


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
    practice = is_practice(store)  # never true in a run (the client refuses a practice store): the server's line
    return [envelope(store, row, practice=practice) for row in rows]


def note_not_covered(store: Store, config: dict, scopes: list[Scope]) -> list[str]:
    """Records the signed-in account sees that this credential may not carry stay on the laptop: give each the
    reason (kept with the record) and return one line per reason for the run's report."""
    from app.errors import CunFangError, ErrorCode

    rows = local.not_covered(store, store.scope, scopes)
    if not rows:
        return []
    enrolled = local.accounts_with_credentials(store)
    user = json.loads(config.get("user") or "{}")
    if getattr(store, "account", None) is not None and config.get("key_prefix") == SETTING:
        user = {"name": "本机共用的登记", "role_label": "登记时的账户"}  # not the signed-in account's: never name it
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


def envelope(store: Store, row: dict, *, practice: bool = False) -> RecordEnvelope:
    """One record revision as it goes on the wire; ``practice`` marks one made in a practice store (练习模式)."""
    data = json.loads(row["data"]) if isinstance(row["data"], str) else row["data"]
    refs = [AttachmentRef(name=a["name"], hash=a["hash"], size=a["size"], mime=a["mime"] or "")
            for a in local.attachment_refs(store, row["uuid"])]
    return RecordEnvelope(
        uuid=row["uuid"], revision=row["revision"], prev_revision=row["prev_revision"],
        base_revision=row["base_revision"], form_id=row["form_id"], form_version=row["form_version"] or "",
        village_id=row["village_id"], person_id=row["person_id"], household_id=row["household_id"],
        author=row["author"] or "", title=(row["title"] or "")[:500], created_at=row["created_at"],
        updated_at=row["updated_at"], data=data, attachments=refs,
        content_hash=content_hash(row["form_id"], row["form_version"] or "", data, refs), practice=practice)


def apply_results(store: Store, results: list[RecordResult]) -> None:
    """Record the server's answer for each record, unless it was edited again meanwhile (then it goes next time);
    each status change by the record life cycle (``app.store.outbox.apply_answers``)."""
    local.apply_answers(store, [{"uuid": r.uuid, "revision": r.revision, "outcome": r.outcome.value,
                                 "message": r.message} for r in results], utc_now())


def mark_packaged(store: Store, envelopes: list[RecordEnvelope]) -> None:
    """Records written to a USB package: carried, awaiting the server's answer (the next sync asks for it)."""
    local.mark_packaged(store, [(env.uuid, env.revision) for env in envelopes], utc_now())


# ---------------------------------------------------------------------- registry


def dirty_registry(store: Store, limit: int, scopes: list[Scope] | None = None) -> list[RegistryEntity]:
    """Villages, then households, then persons changed on this laptop and not yet on the server (those this run
    may carry)."""
    scopes = coverage(store) if scopes is None else scopes
    items: list[RegistryEntity] = []
    for kind, table in local.REGISTRY_TABLES.items():
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
    return local.apply_registry_results(
        store, [{"kind": item.kind, "id": item.id, "updated_at": item.updated_at} for item in sent],
        [{"kind": r.kind, "id": r.id, "outcome": r.outcome.value, "seq": r.seq, "merged": r.merged,
          "same_as": r.same_as} for r in results])


def apply_registry_page(store: Store, items: list[RegistryEntity]) -> int:
    """Take the server's villages, households and persons, except rows changed here and not yet sent."""
    return local.apply_registry_page(store, [item.model_dump() for item in items], utc_now())
