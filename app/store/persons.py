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


# The columns 台账 sorts by: key → the value compared. Names by pinyin as WPS and Excel sort them (``name_key``,
# indexed); risk from the highest tier down; a village by its name's pinyin.
RISK_ORDER = "CASE risk_tier WHEN '高风险' THEN 0 WHEN '重点' THEN 1 WHEN '一般' THEN 2 ELSE 3 END"
SORTS = {"name": "name_key", "sex": "sex", "birth_date": "birth_date", "id_number": "id_number",
         "village": None, "categories": "categories", "risk_tier": RISK_ORDER, "next_due": "next_due",
         "last_visit": "last_visit"}


def order_by(store, sort: str | None, descending: bool = False) -> tuple[str, list]:
    """ORDER BY (and its parameters) for a list sorted by ``sort`` (a key of SORTS; None: village, then name by
    pinyin). Blank values go last either way, as in Excel; equal values keep the pinyin order of the names."""
    names = "name_key, name, id"
    if not sort:
        return f"village_id, {names}", []
    if sort not in SORTS:
        raise ValueError(sort)
    direction = "DESC" if descending else "ASC"
    if sort == "name":  # never blank: read in order from the index persons_name_key, either way
        return f"name_key {direction}, name {direction}, id {direction}", []
    params: list = []
    value = SORTS[sort]
    if sort == "village":
        from app.store.search import name_sort_key

        ranked = sorted(store.villages(), key=lambda v: (name_sort_key(v["name"]), v["name"], v["id"]))
        value = "CASE village_id " + " ".join("WHEN ? THEN ?" for _ in ranked) + " ELSE ? END"
        params = [x for i, v in enumerate(ranked) for x in (v["id"], i)] + [len(ranked)]
    blank = {"village": "village_id IS NULL", "risk_tier": "risk_tier = ''"}.get(sort, f"{value} = ''")
    return f"{blank}, {value} {direction}, {names}", params


def page(store, *, village_id: str | None = None, limit: int = 200, offset: int = 0, sort: str | None = None,
         descending: bool = False) -> list[dict]:
    """One page of the scope's persons (台账 without a search): village by village, names by pinyin, or sorted by
    a column (``order_by``). Sorted in the query, so a large registry is read a page at a time."""
    scope, params = store.scope.persons_sql()
    if village_id:
        scope += " AND village_id = ?"
        params = [*params, village_id]
    order, order_params = order_by(store, sort, descending)
    return store.query(f"SELECT * FROM persons WHERE {scope} ORDER BY {order} LIMIT ? OFFSET ?",
                       [*params, *order_params, limit, offset])


def linked_guardian(store, person: dict) -> dict | None:
    """The registered person who looks after ``person``: the one linked to them (guardian_id), else a 监护人 of the
    same household (as the 台账 layouts find them, app/store/exports.py); within the account's scope."""
    scope, params = store.scope.persons_sql()
    if person.get("guardian_id"):
        rows = store.query(f"SELECT * FROM persons WHERE id = ? AND {scope}", [person["guardian_id"], *params])
        if rows:
            return rows[0]
    if person.get("household_id"):
        rows = store.query(f"SELECT * FROM persons WHERE household_id = ? AND kind = 'guardian' AND id != ? AND "
                           f"{scope} ORDER BY rowid LIMIT 1", [person["household_id"], person["id"], *params])
        if rows:
            return rows[0]
    return None


def unscoped_id_by_id_number(store, id_number: str, *, job: str) -> str | None:
    """The person with this ID number, whoever's scope they are in: a registry record must not make the
    same person twice (audited)."""
    if not id_number:
        return None
    unscoped.note(store, job)
    rows = store.query("SELECT id FROM persons WHERE id_number = ? AND id_number != ''", [id_number])
    return rows[0]["id"] if rows else None
