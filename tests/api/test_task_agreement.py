"""Each task's agreement (`agreement`, 0..1) follows every annotation write and import, and the data manager
filters and sorts on it; the review queue can ask for the tasks whose annotators agree least. An annotator
who may not see others' work sees none of it."""

from __future__ import annotations

import json

import pytest

from tests.api.conftest import Person, World


def choice(value: str) -> list[dict]:
    return [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": [value]}}]


def _tasks(world: World, who: Person, pid: int, query: dict | None = None) -> list[dict]:
    params = {"project": pid, "query": json.dumps(query or {})}
    r = world.client.get("/api/tasks", params=params, headers=who.headers)
    assert r.status_code == 200, r.text
    return r.json()["tasks"]


def _agreement(world: World, who: Person, pid: int) -> dict[str, float | None]:
    return {t["data"]["text"]: t["agreement"] for t in _tasks(world, who, pid)}


def _annotate(world: World, who: Person, task: int, value: str) -> dict:
    r = world.client.post(f"/api/tasks/{task}/annotations", json={"result": choice(value)}, headers=who.headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_agreement_follows_every_write(world: World, manager: Person) -> None:
    c = world.client
    pid = world.project(manager, maximum_annotations=3)
    (tid,) = c.post(
        f"/api/projects/{pid}/import?return_task_ids=true", json=[{"text": "t"}], headers=manager.headers
    ).json()["task_ids"]
    people = [world.person(f"a{i}@example.com") for i in range(3)]
    rev = world.person("rev@example.com")
    for p in people:
        world.join(pid, p, "annotator")
    world.join(pid, rev, "reviewer")

    first = _annotate(world, people[0], tid, "Positive")
    assert _agreement(world, manager, pid) == {"t": None}  # one annotator: nothing to agree with
    _annotate(world, people[1], tid, "Positive")
    assert _agreement(world, manager, pid) == {"t": 1.0}
    third = _annotate(world, people[2], tid, "Negative")
    assert _agreement(world, manager, pid)["t"] == pytest.approx(1 / 3)  # one pair of three agrees

    r = c.patch(f"/api/annotations/{third['id']}", json={"result": choice("Positive")}, headers=people[2].headers)
    assert r.status_code == 200, r.text
    assert _agreement(world, manager, pid) == {"t": 1.0}
    # A reviewer's fix is a correction, not a fourth opinion.
    r = c.post(
        f"/api/annotations/{first['id']}/reviews",
        json={"accepted": True, "result": choice("Negative")},
        headers=rev.headers,
    )
    assert r.status_code == 201, r.text
    assert _agreement(world, manager, pid) == {"t": 1.0}
    assert c.delete(f"/api/annotations/{third['id']}", headers=manager.headers).status_code == 204
    assert _agreement(world, manager, pid) == {"t": 1.0}


def test_imported_annotations_have_their_agreement(world: World, manager: Person) -> None:
    pid = world.project(manager)
    a, b = world.person("a@example.com"), world.person("b@example.com")
    world.join(pid, a, "annotator")
    world.join(pid, b, "annotator")

    def task(text: str, *answers: tuple[Person, str]) -> dict:
        return {
            "data": {"text": text},
            "annotations": [{"result": choice(v), "completed_by": p.id} for p, v in answers],
        }

    body = [
        task("same", (a, "Positive"), (b, "Positive")),
        task("split", (a, "Positive"), (b, "Negative")),
        task("one", (a, "Positive")),
    ]
    assert world.client.post(f"/api/projects/{pid}/import", json=body, headers=manager.headers).status_code == 201
    assert _agreement(world, manager, pid) == {"same": 1.0, "split": 0.0, "one": None}


def test_the_data_manager_and_the_review_queue_use_it_and_annotators_do_not_see_it(
    world: World, manager: Person
) -> None:
    c = world.client
    pid = world.project(manager, maximum_annotations=2)
    ids = c.post(
        f"/api/projects/{pid}/import?return_task_ids=true",
        json=[{"text": "agreed"}, {"text": "split"}, {"text": "alone"}],
        headers=manager.headers,
    ).json()["task_ids"]
    a, b, rev = world.person("a@example.com"), world.person("b@example.com"), world.person("rev@example.com")
    for p, role in ((a, "annotator"), (b, "annotator"), (rev, "reviewer")):
        world.join(pid, p, role)
    for person, values in ((a, ["Positive", "Positive", "Negative"]), (b, ["Positive", "Negative"])):
        for tid, value in zip(ids, values, strict=False):
            _annotate(world, person, tid, value)

    low = {"filters": {"conjunction": "and", "items": [
        {"filter": "filter:tasks:agreement", "operator": "less", "type": "Number", "value": 0.5}
    ]}}  # fmt: skip
    assert [t["id"] for t in _tasks(world, manager, pid, low)] == [ids[1]]
    ordered = _tasks(world, manager, pid, {"ordering": ["tasks:agreement"]})
    assert [t["agreement"] for t in ordered] == [0.0, 1.0, None]  # unknown last, whichever the direction
    ordered = _tasks(world, manager, pid, {"ordering": ["-tasks:agreement"]})
    assert [t["agreement"] for t in ordered] == [1.0, 0.0, None]

    r = c.get(f"/api/projects/{pid}/reviews/queue", params={"max_agreement": 0.5}, headers=rev.headers)
    assert r.status_code == 200, r.text
    assert sorted((x["task"], x["task_agreement"]) for x in r.json()["results"]) == [(ids[1], 0.0), (ids[1], 0.0)]
    assert (
        c.get(f"/api/projects/{pid}/reviews/queue", params={"max_agreement": 2}, headers=rev.headers).status_code == 400
    )

    # An annotator who may not see others' work learns nothing of it from the column, a filter or a sort.
    assert {t["agreement"] for t in _tasks(world, a, pid)} == {None}
    assert _tasks(world, a, pid, low) == []
    r = c.patch(f"/api/projects/{pid}", json={"annotators_see_others": True}, headers=manager.headers)
    assert r.status_code == 200, r.text
    assert [t["id"] for t in _tasks(world, a, pid, low)] == [ids[1]]


TWO_CONTROLS = """<View><Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices>
  <Choices name="topic" toName="text"><Choice value="Sport"/><Choice value="Music"/></Choices>
</View>"""


def test_a_new_labeling_config_recomputes_the_agreement(world: World, manager: Person) -> None:
    """What a task's agreement compares depends on the config's controls: changing them recomputes it."""
    pid = world.project(manager, TWO_CONTROLS)
    a, b = world.person("a@example.com"), world.person("b@example.com")
    topic = {"from_name": "topic", "to_name": "text", "type": "choices"}
    body = [
        {
            "data": {"text": "t"},
            "annotations": [
                {"completed_by": a.id, "result": [*choice("Positive"), {**topic, "value": {"choices": ["Sport"]}}]},
                {"completed_by": b.id, "result": [*choice("Positive"), {**topic, "value": {"choices": ["Music"]}}]},
            ],
        }
    ]
    for p in (a, b):
        world.join(pid, p, "annotator")
    r = world.client.post(f"/api/projects/{pid}/import", json=body, headers=manager.headers)
    assert r.status_code == 201, r.text
    assert _agreement(world, manager, pid) == {"t": 0.5}  # sentiment agrees, topic does not
    high = {"filters": {"conjunction": "and", "items": [
        {"filter": "filter:tasks:agreement", "operator": "greater", "type": "Number", "value": 0.9}
    ]}}  # fmt: skip
    assert _tasks(world, manager, pid, high) == []

    without_topic = TWO_CONTROLS.split('  <Choices name="topic"')[0] + "</View>"
    r = world.client.patch(f"/api/projects/{pid}", json={"label_config": without_topic}, headers=manager.headers)
    assert r.status_code == 200, r.text
    assert _agreement(world, manager, pid) == {"t": 1.0}
    assert [t["data"]["text"] for t in _tasks(world, manager, pid, high)] == ["t"]  # no stale count kept
