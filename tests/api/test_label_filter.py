"""The data manager's label filter (`filter:tasks:annotations_results`): tasks with an annotation giving a label
or choice value, matched as a whole value, among the annotations the caller may see; `annotations_results`
lists those values."""

from __future__ import annotations

import json

from tests.api.conftest import Person, World


def result(choice: str, *spans: tuple[int, int, str]) -> list[dict]:
    items = [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": [choice]}}]
    for start, end, label in spans:
        value = {"start": start, "end": end, "labels": [label]}
        items.append({"from_name": "label", "to_name": "text", "type": "labels", "value": value})
    return items


def _ids(world: World, who: Person, pid: int, op: str, value: object) -> list[int]:
    item = {"filter": "filter:tasks:annotations_results", "operator": op, "type": "String", "value": value}
    query = {"filters": {"conjunction": "and", "items": [item]}}
    r = world.client.get("/api/tasks", params={"project": pid, "query": json.dumps(query)}, headers=who.headers)
    assert r.status_code == 200, r.text
    return [t["id"] for t in r.json()["tasks"]]


def test_filter_by_label_value(world: World, manager: Person) -> None:
    c = world.client
    pid = world.project(manager)
    texts = [{"text": "Ann at ACME"}, {"text": "Bob"}, {"text": "nothing"}]
    ids = c.post(f"/api/projects/{pid}/import?return_task_ids=true", json=texts, headers=manager.headers).json()[
        "task_ids"
    ]
    me, other = world.person("me@example.com"), world.person("other@example.com")
    world.join(pid, me, "annotator")
    world.join(pid, other, "annotator")
    mine = result("Positive", (0, 3, "PER"), (7, 11, "ORG"))
    for person, task, res in ((me, ids[0], mine), (other, ids[1], result("Negative", (0, 3, "PER")))):
        r = c.post(f"/api/tasks/{task}/annotations", json={"result": res}, headers=person.headers)
        assert r.status_code == 201, r.text

    assert _ids(world, manager, pid, "contains", "PER") == [ids[0], ids[1]]
    assert _ids(world, manager, pid, "contains", "ORG") == [ids[0]]
    assert _ids(world, manager, pid, "contains", "Negative") == [ids[1]]
    assert _ids(world, manager, pid, "not_contains", "PER") == [ids[2]]
    assert _ids(world, manager, pid, "contains", "OR") == []  # a whole value, not a part of one
    assert _ids(world, manager, pid, "contains", "per") == [ids[0], ids[1]]  # case-insensitive, as every filter
    r = c.get("/api/tasks", params={"project": pid}, headers=manager.headers)
    shown = {t["id"]: t["annotations_results"] for t in r.json()["tasks"]}
    assert shown == {ids[0]: "ORG, PER, Positive", ids[1]: "Negative, PER", ids[2]: ""}

    # An annotator who may not see others' work filters on their own annotations only.
    assert _ids(world, me, pid, "contains", "PER") == [ids[0]]
    assert _ids(world, me, pid, "not_contains", "Negative") == ids

    bad = {"filter": "filter:tasks:annotations_results", "operator": "greater", "type": "String", "value": "x"}
    params = {"project": pid, "query": json.dumps({"filters": {"conjunction": "and", "items": [bad]}})}
    r = c.get("/api/tasks", params=params, headers=manager.headers)
    assert r.status_code == 400 and "does not apply to labels" in r.text, r.text
