"""Routes of the simplest shape (path parameters, the JSON body, a context; a `Response` for an answer) are
served by the lean handler, and it answers every request as FastAPI's own handler does."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tessera.api.context import ContextRoute
from tessera.api.routes import annotations as annotation_routes
from tessera.server import create_app

from .conftest import Person, World


class FastAPIHandled(ContextRoute):
    """The same route, answered by FastAPI's handler."""

    def get_route_handler(self):  # type: ignore[no-untyped-def]
        return APIRoute.get_route_handler(self)


def _fastapi_client(world: World) -> TestClient:
    """An app over the world's database whose annotation routes go through FastAPI's handler."""
    app = create_app(world.settings, database=world.db)
    plain = APIRouter(route_class=FastAPIHandled)
    plain.add_api_route(
        "/api/tasks/{task_id}/annotations", annotation_routes.create_annotation, methods=["POST"], status_code=201
    )
    plain.add_api_route(
        "/api/annotations/{annotation_id}", annotation_routes.delete_annotation, methods=["DELETE"], status_code=204
    )
    for route in reversed(plain.routes):
        app.router.routes.insert(0, route)
    return TestClient(app, raise_server_exceptions=False)


def _answer(response: object) -> tuple[object, ...]:
    """Status, body without the error's own id (new for every error), content type."""
    body = response.json()  # type: ignore[attr-defined]
    body.pop("id", None)
    return response.status_code, body, response.headers.get("content-type")  # type: ignore[attr-defined]


def test_the_submit_and_the_delete_are_lean_and_routes_that_answer_dicts_are_not() -> None:
    steps = {
        (route.path, *sorted(route.methods)): route.lean_steps
        for route in annotation_routes.router.routes
        if isinstance(route, ContextRoute)
    }
    assert [name for name, _ in steps["/api/tasks/{task_id}/annotations", "POST"]] == ["task_id", "body", "ctx"]
    assert steps["/api/annotations/{annotation_id}", "DELETE"] is not None
    assert steps["/api/annotations/{annotation_id}", "GET"] is None  # answers a dict: FastAPI serializes it


def test_both_handlers_answer_alike(world: World, manager: Person) -> None:
    pid, task_ids = world.project_with_tasks(manager, 4)
    fastapi_client = _fastapi_client(world)
    result = [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}]
    headers = manager.headers
    refused = [
        ("POST", "/api/tasks/abc/annotations", {"json": {"result": result}, "headers": headers}),
        ("POST", "/api/tasks/1.5/annotations", {"json": {"result": result}, "headers": headers}),
        ("POST", "/api/tasks/-3/annotations", {"json": {"result": result}, "headers": headers}),
        ("POST", "/api/tasks/99999999999999999999/annotations", {"json": {}, "headers": headers}),
        ("POST", "/api/tasks/987654/annotations", {"json": {"result": result}, "headers": headers}),
        ("POST", f"/api/tasks/{task_ids[0]}/annotations", {"content": b"{", "headers": headers}),
        ("POST", f"/api/tasks/{task_ids[0]}/annotations", {"content": b"[1, 2]", "headers": headers}),
        ("POST", f"/api/tasks/{task_ids[0]}/annotations", {"json": {"bogus": 1}, "headers": headers}),
        ("POST", f"/api/tasks/{task_ids[0]}/annotations", {"json": {"result": [{"type": "x"}]}, "headers": headers}),
        ("POST", f"/api/tasks/{task_ids[0]}/annotations", {"json": {"result": result}}),
        ("POST", f"/api/tasks/{task_ids[0]}/annotations", {"json": {}, "headers": {"Authorization": "Token no"}}),
        ("DELETE", "/api/annotations/abc", {"headers": headers}),
        ("DELETE", "/api/annotations/424242", {"headers": headers}),
    ]
    for method, url, options in refused:
        lean, plain = world.client.request(method, url, **options), fastapi_client.request(method, url, **options)
        assert lean.status_code >= 400, (url, lean.text)
        assert _answer(lean) == _answer(plain), (method, url, options)

    made = []
    for client, task_id in ((world.client, task_ids[1]), (fastapi_client, task_ids[2])):
        body = {"result": result, "unique_id": f"u{task_id}"}
        first = client.post(f"/api/tasks/{task_id}/annotations", json=body, headers=headers)
        again = client.post(f"/api/tasks/{task_id}/annotations", json=body, headers=headers)
        gone = client.delete(f"/api/annotations/{first.json()['id']}", headers=headers)
        same = again.json()["id"] == first.json()["id"]
        made.append((first.status_code, sorted(first.json()), again.status_code, same))
        assert gone.status_code == 204 and gone.content == b""
    assert made[0] == made[1] == (201, made[0][1], 200, True)
    fastapi_client.close()
