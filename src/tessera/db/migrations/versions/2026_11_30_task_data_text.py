"""task data text: on PostgreSQL, each imported task's `data` kept beside it as the text the import wrote

An export of a million tasks spent most of the server's time turning `jsonb` back into text: escaping every
string of `data` again, about 4 s of a backend's CPU for 1.45 GB of text, while the import had that text in
hand. `tasks.data_text` keeps it (`text`, stored uncompressed: `EXTERNAL`), and the export copies it. A
trigger forgets it whenever `data` is updated, whatever updates it, so it never shows data that was replaced;
the export then makes the text from `jsonb` as before. On SQLite the column stays empty: `data` is that text.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("tasks", sa.Column("data_text", sa.Text(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE tasks ALTER COLUMN data_text SET STORAGE EXTERNAL")
        op.execute(
            "CREATE FUNCTION tasks_forget_data_text() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN NEW.data_text := NULL; RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER tasks_forget_data_text BEFORE UPDATE OF data ON tasks "
            "FOR EACH ROW EXECUTE FUNCTION tasks_forget_data_text()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER tasks_forget_data_text ON tasks")
        op.execute("DROP FUNCTION tasks_forget_data_text()")
    # Not Alembic's batch mode, which on SQLite copies the table and drops the old one: with foreign keys on,
    # that drop deleted every annotation and prediction (their key's ON DELETE CASCADE). SQLite drops a
    # column in place since 3.35.
    op.execute("ALTER TABLE tasks DROP COLUMN data_text")
