"""annotation presentation: the order in which an annotator was shown the items being compared

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("annotations") as batch:
        batch.add_column(
            sa.Column("presentation", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True)
        )


def downgrade() -> None:
    # In place (SQLite 3.35+), not by Alembic's batch copy, whose drop of the old table deletes the rows
    # that hang on it by an ON DELETE CASCADE key.
    op.execute("ALTER TABLE annotations DROP COLUMN presentation")
