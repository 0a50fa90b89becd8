"""Households: reads and writes on ``households`` besides ``Store.add_household``; reads apply the signed-in
account's scope (``store.scope.households_sql``)."""

from __future__ import annotations

from app.store.store import utc_now


def page(store, *, village_id: str | None = None, text: str = "", limit: int = 200, offset: int = 0) -> list[dict]:
    """One page of the scope's households (address or house number matching ``text``), with how many active
    persons the account may see live in each (``members``)."""
    scope, params = store.scope.households_sql("h")
    persons, person_params = store.scope.persons_sql("p")
    where = [scope]
    if village_id:
        where.append("h.village_id = ?")
        params.append(village_id)
    if text:
        where.append("(h.address LIKE ? OR h.house_number LIKE ?)")
        params += [f"%{text}%", f"{text}%"]
    sql = ("SELECT h.*, (SELECT count(*) FROM persons p WHERE p.household_id = h.id AND +p.status = 'active' "
           f"AND {persons}) AS members FROM households h WHERE " + " AND ".join(where)
           + " ORDER BY h.village_id, h.group_name, CAST(h.house_number AS INTEGER) LIMIT ? OFFSET ?")
    return store.query(sql, [*person_params, *params, limit, offset])


def id_by_number(store, village_id: str, house_number: str) -> str | None:
    """The household with this house number in a village."""
    rows = store.query("SELECT id FROM households WHERE village_id = ? AND house_number = ?",
                       [village_id, house_number])
    return rows[0]["id"] if rows else None


def update(store, household_id: str, *, group_name: str, address: str, updated_at: str | None = None) -> None:
    with store.transaction():
        store.conn.execute("UPDATE households SET group_name = ?, address = ?, updated_at = ? WHERE id = ?",
                           (group_name, address, updated_at or utc_now(), household_id))


def village_exists(store, village_id: str) -> bool:
    return bool(store.query("SELECT 1 FROM villages WHERE id = ?", [village_id]))


def address(store, household_id: str) -> str:
    """The household's address, as the person's panel shows it ('' when unknown or out of the account's scope)."""
    scope, params = store.scope.households_sql()
    found = store.query(f"SELECT address FROM households WHERE id = ? AND {scope}", [household_id, *params])
    return found[0]["address"] if found else ""
