"""Writers in one process queue on the engine's lock for their whole transaction, COMMIT included, so none
meets another's COMMIT in SQLite's busy handler (which sleeps between tries)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import event, text

from tessera.db.engine import Database


def test_concurrent_writers_never_meet_a_commit_in_progress(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'writers.db'}")

    @event.listens_for(db.engine, "connect")
    def _no_waiting(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        # No busy handler: a BEGIN IMMEDIATE that meets another writer fails at once with "database is locked".
        dbapi_conn.execute("PRAGMA busy_timeout=0")

    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT)"))

    def write(i: int) -> None:
        try:
            with db.writer() as session:
                session.execute(text("INSERT INTO t (x) VALUES (:x)"), {"x": f"row {i}" * 20})
                if i % 7 == 0:
                    session.rollback()
                elif i % 11 == 0:
                    raise ValueError("a request that fails half-way")  # the session closes without a commit
                else:
                    session.commit()
        except ValueError:
            pass

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(800)))
    kept = [i for i in range(800) if i % 7 and i % 11]
    with db.reader() as session:
        assert session.execute(text("SELECT count(*) FROM t")).scalar() == len(kept)
    db.dispose()


def test_a_writer_whose_connection_is_invalidated_lets_go_of_the_lock(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'writers.db'}")
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
    with db.writer() as session:
        session.execute(text("INSERT INTO t DEFAULT VALUES"))
        session.connection().invalidate()  # as on a lost connection: the pool closes it and gets a new one
    done = []

    def write() -> None:
        with db.writer() as session:
            session.execute(text("INSERT INTO t DEFAULT VALUES"))
            session.commit()
        done.append(True)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    thread.join(10)  # the lock waits 60 s before it gives up: still held, the writer would not be done
    assert done == [True]
    db.dispose()
