"""Bulk inserts that hand the driver its own values: JSON already as text, constants converted once. For
imports of many rows, where SQLAlchemy's per-value processing would cost more than the database itself."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import JSON, Column, Connection, Table

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def to_json(value: Any) -> str:
    """The stored text of a JSON column value (what the column's own serializer would write, compacted)."""
    return _ENCODER.encode(value)


def plain_json(value: Any) -> str:
    """`to_json` ten times faster, for a value that holds only 64-bit integers and finite floats (what orjson
    parsed): the same JSON, up to the spelling of some floats (`1e16` for `1e+16`)."""
    return orjson.dumps(value).decode()


def driver_value(conn: Connection, column: Column[Any], value: Any) -> Any:
    """A constant converted once the way the column's type converts it for this database."""
    process = column.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    return process(value) if process else value


def insert_many(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """INSERT `rows` (tuples in the order of `columns`) in one executemany. JSON columns take text from
    `to_json`; other values must already be what the driver accepts (see `driver_value`)."""
    if not rows:
        return
    pg = conn.dialect.name == "postgresql"
    if pg:  # COPY: several times faster than any INSERT for thousands of rows
        driver = conn.connection.dbapi_connection
        assert driver is not None
        with driver.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = []
    for name in columns:
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        if pg and isinstance(table.c[name].type.dialect_impl(conn.dialect), JSON):
            mark += "::jsonb"
        marks.append(mark)
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join(marks)})"
    conn.exec_driver_sql(sql, list(rows))
