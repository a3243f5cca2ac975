"""PostgreSQL's pooled connections are pinged only after waiting in the pool (`engine.IDLE_PING_S`), and one
the server closed meanwhile is replaced before a request gets it."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text

from tessera.db import engine as engine_module
from tessera.db.engine import IDLE_PING_S, Database


@pytest.fixture
def pg(database_url: str) -> Database:
    if not database_url.startswith("postgresql"):
        pytest.skip("the pool's ping is PostgreSQL's (SQLite connections are files)")
    return Database(database_url)


def _terminate_backends(db: Database) -> int:
    """Close, from the server's side, every other connection to the test database."""
    admin = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        closed = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    admin.dispose()
    return int(closed)


def test_a_connection_the_server_closed_is_replaced_after_waiting(pg: Database) -> None:
    with pg.reader() as session:
        first = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    assert _terminate_backends(pg) >= 1
    time.sleep(IDLE_PING_S + 0.05)
    with pg.reader() as session:  # the ping finds the closed connection: a new one answers
        assert session.execute(text("SELECT pg_backend_pid()")).scalar_one() != first
    pg.dispose()


def test_a_connection_back_in_use_at_once_is_not_pinged(pg: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    pings: list[object] = []
    real_ping = engine_module.ping
    monkeypatch.setattr(engine_module, "ping", lambda conn: (pings.append(conn), real_ping(conn)))
    for _ in range(5):
        with pg.reader() as session:
            session.execute(text("SELECT 1")).scalar_one()
    assert pings == []  # the first was new, the others had just been given back
    time.sleep(IDLE_PING_S + 0.05)
    with pg.reader() as session:
        session.execute(text("SELECT 1")).scalar_one()
    assert len(pings) == 1
    pg.dispose()


def test_a_pinged_connection_can_be_taken_for_autocommit(pg: Database) -> None:
    """The ping opens no transaction: the background vacuum after an import takes a pooled connection for
    `AUTOCOMMIT`, which psycopg refuses on a connection in a transaction (it failed so until 2026-11-29, when
    the connection had waited long enough in the pool to be pinged)."""
    with pg.reader() as session:
        session.execute(text("SELECT 1")).scalar_one()
    time.sleep(IDLE_PING_S + 0.05)
    with pg.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM (ANALYZE) tasks")
    with pg.reader() as session:  # and back in the pool, it is an ordinary connection again
        session.execute(text("SELECT 1")).scalar_one()
    pg.dispose()
