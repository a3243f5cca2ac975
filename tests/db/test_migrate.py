"""The migrations against the model: the migrated tables are what `tables.py` describes, on SQLite and on
PostgreSQL, and the latest migration goes down and up again."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from tessera.db.engine import Database
from tessera.db.migrate import alembic_config, current_revision, upgrade_database
from tessera.db.tables import Base, on_this_database


def differences(db: Database) -> list[Any]:
    with db.engine.connect() as conn:
        options = {"compare_type": True, "include_object": on_this_database(conn.dialect.name)}
        return compare_metadata(MigrationContext.configure(conn, opts=options), Base.metadata)


def updated_by_index(db: Database) -> dict[str, Any]:
    (index,) = [i for i in inspect(db.engine).get_indexes("tasks") if i["name"] == "ix_tasks_updated_by"]
    return index


def keys_to_imports(db: Database) -> list[str]:
    return [k["name"] for k in inspect(db.engine).get_foreign_keys("tasks") if k["referred_table"] == "imports"]


def test_the_migrated_tables_are_the_model(db: Database) -> None:
    assert differences(db) == []


def test_tasks_keep_their_key_to_imports_on_sqlite_alone(db: Database) -> None:
    """PostgreSQL would check it row by row on every import's COPY (migration 0011)."""
    sqlite = db.engine.dialect.name == "sqlite"
    assert keys_to_imports(db) == (["fk_tasks_import_id_imports"] if sqlite else [])
    where = updated_by_index(db)["dialect_options"][f"{db.engine.dialect.name}_where"]
    assert "updated_by is not null" in str(where).lower()


def test_the_latest_migration_goes_down_and_up_again(db: Database) -> None:
    command.downgrade(alembic_config(db.engine), "0010")
    assert current_revision(db.engine) == "0010"
    assert keys_to_imports(db) == ["fk_tasks_import_id_imports"]
    assert "sqlite_where" not in updated_by_index(db)["dialect_options"]
    assert "postgresql_where" not in updated_by_index(db)["dialect_options"]
    upgrade_database(db.engine)
    assert current_revision(db.engine) == "0011"
    assert differences(db) == []
