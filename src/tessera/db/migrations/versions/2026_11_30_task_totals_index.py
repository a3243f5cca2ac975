"""task totals index: on SQLite, the totals of a project's task list read from an index alone

Every page of the task list that asks for its totals counts the project's tasks and sums their annotations
and predictions, once per `data_version` (`services/task_totals.py`): while annotators submit, on every page.
SQLite read those rows through whichever index leads with `project_id`; once an expression index on a data
field existed (`db/data_indexes.py`, made the first time someone orders by that field), it took that one and
read the rows in the field's order, one random read each: 108 ms for 100,000 tasks instead of 14. An index
holding the two counters answers the totals alone, in 5.5 ms. PostgreSQL reads the table in order whatever
the indexes, and an index-only scan saved it little (10.6 ms against 13.9): it is not made there.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 04:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.create_index("ix_tasks_project_id_totals", "tasks", ["project_id", "total_annotations", "total_predictions"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index("ix_tasks_project_id_totals", table_name="tasks")
