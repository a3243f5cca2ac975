"""task extra overlap: annotations a task wants beyond the project's overlap, after low agreement

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 11:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("extra_overlap", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    # In place (SQLite 3.35+), not by Alembic's batch copy, whose drop of the old table deletes the rows
    # that hang on it by an ON DELETE CASCADE key.
    op.execute("ALTER TABLE tasks DROP COLUMN extra_overlap")
