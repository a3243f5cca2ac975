"""Statements on the driver's cursor give what SQLAlchemy would: the same values, converted by the column
types, and SQLAlchemy's errors; inside the caller's transaction or in a read of their own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, delete, event, exc, insert, select, update
from sqlalchemy.orm.attributes import instance_state

from tessera.db import raw_sql
from tessera.db.engine import Database
from tessera.db.raw_sql import RawStatement, as_loaded
from tessera.db.tables import ApiToken, User

_U = User.__table__.c
_T = ApiToken.__table__.c
INSERT_USER = RawStatement(
    insert(User.__table__)
    .values(
        email=bindparam("email"),
        username="",
        first_name="",
        last_name="",
        password_hash=None,
        is_admin=bindparam("is_admin"),
        is_active=True,
        created_at=bindparam("at"),
    )
    .returning(_U.id, _U.created_at, _U.is_admin)
)
USER_BY_EMAIL = RawStatement(select(_U.id, _U.email, _U.is_admin, _U.created_at).where(_U.email == bindparam("email")))
RENAME = RawStatement(update(User.__table__).where(_U.id == bindparam("user_id")).values(first_name=bindparam("name")))
DELETE_TOKEN = RawStatement(delete(ApiToken.__table__).where(_T.id == bindparam("token_id")).returning(_T.key_hash))


def test_insert_returning_and_select_convert_values_as_sqlalchemy_does(db: Database) -> None:
    at = datetime(2026, 11, 29, 6, 30, 15, 123456, tzinfo=UTC)
    with db.writer() as session:
        user_id, created_at, is_admin = INSERT_USER.first(session.connection(), email="raw@x.io", is_admin=True, at=at)
        assert is_admin is True
        assert created_at.replace(tzinfo=UTC) == at  # SQLite keeps no zone; PostgreSQL gives it back in UTC
        assert RENAME.first(session.connection(), user_id=user_id, name="Ada") is None  # no RETURNING: no row
        session.commit()
    with db.reader() as session:
        orm = session.execute(select(_U.id, _U.email, _U.is_admin, _U.created_at).where(_U.email == "raw@x.io")).one()
        assert USER_BY_EMAIL.first(session.connection(), email="raw@x.io") == tuple(orm)
        assert session.scalar(select(_U.first_name).where(_U.id == user_id)) == "Ada"
    assert USER_BY_EMAIL.first_in_own_read(db.engine, email="raw@x.io") == tuple(orm)
    assert USER_BY_EMAIL.first_in_own_read(db.engine, email="nobody@x.io") is None


def test_a_statement_runs_in_the_callers_transaction(db: Database) -> None:
    at = datetime.now(UTC)
    with db.writer() as session:
        INSERT_USER.first(session.connection(), email="gone@x.io", is_admin=False, at=at)
        assert USER_BY_EMAIL.first(session.connection(), email="gone@x.io") is not None  # its own write, seen
        assert USER_BY_EMAIL.first_in_own_read(db.engine, email="gone@x.io") is None  # not committed: unseen
        session.rollback()
    assert USER_BY_EMAIL.first_in_own_read(db.engine, email="gone@x.io") is None


def test_driver_errors_are_sqlalchemys(db: Database) -> None:
    at = datetime.now(UTC) - timedelta(days=1)
    with db.writer() as session:
        INSERT_USER.first(session.connection(), email="twice@x.io", is_admin=False, at=at)
        with pytest.raises(exc.IntegrityError):
            with session.begin_nested():  # the unique e-mail refuses the second row; the first one stays
                INSERT_USER.first(session.connection(), email="twice@x.io", is_admin=False, at=at)
        assert DELETE_TOKEN.first(session.connection(), token_id=123456) is None
        session.commit()
    assert USER_BY_EMAIL.first_in_own_read(db.engine, email="twice@x.io") is not None


def test_a_row_written_raw_joins_the_session_as_if_loaded(db: Database) -> None:
    at = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
    sent: list[str] = []
    with db.writer() as session:
        user_id, _at, _admin = INSERT_USER.first(session.connection(), email="loaded@x.io", is_admin=False, at=at)
        user = as_loaded(User, {"id": user_id, "email": "loaded@x.io", "first_name": "", "is_admin": False})
        event.listen(db.engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
        session.add(user)
        assert instance_state(user).persistent
        assert session.get(User, user_id) is user  # the identity map answers: no statement
        user.first_name = "Ada"  # a change to it is written as to any loaded object
        session.commit()
    assert len(sent) == 1 and sent[0].lstrip().upper().startswith("UPDATE")
    with db.reader() as session:
        assert session.scalars(select(User.first_name).where(User.id == user_id)).one() == "Ada"


def test_watchers_see_every_statement_run_below_sqlalchemys_events(db: Database) -> None:
    seen: list[str] = []
    stop = raw_sql.watch(seen.append)
    try:
        with db.writer() as session:
            INSERT_USER.first(session.connection(), email="watched@x.io", is_admin=False, at=datetime.now(UTC))
            session.commit()
        USER_BY_EMAIL.first_in_own_read(db.engine, email="watched@x.io")
    finally:
        stop()
    USER_BY_EMAIL.first_in_own_read(db.engine, email="watched@x.io")  # no longer watched
    assert [sql.split()[0].upper() for sql in seen] == ["INSERT", "SELECT"]
