"""task project key: on PostgreSQL no foreign key from tasks.project_id to projects

An import writes its tasks with one `COPY`, and PostgreSQL checks this key row by row, by a trigger: one
lookup in `projects` (and a share lock on its row) for every task, for the same project each time. It doubled
the `COPY` of 100,000 short tasks (0.48-0.56 s against 0.18-0.24 s, 2026-11-29). What it guarded holds by
construction: whatever writes tasks first locks its project's row (`get_project(..., for_update=True)`: an
import, a task created alone), so the project cannot go while they are written, and a project deleted first
is not found; `delete_project` locks the row too and deletes the project's tasks itself, which the key's
`ON DELETE CASCADE` did. SQLite keeps the key, as it keeps the one of migration 0011.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 21:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("fk_tasks_project_id_projects", "tasks", type_="foreignkey")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # What the key's ON DELETE CASCADE would have done to the tasks of a project that is gone.
        op.execute("DELETE FROM tasks WHERE NOT EXISTS (SELECT 1 FROM projects WHERE projects.id = tasks.project_id)")
        op.create_foreign_key(
            "fk_tasks_project_id_projects", "tasks", "projects", ["project_id"], ["id"], ondelete="CASCADE"
        )
