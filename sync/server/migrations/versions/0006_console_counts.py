"""The console's typed columns, name parts and counts (``sync/server/services/counts.py``), filled for the rows
already there by the same functions the services call at every write.

Revision ID: 0006
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

PERSON_COLUMNS = (("person_kind", 20), ("status", 20), ("last_visit", 40), ("next_due", 40), ("name", 100),
                  ("initials", 40), ("pinyin", 200), ("id_rev", 40))
KEYS = ("initials", "pinyin", "id_rev", "key")  # compared by bytes (collation "C") on PostgreSQL: prefix ranges
BATCH = 5000


def _type(name: str, length: int) -> sa.String:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql") if name in KEYS \
        else sa.String(length)


def upgrade() -> None:
    from sync.server.services import counts

    with op.batch_alter_table("registry") as batch:
        for name, length in PERSON_COLUMNS:
            batch.add_column(sa.Column(name, _type(name, length), nullable=False, server_default=""))
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("case_open", sa.Boolean))
        batch.add_column(sa.Column("found_on", sa.String(10)))
    op.create_table(
        "registry_name_terms",
        sa.Column("term", sa.String(8), primary_key=True),
        sa.Column("person_id", sa.String(64), primary_key=True),
    )
    op.create_table(
        "person_counts",
        sa.Column("village_id", sa.String(64), primary_key=True),
        sa.Column("person_kind", sa.String(20), primary_key=True),
        sa.Column("measure", sa.String(8), primary_key=True),
        sa.Column("key", _type("key", 40), primary_key=True),
        sa.Column("full", sa.Boolean, primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
    )
    op.create_table(
        "record_months",
        sa.Column("village_id", sa.String(64), primary_key=True),
        sa.Column("form_id", sa.String(100), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
    )
    op.create_table(
        "latest_visits",
        sa.Column("person_id", sa.String(64), primary_key=True),
        sa.Column("form_id", sa.String(100), primary_key=True),
        sa.Column("uuid", sa.String(64), nullable=False),
        sa.Column("village_id", sa.String(64)),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("flagged", sa.Boolean, nullable=False),
    )

    conn = op.get_bind()
    registry = sa.table("registry", sa.column("kind"), sa.column("id"), sa.column("fields"),
                        *(sa.column(name) for name, _ in PERSON_COLUMNS))
    last = ""
    while rows := conn.execute(sa.select(registry.c.kind, registry.c.id, registry.c.fields)
                               .where(registry.c.kind == "person", registry.c.id > last)
                               .order_by(registry.c.id).limit(BATCH)).all():
        last = rows[-1].id
        updates, terms = [], []
        for row in rows:
            fields = json.loads(row.fields)
            updates.append({"k": row.kind, "i": row.id, **counts.person_columns(row.kind, fields)})
            terms += [{"term": term, "person_id": row.id} for term in sorted(counts.name_terms(fields.get("name")))]
        conn.execute(registry.update().where(registry.c.kind == sa.bindparam("k"), registry.c.id == sa.bindparam("i"))
                     .values({name: sa.bindparam(name) for name, _ in PERSON_COLUMNS}), updates)
        if terms:
            conn.execute(sa.table("registry_name_terms", sa.column("term"), sa.column("person_id")).insert(), terms)

    records = sa.table("records", sa.column("uuid"), sa.column("form_id"), sa.column("data"),
                       sa.column("updated_at"), sa.column("case_open"), sa.column("found_on"))
    last = ""
    while rows := conn.execute(sa.select(records.c.uuid, records.c.form_id, records.c.data, records.c.updated_at)
                               .where(records.c.form_id.in_(counts.FINDING_FORMS), records.c.uuid > last)
                               .order_by(records.c.uuid).limit(BATCH)).all():
        last = rows[-1].uuid
        conn.execute(records.update().where(records.c.uuid == sa.bindparam("u"))
                     .values(case_open=sa.bindparam("case_open"), found_on=sa.bindparam("found_on")),
                     [{"u": row.uuid, **counts.record_columns(row.form_id, json.loads(row.data), row.updated_at)}
                      for row in rows])

    op.create_index("ix_registry_overview", "registry",
                    ["kind", "village_id", "person_kind", "status", "last_visit", "next_due"])
    op.create_index("ix_registry_due", "registry", ["next_due", "status", "kind", "village_id"])
    for name in KEYS[:3]:
        op.create_index(f"ix_registry_{name}", "registry", [name])
    op.create_index("ix_records_person", "records", ["person_id", "form_id", "updated_at"])
    op.create_index("ix_records_village_form", "records", ["village_id", "form_id", "updated_at"])
    op.create_index("ix_records_open_reports", "records", ["village_id", "form_id", "found_on"],
                    postgresql_where=sa.text("case_open"), sqlite_where=sa.text("case_open"))
    op.create_index("ix_latest_visits_flagged", "latest_visits", ["updated_at", "village_id", "form_id"],
                    postgresql_where=sa.text("flagged"), sqlite_where=sa.text("flagged"))
    counts.refresh_all(conn)
    if conn.dialect.name == "postgresql":  # the planner's statistics for the new columns and tables, right away
        op.execute("ANALYZE registry, records, registry_name_terms, person_counts, record_months, latest_visits")


def downgrade() -> None:
    op.drop_index("ix_latest_visits_flagged", "latest_visits")
    op.drop_index("ix_records_open_reports", "records")
    op.drop_index("ix_records_village_form", "records")
    op.drop_index("ix_records_person", "records")
    for name in KEYS[:3]:
        op.drop_index(f"ix_registry_{name}", "registry")
    op.drop_index("ix_registry_due", "registry")
    op.drop_index("ix_registry_overview", "registry")
    op.drop_table("latest_visits")
    op.drop_table("record_months")
    op.drop_table("person_counts")
    op.drop_table("registry_name_terms")
    with op.batch_alter_table("records") as batch:
        batch.drop_column("found_on")
        batch.drop_column("case_open")
    with op.batch_alter_table("registry") as batch:
        for name, _ in reversed(PERSON_COLUMNS):
            batch.drop_column(name)
