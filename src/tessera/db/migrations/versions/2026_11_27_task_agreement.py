"""task agreement: each task's agreement between its annotators, kept current by every annotation write

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("agreement", sa.Float(), nullable=True))
    op.create_index("ix_tasks_project_id_agreement", "tasks", ["project_id", "agreement", "id"])


def downgrade() -> None:
    op.drop_index("ix_tasks_project_id_agreement", table_name="tasks")
    # In place (SQLite 3.35+), not by Alembic's batch copy, whose drop of the old table deletes the rows
    # that hang on it by an ON DELETE CASCADE key.
    op.execute("ALTER TABLE tasks DROP COLUMN agreement")
