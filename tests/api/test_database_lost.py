"""A connection the database closed (a restart, a failover, an administrator) is a 503 the client may retry,
not a 500: the connection is invalidated and the pool opens a new one for the next request."""

from __future__ import annotations

import time

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from tessera.db import engine as engine_module
from tessera.db.tables import Annotation
from tests.api.conftest import Person, World

RESULT = [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}]


def _close_every_connection(url: str) -> None:
    """Have PostgreSQL end every other connection to the database, and wait until they are gone."""
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as admin:
        others = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ended = [pid for (pid,) in admin.execute(others).fetchall()]
        admin.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", [ended])
        deadline = time.monotonic() + 10
        while ended and time.monotonic() < deadline:
            left = admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [ended]).fetchone()
            if not left or not left[0]:
                return
            time.sleep(0.01)


def test_a_lost_connection_is_a_503_and_the_retry_goes_through(
    world: World, manager: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    if world.db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to lose")
    monkeypatch.setattr(engine_module, "IDLE_PING_S", 3600.0)  # no ping at checkout: the request meets it
    pid, ids = world.project_with_tasks(manager, 2)
    client = TestClient(world.app, raise_server_exceptions=True)  # an exception out of the app fails the test
    submit = lambda task: client.post(  # noqa: E731
        f"/api/tasks/{task}/annotations", json={"result": RESULT}, headers=manager.headers
    )
    assert submit(ids[0]).status_code == 201
    for path in (f"/api/tasks/{ids[1]}/annotations", f"/api/projects/{pid}"):  # a write, then a read
        _close_every_connection(world.db.url)
        if path.endswith("annotations"):
            r = submit(ids[1])
        else:
            r = client.get(path, headers=manager.headers)
        assert r.status_code == 503, r.text
        assert "try it again" in r.json()["detail"] and r.headers["retry-after"] == "1"
    assert submit(ids[1]).status_code == 201  # a new connection
    with world.db.reader() as s:
        made = s.scalar(select(func.count()).select_from(Annotation).where(Annotation.task_id == ids[1]))
    assert made == 1  # the lost submit wrote nothing, the retry once
    client.close()


def test_any_other_database_error_is_still_a_logged_500(world: World, caplog: pytest.LogCaptureFixture) -> None:
    @world.app.get("/zz-broken")
    def broken() -> None:
        raise OperationalError("SELECT 1", {}, Exception("disk I/O error"))

    r = world.client.get("/zz-broken")
    assert r.status_code == 500 and r.json()["detail"] == "internal error; the server log has the details"
    assert "disk I/O error" in caplog.text
