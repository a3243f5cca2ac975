"""RawStatements on PostgreSQL go to libpq directly (`db.libpq_statements`): the same values as a cursor gives,
in the same transaction, with the same errors, and prepared statements that outlive a rollback."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    MetaData,
    String,
    Table,
    bindparam,
    exc,
    func,
    insert,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from tessera.db import libpq_statements
from tessera.db.engine import Database
from tessera.db.raw_sql import RawStatement

_meta = MetaData()
_things = Table(
    "zz_things",
    _meta,
    Column("id", BigInteger, primary_key=True),
    Column("name", String(50), unique=True),
    Column("at", DateTime(timezone=True)),
    Column("flag", Boolean),
    Column("doc", JSONB),
    Column("score", Float),
)
_T = _things.c
_INSERT = RawStatement(
    insert(_things)
    .values(name=bindparam("name"), at=bindparam("at"), flag=bindparam("flag"), doc=bindparam("doc"))
    .returning(_T.id, _T.name, _T.at, _T.flag, _T.doc)
)
_BY_NAME = RawStatement(select(_T.id, _T.name, _T.at, _T.flag, _T.doc).where(_T.name == bindparam("name")))
_PERCENT = RawStatement(select(literal_column("'50%'"), _T.id).where(_T.name == bindparam("name")))
AT = dt.datetime(2026, 11, 29, 18, 30, 0, 123456, tzinfo=dt.UTC)


@pytest.fixture
def pg(db: Database) -> Database:
    if not db.engine.dialect.name == "postgresql":
        pytest.skip("libpq is PostgreSQL's")
    _meta.create_all(db.engine)
    return db


def _prepared_on(conn: object) -> set[bytes]:
    state = libpq_statements._states.get(conn.connection.dbapi_connection)  # type: ignore[attr-defined]
    return state.prepared if state else set()


def test_a_row_is_what_a_cursor_gives(pg: Database) -> None:
    with pg.engine.begin() as conn:
        inserted = _INSERT.first(conn, name="a", at=AT, flag=True, doc={"k": [1, "é", None], "f": 1.5})
        assert _INSERT._by_dialect["postgresql"].libpq.name in _prepared_on(conn)  # type: ignore[union-attr]
        by_cursor = conn.execute(select(_T.id, _T.name, _T.at, _T.flag, _T.doc).where(_T.name == "a")).one()
    assert inserted == tuple(by_cursor)
    assert inserted[1:] == ("a", AT, True, {"k": [1, "é", None], "f": 1.5})
    with pg.engine.begin() as conn:
        assert _BY_NAME.first(conn, name="a") == inserted
        assert _BY_NAME.first(conn, name="nobody") is None
        assert _PERCENT.first(conn, name="a") == ("50%", inserted[0])
        assert _INSERT.first(conn, name="b", at=None, flag=None, doc=None)[1:] == ("b", None, None, None)  # type: ignore[index]


@pytest.mark.parametrize("pipelines", [True, False], ids=["pipeline", "libpq before 14"])
def test_the_first_statement_begins_the_transaction(pg: Database, pipelines: bool) -> None:
    """A statement on an idle connection opens the transaction the driver would: a rollback undoes it. With
    a libpq older than 14 (no pipeline mode) `BEGIN` and the PREPARE go first, each on its own."""
    with pg.engine.connect() as conn:
        libpq_statements._state(conn.connection.dbapi_connection).pipelines = pipelines
        conn.begin()
        _INSERT.first(conn, name="undone", at=AT, flag=False, doc=[])
        assert _INSERT._by_dialect["postgresql"].libpq.name in _prepared_on(conn)  # type: ignore[union-attr]
        conn.rollback()
        conn.begin()
        assert _BY_NAME.first(conn, name="undone") is None
        _INSERT.first(conn, name="kept", at=AT, flag=False, doc=[])
        conn.commit()
    with pg.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM zz_things WHERE name = 'kept'")).scalar_one() == 1


def test_prepared_statements_outlive_rollbacks(pg: Database) -> None:
    """psycopg sent DEALLOCATE ALL after a rollback while it held prepared statements of its own, which took
    these away in the middle of a connection's life (a 500 after 210 submits, 2026-11-29)."""
    with pg.engine.connect() as conn:
        for round_ in range(8):
            conn.begin()
            for _ in range(6):  # more than psycopg's threshold for preparing a statement of its own
                conn.execute(select(_T.id).where(_T.name == "x")).all()
            assert _BY_NAME.first(conn, name="x") is None
            conn.execute(text("SAVEPOINT s"))
            conn.execute(text("ROLLBACK TO SAVEPOINT s"))
            assert _BY_NAME.first(conn, name=f"y{round_}") is None
            conn.rollback()


