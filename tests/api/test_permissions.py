"""The permission matrix: every role against every route, on its own project and another's, checked against
the policy table in `tessera.domain.policy`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tessera.domain.policy import allows
from tests.api.conftest import Person, World

ROLES = ["anonymous", "outsider", "annotator", "reviewer", "manager", "admin"]
RESULT = [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}]


@dataclass
class Scene:
    world: World
    people: dict[str, Person]
    ids: dict[str, int]


@pytest.fixture
def scene(world: World) -> Scene:
    people = {name: world.person(f"{name}@example.com", admin=name == "admin") for name in ROLES if name != "anonymous"}
    m = people["manager"]
    p = world.project(m)
    for role in ("annotator", "reviewer"):
        world.join(p, people[role], role)
    c = world.client
    task = c.post(f"/api/projects/{p}/import", json=[{"text": "a"}, {"text": "b"}], headers=m.headers).json()
    t, t2 = task["task_ids"]
    ann = c.post(f"/api/tasks/{t}/annotations", json={"result": RESULT}, headers=m.headers).json()["id"]
    pred = c.post("/api/predictions", json={"task": t, "result": RESULT}, headers=m.headers).json()["id"]
    exp = c.post(f"/api/projects/{p}/exports", json={}, headers=m.headers).json()["id"]
    other = world.person("other-manager@example.com")
    q = world.project(other)
    qt = c.post(f"/api/projects/{q}/import", json=[{"text": "q"}], headers=other.headers).json()["task_ids"][0]
    return Scene(world, people, {"p": p, "t": t, "t2": t2, "ann": ann, "pred": pred, "exp": exp, "q": q, "qt": qt})


# (method, path, body, action); the action names a row of the policy table.
ROUTES: list[tuple[str, str, Any, str]] = [
    ("GET", "/api/projects/{p}", None, "project.view"),
    ("PATCH", "/api/projects/{p}", {"title": "new"}, "project.change"),
    ("DELETE", "/api/projects/{p}", None, "project.delete"),
    ("GET", "/api/projects/{p}/members", None, "members.view"),
    ("POST", "/api/projects/{p}/members", {"user": "outsider@example.com", "role": "annotator"}, "members.change"),
    ("GET", "/api/tasks?project={p}", None, "tasks.view"),
    ("POST", "/api/projects/{p}/import", [{"text": "new"}], "tasks.create"),
    ("POST", "/api/tasks", {"project": "{p}", "data": {"text": "new"}}, "tasks.create"),
    ("GET", "/api/tasks/{t}", None, "tasks.view"),
    ("PATCH", "/api/tasks/{t}", {"data": {"text": "changed"}}, "tasks.change"),
    ("DELETE", "/api/tasks/{t2}", None, "tasks.delete"),
    ("POST", "/api/tasks/{t2}/annotations", {"result": RESULT}, "annotations.create"),
    ("GET", "/api/annotations/{ann}", None, "annotations.view_all"),
    ("PATCH", "/api/annotations/{ann}", {"ground_truth": True}, "annotations.change_any"),
    ("DELETE", "/api/annotations/{ann}", None, "annotations.delete_any"),
    ("GET", "/api/predictions?task={t}", None, "predictions.view"),
    ("POST", "/api/predictions", {"task": "{t}", "result": RESULT}, "predictions.change"),
    ("DELETE", "/api/predictions/{pred}", None, "predictions.change"),
    ("GET", "/api/projects/{p}/export?exportType=JSON", None, "exports.create"),
    ("POST", "/api/projects/{p}/exports", {"title": "s"}, "exports.create"),
    ("GET", "/api/projects/{p}/exports", None, "exports.view"),
    ("DELETE", "/api/projects/{p}/exports/{exp}", None, "exports.delete"),  # the manager's snapshot
    ("POST", "/api/ml", {"project": "{p}", "url": "http://127.0.0.1:9/"}, "ml.change"),
    ("GET", "/api/ml?project={p}", None, "ml.view"),
    ("POST", "/api/dm/views", {"project": "{p}", "data": {}}, "views.change"),
    ("GET", "/api/dm/views?project={p}", None, "views.view"),
    ("GET", "/api/projects/{p}/dashboard", None, "dashboard.view"),
    ("GET", "/api/projects/{p}/reviews/queue", None, "reviews.create"),
    ("GET", "/api/projects/{p}/my-rejections", None, "annotations.create"),
]


def fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
            return ids[value[1:-1]]
        return value.format(**ids)
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


def expected(role: str, action: str) -> int | str:
    if role == "anonymous":
        return 401
    if role == "outsider":
        return 404
    policy_role = "admin" if role == "admin" else role
    if (
        action.startswith("annotations.")
        and action != "annotations.create"
        and not allows(policy_role, "annotations.view_all")
    ):
        return 404  # annotators do not see other people's annotations at all
    return "ok" if allows(policy_role, action) else 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "body", "action"), ROUTES, ids=[f"{r[0]} {r[1]}" for r in ROUTES])
def test_matrix(scene: Scene, role: str, method: str, path: str, body: Any, action: str) -> None:
    headers = scene.people[role].headers if role in scene.people else {}
    r = scene.world.client.request(method, fill(path, scene.ids), json=fill(body, scene.ids), headers=headers)
    want = expected(role, action)
    if want == "ok":
        assert 200 <= r.status_code < 300, (role, method, path, r.status_code, r.text)
    else:
        assert r.status_code == want, (role, method, path, r.status_code, r.text)


CROSS: list[tuple[str, str, Any]] = [
    ("GET", "/api/tasks/{qt}", None),
    ("GET", "/api/tasks?project={q}", None),
    ("POST", "/api/tasks", {"project": "{q}", "data": {"text": "x"}}),
    ("POST", "/api/tasks/{qt}/annotations", {"result": []}),
    ("POST", "/api/predictions", {"task": "{qt}", "result": []}),
    ("GET", "/api/predictions?task={qt}", None),
    ("POST", "/api/ml", {"project": "{q}", "url": "http://127.0.0.1:9/"}),
    ("POST", "/api/dm/views", {"project": "{q}", "data": {}}),
    ("POST", "/api/projects/{q}/import", [{"text": "x"}]),
    ("GET", "/api/projects/{q}/export", None),
    ("POST", "/api/projects/{p}/import/predictions", [{"task": "{qt}", "result": []}]),
]


@pytest.mark.parametrize(("method", "path", "body"), CROSS, ids=[f"{r[0]} {r[1]}" for r in CROSS])
def test_other_projects_objects_are_not_found(scene: Scene, method: str, path: str, body: Any) -> None:
    """A manager of one project reaches nothing of another, whichever route or body field names it."""
    r = scene.world.client.request(
        method, fill(path, scene.ids), json=fill(body, scene.ids), headers=scene.people["manager"].headers
    )
    assert r.status_code in (400, 404), (method, path, r.status_code, r.text)
    if method == "POST":
        assert "not" in r.json()["detail"]
