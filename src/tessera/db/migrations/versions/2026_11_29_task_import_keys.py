"""task import keys: on PostgreSQL no foreign key from tasks.import_id to imports; ix_tasks_updated_by only
over the tasks that name a user

An import writes its tasks with one `COPY`, and PostgreSQL checks a foreign key row by row: one lookup in
`imports` for every task, by a trigger, for the same import row each time. That check proves nothing an import
does not already hold by construction: the import record is written first, in the same transaction as its
tasks (a job's record is committed before its job starts), every task of the import names that record, and
an import record is never deleted alone: only with its project, whose tasks go with it (`ON DELETE CASCADE`
from projects). So the key is dropped on PostgreSQL. SQLite keeps it: its check is a cheap lookup inside the
same process, and dropping it there would rebuild the whole table.

Imported tasks leave `updated_by` empty (an import is no person's edit), so most tasks have none; the index
that serves `ON DELETE SET NULL` from users needs only the tasks that name someone.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAMED = sa.text("updated_by IS NOT NULL")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("fk_tasks_import_id_imports", "tasks", type_="foreignkey")
    op.drop_index("ix_tasks_updated_by", table_name="tasks")
    op.create_index("ix_tasks_updated_by", "tasks", ["updated_by"], postgresql_where=NAMED, sqlite_where=NAMED)


def downgrade() -> None:
    op.drop_index("ix_tasks_updated_by", table_name="tasks")
    op.create_index("ix_tasks_updated_by", "tasks", ["updated_by"])
    if op.get_bind().dialect.name == "postgresql":
        # What the key's ON DELETE SET NULL would have done to a task whose import is gone, so that it holds.
        op.execute(
            "UPDATE tasks SET import_id = NULL WHERE import_id IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM imports WHERE imports.id = tasks.import_id)"
        )
        op.create_foreign_key(
            "fk_tasks_import_id_imports", "tasks", "imports", ["import_id"], ["id"], ondelete="SET NULL"
        )
