"""Engines and sessions. SQLite gets WAL, a busy timeout and `BEGIN IMMEDIATE` for writes, so that two
writers queue instead of failing with "database is locked"; PostgreSQL uses psycopg 3."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.orm import Session, sessionmaker

from tessera.db import libpq_statements
from tessera.db.bulk import to_json
from tessera.db.raw_sql import RawStatement

SQLITE_BUSY_TIMEOUT_S = 60
# Each pooled connection has a page cache of its own, filled as it reads and kept while the connection lives: the
# pool holds up to 16, so 64 MB each could add up to a gigabyte of copies of the same pages. 16 MB keeps a data
# field's index for a deep page ordered by it (8 MB cost such a page about 10 % more CPU); the rest comes from
# the operating system's file cache. See docs/performance.md, "Server memory under 250 MB".
SQLITE_CACHE_SIZE = -16384  # negative: in kB


def normalize_url(url: str) -> str:
    """Let users write `postgresql://` or `postgres://`; we always drive PostgreSQL with psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return _postgres_engine(url, pool_size)


# A pooled PostgreSQL connection that waited in the pool longer than this is pinged before it is handed out,
# and replaced if the ping fails (the server restarted, or closed it). SQLAlchemy's `pool_pre_ping` pings on
# every checkout: one round trip per request, 0.12 M of a submit's 3.64 M instructions in the server under
# load (callgrind, 2026-11-29). A connection back in use within this time had just answered a statement.
IDLE_PING_S = 0.25


def _postgres_engine(url: str, pool_size: int) -> Engine:
    engine = create_engine(url, pool_size=pool_size, max_overflow=20)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        libpq_statements.follow_deallocations(dbapi_conn)
        libpq_statements.follow_commits(dbapi_conn)

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < IDLE_PING_S:
            return  # a new connection, or one that answered a moment ago
        try:
            ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool drops this connection and hands out a new one (it tries three times).
            raise exc.DisconnectionError(f"a pooled connection did not answer: {error}") from error

    return engine


def ping(dbapi_conn: Any) -> None:
    """One round trip on a pooled driver connection, in autocommit so that it opens no transaction: a
    connection left in one could not be switched to `AUTOCOMMIT` by its next user (the background vacuum
    after an import failed so: "can't change 'autocommit' now"), and a request's transaction would begin
    at the ping. Switching psycopg's autocommit on an idle connection sends nothing to the server."""
    autocommit = dbapi_conn.autocommit
    dbapi_conn.autocommit = True
    try:
        with dbapi_conn.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        if not dbapi_conn.closed:
            dbapi_conn.autocommit = autocommit


class _SQLiteConnection(sqlite3.Connection):
    """A DBAPI connection that lets go of its engine's write lock once its COMMIT or ROLLBACK is done.

    SQLAlchemy's `commit` and `rollback` events fire before the statement is sent: a lock released there lets
    the next writer's `BEGIN IMMEDIATE` meet this one's COMMIT still writing (and syncing) the WAL, and wait in
    SQLite's busy handler, which sleeps 1, 2, 5, 10… ms between tries."""

    write_lock: threading.Lock | None = None
    holds_write_lock = False

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.let_go()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.let_go()

    def let_go(self) -> None:
        if self.holds_write_lock and self.write_lock is not None:
            self.holds_write_lock = False
            self.write_lock.release()


_BEGIN = {"DEFERRED": "BEGIN DEFERRED", "IMMEDIATE": "BEGIN IMMEDIATE"}


def _sqlite_engine(url: str) -> Engine:
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False, "factory": _SQLiteConnection},
        # JSON stored compact and unescaped, the way the JSON export writes it: the export copies the text.
        json_serializer=to_json,
        pool_size=8,
        max_overflow=8,
    )
    # Writers in this process queue on a lock instead of SQLite's busy handler, which polls with sleeps of up
    # to 100 ms and makes concurrent submits slow. Writers in other processes still meet the busy timeout.
    write_lock = threading.Lock()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module: we issue BEGIN ourselves.
        dbapi_conn.isolation_level = None
        dbapi_conn.write_lock = write_lock
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.execute(f"PRAGMA cache_size={SQLITE_CACHE_SIZE}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A write transaction takes the write lock up front; a deferred one that later writes can fail with
        # SQLITE_BUSY at once, without waiting, when another writer got there first. The DBAPI connection
        # lets go of it after its COMMIT or ROLLBACK (`_SQLiteConnection`).
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        dbapi_conn = conn.connection.dbapi_connection
        if mode == "IMMEDIATE":
            if not write_lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_S):
                raise TimeoutError("the database stayed busy too long")
            dbapi_conn.holds_write_lock = True
        try:
            # On the driver's connection: every transaction sends it, and SQLAlchemy's own path for a statement
            # (its execution context, events and result) costs more than SQLite takes to run it.
            dbapi_conn.execute(_BEGIN[mode])
        except sqlite3.Error as error:
            dbapi_conn.let_go()
            raise exc.DBAPIError.instance(_BEGIN[mode], (), error, sqlite3.Error, dialect=conn.dialect) from error
        except BaseException:
            dbapi_conn.let_go()
            raise

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_conn: Any, _record: Any) -> None:
        # A connection going back to the pool never keeps the lock, whatever happened to its transaction (an
        # invalidated one comes back without its DBAPI connection: `_on_invalidate` let go of the lock).
        if dbapi_conn is not None:
            dbapi_conn.let_go()

    @event.listens_for(engine, "invalidate")
    def _on_invalidate(dbapi_conn: Any, _record: Any, _exc: BaseException | None) -> None:
        dbapi_conn.let_go()  # the connection is about to be closed, inside its transaction or not

    return engine


class Database:
    """An engine and the two kinds of sessions a request or job uses."""

    def __init__(self, url: str) -> None:
        self.url = normalize_url(url)
        self.engine = make_engine(self.url)
        self.is_sqlite = self.url.startswith("sqlite")
        write_engine = self.engine.execution_options(sqlite_begin="IMMEDIATE") if self.is_sqlite else self.engine
        self._read = sessionmaker(self.engine, expire_on_commit=False, autoflush=False, info={"read_only": True})
        self._write = sessionmaker(write_engine, expire_on_commit=False, autoflush=False)

    def reader(self) -> Session:
        return self._read()

    def writer(self) -> Session:
        return self._write()

    def read_first(self, statement: RawStatement, session: Session, **params: Any) -> tuple[Any, ...] | None:
        """The first row of a read that comes before a request's work (its credentials). On SQLite it runs
        in a read of its own, outside the session's transaction: a writer's session takes the one writer slot
        only for its work. Elsewhere it runs in the session's transaction, which spares the request a second
        pooled connection (and its ping)."""
        if self.is_sqlite:
            return statement.first_in_own_read(self.engine, **params)
        return statement.first(session.connection(), **params)

    def dispose(self) -> None:
        self.engine.dispose()
