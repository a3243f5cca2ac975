"""The migrations against the model: the migrated tables are what `tables.py` describes, on SQLite and on
PostgreSQL, and the latest migrations go down and up again."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, inspect, text

from tessera.db.engine import Database
from tessera.db.migrate import alembic_config, current_revision, upgrade_database
from tessera.db.tables import Annotation, Base, Project, Task, on_this_database


def differences(db: Database) -> list[Any]:
    with db.engine.connect() as conn:
        options = {"compare_type": True, "include_object": on_this_database(conn.dialect.name)}
        return compare_metadata(MigrationContext.configure(conn, opts=options), Base.metadata)


def updated_by_index(db: Database) -> dict[str, Any]:
    (index,) = [i for i in inspect(db.engine).get_indexes("tasks") if i["name"] == "ix_tasks_updated_by"]
    return index


def keys_to(db: Database, table: str) -> list[str]:
    return [k["name"] for k in inspect(db.engine).get_foreign_keys("tasks") if k["referred_table"] == table]


def test_the_migrated_tables_are_the_model(db: Database) -> None:
    assert differences(db) == []


def test_tasks_keep_their_keys_to_imports_and_projects_on_sqlite_alone(db: Database) -> None:
    """PostgreSQL would check them row by row on every import's COPY (migrations 0011 and 0012)."""
    sqlite = db.engine.dialect.name == "sqlite"
    assert keys_to(db, "imports") == (["fk_tasks_import_id_imports"] if sqlite else [])
    assert keys_to(db, "projects") == (["fk_tasks_project_id_projects"] if sqlite else [])
    where = updated_by_index(db)["dialect_options"][f"{db.engine.dialect.name}_where"]
    assert "updated_by is not null" in str(where).lower()


def totals_index(db: Database) -> bool:
    return "ix_tasks_project_id_totals" in {i["name"] for i in inspect(db.engine).get_indexes("tasks")}


def rows(db: Database) -> tuple[int, int]:
    """(tasks, annotations)"""
    with db.engine.connect() as conn:
        count = lambda table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: E731
        return count("tasks"), count("annotations")


def task_columns(db: Database, table: str = "tasks") -> list[str]:
    return [c["name"] for c in inspect(db.engine).get_columns(table)]


def data_text_triggers(db: Database) -> list[str]:
    if db.engine.dialect.name != "postgresql":
        return []
    with db.engine.connect() as conn:
        query = "SELECT tgname FROM pg_trigger WHERE tgrelid = 'tasks'::regclass AND NOT tgisinternal"
        return conn.execute(text(query)).scalars().all()


def test_the_latest_migrations_go_down_and_up_again(db: Database) -> None:
    """0015 down drops SQLite's index of the task totals; 0014 down the projects' `tasks_version`; 0013 down the kept
    text of `data` and, on PostgreSQL, its trigger; 0012 down gives tasks their key to projects back, first deleting
    what its ON DELETE CASCADE would have deleted (a task whose project is gone, possible on PostgreSQL only); 0011
    down, the key to imports."""
    sqlite = db.engine.dialect.name == "sqlite"
    with db.engine.begin() as conn:
        project = conn.execute(insert(Project.__table__).values(title="p")).inserted_primary_key[0]
        for owner in [project] if sqlite else [project, project + 1000]:
            conn.execute(insert(Task.__table__).values(project_id=owner, inner_id=1, data={}, data_text="{}"))
        task = conn.execute(text("SELECT min(id) FROM tasks")).scalar_one()
        conn.execute(insert(Annotation.__table__).values(task_id=task, project_id=project, result=[]))
    assert data_text_triggers(db) == ([] if sqlite else ["tasks_forget_data_text"])
    assert totals_index(db) == sqlite
    command.downgrade(alembic_config(db.engine), "0014")
    assert not totals_index(db)
    command.downgrade(alembic_config(db.engine), "0013")
    assert "tasks_version" not in task_columns(db, "projects")
    assert rows(db) == (1 if sqlite else 2, 1)  # SQLite's copy of a table in batch mode took these with it
    command.downgrade(alembic_config(db.engine), "0012")
    assert "data_text" not in task_columns(db)
    assert rows(db) == (1 if sqlite else 2, 1)
    assert data_text_triggers(db) == []
    command.downgrade(alembic_config(db.engine), "0011")
    assert keys_to(db, "projects") == ["fk_tasks_project_id_projects"]
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT project_id FROM tasks")).scalars().all() == [project]
    command.downgrade(alembic_config(db.engine), "0010")
    assert current_revision(db.engine) == "0010"
    assert keys_to(db, "imports") == ["fk_tasks_import_id_imports"]
    assert "sqlite_where" not in updated_by_index(db)["dialect_options"]
    assert "postgresql_where" not in updated_by_index(db)["dialect_options"]
    upgrade_database(db.engine)
    assert current_revision(db.engine) == "0015"
    assert differences(db) == []
    assert "data_text" in task_columns(db) and "tasks_version" in task_columns(db, "projects")
    assert data_text_triggers(db) == ([] if sqlite else ["tasks_forget_data_text"])


def test_every_migration_goes_down_keeping_the_rows_it_does_not_drop(db: Database) -> None:
    """Down to the first migration, one at a time: the projects, tasks and annotations stay (SQLite's batch
    copy of a table, whose old table is dropped, took every row with an ON DELETE CASCADE key to it along:
    0008's and 0007's of tasks took the annotations); then up again to the model."""
    with db.engine.begin() as conn:
        project = conn.execute(insert(Project.__table__).values(title="p")).inserted_primary_key[0]
        task = conn.execute(insert(Task.__table__).values(project_id=project, inner_id=1, data={}))
        conn.execute(
            insert(Annotation.__table__).values(task_id=task.inserted_primary_key[0], project_id=project, result=[])
        )
    head = int(current_revision(db.engine) or 0)
    for revision in range(head - 1, 0, -1):
        command.downgrade(alembic_config(db.engine), f"{revision:04d}")
        assert rows(db) == (1, 1), revision
    upgrade_database(db.engine)
    assert differences(db) == []
    assert rows(db) == (1, 1)
