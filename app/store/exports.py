"""What the exports (app/spreadsheets) read: records and persons page by page, the 台账 layouts' statement,
counts. Every read applies the signed-in account's scope (``scope_condition``) on top of the export's filters.

Conditions are lists of SQL strings written with the table's alias (``r.`` for records, ``p.`` for persons)
and their parameters; ``paged`` reads them in rowid order a page at a time, so memory stays flat.
"""

from __future__ import annotations

PAGE = 500

# What an export reads of each record (with ``paged``): its fixed columns, its answers, the person's name.
RECORD_SELECT = ("SELECT r.rowid AS _rowid, r.uuid, r.form_version, r.status, r.author, r.created_at, "
                 "r.updated_at, r.village_id, r.data, p.name AS person_name "
                 "FROM records r LEFT JOIN persons p ON p.id = r.person_id")
ALIASES = {"records": "r", "persons": "p"}


def scope_condition(store, table: str) -> tuple[str, list]:
    """The signed-in account's scope on ``table`` (records or persons), written with its alias."""
    alias = ALIASES[table]
    return store.scope.records_sql(alias) if table == "records" else store.scope.persons_sql(alias)


def record_conditions(*, village: str | None = None, status: str | None = None, since: str | None = None,
                      before: str | None = None, alias: str = "r") -> tuple[list[str], list]:
    """Filters on records: a village, a status, created at or after ``since`` and before ``before`` (UTC ISO)."""
    where, params = [], []
    for condition, value in ((f"{alias}.village_id = ?", village), (f"{alias}.status = ?", status),
                             (f"{alias}.created_at >= ?", since), (f"{alias}.created_at < ?", before)):
        if value:
            where.append(condition)
            params.append(value)
    return where, params


def person_conditions(*, kinds: list[str] | None = None, categories: list[str] | None = None,
                      status: str | None = "active", alias: str = "p") -> tuple[list[str], list]:
    """Filters on persons: their kinds, any of ``categories``, a status (None or "any": every status)."""
    col = f"{alias}."
    where, params = [], []
    if kinds:
        where.append(f"{col}kind IN ({', '.join('?' * len(kinds))})")
        params += kinds
    if categories:
        where.append(f"EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid({col}categories) THEN {col}categories "
                     f"ELSE '[]' END) WHERE value IN ({', '.join('?' * len(categories))}))")
        params += categories
    if status and status != "any":
        where.append(f"{col}status = ?")
        params.append(status)
    return where, params


def paged(store, select: str, table: str, where: list[str], params: list, *, page: int | None = None):
    """Rows of ``select`` (which must name ``{alias}.rowid AS _rowid``) page by page in rowid order, within the
    account's scope.

    The inner query picks a page of rowids using only the filters; the outer one reads the
    full rows (joins, subqueries, JSON) for that page alone.
    """
    for rows in _pages(store, select, table, where, params, page=page):
        yield from rows


def _pages(store, select: str, table: str, where: list[str], params: list, *, page: int | None = None,
           tuples: bool = False):
    """The pages (lists of rows) of ``paged``; ``tuples=True``: rows as tuples, ``_rowid`` first."""
    alias = ALIASES[table]
    scope, scope_params = scope_condition(store, table)
    conditions = " AND ".join(c.replace(f"{alias}.", "") for c in [*where, scope])
    inner = f"SELECT rowid FROM {table} WHERE rowid > ? AND {conditions} ORDER BY rowid LIMIT {int(page or PAGE)}"
    read = store.query_tuples if tuples else store.query
    last = 0
    while True:
        rows = read(f"{select} WHERE {alias}.rowid IN ({inner}) ORDER BY {alias}.rowid",
                    [last, *params, *scope_params])
        if not rows:
            return
        yield rows
        last = rows[-1][0] if tuples else rows[-1]["_rowid"]


# What a records export reads of each record, in this order (``record_pages``).
RECORD_COLUMNS = ("_rowid", "uuid", "form_id", "form_version", "status", "author", "created_at", "updated_at",
                  "village_id", "data", "person_name")
_RECORD_TUPLE_SELECT = ("SELECT r.rowid AS _rowid, r.uuid, r.form_id, r.form_version, r.status, r.author, "
                        "r.created_at, r.updated_at, r.village_id, r.data, p.name AS person_name "
                        "FROM records r LEFT JOIN persons p ON p.id = r.person_id")


