"""Uploads bound to the device that started them; laptops' audit heads and what was found wrong with them.

Unfinished uploads from before are dropped (their chunks had no owner): laptops start them again from 0.

Revision ID: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.drop_table("attachment_chunks")
    op.create_table(
        "attachment_chunks",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("device_id", sa.String(40), primary_key=True),
        sa.Column("offset", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "attachment_uploads",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("device_id", sa.String(40), primary_key=True),
        sa.Column("total", sa.BigInteger, nullable=False),
        sa.Column("received", sa.BigInteger, nullable=False),
        sa.Column("started_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_attachment_uploads_started_at", "attachment_uploads", ["started_at"])
    op.create_table(
        "device_audit_heads",
        sa.Column("device_id", sa.String(40), primary_key=True),
        sa.Column("entry_id", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    # what each laptop already sent is what the server acknowledged: its newest entry is the head
    op.execute("INSERT INTO device_audit_heads (device_id, entry_id, hash, updated_at) "
               "SELECT d.device_id, d.entry_id, d.hash, d.received_at FROM device_audit d "
               "WHERE d.entry_id = (SELECT max(e.entry_id) FROM device_audit e WHERE e.device_id = d.device_id)")
    op.create_table(
        "audit_findings",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("device_id", sa.String(40), nullable=False),
        sa.Column("user_name", sa.String(100), nullable=False),
        sa.Column("found_at", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("entry_id", sa.BigInteger),
        sa.Column("code", sa.String(60), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.UniqueConstraint("device_id", "key", name="audit_findings_once"),
    )
    op.create_index("ix_audit_findings_device_id", "audit_findings", ["device_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_findings_device_id", "audit_findings")
    op.drop_table("audit_findings")
    op.drop_table("device_audit_heads")
    op.drop_index("ix_attachment_uploads_started_at", "attachment_uploads")
    op.drop_table("attachment_uploads")
    op.drop_table("attachment_chunks")
    op.create_table(
        "attachment_chunks",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("offset", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
