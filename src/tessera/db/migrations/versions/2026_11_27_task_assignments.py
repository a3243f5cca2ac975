"""task assignments: tasks a manager gave to named people (Label Studio Enterprise's manual distribution)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "task_assignments",
        sa.Column("id", ID, nullable=False),
        sa.Column("task_id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("type", sa.String(length=2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_task_assignments_task_id_tasks"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_task_assignments_project_id_projects"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_task_assignments_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_assignments")),
        sa.UniqueConstraint("task_id", "user_id", "type", name=op.f("uq_task_assignments_task_id_user_id_type")),
    )
    with op.batch_alter_table("task_assignments") as batch:
        batch.create_index(batch.f("ix_task_assignments_task_id"), ["task_id"], unique=False)
        batch.create_index(batch.f("ix_task_assignments_project_id"), ["project_id"], unique=False)
        batch.create_index(batch.f("ix_task_assignments_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_table("task_assignments")
