"""Fixtures: a real database per test (SQLite always; PostgreSQL when TESSERA_TEST_DATABASE_URL is set),
the app over it, and users with tokens in each role."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine

from tessera.db.engine import Database, normalize_url
from tessera.db.migrate import upgrade_database
from tessera.services import users
from tessera.services.secrets import ensure_instance_secret

PG_ENV = "TESSERA_TEST_DATABASE_URL"
# The production argon2 cost (64 MiB, 3 passes) takes 0.2-0.3 s a hash, and the tests make thousands of users.
# In this process they hash at the lowest cost; the servers the SDK and browser tests start keep the real one.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(scope="session", autouse=True)
def production_hasher() -> Iterator[PasswordHasher]:
    """Swaps in the cheap hasher for the session; yields the production one (a test checks its cost)."""
    production = users._hasher
    users._hasher = CHEAP_HASHER
    yield production
    users._hasher = production


def pg_admin_url() -> str | None:
    url = os.environ.get(PG_ENV)
    return normalize_url(url) if url else None


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database to copy for each test: a file for SQLite, a template database for PostgreSQL."""
    admin = pg_admin_url()
    if admin is None:
        path = tmp_path_factory.mktemp("template") / "template.db"
        db = Database(f"sqlite:///{path}")
        _prepare(db)
        db.dispose()
        yield str(path)
        return
    name = f"tessera_tmpl_{uuid.uuid4().hex[:10]}"
    server = create_engine(admin, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    db = Database(_with_db(admin, name))
    _prepare(db)
    db.dispose()
    yield name
    with server.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    server.dispose()


def _prepare(db: Database) -> None:
    upgrade_database(db.engine)
    with db.writer() as session:
        ensure_instance_secret(session)
        session.commit()


def _with_db(url: str, name: str) -> str:
    base, _, _old = url.rpartition("/")
    return f"{base}/{name}"


@pytest.fixture
def database_url(template_db: str, tmp_path: Path) -> Iterator[str]:
    """A fresh database for one test, copied from the template."""
    admin = pg_admin_url()
    if admin is None:
        target = tmp_path / "tessera.db"
        shutil.copyfile(template_db, target)
        yield f"sqlite:///{target}"
        return
    name = f"tessera_test_{uuid.uuid4().hex[:12]}"
    server = create_engine(admin, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    yield _with_db(admin, name)
    with server.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    server.dispose()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()
