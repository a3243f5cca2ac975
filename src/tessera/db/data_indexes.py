"""Expression indexes on `data.<key>` of tasks, made the first time a query orders by that key, so that
sorting a big project by a data field reads an index instead of sorting every row. One index per key serves
every project (it leads with `project_id`). Each write to tasks pays for the indexes that exist, so they are
made on demand, not for every field."""

from __future__ import annotations

import hashlib
import threading

from sqlalchemy import Engine, column, text

from tessera.db.expressions import DataField

_known: dict[tuple[str, str], bool] = {}
_lock = threading.Lock()


def index_name(path: tuple[str, ...]) -> str:
    digest = hashlib.sha1(".".join(path).encode()).hexdigest()[:12]
    return f"ix_tasks_data_{digest}"


def ensure_data_index(engine: Engine, path: tuple[str, ...]) -> None:
    """Create the index for ordering by `data.<path>` if it does not exist yet (idempotent, safe across
    processes: `IF NOT EXISTS`). Runs in its own transaction, outside the caller's."""
    name = index_name(path)
    key = (str(engine.url), name)
    if _known.get(key):
        return
    with _lock:
        if _known.get(key):
            return
        expr = DataField(column("data"), path).compile(dialect=engine.dialect)
        ddl = f"CREATE INDEX IF NOT EXISTS {name} ON tasks (project_id, {expr}, id)"
        writer = engine.execution_options(sqlite_begin="IMMEDIATE") if engine.dialect.name == "sqlite" else engine
        with writer.begin() as conn:
            conn.execute(text(ddl))
        _known[key] = True
