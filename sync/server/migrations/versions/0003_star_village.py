"""Records filed under the village "*" take their person's village (or none).

Before issue 16 a township user's record that named no village was filed under "*" (their list of
villages); the server now files such a record under its person's village. This puts the records already
stored that way where they belong.

Revision ID: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("records", "record_revisions"):
        op.execute(f"UPDATE {table} SET village_id = (SELECT registry.village_id FROM registry WHERE "
                   f"registry.kind = 'person' AND registry.id = {table}.person_id) WHERE village_id = '*'")


def downgrade() -> None:
    """Nothing to undo: "*" was never a village."""
