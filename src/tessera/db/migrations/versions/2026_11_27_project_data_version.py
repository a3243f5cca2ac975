"""project data version

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 03:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("data_version", sa.BigInteger(), nullable=False, server_default="0"))


def downgrade() -> None:
    # In place (SQLite 3.35+), not by Alembic's batch copy, whose drop of the old table deletes the rows
    # that hang on it by an ON DELETE CASCADE key.
    op.execute("ALTER TABLE projects DROP COLUMN data_version")
