"""The bureau's export: the records a caller may read, one sheet per form, through the laptop's workbook writer."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from app.spreadsheets.plain import write_workbook
from sync.server import scope
from sync.server import tables as t
from sync.server.scope import Caller
from sync.server.service import Service


def export_server_records(service: Service, out: Path, caller: Caller | None = None, choice=None) -> int:
    """Write the newest revision of each record ``caller`` may read (the console's operator: all) to ``out``
    (.xlsx), within ``choice`` (``sync.server.ledgers.Choice``: township, village, creation dates) when given;
    returns the number of records."""
    caller = caller or scope.operator()
    rec = t.records
    where = [scope.records_where(caller, rec)]
    if choice is not None:
        from sync.server.ledgers import record_choice

        where += record_choice(choice, rec)
    sheets: dict[str, list[dict]] = {}
    with service.engine.connect() as conn:
        names = {row.id: json.loads(row.fields).get("name", "") for row in conn.execute(
            sa.select(t.registry.c.id, t.registry.c.fields).where(t.registry.c.kind == "person",
                                                                  scope.registry_where(caller, t.registry)))}
        for row in conn.execute(sa.select(rec).where(*where).order_by(rec.c.form_id, rec.c.updated_at)):
            sheets.setdefault(row.form_id, []).append({
                "uuid": row.uuid, "status": "conflict" if row.conflicts else "accepted", "author": row.author,
                "updated_at": row.updated_at, "data": row.data, "person_name": names.get(row.person_id, "")})
    return write_workbook(sheets, out)
