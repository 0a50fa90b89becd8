"""The bureau's export: every record the server holds, one sheet per form, through the laptop's workbook writer."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from app.spreadsheets.plain import write_workbook
from sync.server import tables as t
from sync.server.service import Service


def export_server_records(service: Service, out: Path) -> int:
    """Write the newest revision of each record to ``out`` (.xlsx); returns the number of records."""
    sheets: dict[str, list[dict]] = {}
    with service.engine.connect() as conn:
        names = {row.id: json.loads(row.fields).get("name", "") for row in conn.execute(
            sa.select(t.registry.c.id, t.registry.c.fields).where(t.registry.c.kind == "person"))}
        for row in conn.execute(sa.select(t.records).order_by(t.records.c.form_id, t.records.c.updated_at)):
            sheets.setdefault(row.form_id, []).append({
                "uuid": row.uuid, "status": "conflict" if row.conflicts else "accepted", "author": row.author,
                "updated_at": row.updated_at, "data": row.data, "person_name": names.get(row.person_id, "")})
    return write_workbook(sheets, out)
