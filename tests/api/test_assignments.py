"""Manual distribution (Label Studio Enterprise's task assignments): a task given to people is taken from the
queue only by them, and before their other tasks; bulk assignment by selection; replace and remove; who may."""

from __future__ import annotations

from tests.api.conftest import Person, World
from tests.api.test_next_task import _annotators, _next, _submit


def test_an_assigned_task_goes_only_to_its_assignees_and_first(world: World, manager: Person) -> None:
    c, h = world.client, manager.headers
    pid, ids = world.project_with_tasks(manager, 4)
    a, b = _annotators(world, pid, 2)
    r = c.post(f"/api/projects/{pid}/tasks/{ids[2]}/assignees", json={"type": "AN", "users": [a.id]}, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["task"] == ids[2] and r.json()["assignee"] == a.id and r.json()["type"] == "AN"
    listed = c.get(f"/api/projects/{pid}/tasks/{ids[2]}/assignees", headers=h).json()
    assert [(x["assignee"], x["type"]) for x in listed] == [(a.id, "AN")]
    assert _next(c, pid, b) == ids[0]  # b never sees the task given to a
    assert _next(c, pid, a) == ids[2]  # a gets it before the earlier ones
    seen_by_b = []
    assert _submit(c, ids[0], b) == 201
    while (task_id := _next(c, pid, b)) is not None:
        seen_by_b.append(task_id)
        assert _submit(c, task_id, b) == 201
    assert ids[2] not in seen_by_b
    assert c.delete(f"/api/projects/{pid}/tasks/{ids[2]}/assignees", headers=h).status_code == 204
    assert c.get(f"/api/projects/{pid}/tasks/{ids[2]}/assignees", headers=h).json() == []


def test_bulk_assignment_replace_and_remove(world: World, manager: Person) -> None:
    c, h = world.client, manager.headers
    pid, ids = world.project_with_tasks(manager, 5)
    a, b = _annotators(world, pid, 2)
    body = {"type": "AN", "users": [a.id, b.id], "selectedItems": {"all": True, "excluded": [ids[0]]}}
    r = c.post(f"/api/projects/{pid}/tasks/assignees", json=body, headers=h)
    assert r.status_code == 200, r.text
    assert r.json() == {"assignments": 8, "async": False, "task_ids": ids[1:]}
    again = c.post(f"/api/projects/{pid}/tasks/assignees", json=body, headers=h).json()
    assert again["assignments"] == 0  # nothing twice
    r = c.patch(f"/api/projects/{pid}/tasks/{ids[1]}/assignees", json={"type": "AN", "users": [b.id]}, headers=h)
    assert r.status_code == 200 and [x["assignee"] for x in r.json()["assignments"]] == [b.id]
    r = c.delete(f"/api/projects/{pid}/tasks/{ids[2]}/assignees?type=AN&users={a.id}", headers=h)
    assert r.status_code == 204
    assert [x["assignee"] for x in c.get(f"/api/projects/{pid}/tasks/{ids[2]}/assignees", headers=h).json()] == [b.id]
    reviewers = {"type": "RE", "users": [a.id], "selectedItems": {"all": False, "included": [ids[0]]}}
    assert c.post(f"/api/projects/{pid}/tasks/assignees", json=reviewers, headers=h).json()["assignments"] == 1
    seen = []
    while (task_id := _next(c, pid, a)) is not None:
        seen.append(task_id)
        assert _submit(c, task_id, a) == 201
    # a's own tasks first, then the unassigned one (a review assignment holds nothing back); b's are not a's
    assert seen == [ids[3], ids[4], ids[0]]


def test_bad_assignments_are_refused_and_nothing_changes(world: World, manager: Person) -> None:
    c, h = world.client, manager.headers
    pid, ids = world.project_with_tasks(manager, 2)
    (a,) = _annotators(world, pid, 1)
    stranger = world.person("stranger@example.com")
    url = f"/api/projects/{pid}/tasks/{ids[0]}/assignees"
    cases = [
        ({"type": "AN", "users": [stranger.id]}, f"not members of this project: {stranger.id}"),
        ({"type": "XX", "users": [a.id]}, 'type must be "AN"'),
        ({"type": "AN", "users": "a"}, "users must be a list of user ids"),
    ]
    for body, message in cases:
        r = c.post(url, json=body, headers=h)
        assert r.status_code == 400 and message in r.json()["detail"], r.text
    r = c.post(f"/api/projects/{pid}/tasks/assignees", json={"users": [a.id]}, headers=h)
    assert r.status_code == 400 and "selectedItems is required" in r.text
    assert c.get(url, headers=h).json() == []
    for users in ("x", "9" * 30, "\u00b2"):
        r = c.delete(url, params={"users": users}, headers=h)
        assert r.status_code == 400 and "users" in r.json()["validation_errors"], r.text
    assert c.post(url, json={"type": "AN", "users": [a.id]}, headers=a.headers).status_code == 403
    assert c.get(url, headers=stranger.headers).status_code == 404
    other, other_ids = world.project_with_tasks(manager, 1)
    r = c.post(f"/api/projects/{pid}/tasks/{other_ids[0]}/assignees", json={"users": [a.id]}, headers=h)
    assert r.status_code == 404