def test_a_unique_violation_is_an_integrity_error_and_the_connection_goes_on(pg: Database) -> None:
    with pg.engine.connect() as conn:
        conn.begin()
        _INSERT.first(conn, name="twice", at=AT, flag=True, doc={})
        conn.commit()
        conn.begin()
        with pytest.raises(exc.IntegrityError):
            _INSERT.first(conn, name="twice", at=AT, flag=True, doc={})
        conn.rollback()
        conn.begin()
        assert _BY_NAME.first(conn, name="twice") is not None
        conn.commit()


def test_a_statement_gone_unseen_fails_once_and_is_prepared_again(pg: Database) -> None:
    """A DEALLOCATE that psycopg does not see (here sent to libpq behind its back) fails the statement that
    meets it, and the next use prepares it again."""
    with pg.engine.connect() as conn:
        conn.begin()
        assert _BY_NAME.first(conn, name="x") is None
        conn.connection.dbapi_connection.pgconn.exec_(b"DEALLOCATE ALL")  # type: ignore[union-attr]
        with pytest.raises(exc.ProgrammingError, match="does not exist"):
            _BY_NAME.first(conn, name="x")
        conn.rollback()
        conn.begin()
        assert _BY_NAME.first(conn, name="x") is None
        conn.rollback()


_BUMP_FLAG = RawStatement(
    _things.update().where(_T.id == bindparam("thing")).values(flag=literal_column("NOT zz_things.flag"))
)


def _flag(db: Database, thing: int) -> bool:
    with db.engine.connect() as conn:
        return conn.execute(select(_T.flag).where(_T.id == thing)).scalar_one()


def test_a_statement_sent_with_commit_locks_its_row_only_while_the_commit_runs(pg: Database) -> None:
    """`on_commit`: until the commit, the row is not locked (another transaction takes it at once) nor
    changed; the commit writes it; a rollback forgets it, and the connection's next commit does not send it."""
    with pg.engine.begin() as conn:
        thing = _INSERT.first(conn, name="a", at=AT, flag=False, doc=None)[0]  # type: ignore[index]
    with pg.engine.connect() as conn, pg.engine.connect() as other:
        _BY_NAME.first(conn, name="a")
        _BUMP_FLAG.on_commit(conn, thing=thing)
        _BUMP_FLAG.on_commit(conn, thing=thing)  # given twice in one transaction: sent once (a second would undo it)
        locked = other.execute(select(_T.id).where(_T.id == thing).with_for_update(nowait=True)).all()
        assert locked == [(thing,)]  # NOWAIT: a lock held would be an error
        other.rollback()
        assert _flag(pg, thing) is False
        conn.commit()
        assert _flag(pg, thing) is True
        _BUMP_FLAG.on_commit(conn, thing=thing)
        conn.rollback()
        _BY_NAME.first(conn, name="a")
        conn.commit()
    assert _flag(pg, thing) is True


def test_a_statement_sent_with_commit_that_fails_fails_the_commit_and_nothing_is_written(pg: Database) -> None:
    with pg.engine.connect() as conn:
        _INSERT.first(conn, name="b", at=AT, flag=True, doc=None)
        assert libpq_statements.send_with_commit(conn.connection.dbapi_connection, b"SELECT 1/0")
        with pytest.raises(exc.DataError, match="division by zero"):
            conn.commit()
        assert conn.connection.dbapi_connection.pgconn.transaction_status == 0  # IDLE, as after a failed COMMIT
        conn.rollback()  # SQLAlchemy's transaction
        assert _BY_NAME.first(conn, name="b") is None  # the connection goes on, without the row
        conn.rollback()


