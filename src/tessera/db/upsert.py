"""INSERT … ON CONFLICT DO UPDATE, which SQLite and PostgreSQL both have, each in its own dialect's construct."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def upsert(
    session: Session, table: Table, values: dict[str, Any], keys: tuple[str, ...], update: tuple[str, ...]
) -> None:
    """Insert the row, or, when one with the same `keys` (a unique constraint) exists, set its `update` columns."""
    session.execute(_statement(session.get_bind().dialect.name, table, keys, update), values)


@cache
def _statement(dialect_name: str, table: Table, keys: tuple[str, ...], update: tuple[str, ...]) -> Any:
    """Built once (its cache key with it); the values go in as parameters."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    return stmt.on_conflict_do_update(index_elements=list(keys), set_={c: stmt.excluded[c] for c in update})
