"""台账 sorts names by pinyin as WPS and Excel do: each person gets ``name_key`` (``search.name_sort_key``: the
syllables of the name, character by character), indexed, so a sorted page of a large registry is read in order
instead of sorting everyone each time."""

from __future__ import annotations

from app.store.search import name_sort_key


def apply(conn) -> None:
    conn.execute("ALTER TABLE persons ADD COLUMN name_key TEXT NOT NULL DEFAULT ''")
    keys = [(name_sort_key(name or ""), person_id) for person_id, name in conn.execute("SELECT id, name FROM persons")]
    conn.executemany("UPDATE persons SET name_key = ? WHERE id = ?", keys)
    conn.execute("CREATE INDEX persons_name_key ON persons(name_key, name, id)")
