"""Bulk inserts that hand the driver its own values: JSON already as text, constants converted once. For
imports of many rows, where SQLAlchemy's per-value processing would cost more than the database itself."""

from __future__ import annotations

import json
import queue
import re
import threading
from collections.abc import Sequence
from contextlib import ExitStack
from typing import Any

import orjson
from sqlalchemy import Column, Connection, Table, event

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
    if conn.dialect.name == "postgresql":  # COPY: several times faster than any INSERT for thousands of rows
        # psycopg is PostgreSQL's driver: a server on SQLite never loads it (about 20 MB resident).
        from tessera.db.pg_copy import binary_copy  # noqa: PLC0415 - heavy optional dependency

        driver = conn.connection.dbapi_connection
        assert driver is not None
        with driver.cursor() as cur, binary_copy(cur, table, columns, conn.dialect) as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)  # SQLite's: PostgreSQL copied above
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
    conn.exec_driver_sql(sql, list(rows))


class RowStream:
    """`insert_many` for one table over many batches, sent while the caller reads and checks the next rows
    instead of the two taking turns at every batch. On PostgreSQL the batches go into ONE `COPY` that stays
    open between them, its data sent by a thread (psycopg's `QueuedLibpqWriter`). On SQLite a thread runs
    each batch's `executemany` (the sqlite3 module lets go of the GIL while SQLite inserts), one batch at a
    time in order, inside the caller's transaction. While a stream is open the connection can run nothing
    else (a statement then raises, where it would wait forever or race the thread): `close()` it first (that
    waits for the last batch and raises its error); `abort()` it when giving up, so that nothing more is
    inserted (the caller rolls back)."""

    def __init__(self, conn: Connection, table: Table, columns: Sequence[str]) -> None:
        self.conn, self.table, self.columns = conn, table, columns
        self._open: ExitStack | None = None
        self._copy: Any = None
        self._batches: queue.Queue[Sequence[tuple[Any, ...]] | None] | None = None
        self._failed: list[BaseException] = []

    def write(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Send `rows`; the caller must not change the list afterwards."""
        if not rows:
            return
        if self._open is None:
            self._start()
        if self._batches is not None:
            if self._failed:
                self.close()  # raises the thread's error
            self._batches.put(rows)
            return
        write_row = self._copy.write_row
        for row in rows:
            write_row(row)

    def _start(self) -> None:
        driver = self.conn.connection.dbapi_connection
        assert driver is not None
        stack = ExitStack()
        if self.conn.dialect.name == "postgresql":
            # psycopg is PostgreSQL's driver: a server on SQLite never loads it (about 20 MB resident).
            from tessera.db.pg_copy import binary_copy  # noqa: PLC0415 - heavy optional dependency

            cur = stack.enter_context(driver.cursor())
            copy = binary_copy(cur, self.table, self.columns, self.conn.dialect, queued=True)
            self._copy = stack.enter_context(copy)
        else:
            marks = ", ".join("?" for _ in self.columns)
            sql = f"INSERT INTO {self.table.name} ({', '.join(self.columns)}) VALUES ({marks})"
            batches: queue.Queue[Sequence[tuple[Any, ...]] | None] = queue.Queue(maxsize=2)
            thread = threading.Thread(
                target=_insert_batches, args=(driver, sql, batches, self._failed), name="row-stream", daemon=True
            )
            thread.start()
            self._batches = batches
            stack.callback(thread.join)
            stack.callback(batches.put, None)  # callbacks run last first: the end mark, then the join
        event.listen(self.conn, "before_cursor_execute", _copy_in_progress)
        stack.callback(event.remove, self.conn, "before_cursor_execute", _copy_in_progress)
        self._open = stack

    def close(self) -> None:
        stack, self._open, self._copy, self._batches = self._open, None, None, None
        if stack is not None:
            stack.close()
        if self._failed:
            raise self._failed.pop()

    def abort(self, exc: BaseException) -> None:
        stack, self._open, self._copy = self._open, None, None
        if self._batches is not None:
            self._failed.append(exc)  # the thread skips what is still queued
        self._batches = None
        if stack is not None:
            try:
                stack.__exit__(type(exc), exc, exc.__traceback__)
            except Exception:  # noqa: S110 - the server's answer to the abort; `exc` is what the caller raises
                pass
        self._failed.clear()


def _insert_batches(
    driver: Any, sql: str, batches: queue.Queue[Sequence[tuple[Any, ...]] | None], failed: list[BaseException]
) -> None:
    """A `RowStream`'s thread on SQLite: each batch in one `executemany`, until the end mark. After an error
    it only empties the queue, so that the caller never waits on a full one."""
    cur = driver.cursor()
    try:
        while (rows := batches.get()) is not None:
            if not failed:
                try:
                    cur.executemany(sql, rows)
                except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread, raised there
                    failed.append(exc)
    finally:
        cur.close()


def _copy_in_progress(*_args: Any) -> None:
    raise RuntimeError("a RowStream's COPY is open on this connection: close() it before running a statement")
