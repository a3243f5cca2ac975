"""project tasks version: a second version on each project, moved only by writes to its tasks themselves

`projects.data_version` moves with every write to a project's tasks, annotations and predictions, and the
task list's page boundaries (`services/task_bookmarks`) were kept per `data_version`: while annotators
submitted, every deep page of a listing ordered by id or by a data field scanned the whole project again
(57–106 ms at 100,000 tasks, against 6–7 ms without writes). `tasks_version` moves only with writes that add,
remove or change tasks (`task_totals.changed`), not with those of annotations and predictions
(`task_totals.labels_changed`); a listing whose filters and ordering read only what those leave alone (the
id, `inner_id`, `created_at`, `data`) keeps its boundaries per `tasks_version`.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("projects", sa.Column("tasks_version", sa.BigInteger(), nullable=False, server_default="0"))


def downgrade() -> None:
    # Not Alembic's batch mode, which on SQLite copies the table and drops the old one: with foreign keys on,
    # that drop deletes every task of every project (their key's ON DELETE CASCADE). SQLite drops a column
    # in place since 3.35.
    op.execute("ALTER TABLE projects DROP COLUMN tasks_version")
