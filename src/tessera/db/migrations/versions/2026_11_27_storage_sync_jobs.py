"""storage sync jobs: a source storage's sync runs as a job; the storage names its last sync job and keeps
what Label Studio shows in `meta` about its last sync (times, duration, counts)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("source_storages") as batch:
        batch.add_column(sa.Column("last_sync_job_id", ID, nullable=True))
        batch.add_column(sa.Column("sync_meta", JSON, nullable=False, server_default="{}"))
        batch.create_foreign_key(
            batch.f("fk_source_storages_last_sync_job_id_jobs"),
            "jobs",
            ["last_sync_job_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(batch.f("ix_source_storages_last_sync_job_id"), ["last_sync_job_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("source_storages") as batch:
        batch.drop_index(batch.f("ix_source_storages_last_sync_job_id"))
        batch.drop_constraint(batch.f("fk_source_storages_last_sync_job_id_jobs"), type_="foreignkey")
        batch.drop_column("sync_meta")
        batch.drop_column("last_sync_job_id")
