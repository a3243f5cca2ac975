"""`GET /api/projects/{id}/selection/next`: a data-manager selection worked through in its order, leaving out
what the caller annotated or skipped and what they passed; an annotator's selection is what `/api/tasks`
shows them."""

from __future__ import annotations

import json
from typing import Any

from tests.api.conftest import Person, World

CHOICE = [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}]


def _step(world: World, who: Person, pid: int, query: dict[str, Any], passed: tuple[int, ...] = ()) -> dict[str, Any]:
    params = {"query": json.dumps(query), "passed": ",".join(map(str, passed))}
    r = world.client.get(f"/api/projects/{pid}/selection/next", params=params, headers=who.headers)
    assert r.status_code == 200, r.text
    return r.json()


def _annotate(world: World, who: Person, task_id: int, *, skip: bool = False) -> None:
    body = {"result": [] if skip else CHOICE, "was_cancelled": skip}
    r = world.client.post(f"/api/tasks/{task_id}/annotations", json=body, headers=who.headers)
    assert r.status_code == 201, r.text


def test_selected_tasks_in_the_tables_order(world: World, manager: Person) -> None:
    pid, ids = world.project_with_tasks(manager, 10)
    query = {"selectedItems": {"all": False, "included": [ids[5], ids[2], ids[8]]}, "ordering": ["-tasks:id"]}
    step = _step(world, manager, pid, query)
    assert (step["task"]["id"], step["total"], step["remaining"]) == (ids[8], 3, 3)
    assert step["task"]["data"] == {"text": "t8"} and step["task"]["drafts"] == []
    _annotate(world, manager, ids[8])
    step = _step(world, manager, pid, query)
    assert (step["task"]["id"], step["remaining"]) == (ids[5], 2)
    assert _step(world, manager, pid, query, passed=(ids[5],))["task"]["id"] == ids[2]  # moved on without an answer
    _annotate(world, manager, ids[2], skip=True)  # a skip is done with, as in the queue
    assert _step(world, manager, pid, query, passed=(ids[5],)) == {"task": None, "total": 3, "remaining": 1}
    _annotate(world, manager, ids[5])
    assert _step(world, manager, pid, query) == {"task": None, "total": 3, "remaining": 0}


def test_all_matching_a_filter(world: World, manager: Person) -> None:
    pid, ids = world.project_with_tasks(manager, 12)
    search = {"filter": "filter:tasks:data.text", "operator": "contains", "type": "String", "value": "t1"}
    query = {"filters": {"conjunction": "and", "items": [search]}, "selectedItems": {"all": True, "excluded": []}}
    seen = []
    while (step := _step(world, manager, pid, query))["task"]:
        seen.append(step["task"]["id"])
        _annotate(world, manager, step["task"]["id"])
    assert seen == [ids[1], ids[10], ids[11]]


def test_someone_elses_annotation_does_not_count(world: World, manager: Person) -> None:
    pid, ids = world.project_with_tasks(manager, 3, maximum_annotations=2)
    other = world.person("annotator@example.com")
    world.join(pid, other, "annotator")
    _annotate(world, manager, ids[0])
    assert _step(world, other, pid, {})["task"]["id"] == ids[0]
    assert _step(world, manager, pid, {})["task"]["id"] == ids[1]


def test_an_annotator_selects_only_what_they_may_see(world: World, manager: Person) -> None:
    pid, ids = world.project_with_tasks(manager, 4, annotators_see_others=False)
    annotator = world.person("annotator@example.com")
    _annotate(world, manager, ids[1])
    by_manager = {"filter": "filter:tasks:annotators", "operator": "contains", "type": "List", "value": [manager.id]}
    query = {"filters": {"conjunction": "and", "items": [by_manager]}}
    r = world.client.get(f"/api/projects/{pid}/selection/next", headers=annotator.headers)
    assert r.status_code == 404  # not a member
    world.join(pid, annotator, "annotator")
    assert _step(world, manager, pid, query)["total"] == 1
    assert _step(world, annotator, pid, query) == {"task": None, "total": 0, "remaining": 0}


def test_bad_input(world: World, manager: Person) -> None:
    pid, _ = world.project_with_tasks(manager, 1)
    url = f"/api/projects/{pid}/selection/next"
    assert world.client.get(url, params={"passed": "1,x"}, headers=manager.headers).status_code == 400
    assert world.client.get(url, params={"query": "[1]"}, headers=manager.headers).status_code == 400
    bad = {"ordering": ["tasks:nope"]}
    assert world.client.get(url, params={"query": json.dumps(bad)}, headers=manager.headers).status_code == 400
