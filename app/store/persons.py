"""Persons: the reads on ``persons`` besides ``Store``'s (get, search, add, update), and the one definition of
"overdue" and of the person-kind labels.

Every read applies the signed-in account's scope (``store.scope.persons_sql``); ``unscoped_…`` functions are
the named exceptions, audited through ``app.store.unscoped``.
"""

from __future__ import annotations

from app.store import unscoped

# The kinds of person, as every page, list and spreadsheet names them.
KIND_LABELS = {"elder": "老人", "child": "儿童", "guardian": "监护人", "other": "其他人员"}
VISITED_KINDS = ("elder", "child")  # the kinds with a visit schedule


def overdue_sql(alias: str = "") -> str:
    """"逾期": an active person whose next visit is due before the date given as the one parameter."""
    col = f"{alias}." if alias else ""
    return f"{col}status = 'active' AND {col}next_due != '' AND {col}next_due < ?"


def overdue(store, today: str, *, village_id: str | None = None, limit: int = 500) -> list[dict]:
    """Overdue persons of the account's scope: highest risk first, then the most days overdue (工作台's order)."""
    scope, params = store.scope.persons_sql()
    sql = (f"SELECT id, name, kind, village_id, risk_tier, last_visit, next_due FROM persons WHERE {overdue_sql()} "
           f"AND {scope}" + (" AND village_id = ?" if village_id else "")
           + " ORDER BY CASE risk_tier WHEN '高风险' THEN 0 WHEN '重点' THEN 1 ELSE 2 END, next_due, name LIMIT ?")
    return store.query(sql, [today, *params, *([village_id] if village_id else []), limit])


def overdue_count(store, today: str) -> int:
    scope, params = store.scope.persons_sql()
    return store.query(f"SELECT count(*) AS n FROM persons WHERE {overdue_sql()} AND {scope}",
                       [today, *params])[0]["n"]


def due_count(store, start: str, end: str) -> int:
    """Active persons of the scope due from ``start`` (inclusive) to ``end`` (exclusive)."""
    scope, params = store.scope.persons_sql()
    return store.query("SELECT count(*) AS n FROM persons WHERE status = 'active' AND next_due >= ? "
                       f"AND next_due < ? AND {scope}", [start, end, *params])[0]["n"]


def visit_rates(store, month_start: str, today: str) -> list[dict]:
    """Per village of the scope: persons to visit, visited since ``month_start``, overdue on ``today``."""
    scope, params = store.scope.persons_sql()
    kinds = ", ".join(f"'{k}'" for k in VISITED_KINDS)
    return store.query(
        "SELECT village_id, count(*) AS total, "
        "sum(CASE WHEN last_visit >= ? THEN 1 ELSE 0 END) AS visited, "
        f"sum(CASE WHEN {overdue_sql()} THEN 1 ELSE 0 END) AS overdue "
        f"FROM persons WHERE status = 'active' AND kind IN ({kinds}) AND {scope} "
        "GROUP BY village_id ORDER BY village_id", [month_start, today, *params])


def page(store, *, village_id: str | None = None, limit: int = 200, offset: int = 0) -> list[dict]:
    """One page of the scope's persons in village and name order (台账 without a search)."""
    scope, params = store.scope.persons_sql()
    if village_id:
        scope += " AND village_id = ?"
        params = [*params, village_id]
    return store.query(f"SELECT * FROM persons WHERE {scope} ORDER BY village_id, name LIMIT ? OFFSET ?",
                       [*params, limit, offset])


def unscoped_id_by_id_number(store, id_number: str, *, job: str) -> str | None:
    """The person with this ID number, whoever's scope they are in: a registry record must not make the
    same person twice (audited)."""
    if not id_number:
        return None
    unscoped.note(store, job)
    rows = store.query("SELECT id FROM persons WHERE id_number = ? AND id_number != ''", [id_number])
    return rows[0]["id"] if rows else None
