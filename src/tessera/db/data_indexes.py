"""Expression indexes on `data.<key>` of tasks, made the first time a query orders by that key, so that
sorting a big project by a data field reads an index instead of sorting every row. One index per key serves
every project (it leads with `project_id`). Each write to tasks pays for the indexes that exist, so they are
made on demand, not for every field; the same goes for the counters and times the data manager sorts on."""

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


# Task columns the data manager orders by that no migration indexes (id, is_labeled and agreement have theirs).
ORDER_COLUMNS = (
    "inner_id",
    "total_annotations",
    "cancelled_annotations",
    "total_predictions",
    "created_at",
    "updated_at",
)


def ensure_data_index(engine: Engine, path: tuple[str, ...]) -> None:
    """Create the index for ordering by `data.<path>` if it does not exist yet (idempotent, safe across
    processes: `IF NOT EXISTS`). Runs in its own transaction, outside the caller's."""
    expr = DataField(column("data"), path).compile(dialect=engine.dialect)
    _ensure(engine, index_name(path), str(expr))


def ensure_column_index(engine: Engine, name: str) -> None:
    """Create the index for ordering by the task column `name` (one of `ORDER_COLUMNS`; others are ignored)."""
    if name in ORDER_COLUMNS:
        _ensure(engine, f"ix_tasks_order_{name}", name)


def _ensure(engine: Engine, name: str, expr: str) -> None:
    key = (str(engine.url), name)
    if _known.get(key):
        return
    with _lock:
        if _known.get(key):
            return
        ddl = f"CREATE INDEX IF NOT EXISTS {name} ON tasks (project_id, {expr}, id)"
        writer = engine.execution_options(sqlite_begin="IMMEDIATE") if engine.dialect.name == "sqlite" else engine
        with writer.begin() as conn:
            pg = engine.dialect.name == "postgresql"
            made = pg and conn.execute(text("SELECT to_regclass(:name)"), {"name": name}).scalar() is None
            conn.execute(text(ddl))
            if made:
                # Statistics of the new expression: without them the planner guesses, e.g. that 0.5% of the
                # rows have no value, and may scan the whole id index for rows that are not there.
                conn.execute(text("ANALYZE tasks"))
        _known[key] = True
