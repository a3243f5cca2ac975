"""Apply Alembic migrations from code: `tessera start` and `tessera db upgrade` call `upgrade_database`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(slug)s")
    cfg.attributes["engine"] = engine
    return cfg


def on_this_database(dialect: str) -> Callable[[Any, str | None, str, bool, Any], bool]:
    """Alembic's `include_object` for a database of `dialect`: leave out of a comparison of the tables with
    the model what the model creates on other databases only (`.ddl_if(dialect=...)`: the key from tasks to
    imports is SQLite's alone, see migration 0011), which this database lacks on purpose."""

    def include(obj: Any, _name: str | None, _type: str, _reflected: bool, _compare_to: Any) -> bool:
        rule = getattr(obj, "_ddl_if", None)  # set by `ddl_if`; SQLAlchemy has no public reader for it
        if rule is None or rule.dialect is None:
            return True
        return dialect in ([rule.dialect] if isinstance(rule.dialect, str) else rule.dialect)

    return include


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Several app processes may start at once: one migrates, the others wait for it.
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7341001)")
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
