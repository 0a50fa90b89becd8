"""Records: the reads and writes on ``records`` besides the ones ``Store`` has (drafts, finalize, revisions).

Every read applies the signed-in account's scope (``store.scope.records_sql``); ``unscoped_…`` functions are
the named exceptions, audited through ``app.store.unscoped``. Status changes go through ``lifecycle.move``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from app.store import lifecycle, unscoped


def _scoped(store, alias: str = "") -> tuple[str, list]:
    return store.scope.records_sql(alias)


def waiting_count(store) -> int:
    """"待同步": the records of the account's scope the server has not answered yet (lifecycle.WAITING_STATES)."""
    scope, params = _scoped(store)
    return store.query(f"SELECT count(*) AS n FROM records WHERE {lifecycle.waiting_sql()} AND {scope}",
                       params)[0]["n"]


def waiting(store, limit: int = 200) -> list[dict]:
    """The account's "待同步" records (lifecycle.WAITING_STATES), oldest first, with what the 同步 page needs to
    say why each waits: uuid, title, form_id, village_id, status, sync_outcome, server_message, created_by."""
    scope, params = _scoped(store, "r")
    return store.query("SELECT r.uuid, r.title, r.form_id, r.village_id, r.status, r.sync_outcome, r.server_message, "
                       f"r.created_by, r.updated_at FROM records r WHERE {lifecycle.waiting_sql('r')} AND {scope} "
                       "ORDER BY r.updated_at, r.uuid LIMIT ?", [*params, limit])


def rejected_count(store) -> int:
    """Records of the account's scope the server sent back (被退回)."""
    scope, params = _scoped(store)
    return store.query(f"SELECT count(*) AS n FROM records WHERE status = 'rejected' AND {scope}", params)[0]["n"]


