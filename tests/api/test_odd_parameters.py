"""No route answers a 5xx to an odd path or query value: every route of the OpenAPI schema is called with ids
beyond 64 bits, negative, fractional or not numbers at all, in each path parameter and each query parameter
in turn, by an admin (who passes every permission check, so the values reach the queries)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.api.conftest import Person, World

RESULT = [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}]
PATH_VALUES = ["0", "-1", "abc", "1.5", "9" * 19, "9" * 30, "-" + "9" * 30, "%C2%B2"]
QUERY_VALUES = ["-1", "0", "abc", "1e400", "9" * 19, "9" * 30, "", "[]", "{", "1.5", "nan", "\u00b2", "1," + "9" * 20]
# Routes whose call changes the caller's own credentials, which the rest of the sweep needs.
LEAVE_OUT = ("/api/current-user/reset-token", "/user/logout")


@pytest.fixture
def scene(world: World) -> tuple[World, Person, dict[str, int]]:
    admin = world.person("admin@example.com", admin=True)
    c, h = world.client, admin.headers
    p, (t, _t2) = world.project_with_tasks(admin, 2)
    ids = {
        "project_id": p,
        "task_id": t,
        "annotation_id": c.post(f"/api/tasks/{t}/annotations", json={"result": RESULT}, headers=h).json()["id"],
        "prediction_id": c.post("/api/predictions", json={"task": t, "result": RESULT}, headers=h).json()["id"],
        "export_id": c.post(f"/api/projects/{p}/exports", json={}, headers=h).json()["id"],
        "view_id": c.post("/api/dm/views", json={"project": p, "data": {}}, headers=h).json()["id"],
        "user_id": admin.id,
    }
    return world, admin, ids


def _operations(world: World) -> list[tuple[str, str, dict[str, Any]]]:
    found = [
        (method.upper(), path, operation)
        for path, operations in world.app.openapi()["paths"].items()
        for method, operation in operations.items()
        if not path.startswith(LEAVE_OUT)
    ]
    return sorted(found, key=lambda op: op[0] == "DELETE")  # deletes last: they may remove the scene's objects


def test_odd_path_and_query_values_are_refused_not_server_errors(scene: tuple[World, Person, dict[str, int]]) -> None:
    world, admin, ids = scene
    server_errors = []

    def call(method: str, url: str, params: dict[str, str] | None = None) -> None:
        body = None if method == "GET" else {}
        r = world.client.request(method, url, params=params, json=body, headers=admin.headers)
        if r.status_code >= 500:
            server_errors.append((method, url, params, r.status_code))

    operations = _operations(world)
    assert len(operations) > 100  # the whole API, not a part of it
    for method, path, operation in operations:
        names = re.findall(r"{(\w+)}", path)
        real = {name: str(ids.get(name, 1)) for name in names}
        for name in names:
            for value in PATH_VALUES:
                call(method, path.format(**{**real, name: value}))
        if method == "DELETE":
            continue
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                for value in QUERY_VALUES:
                    call(method, path.format(**real), {parameter["name"]: value})
    assert server_errors == []
