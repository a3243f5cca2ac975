"""ml backend auto_update

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 04:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ml_backends") as batch:
        batch.add_column(sa.Column("auto_update", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    # In place (SQLite 3.35+), not by Alembic's batch copy, whose drop of the old table deletes the rows
    # that hang on it by an ON DELETE CASCADE key.
    op.execute("ALTER TABLE ml_backends DROP COLUMN auto_update")
