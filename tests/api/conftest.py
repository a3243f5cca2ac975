"""An app over a fresh database, and people in every role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tessera.db.engine import Database
from tessera.server import create_app
from tessera.services import members, projects, tokens, users
from tessera.services.actors import Actor
from tessera.settings import load_settings

CONFIG = """<View>
  <Text name="text" value="$text"/>
  <Labels name="label" toName="text"><Label value="PER"/><Label value="ORG"/></Labels>
  <Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices>
</View>"""


@dataclass
class Person:
    id: int
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}


class World:
    """The app, a client, and helpers to make people and projects directly through the services."""

    def __init__(self, db: Database, data_dir: Path) -> None:
        self.db = db
        self.settings = load_settings(data_dir=data_dir, database_url=db.url, env={})
        self.app = create_app(self.settings, database=db)
        self.client = TestClient(self.app, raise_server_exceptions=False)

    def person(self, email: str, *, admin: bool = False) -> Person:
        with self.db.writer() as s:
            user = users.create_user(s, None, email=email, password="password123", is_admin=admin)
            issued = tokens.create_token(s, user.id)
            s.commit()
            return Person(user.id, user.email, issued.key)

    def project(self, manager: Person, config: str = CONFIG, **extra: object) -> int:
        with self.db.writer() as s:
            p = projects.create_project(
                s, Actor(manager.id, manager.email), {"title": "P", "label_config": config, **extra}
            )
            s.commit()
            return p.id

    def project_with_tasks(self, manager: Person, n: int, **settings: object) -> tuple[int, list[int]]:
        """A project with `n` text tasks ("t0", "t1"...): (its id, the task ids)."""
        pid = self.project(manager, **settings)
        r = self.client.post(
            f"/api/projects/{pid}/import?return_task_ids=true",
            json=[{"text": f"t{i}"} for i in range(n)],
            headers=manager.headers,
        )
        assert r.status_code == 201, r.text
        return pid, r.json()["task_ids"]

    def join(self, project_id: int, person: Person, role: str) -> None:
        with self.db.writer() as s:
            members.add_member(s, Actor.system(), project_id, {"user": person.id, "role": role})
            s.commit()


@pytest.fixture
def world(db: Database, tmp_path: Path) -> Iterator[World]:
    w = World(db, tmp_path / "data")
    yield w
    w.client.close()
    w.app.state.jobs.stop()
    w.app.state.outbound.close()


@pytest.fixture
def client_with(world: World) -> Iterator[Callable[..., TestClient]]:
    """Clients of other apps over the world's database: `client_with(outbound_allowlist=("127.0.0.1",))`."""
    made: list[TestClient] = []

    def make(**settings: object) -> TestClient:
        options = load_settings(data_dir=world.settings.data_dir, database_url=world.db.url, env={}, **settings)
        app = create_app(options, database=world.db)
        made.append(TestClient(app, raise_server_exceptions=False))
        return made[-1]

    yield make
    for client in made:
        client.close()
        client.app.state.jobs.stop()
        client.app.state.outbound.close()


LOOPBACK = ("127.0.0.1",)


@pytest.fixture
def opened(client_with: Callable[..., TestClient]) -> TestClient:
    """A client of an app whose outbound guard lets 127.0.0.1 through (to fetch from a test's local server)."""
    return client_with(outbound_allowlist=LOOPBACK)


@pytest.fixture
def admin(world: World) -> Person:
    return world.person("admin@example.com", admin=True)


@pytest.fixture
def manager(world: World) -> Person:
    return world.person("manager@example.com")
