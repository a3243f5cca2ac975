"""Drafts: the author saves, reads, updates and deletes them; nobody else sees them (404), another project's
task takes none."""

from __future__ import annotations

from tests.api.conftest import Person, World

RESULT = [
    {"id": "a1", "from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}
]


def _task(world: World, manager: Person) -> tuple[int, int]:
    pid = world.project(manager)
    r = world.client.post(
        f"/api/projects/{pid}/import?return_task_ids=true", json=[{"text": "hi"}], headers=manager.headers
    )
    assert r.status_code == 201, r.text
    return pid, r.json()["task_ids"][0]


def test_draft_round_trip(world: World, manager: Person) -> None:
    c, h = world.client, manager.headers
    _, task_id = _task(world, manager)
    r = c.post(f"/api/tasks/{task_id}/drafts", json={"result": RESULT, "lead_time": 1.5}, headers=h)
    assert r.status_code == 201, r.text
    draft = r.json()
    assert draft["task"] == task_id and draft["result"] == RESULT and draft["user"] == manager.id
    r = c.patch(f"/api/drafts/{draft['id']}", json={"result": [], "lead_time": 3}, headers=h)
    assert r.status_code == 200 and r.json()["result"] == [] and r.json()["lead_time"] == 3
    assert c.get(f"/api/drafts/{draft['id']}", headers=h).json()["result"] == []
    assert [d["id"] for d in c.get(f"/api/tasks/{task_id}/drafts", headers=h).json()] == [draft["id"]]
    assert [d["id"] for d in c.get(f"/api/tasks/{task_id}", headers=h).json()["drafts"]] == [draft["id"]]
    assert c.delete(f"/api/drafts/{draft['id']}", headers=h).status_code == 204
    assert c.get(f"/api/drafts/{draft['id']}", headers=h).status_code == 404


def test_drafts_are_private_and_scoped(world: World, manager: Person) -> None:
    c = world.client
    pid, task_id = _task(world, manager)
    colleague = world.person("colleague@example.com")
    world.join(pid, colleague, "annotator")
    outsider = world.person("outsider@example.com")
    draft_id = c.post(f"/api/tasks/{task_id}/drafts", json={"result": RESULT}, headers=manager.headers).json()["id"]
    for person in (colleague, outsider):
        assert c.get(f"/api/drafts/{draft_id}", headers=person.headers).status_code == 404
        assert c.patch(f"/api/drafts/{draft_id}", json={"result": []}, headers=person.headers).status_code == 404
        assert c.delete(f"/api/drafts/{draft_id}", headers=person.headers).status_code == 404
    assert c.get(f"/api/tasks/{task_id}/drafts", headers=colleague.headers).json() == []
    assert c.post(f"/api/tasks/{task_id}/drafts", json={"result": []}, headers=outsider.headers).status_code == 404
    assert c.get(f"/api/drafts/{draft_id}", headers=manager.headers).json()["result"] == RESULT


def test_bad_drafts_are_refused(world: World, manager: Person) -> None:
    c, h = world.client, manager.headers
    _, task_id = _task(world, manager)
    for body in ({"result": "x"}, {"result": [1]}, {"lead_time": "slow"}, {"colour": 1}, [1]):
        r = c.post(f"/api/tasks/{task_id}/drafts", json=body, headers=h)
        assert r.status_code == 400, (body, r.text)
    assert c.post("/api/tasks/999999/drafts", json={}, headers=h).status_code == 404
    assert c.get("/api/drafts/999999", headers=h).status_code == 404