def record_pages(store, form_ids: list[str], where: list[str], params: list, *, page: int | None = None):
    """The matching records of ``form_ids``, all forms in one pass over the table (each page of the table read and
    decrypted once, however many forms), in rowid order, a page at a time: lists of tuples (``RECORD_COLUMNS``)."""
    if not form_ids:
        return
    marks = ", ".join("?" * len(form_ids))
    # "+": never page through the form index (a store migrated to 011 has no statistics for it yet, and SQLite
    # then sorted every matching rowid again for each page: twice the time of the whole export)
    yield from _pages(store, _RECORD_TUPLE_SELECT, "records", [f"+r.form_id IN ({marks})", *where],
                      [*form_ids, *params], page=page, tuples=True)


def count(store, table: str, where: list[str], params: list) -> int:
    alias = ALIASES[table]
    scope, scope_params = scope_condition(store, table)
    conditions = " AND ".join([*where, scope])
    return store.query(f"SELECT count(*) AS n FROM {table} {alias} WHERE {conditions}",
                       [*params, *scope_params])[0]["n"]


def record_form_ids(store, where: list[str], params: list) -> list[str]:
    """The forms of the records matching ``where`` (alias ``r``)."""
    scope, scope_params = scope_condition(store, "records")
    rows = store.query(f"SELECT DISTINCT r.form_id FROM records r WHERE {' AND '.join([*where, scope])} "
                       "ORDER BY r.form_id", [*params, *scope_params])
    return [row["form_id"] for row in rows]


def record_versions(store, form_id: str, where: list[str], params: list) -> list[str]:
    """The form versions the matching records of ``form_id`` were filled with."""
    scope, scope_params = scope_condition(store, "records")
    conditions = " AND ".join(["r.form_id = ?", *where, scope])
    return [row["form_version"] for row in store.query(
        f"SELECT r.form_version FROM records r WHERE {conditions} GROUP BY r.form_version",
        [form_id, *params, *scope_params])]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def ledger_select(source: str, *, guardian_columns: tuple[str, ...] = (), last_forms=(), count_forms=(),
                  year_forms=(), year_start: str = "") -> str:
    """The statement of a 台账 layout (for ``paged``): the person (``p.*``), their village and household, their
    guardian's ``guardian_columns`` (as ``g_…``), per form the newest finished record's data (``last__form``),
    the count of finished records (``count__form``) and of this year's (``year__form``, from ``year_start``);
    a record layout (``source`` "records") adds the record's columns (``r_…``)."""
    columns = ["p.*", "v.name AS v_name", "v.town AS v_town", "v.county AS v_county", "v.id AS v_id",
               "h.address AS h_address", "h.house_number AS h_house_number", "h.group_name AS h_group_name"]
    columns += [f"g.{k} AS g_{k}" for k in guardian_columns]
    person = "p.id"
    for form_id in sorted(last_forms):
        columns.append(f"(SELECT x.data FROM records x WHERE x.person_id = {person} AND x.form_id = "
                       f"{_quote(form_id)} AND x.status != 'draft' ORDER BY x.created_at DESC LIMIT 1) "
                       f"AS \"last__{form_id}\"")
    for form_id in sorted(count_forms):
        columns.append(f"(SELECT count(*) FROM records x WHERE x.person_id = {person} AND x.form_id = "
                       f"{_quote(form_id)} AND x.status != 'draft') AS \"count__{form_id}\"")
    for form_id in sorted(year_forms):
        columns.append(f"(SELECT count(*) FROM records x WHERE x.person_id = {person} AND x.form_id = "
                       f"{_quote(form_id)} AND x.status != 'draft' AND x.created_at >= "
                       f"{_quote(year_start)}) AS \"year__{form_id}\"")
    joins = "LEFT JOIN villages v ON v.id = {village} LEFT JOIN households h ON h.id = p.household_id"
    if guardian_columns:
        joins += (" LEFT JOIN persons g ON g.id = COALESCE(p.guardian_id, (SELECT g2.id FROM persons g2 "
                  "WHERE g2.household_id = p.household_id AND g2.kind = 'guardian' AND g2.id != p.id "
                  "ORDER BY g2.rowid LIMIT 1))")
    if source == "persons":
        return f"SELECT p.rowid AS _rowid, {', '.join(columns)} FROM persons p " + joins.format(village="p.village_id")
    columns += ["r.uuid AS r_uuid", "r.status AS r_status", "r.author AS r_author", "r.title AS r_title",
                "r.created_at AS r_created", "r.updated_at AS r_updated", "r.data AS r_data"]
    return (f"SELECT r.rowid AS _rowid, {', '.join(columns)} FROM records r "
            "LEFT JOIN persons p ON p.id = r.person_id " + joins.format(village="r.village_id"))
