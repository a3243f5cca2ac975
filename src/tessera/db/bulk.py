"""Bulk inserts that hand the driver its own values: JSON already as text, constants converted once. For
imports of many rows, where SQLAlchemy's per-value processing would cost more than the database itself."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from contextlib import ExitStack
from typing import Any

import orjson
from sqlalchemy import JSON, Column, Connection, Table, event

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def to_json(value: Any) -> str:
    """The stored text of a JSON column value (what the column's own serializer would write, compacted)."""
    return _ENCODER.encode(value)


# Where orjson spells a float otherwise than `json`: below 1e-4 it writes `0.00001` (for `1e-05`) and a one-digit
# negative exponent unpadded (`1e-7` for `1e-07`); every other finite float is spelled alike (Python's repr).
_ORJSON_ONLY_FLOAT = re.compile(rb"0\.0000|[0-9]e-[0-9](?![0-9])")


def plain_json(value: Any) -> str:
    """`to_json` ten times faster, for a value that holds only 64-bit integers and finite floats (what orjson
    parsed): the same text. orjson writes it unless its text may hold a float that orjson spells otherwise
    (`_ORJSON_ONLY_FLOAT`, rare in other text), and then `to_json` does: SQLite keeps the text as written, and
    the export copies it, so one spelling whichever parser read the file."""
    text = orjson.dumps(value)
    if (b"0.0000" in text or b"e-" in text) and _ORJSON_ONLY_FLOAT.search(text):
        return to_json(value)
    return text.decode()


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


class RowStream:
    """`insert_many` for one table over many batches. On PostgreSQL the batches go into ONE `COPY` that stays
    open between them, its data sent by a thread (psycopg's `QueuedLibpqWriter`): the server inserts while the
    caller reads and checks the next rows, instead of the two taking turns at every batch. While it is open
    the connection can run nothing else (a statement then raises, where psycopg would wait forever): `close()`
    it first (that waits for the server and raises its errors); `abort()` it when giving up, so that the
    server refuses the whole `COPY`."""

    def __init__(self, conn: Connection, table: Table, columns: Sequence[str]) -> None:
        self.conn, self.table, self.columns = conn, table, columns
        self._open: ExitStack | None = None
        self._copy: Any = None

    def write(self, rows: Sequence[tuple[Any, ...]]) -> None:
        if self.conn.dialect.name != "postgresql":
            insert_many(self.conn, self.table, self.columns, rows)
            return
        if self._open is None:
            # psycopg is PostgreSQL's driver: a server on SQLite never loads it (about 20 MB resident).
            from psycopg.copy import QueuedLibpqWriter  # noqa: PLC0415 - heavy optional dependency

            driver = self.conn.connection.dbapi_connection
            assert driver is not None
            stack = ExitStack()
            cur = stack.enter_context(driver.cursor())
            sql = f"COPY {self.table.name} ({', '.join(self.columns)}) FROM STDIN"
            self._copy = stack.enter_context(cur.copy(sql, writer=QueuedLibpqWriter(cur)))
            event.listen(self.conn, "before_cursor_execute", _copy_in_progress)
            stack.callback(event.remove, self.conn, "before_cursor_execute", _copy_in_progress)
            self._open = stack
        write_row = self._copy.write_row
        for row in rows:
            write_row(row)

    def close(self) -> None:
        stack, self._open, self._copy = self._open, None, None
        if stack is not None:
            stack.close()

    def abort(self, exc: BaseException) -> None:
        stack, self._open, self._copy = self._open, None, None
        if stack is not None:
            try:
                stack.__exit__(type(exc), exc, exc.__traceback__)
            except Exception:  # noqa: S110 - the server's answer to the abort; `exc` is what the caller raises
                pass


def _copy_in_progress(*_args: Any) -> None:
    raise RuntimeError("a RowStream's COPY is open on this connection: close() it before running a statement")
