"""The first schema: users and devices, forms, record revisions with conflicts, attachments, registry, audit.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table("meta", sa.Column("key", sa.String(100), primary_key=True),
                    sa.Column("value", sa.Text, nullable=False))
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("villages", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "enrollment_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("expires_at", sa.String(40), nullable=False),
        sa.Column("used_at", sa.String(40)),
    )
    op.create_table(
        "devices",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("credential_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("revoked_at", sa.String(40)),
    )
    op.create_table(
        "forms",
        sa.Column("form_id", sa.String(100), primary_key=True),
        sa.Column("version", sa.String(100), primary_key=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "record_revisions",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("uuid", sa.String(64), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("prev_revision", sa.Integer),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("form_id", sa.String(100), nullable=False),
        sa.Column("form_version", sa.String(100), nullable=False),
        sa.Column("village_id", sa.String(64)),
        sa.Column("person_id", sa.String(64)),
        sa.Column("household_id", sa.String(64)),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("attachments", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("received_at", sa.String(40), nullable=False),
        sa.Column("user_name", sa.String(100), nullable=False),
        sa.Column("device_id", sa.String(40), nullable=False),
        sa.UniqueConstraint("uuid", "revision", name="record_revisions_uuid_revision"),
    )
    op.create_table(
        "records",
        sa.Column("uuid", sa.String(64), primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("form_id", sa.String(100), nullable=False),
        sa.Column("form_version", sa.String(100), nullable=False),
        sa.Column("village_id", sa.String(64)),
        sa.Column("person_id", sa.String(64)),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("received_at", sa.String(40), nullable=False),
        sa.Column("conflicts", sa.Integer, nullable=False),
    )
    op.create_index("ix_records_form_id", "records", ["form_id"])
    op.create_index("ix_records_village_id", "records", ["village_id"])
    op.create_table(
        "conflicts",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("uuid", sa.String(64), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("envelope", sa.Text, nullable=False),
        sa.Column("server_revision", sa.Integer, nullable=False),
        sa.Column("user_name", sa.String(100), nullable=False),
        sa.Column("device_id", sa.String(40), nullable=False),
        sa.Column("received_at", sa.String(40), nullable=False),
        sa.Column("resolved_at", sa.String(40)),
        sa.UniqueConstraint("uuid", "revision", "content_hash", name="conflicts_once"),
    )
    op.create_table(
        "attachments",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "attachment_chunks",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("offset", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "registry",
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("village_id", sa.String(64)),
        sa.Column("id_number", sa.String(40)),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_registry_village_id", "registry", ["village_id"])
    op.create_index("ix_registry_id_number", "registry", ["id_number"])
    op.create_index("ix_registry_seq", "registry", ["seq"])
    op.create_table(
        "registry_seq",
        sa.Column("seq", BIGID, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("fields", sa.Text, nullable=False),
    )
    op.create_table(
        "audit",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("user_name", sa.String(100), nullable=False),
        sa.Column("device_id", sa.String(40), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("revision", sa.Integer),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("code", sa.String(60), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for name in ("audit", "registry_seq", "registry", "attachment_chunks", "attachments", "conflicts", "records",
                 "record_revisions", "forms", "devices", "enrollment_tokens", "users", "meta"):
        op.drop_table(name)