def titles(store, uuids: Iterable[str]) -> dict[str, str]:
    """uuid → the record's title (or its form) for the records among ``uuids`` the account may see."""
    uuids = list(dict.fromkeys(uuids))
    found: dict[str, str] = {}
    scope, params = _scoped(store)
    for start in range(0, len(uuids), 500):
        chunk = uuids[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        for row in store.query(f"SELECT uuid, title, form_id FROM records WHERE uuid IN ({marks}) AND {scope}",
                               [*chunk, *params]):
            found[row["uuid"]] = row["title"] or row["form_id"]
    return found


def form_ids(store) -> list[str]:
    """The forms the account's records were filled with."""
    scope, params = _scoped(store)
    return [r["form_id"] for r in store.query(f"SELECT DISTINCT form_id FROM records WHERE {scope} ORDER BY form_id",
                                              params)]


def counts_by_form(store) -> dict[str, int]:
    """form_id → how many of the account's records use it."""
    scope, params = _scoped(store)
    rows = store.query(f"SELECT form_id, count(*) AS n FROM records WHERE {scope} GROUP BY form_id ORDER BY form_id",
                       params)
    return {r["form_id"]: r["n"] for r in rows}


def uuids_starting(store, prefix: str, limit: int = 2) -> list[str]:
    """UUIDs of the account's records that start with ``prefix`` (a short id typed at the command line)."""
    scope, params = _scoped(store)
    rows = store.query(f"SELECT uuid FROM records WHERE uuid LIKE ? AND {scope} ORDER BY uuid LIMIT ?",
                       [prefix.replace("%", "").replace("_", "") + "%", *params, limit])
    return [r["uuid"] for r in rows]


def attachments_of(store, record_uuid: str) -> list[dict]:
    """[{name, hash}] of a record the account may see."""
    store.get_record(record_uuid)  # refuses a record outside the scope
    return store.query("SELECT name, hash FROM record_attachments WHERE record_uuid = ? ORDER BY name", [record_uuid])


def flagged_since(store, since: str, limit: int = 200) -> list[dict]:
    """Records with safety red flags updated since ``since``, newest first, with the person's name."""
    scope, params = _scoped(store, "r")
    rows = store.query(
        "SELECT r.uuid, r.form_id, r.title, r.updated_at, r.flags, r.person_id, p.name AS person_name "
        "FROM records r LEFT JOIN persons p ON p.id = r.person_id "
        f"WHERE r.flags != '[]' AND r.updated_at >= ? AND {scope} ORDER BY r.updated_at DESC LIMIT ?",
        [since, *params, limit])
    for row in rows:
        row["flags"] = json.loads(row["flags"])
    return rows


def calm_visit_after(store, person_id: str, form_id: str, after: str) -> bool:
    """Whether a later finished record of the same form about the person has no red flag."""
    scope, params = _scoped(store)
    return bool(store.query(f"SELECT 1 FROM records WHERE person_id = ? AND form_id = ? AND updated_at > ? AND "
                            f"flags = '[]' AND status != 'draft' AND {scope} LIMIT 1",
                            [person_id, form_id, after, *params]))


def newest_finished_about(store, person_id: str, form_ids: Iterable[str]) -> dict | None:
    """The newest finished (not draft) record of one of ``form_ids`` about the person, data parsed; None if none."""
    form_ids = list(form_ids)
    scope, params = _scoped(store)
    marks = ", ".join("?" * len(form_ids))
    rows = store.query(f"SELECT uuid, form_id, data, created_at FROM records WHERE person_id = ? AND form_id IN "
                       f"({marks}) AND status != 'draft' AND {scope} ORDER BY created_at DESC LIMIT 1",
                       [person_id, *form_ids, *params])
    if not rows:
        return None
    rows[0]["data"] = json.loads(rows[0]["data"] or "{}")
    return rows[0]


def finished_of_form(store, form_id: str, limit: int = 100_000) -> list[dict]:
    """Finished (not draft) records of a form in the account's scope, newest first, data parsed."""
    scope, params = _scoped(store, "r")
    rows = store.query(
        "SELECT r.uuid, r.title, r.data, r.updated_at, r.village_id, r.person_id, p.name AS person_name FROM records r "
        f"LEFT JOIN persons p ON p.id = r.person_id WHERE r.form_id = ? AND r.status != 'draft' AND {scope} "
        "ORDER BY r.updated_at DESC LIMIT ?", [form_id, *params, limit])
    for row in rows:
        row["data"] = json.loads(row["data"] or "{}")
    return rows


def unscoped_finished_of_form(store, form_id: str, *, job: str, except_uuid: str = "") -> list[dict]:
    """Every finished record of a form on this laptop, whoever's: for rules across villages (audited)."""
    unscoped.note(store, job)
    rows = store.query("SELECT uuid, title, data FROM records WHERE form_id = ? AND status != 'draft' AND uuid != ?",
                       [form_id, except_uuid])
    for row in rows:
        row["data"] = json.loads(row["data"] or "{}")
    return rows


def link(store, record_uuid: str, **columns) -> None:
    """Set what a finalized record is about (person_id, household_id, village_id) or its flags, in the
    caller's transaction (app.registry, while finalizing)."""
    allowed = {"person_id", "household_id", "village_id", "flags"}
    if not columns or set(columns) - allowed:
        raise ValueError(sorted(set(columns) - allowed))
    sets = ", ".join(f"{name} = ?" for name in columns)
    with store.transaction():
        store.conn.execute(f"UPDATE records SET {sets} WHERE uuid = ?", (*columns.values(), record_uuid))


def newest_write_time(store) -> str | None:
    """When anything was last written on this laptop (each status's newest record ``updated_at``, read from the
    records_status index, and the newest audit entry), for the clock check. Laptop-wide on purpose and not
    scoped: it returns one timestamp, nothing about anyone."""
    from app.store.store import STATUSES

    parts = " UNION ALL ".join("SELECT max(updated_at) AS m FROM records WHERE status = ?" for _ in STATUSES)
    row = store.query(f"SELECT max(m) AS m FROM ({parts} UNION ALL "
                      "SELECT at FROM (SELECT at FROM audit_log ORDER BY id DESC LIMIT 1))", list(STATUSES))
    return row[0]["m"] if row else None
