"""Core statements run straight on the driver's cursor, below SQLAlchemy's Connection and Session, for the few
that every request of the labeling loop sends: the lookup of its credentials and the writes of a submit.

A statement is compiled once per dialect; its values are converted by the column types as SQLAlchemy would
(SQLite's timestamps, text in the database, come back as datetimes), and a driver error is raised as
SQLAlchemy's (an `IntegrityError` is an `IntegrityError`, whichever way the statement went). Measured in
process on SQLite (2026-11-29): a token lookup took 136 µs through a Session, 72 µs through a Connection (its
`BEGIN`, its result object) and 14 µs this way; a statement of a submit's transaction about 30 µs less than
through its Connection. SQLAlchemy's statement events do not see these statements: `watch` does, for benches
and tests that count what a request sends.

`first_in_own_read` reads on a pooled driver connection of its own: in autocommit on SQLite
(`engine._on_connect` takes transaction control away from the sqlite3 module); on PostgreSQL the driver's
implicit transaction is rolled back by the pool when the connection goes back. `first` runs inside a
Connection's transaction, on its driver connection. On PostgreSQL the statement goes to libpq directly
(`libpq_statements`) when the connection allows it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, exc
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import manager_of_class
from sqlalchemy.sql.expression import ReturnsRows, UpdateBase

from tessera.db import libpq_statements

Mapped = TypeVar("Mapped")

_watchers: list[Callable[[str], None]] = []


def watch(watcher: Callable[[str], None]) -> Callable[[], None]:
    """Call `watcher` with the SQL of every RawStatement run from now on, in any thread; returns what stops it."""
    _watchers.append(watcher)
    return lambda: _watchers.remove(watcher)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...] | None  # the order of positional parameters; None for named ones
    defaults: dict[str, Any]  # the values written into the statement (`column == "legacy"`)
    binds: dict[str, Callable[[Any], Any]]  # parameter name → the type's conversion, where it has one
    results: tuple[Callable[[Any], Any] | None, ...]
    libpq: libpq_statements.Prepared | None  # PostgreSQL's form of it, for `libpq_statements.first_row`


class RawStatement:
    """A statement that gives at most one row, e.g. `RawStatement(select(...).where(c.key == bindparam("key")))`
    or an INSERT, UPDATE or DELETE, with or without RETURNING. Parameters go by their bind names."""

    def __init__(self, statement: ReturnsRows | UpdateBase) -> None:
        self.statement = statement
        self._by_dialect: dict[str, _Compiled] = {}

    def first(self, conn: Connection, **params: Any) -> tuple[Any, ...] | None:
        """Run in `conn`'s transaction (begun here if it is not yet); the first row, or None."""
        if not conn.in_transaction():
            conn.begin()
        driver = conn.connection.dbapi_connection
        assert driver is not None
        try:
            return self._run(conn.engine, driver, params)
        except exc.DBAPIError as error:
            if error.connection_invalidated:
                conn.invalidate(error)  # as SQLAlchemy does for its own statements: the pool replaces it
            raise

    def on_commit(self, conn: Connection, **params: Any) -> None:
        """Run it in `conn`'s transaction as the last statement before its COMMIT, on PostgreSQL in the
        COMMIT's own round trip (`libpq_statements.send_with_commit`; integers, finite floats and None only);
        elsewhere now. A statement that gives no row and whose effect nothing in the transaction reads after
        it: an UPDATE of a row every writer of a project updates, locked then only while the COMMIT runs, or a
        write the request need not wait for."""
        if conn.in_transaction():
            compiled = self._by_dialect.get(conn.engine.dialect.name) or self._compile(conn.engine)
            if compiled.libpq is not None:
                sql = libpq_statements.literal(compiled.sql, {**compiled.defaults, **params})
                if libpq_statements.send_with_commit(conn.connection.dbapi_connection, sql):
                    for watcher in _watchers:
                        watcher(compiled.sql)
                    return
        self.first(conn, **params)

    def first_in_own_read(self, engine: Engine, **params: Any) -> tuple[Any, ...] | None:
        """Run on a pooled driver connection of its own, outside any transaction of the caller's."""
        pooled = engine.raw_connection()
        try:
            return self._run(engine, pooled.driver_connection, params)
        except exc.DBAPIError as error:
            if error.connection_invalidated:
                pooled.invalidate(error)
            raise
        finally:
            pooled.close()  # back to the pool, which ends the driver's transaction, if any

    def _run(self, engine: Engine, driver: Any, params: dict[str, Any]) -> tuple[Any, ...] | None:
        compiled = self._by_dialect.get(engine.dialect.name) or self._compile(engine)
        values = {**compiled.defaults, **params}
        for name, convert in compiled.binds.items():
            values[name] = convert(values[name])
        args: Any = values if compiled.names is None else [values[name] for name in compiled.names]
        for watcher in _watchers:
            watcher(compiled.sql)
        try:
            opening = libpq_statements.opening(driver) if compiled.libpq is not None else None
            if opening is not None and opening is not libpq_statements.Opening.CURSOR:
                row = libpq_statements.first_row(driver, compiled.libpq, values, opening)
            else:
                row = _first_row_by_cursor(driver, compiled.sql, args)
        except engine.dialect.loaded_dbapi.Error as error:
            lost = engine.dialect.is_disconnect(error, driver, None)  # the server closed it, or went away
            raise exc.DBAPIError.instance(
                compiled.sql,
                args,
                error,
                engine.dialect.loaded_dbapi.Error,
                dialect=engine.dialect,
                connection_invalidated=lost,
            ) from error
        if row is None:
            return None
        return tuple(v if f is None or v is None else f(v) for f, v in zip(compiled.results, row, strict=True))

    def _compile(self, engine: Engine) -> _Compiled:
        dialect = engine.dialect
        compiled = self.statement.compile(dialect=dialect)
        binds = {}
        for name, bind in compiled.binds.items():
            convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if convert is not None:
                binds[name] = convert
        defaults = {name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required}
        columns = self.statement.exported_columns  # a SELECT's columns, or what an INSERT… RETURNING gives
        results = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns)
        positional = compiled.positiontup
        libpq = libpq_statements.prepared(compiled.string) if dialect.name == "postgresql" else None
        found = _Compiled(compiled.string, tuple(positional) if positional else None, defaults, binds, results, libpq)
        self._by_dialect[dialect.name] = found
        return found


def _first_row_by_cursor(driver: Any, sql: str, args: Any) -> Any:
    cursor = driver.cursor()
    try:
        cursor.execute(sql, args)
        return cursor.fetchone() if cursor.description else None
    finally:
        cursor.close()


def as_loaded(cls: type[Mapped], values: dict[str, Any]) -> Mapped:
    """An ORM object of `cls` holding `values` (its primary key among them) as if the session had loaded it
    from its row: the values go into the instance's dictionary, as SQLAlchemy's own loading puts them, without
    the attribute events of the constructor (11 µs against 52 µs for an annotation). For a row just written by
    a RawStatement; `Session.add` then attaches it without writing anything."""
    obj = manager_of_class(cls).new_instance()
    obj.__dict__.update(values)
    make_transient_to_detached(obj)
    return obj
