"""Form versions pulled from the bureau server (table ``forms``, written by the sync client)."""

from __future__ import annotations


def pulled_versions(store) -> list[tuple[str, str]]:
    """(form_id, version) of every pulled form; none on a store from before migration 004."""
    try:
        rows = store.query("SELECT form_id, version FROM forms")
    except Exception:  # noqa: BLE001 - a store from before migration 004 has no forms table
        return []
    return [(row["form_id"], row["version"]) for row in rows]


def pulled_content(store, form_id: str, version: str) -> bytes | None:
    rows = store.query("SELECT content FROM forms WHERE form_id = ? AND version = ?", [form_id, version])
    return bytes(rows[0]["content"]) if rows else None


def pulled_hashes(store) -> dict[tuple[str, str], str]:
    """(form_id, version) → SHA-256 of every form version pulled from the server."""
    return {(row["form_id"], row["version"]): row["sha256"]
            for row in store.query("SELECT form_id, version, sha256 FROM forms")}


def keep_pulled(store, *, form_id: str, version: str, title: str, content: bytes, sha256: str, now: str) -> None:
    """Keep (or replace) a form version pulled from the server, in one transaction."""
    with store.transaction():
        store.conn.execute("INSERT OR REPLACE INTO forms (form_id, version, title, content, sha256, received_at) "
                           "VALUES (?, ?, ?, ?, ?, ?)", (form_id, version, title, content, sha256, now))
