"""`POST /api/ml` and `PATCH /api/ml/{id}`: the record is always stored, then the model server's `/health` is
asked through the guarded client, and `state` says how that went (CO connected, ER error with a message).
Model servers here are real local HTTP servers, or ports where nothing answers."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Person, World
from tests.api.local_http import LocalServer, Reply, WriteMeanwhile, closed_port, local_server, silent_port

UP = Reply.json({"status": "UP", "model_class": "TinyModel"})


@pytest.fixture
def model() -> Iterator[LocalServer]:
    with local_server({"/health": UP}) as server:
        yield server


@pytest.fixture
def opened(client_with: Callable[..., TestClient]) -> TestClient:
    """A client of an app whose outbound guard lets 127.0.0.1 through."""
    return client_with(outbound_allowlist=("127.0.0.1",))


def create(client: TestClient, person: Person, project_id: int, url: str, **extra: object) -> dict:
    r = client.post(
        "/api/ml", json={"project": project_id, "url": url, "title": "model", **extra}, headers=person.headers
    )
    return {"status": r.status_code, **r.json()}


def test_a_model_server_that_is_up_is_connected(
    world: World, manager: Person, opened: TestClient, model: LocalServer
) -> None:
    pid = world.project(manager)
    backend = create(opened, manager, pid, model.origin)
    assert backend["status"] == 201, backend
    assert (backend["state"], backend["readable_state"], backend["error_message"]) == ("CO", "Connected", None)
    assert [(h.method, h.path) for h in model.hits] == [("GET", "/health")]
    stored = opened.get(f"/api/ml/{backend['id']}", headers=manager.headers).json()
    assert stored["state"] == "CO"


def test_the_health_check_keeps_the_path_of_the_url(
    world: World, manager: Person, opened: TestClient, model: LocalServer
) -> None:
    model.routes["/models/sentiment/health"] = UP
    backend = create(opened, manager, world.project(manager), model.url("/models/sentiment/"))
    assert backend["state"] == "CO"
    assert [h.path for h in model.hits] == ["/models/sentiment/health"]


def test_a_model_server_that_is_down_is_stored_in_error(world: World, manager: Person, opened: TestClient) -> None:
    pid = world.project(manager)
    url = f"http://127.0.0.1:{closed_port()}"
    backend = create(opened, manager, pid, url)
    assert backend["status"] == 201, backend
    assert (backend["state"], backend["readable_state"]) == ("ER", "Error")
    assert f"{url}/health" in backend["error_message"] and "could not connect" in backend["error_message"]
    listed = opened.get(f"/api/ml?project={pid}", headers=manager.headers).json()
    assert [(b["id"], b["state"]) for b in listed] == [(backend["id"], "ER")]


def test_loopback_is_refused_by_default_and_never_called(world: World, manager: Person, model: LocalServer) -> None:
    backend = create(world.client, manager, world.project(manager), model.origin)  # no allowlist here
    assert backend["status"] == 201
    assert backend["state"] == "ER"
    assert "refused" in backend["error_message"] and "non-public" in backend["error_message"]
    assert model.hits == []


def test_the_metadata_address_is_refused(world: World, manager: Person, opened: TestClient) -> None:
    backend = create(opened, manager, world.project(manager), "http://169.254.169.254/latest")
    assert (backend["status"], backend["state"]) == (201, "ER")
    assert "169.254.169.254 is a private" in backend["error_message"]


def test_a_hanging_model_server_does_not_hold_the_create(world: World, manager: Person, opened: TestClient) -> None:
    pid = world.project(manager)
    with silent_port() as port:
        started = time.monotonic()
        backend = create(opened, manager, pid, f"http://127.0.0.1:{port}", timeout=100)
        elapsed = time.monotonic() - started
    assert backend["status"] == 201
    assert backend["state"] == "ER" and "timed out" in backend["error_message"]
    assert elapsed < 8, elapsed


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply.json({"error": "boom"}, status=500), "500 Internal Server Error"),
        (Reply(200, b"<html>not a model</html>", {"Content-Type": "text/html"}), "did not answer with JSON"),
        (Reply.json({"status": "DOWN"}), "reports status 'DOWN'"),
    ],
)
def test_unhealthy_answers_are_errors(
    world: World, manager: Person, opened: TestClient, model: LocalServer, reply: Reply, reason: str
) -> None:
    model.routes["/health"] = reply
    backend = create(opened, manager, world.project(manager), model.origin)
    assert (backend["status"], backend["state"]) == (201, "ER")
    assert reason in backend["error_message"]


def test_basic_auth_is_sent_to_the_model_server(
    world: World, manager: Person, opened: TestClient, model: LocalServer
) -> None:
    backend = create(
        opened,
        manager,
        world.project(manager),
        model.origin,
        auth_method="BASIC_AUTH",
        basic_auth_user="model-user",
        basic_auth_pass="model-pass",
    )
    assert backend["state"] == "CO"
    sent = model.hits[0].headers["authorization"]
    assert sent == "Basic " + base64.b64encode(b"model-user:model-pass").decode()
    assert "model-pass" not in str(backend)


def test_an_update_checks_again(world: World, manager: Person, opened: TestClient, model: LocalServer) -> None:
    backend = create(opened, manager, world.project(manager), f"http://127.0.0.1:{closed_port()}")
    assert backend["state"] == "ER"
    r = opened.patch(f"/api/ml/{backend['id']}", json={"url": model.origin}, headers=manager.headers)
    assert r.status_code == 200
    assert (r.json()["state"], r.json()["error_message"]) == ("CO", None)
    model.routes["/health"] = Reply(503, b"")
    r = opened.patch(f"/api/ml/{backend['id']}", json={"title": "renamed"}, headers=manager.headers)
    assert (r.json()["title"], r.json()["state"]) == ("renamed", "ER")
    assert "503" in r.json()["error_message"]


def test_the_health_check_holds_no_write_lock(world: World, manager: Person, opened: TestClient, model: LocalServer):
    meanwhile = WriteMeanwhile(lambda: world.person("meanwhile@example.com"))
    model.routes["/health"] = replace(UP, before=meanwhile)
    backend = create(opened, manager, world.project(manager), model.origin)
    assert backend["state"] == "CO"
    assert meanwhile.finished == [True]


def test_an_outsider_cannot_add_a_backend_to_another_project(
    world: World, manager: Person, opened: TestClient, model: LocalServer
) -> None:
    pid = world.project(manager)
    outsider = world.person("outsider@example.com")
    answer = create(opened, outsider, pid, model.origin)
    assert answer["status"] == 404
    assert model.hits == []
    assert opened.get(f"/api/ml?project={pid}", headers=manager.headers).json() == []


def test_an_outsider_cannot_repoint_a_backend(world: World, manager: Person, opened: TestClient, model: LocalServer):
    backend = create(opened, manager, world.project(manager), model.origin)
    outsider = world.person("outsider@example.com")
    r = opened.patch(f"/api/ml/{backend['id']}", json={"url": "http://127.0.0.1:1/"}, headers=outsider.headers)
    assert r.status_code == 404
    assert len(model.hits) == 1
