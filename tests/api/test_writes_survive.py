"""Writes that survive: idempotent creates, versioned updates, all-or-nothing imports, counters from rows."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from tessera.db.tables import Annotation, Task
from tests.api.conftest import Person, World

RESULT = [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}]


def _task(world: World, manager: Person, n: int = 1) -> tuple[int, list[int]]:
    pid = world.project(manager)
    r = world.client.post(
        f"/api/projects/{pid}/import", json=[{"text": f"t{i}"} for i in range(n)], headers=manager.headers
    )
    assert r.status_code == 201, r.text
    return pid, r.json()["task_ids"]


def test_retried_create_with_unique_id_returns_the_first(world: World, manager: Person) -> None:
    _pid, (task,) = _task(world, manager)
    body = {"result": RESULT, "unique_id": "retry-me"}
    first = world.client.post(f"/api/tasks/{task}/annotations", json=body, headers=manager.headers)
    again = world.client.post(f"/api/tasks/{task}/annotations", json=body, headers=manager.headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert world.client.get(f"/api/tasks/{task}", headers=manager.headers).json()["total_annotations"] == 1


def test_same_submit_five_times_at_once_makes_one_annotation(world: World, manager: Person) -> None:
    _pid, (task,) = _task(world, manager)
    body = {"result": RESULT, "unique_id": "burst"}
    start = threading.Barrier(5)
    codes: list[int] = []

    def send() -> None:
        start.wait()
        codes.append(
            world.client.post(f"/api/tasks/{task}/annotations", json=body, headers=manager.headers).status_code
        )

    threads = [threading.Thread(target=send) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200, 200, 200, 200, 201]
    with world.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Annotation).where(Annotation.task_id == task)) == 1
        assert s.get(Task, task).total_annotations == 1


def test_stale_version_is_a_conflict_and_changes_nothing(world: World, manager: Person) -> None:
    _pid, (task,) = _task(world, manager)
    ann = world.client.post(f"/api/tasks/{task}/annotations", json={"result": RESULT}, headers=manager.headers).json()
    negative = [{**RESULT[0], "value": {"choices": ["Negative"]}}]
    ok = world.client.patch(
        f"/api/annotations/{ann['id']}", json={"result": negative, "version": ann["version"]}, headers=manager.headers
    )
    stale = world.client.patch(
        f"/api/annotations/{ann['id']}", json={"result": RESULT, "version": ann["version"]}, headers=manager.headers
    )
    assert (ok.status_code, stale.status_code) == (200, 409)
    now = world.client.get(f"/api/annotations/{ann['id']}", headers=manager.headers).json()
    assert now["result"] == negative and now["version"] == ann["version"] + 1


def test_counters_follow_create_cancel_and_delete(world: World, manager: Person) -> None:
    _pid, (task,) = _task(world, manager)
    c, h = world.client, manager.headers
    a = c.post(f"/api/tasks/{task}/annotations", json={"result": RESULT}, headers=h).json()
    skip = c.post(f"/api/tasks/{task}/annotations", json={"result": [], "was_cancelled": True}, headers=h).json()
    t = c.get(f"/api/tasks/{task}", headers=h).json()
    assert (t["total_annotations"], t["cancelled_annotations"], t["is_labeled"]) == (1, 1, True)
    assert c.delete(f"/api/annotations/{a['id']}", headers=h).status_code == 204
    t = c.get(f"/api/tasks/{task}", headers=h).json()
    assert (t["total_annotations"], t["cancelled_annotations"], t["is_labeled"]) == (0, 1, False)
    assert c.delete(f"/api/annotations/{skip['id']}", headers=h).status_code == 204
    with world.db.reader() as s:
        row = s.get(Task, task)
        assert (row.total_annotations, row.cancelled_annotations) == (0, 0)


def test_counters_and_agreement_follow_a_second_annotation_and_its_delete(world: World, manager: Person) -> None:
    """Overlap 2: one annotation leaves the task unlabeled, a second labels it and gives it an agreement, an
    edit that disagrees changes the agreement, and a delete takes the task back to one annotation, unlabeled,
    without an agreement (the counts and the label are written in one statement, the agreement when it
    changes)."""
    pid, (task,) = _task(world, manager)
    c, h = world.client, manager.headers
    assert c.patch(f"/api/projects/{pid}", json={"maximum_annotations": 2}, headers=h).status_code == 200

    def stored() -> tuple[int, int, bool, float | None]:
        with world.db.reader() as s:
            row = s.get(Task, task)
            return row.total_annotations, row.cancelled_annotations, row.is_labeled, row.agreement

    other = world.person("second-annotator@example.com")
    world.join(pid, other, "annotator")
    first = c.post(f"/api/tasks/{task}/annotations", json={"result": RESULT}, headers=h).json()
    assert stored() == (1, 0, False, None)
    second = c.post(f"/api/tasks/{task}/annotations", json={"result": RESULT}, headers=other.headers).json()
    assert stored() == (2, 0, True, 1.0)
    negative = [{**RESULT[0], "value": {"choices": ["Negative"]}}]
    r = c.patch(f"/api/annotations/{second['id']}", json={"result": negative}, headers=other.headers)
    assert r.status_code == 200, r.text
    assert stored() == (2, 0, True, 0.0)
    assert c.delete(f"/api/annotations/{first['id']}", headers=h).status_code == 204
    assert stored() == (1, 0, False, None)


def test_import_with_one_bad_row_imports_nothing(world: World, manager: Person) -> None:
    pid = world.project(manager)
    rows = [{"text": f"ok {i}"} for i in range(5000)]
    rows[3100] = {"txt": "wrong field"}
    r = world.client.post(f"/api/projects/{pid}/import", json=rows, headers=manager.headers)
    assert r.status_code == 400
    body = r.json()
    assert "line 3101" in body["detail"] and "'text'" in body["detail"]
    assert body["validation_errors"]["tasks"] == [
        "request body, line 3101: data has no field 'text' that the config needs"
    ]
    with world.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Task).where(Task.project_id == pid)) == 0


def test_import_with_an_invalid_annotation_names_it(world: World, manager: Person) -> None:
    pid = world.project(manager)
    bad = {"data": {"text": "x"}, "annotations": [{"result": [{**RESULT[0], "value": {"choices": ["Maybe"]}}]}]}
    r = world.client.post(f"/api/projects/{pid}/import", json=[{"text": "fine"}, bad], headers=manager.headers)
    assert r.status_code == 400
    assert "line 2" in r.json()["detail"] and "Maybe" in r.json()["detail"]
    assert world.client.get(f"/api/projects/{pid}", headers=manager.headers).json()["task_number"] == 0
