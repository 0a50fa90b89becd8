"""Roster imports (migration 005): the batches, what each added or changed, and the reads an import and its
undo need across the whole laptop. Importing needs the ``import`` right (township staff, administrators);
the reads that must see every person (one person per ID number) are the named ``unscoped_…`` ones."""

from __future__ import annotations

import json

from app.store import unscoped
from app.store.store import utc_now

CHUNK = 500


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _marks(chunk: list) -> str:
    return ", ".join("?" * len(chunk))


def unscoped_persons_by_id_number(store, id_numbers: list[str]) -> dict[str, dict]:
    """ID number → the first person registered with it, whoever's scope they are in (audited)."""
    unscoped.note(store, "import.persons_by_id_number")
    found: dict[str, dict] = {}
    for chunk in _chunks(sorted(set(id_numbers))):
        for row in store.query(f"SELECT * FROM persons WHERE id_number IN ({_marks(chunk)}) ORDER BY created_at",
                               chunk):
            found.setdefault(row["id_number"], row)
    return found


def households_in(store, village_ids: set[str]) -> list[dict]:
    """[{id, village_id, house_number}] of the households in these villages, oldest first."""
    rows: list[dict] = []
    for chunk in _chunks(sorted(village_ids)):
        rows += store.query(f"SELECT id, village_id, house_number FROM households WHERE village_id IN "
                            f"({_marks(chunk)}) ORDER BY created_at", chunk)
    return rows


def add_batch(store, *, file_name: str, file_sha256: str, sheet: str, kind: str, form_id: str, author: str,
              added: int, updated: int, refused: int, mapping: dict) -> int:
    """Record an import batch (in the caller's transaction); returns its id."""
    with store.transaction():
        cursor = store.conn.execute(
            "INSERT INTO imports (file_name, file_sha256, sheet, kind, form_id, author, imported_at, added, updated, "
            "refused, mapping) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (file_name, file_sha256, sheet, kind, form_id, author, utc_now(), added, updated, refused,
             json.dumps(mapping, ensure_ascii=False)))
        return cursor.lastrowid


def add_household(store, import_id: int, household_id: str) -> None:
    with store.transaction():
        store.conn.execute("INSERT INTO import_households (import_id, household_id) VALUES (?, ?)",
                           (import_id, household_id))


def add_entries(store, import_id: int, entries: list[tuple[str, str, int, dict]]) -> None:
    """(person_id, "added"/"updated", source row, changes) of one batch."""
    with store.transaction():
        store.conn.executemany(
            "INSERT INTO import_persons (import_id, person_id, action, source_row, changes) VALUES (?, ?, ?, ?, ?)",
            [(import_id, person, action, row, json.dumps(changes, ensure_ascii=False))
             for person, action, row, changes in entries])


def list_batches(store, limit: int = 50) -> list[dict]:
    return store.query("SELECT id, file_name, sheet, kind, form_id, author, imported_at, added, updated, refused, "
                       "undone_at FROM imports ORDER BY id DESC LIMIT ?", [limit])


def batch(store, import_id: int) -> dict | None:
    rows = store.query("SELECT * FROM imports WHERE id = ?", [import_id])
    return rows[0] if rows else None


def entries(store, import_id: int) -> list[dict]:
    return store.query("SELECT person_id, action, changes FROM import_persons WHERE import_id = ?", [import_id])


def households_of(store, import_id: int) -> list[str]:
    return [r["household_id"] for r in store.query("SELECT household_id FROM import_households WHERE import_id = ?",
                                                   [import_id])]


def unscoped_person(store, person_id: str) -> dict | None:
    """A person as stored, whoever's scope (undoing an import sets back what it changed; audited)."""
    unscoped.note(store, "import.undo")
    rows = store.query("SELECT * FROM persons WHERE id = ?", [person_id])
    return rows[0] if rows else None


def persons_use(store, import_id: int, person_ids: list[str]) -> dict:
    """What still uses persons an import added: {"persons": [{id, name, server_seq}], "records": {id: n},
    "wards": [{id, guardian_id, name}], "later": {id: the later import}}."""
    use: dict = {"persons": [], "records": {}, "wards": [], "later": {}}
    for chunk in _chunks(person_ids):
        marks = _marks(chunk)
        use["persons"] += store.query(f"SELECT id, name, server_seq FROM persons WHERE id IN ({marks})", chunk)
        for row in store.query(f"SELECT person_id, count(*) AS n FROM records WHERE person_id IN ({marks}) "
                               "GROUP BY person_id", chunk):
            use["records"][row["person_id"]] = row["n"]
        use["wards"] += store.query(f"SELECT id, guardian_id, name FROM persons WHERE guardian_id IN ({marks})",
                                    chunk)
        for row in store.query(
                f"SELECT p.person_id, min(p.import_id) AS later FROM import_persons p JOIN imports i "
                f"ON i.id = p.import_id WHERE p.person_id IN ({marks}) AND p.import_id > ? AND i.undone_at = '' "
                "GROUP BY p.person_id", [*chunk, import_id]):
            use["later"][row["person_id"]] = row["later"]
    return use


def households_use(store, household_ids: list[str]) -> list[dict]:
    """[{house_number, server_seq, recorded, lived_in}] of these households."""
    rows: list[dict] = []
    for chunk in _chunks(household_ids):
        rows += store.query(
            "SELECT h.house_number, h.server_seq, "
            "EXISTS (SELECT 1 FROM records r WHERE r.household_id = h.id) AS recorded, "
            "EXISTS (SELECT 1 FROM persons p WHERE p.household_id = h.id) AS lived_in "
            f"FROM households h WHERE h.id IN ({_marks(chunk)})", chunk)
    return rows


def defer_foreign_keys(store) -> None:
    """Check foreign keys at COMMIT only (an added guardian goes with the added child)."""
    store.conn.execute("PRAGMA defer_foreign_keys = ON")


def delete_persons(store, person_ids: list[str]) -> None:
    with store.transaction():
        for chunk in _chunks(person_ids):
            store.conn.execute(f"DELETE FROM persons WHERE id IN ({_marks(chunk)})", chunk)


def delete_households(store, household_ids: list[str]) -> None:
    with store.transaction():
        for chunk in _chunks(household_ids):
            store.conn.execute(f"DELETE FROM households WHERE id IN ({_marks(chunk)})", chunk)


def mark_undone(store, import_id: int) -> None:
    with store.transaction():
        store.conn.execute("UPDATE imports SET undone_at = ? WHERE id = ?", (utc_now(), import_id))
