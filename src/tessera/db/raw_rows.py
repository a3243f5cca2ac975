"""Rows straight from the driver's cursor, as plain tuples of the driver's own types (no SQLAlchemy row
processing): SQLite gives timestamps as text and booleans as 0/1. With `jsonb_bytes`, PostgreSQL's `jsonb`
columns come as the UTF-8 bytes of the server's text (`jsonb` output: a space after ":" and ","), neither
decoded into a `str` nor parsed by the driver; the export makes them compact from the bytes."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Connection, Select


@cache
def _jsonb_bytes() -> type:
    """psycopg's loader of `jsonb` in the text format, as bytes: made on the first PostgreSQL export, so that
    a SQLite server never imports psycopg (about 20 MB)."""
    from psycopg.adapt import Loader  # noqa: PLC0415 - heavy optional dependency

    class JsonbBytes(Loader):
        def load(self, data: Any) -> bytes:
            return bytes(data)

    return JsonbBytes


def fetch_rows(conn: Connection, query: Select[Any], *, jsonb_bytes: bool = False) -> list[tuple[Any, ...]]:
    """All the rows of `query` as tuples; on PostgreSQL with `jsonb_bytes`, its `jsonb` columns as bytes. The
    query runs on the connection's own transaction (the cursor is the connection's driver's)."""
    if not jsonb_bytes or conn.dialect.name != "postgresql":
        return conn.execute(query).cursor.fetchall()  # type: ignore[union-attr]
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    driver = conn.connection.dbapi_connection
    assert driver is not None
    with driver.cursor() as cursor:
        cursor.adapters.register_loader("jsonb", _jsonb_bytes())  # this cursor's only: the connection keeps its own
        cursor.execute(str(compiled), compiled.params)
        return cursor.fetchall()
