"""PostgreSQL's `COPY … FROM STDIN` in binary for `db.bulk`: each value is sent as the server stores it, so
the server parses no integer, boolean or timestamp text (JSONB is still parsed from its text). Imported
only on PostgreSQL: a server on SQLite never loads psycopg."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from psycopg import Cursor, postgres
from psycopg.adapt import Dumper
from psycopg.copy import Copy, QueuedLibpqWriter
from psycopg.pq import Format
from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Dialect, Float, Integer, String, Table
from sqlalchemy.dialects.postgresql import JSONB


class _JsonbText(Dumper):
    """JSON text written already (`bulk.to_json`, `bulk.plain_json`) as binary JSONB: a version byte, then
    the text."""

    format = Format.BINARY
    oid = postgres.types["jsonb"].oid

    def dump(self, obj: Any) -> bytes:
        return b"\x01" + obj.encode()


class _JsonText(Dumper):
    """JSON text written already as binary JSON: the text itself."""

    format = Format.BINARY
    oid = postgres.types["json"].oid

    def dump(self, obj: Any) -> bytes:
        return obj.encode()


def copy_type(column_type: Any, dialect: Dialect) -> str:
    """PostgreSQL's name of the type whose binary form the server expects for a column of `column_type`."""
    impl = column_type.dialect_impl(dialect)
    for kind, name in (
        (JSONB, "jsonb"),
        (JSON, "json"),
        (BigInteger, "int8"),
        (Integer, "int4"),
        (Boolean, "bool"),
        (Float, "float8"),
        (String, "text"),  # and Text: varchar and text take the same bytes
    ):
        if isinstance(impl, kind):
            return name
    if isinstance(impl, DateTime):
        return "timestamptz" if impl.timezone else "timestamp"
    raise TypeError(f"no binary COPY for a column of type {impl!r}")


@contextmanager
def binary_copy(
    cur: Cursor[Any], table: Table, columns: Sequence[str], dialect: Dialect, *, queued: bool = False
) -> Iterator[Copy]:
    """A binary `COPY table (columns) FROM STDIN` on `cur`, a cursor of its own (its JSON dumpers change);
    `write_row` takes what `bulk.insert_many` takes. `queued`: the data is sent by a thread while the caller
    makes the next rows (psycopg's `QueuedLibpqWriter`). An exception inside aborts the COPY."""
    types = [copy_type(table.c[name].type, dialect) for name in columns]
    cur.adapters.register_dumper(None, _JsonbText)  # None: only for the columns typed below, not for any str
    cur.adapters.register_dumper(None, _JsonText)
    sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
    with cur.copy(sql, writer=QueuedLibpqWriter(cur) if queued else None) as copy:
        copy.set_types(types)
        yield copy