def test_only_numbers_and_null_are_written_into_a_statement_sent_with_commit() -> None:
    assert libpq_statements.literal("UPDATE t SET n = %(n)s WHERE s LIKE 'a%%'", {"n": 7}) == (
        b"UPDATE t SET n = 7 WHERE s LIKE 'a%'"
    )
    assert libpq_statements.literal("UPDATE t SET x = %(x)s, y = %(y)s", {"x": 0.1, "y": None}) == (
        b"UPDATE t SET x = 0.1, y = NULL"
    )
    for bad in ("7; DROP TABLE t", "1.5", True, float("nan"), float("inf"), Decimal("1.5"), [1]):
        with pytest.raises(TypeError, match="only integers"):
            libpq_statements.literal("UPDATE t SET n = %(n)s", {"n": bad})


_SET_SCORE = RawStatement(_things.update().where(_T.id == bindparam("thing")).values(score=bindparam("score")))


def test_the_last_value_given_for_the_commit_is_the_one_written(pg: Database) -> None:
    """A statement given again goes to the end: a, b, a leaves a (sent once, after b), as running them would."""
    with pg.engine.begin() as conn:
        thing = _INSERT.first(conn, name="s", at=AT, flag=False, doc=None)[0]  # type: ignore[index]
    with pg.engine.connect() as conn:
        _BY_NAME.first(conn, name="s")
        for score in (0.25, 0.5, 0.25):
            _SET_SCORE.on_commit(conn, thing=thing, score=score)
        conn.commit()
        assert conn.execute(select(_T.score).where(_T.id == thing)).scalar_one() == 0.25
        conn.rollback()


_MISSING = RawStatement(select(literal_column("1")).select_from(text("zz_nowhere")))
_SLEEP = RawStatement(select(func.pg_sleep(bindparam("seconds", type_=Float))))


def test_a_first_statement_that_fails_to_prepare_leaves_the_transaction_failed_and_prepares_again(
    pg: Database,
) -> None:
    """The first statement of a transaction goes with its BEGIN and its PREPARE in one pipeline: a PREPARE
    that fails is raised as a cursor raises it, the transaction is left failed (as a failed statement leaves
    it), and the statement is not taken as prepared."""
    with pg.engine.connect() as conn:
        conn.begin()
        with pytest.raises(exc.ProgrammingError, match="zz_nowhere"):
            _MISSING.first(conn)
        driver = conn.connection.dbapi_connection
        assert driver.pgconn.transaction_status == 3  # type: ignore[union-attr]  # INERROR
        assert _MISSING._by_dialect["postgresql"].libpq.name not in _prepared_on(conn)  # type: ignore[union-attr]
        conn.rollback()
        conn.execute(text("CREATE TABLE zz_nowhere (n int)"))
        conn.commit()
        conn.begin()
        assert _MISSING.first(conn) is None  # prepared now, inside the pipeline
        assert _MISSING._by_dialect["postgresql"].libpq.name in _prepared_on(conn)  # type: ignore[union-attr]
        conn.execute(text("DROP TABLE zz_nowhere"))
        conn.commit()


def test_waiting_for_the_first_statement_lets_other_threads_run(pg: Database) -> None:
    """psycopg's `get_result` holds the interpreter's lock while it blocks: the pipeline waits on the socket
    first, so another thread of the process runs while the server works on the statement."""
    counted = [0]
    stop = threading.Event()

    def count() -> None:
        while not stop.is_set():
            counted[0] += 1

    with pg.engine.connect() as conn:
        conn.begin()
        _SLEEP.first(conn, seconds=0)  # prepared on this connection
        conn.rollback()
        conn.begin()
        counter = threading.Thread(target=count)
        counter.start()
        try:
            time.sleep(0.05)
            before, started = counted[0], time.perf_counter()
            _SLEEP.first(conn, seconds=0.3)
            during, waited = counted[0] - before, time.perf_counter() - started
            before, started = counted[0], time.perf_counter()
            time.sleep(0.3)
            free, slept = counted[0] - before, time.perf_counter() - started
        finally:
            stop.set()
            counter.join()
        conn.rollback()
    assert waited >= 0.3
    assert during / waited > 0.2 * free / slept  # a lock held leaves it about 2% (a few switch intervals)
