"""An annotation keeps the order its compared items were shown in (`presentation`): accepted only as an order
of the config's Pairwise sides or the task's Ranker items, returned with the annotation, exported with it in
Label Studio JSON and imported back."""

from __future__ import annotations

import json

from tests.api.conftest import Person, World

CONFIG = """<View>
  <Text name="prompt" value="$prompt"/>
  <Text name="a" value="$answer1"/>
  <Text name="b" value="$answer2"/>
  <Pairwise name="pw" toName="a,b"/>
  <List name="replies" value="$replies"/>
  <Ranker name="rank" toName="replies"/>
</View>"""
TASK = {
    "prompt": "Say hi",
    "answer1": "Hello!",
    "answer2": "Go away.",
    "replies": [{"id": "r1", "body": "Hi"}, {"id": "r2", "body": "Hey"}, {"id": "r3", "body": "Yo"}],
}
RESULT = [
    {"from_name": "pw", "to_name": "a,b", "type": "pairwise", "value": {"selected": "left"}},
    {"from_name": "rank", "to_name": "replies", "type": "ranker", "value": {"ranker": {"rank": ["r2", "r1", "r3"]}}},
]
SHOWN = {"pw": ["b", "a"], "rank": ["r3", "r1", "r2"]}


def _task(world: World, manager: Person) -> tuple[int, int]:
    pid = world.project(manager, CONFIG)
    r = world.client.post(f"/api/projects/{pid}/import?return_task_ids=true", json=[TASK], headers=manager.headers)
    assert r.status_code == 201, r.text
    return pid, r.json()["task_ids"][0]


def test_presentation_is_kept_returned_and_updated(world: World, manager: Person) -> None:
    c, h = world.client, manager.headers
    pid, task_id = _task(world, manager)
    r = c.post(f"/api/tasks/{task_id}/annotations", json={"result": RESULT, "presentation": SHOWN}, headers=h)
    assert r.status_code == 201, r.text
    ann = r.json()
    assert ann["presentation"] == SHOWN and ann["result"][0]["value"] == {"selected": "left"}
    assert c.get(f"/api/annotations/{ann['id']}", headers=h).json()["presentation"] == SHOWN
    r = c.patch(f"/api/annotations/{ann['id']}", json={"presentation": {"pw": ["a", "b"]}}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["presentation"] == {"pw": ["a", "b"]}
    plain = c.post(f"/api/tasks/{task_id}/annotations", json={"result": RESULT}, headers=h).json()
    assert plain["presentation"] is None
    assert c.get(f"/api/projects/{pid}", headers=h).json()["shuffle_comparisons"] is True


def test_a_presentation_that_is_not_an_order_of_the_items_is_refused(world: World, manager: Person) -> None:
    c, h = world.client, manager.headers
    _, task_id = _task(world, manager)
    cases = {
        "presentation: must be an object": ["b", "a"],
        "presentation.nope: is not a Pairwise or Ranker control": {"nope": ["a", "b"]},
        "presentation.pw: must be an order of a, b": {"pw": ["a", "c"]},
        "presentation.rank: must be an order of r1, r2, r3": {"rank": ["r1", "r2"]},
        "presentation.pw: must be a list": {"pw": "b,a"},
    }
    for expected, presentation in cases.items():
        r = c.post(
            f"/api/tasks/{task_id}/annotations", json={"result": RESULT, "presentation": presentation}, headers=h
        )
        assert r.status_code == 400, r.text
        assert expected in r.text, (expected, r.text)
    assert c.get(f"/api/tasks/{task_id}/annotations", headers=h).json() == []


def test_presentation_survives_an_export_and_import_round_trip(world: World, manager: Person) -> None:
    c, h = world.client, manager.headers
    pid, task_id = _task(world, manager)
    c.post(f"/api/tasks/{task_id}/annotations", json={"result": RESULT, "presentation": SHOWN}, headers=h)
    exported = c.get(f"/api/projects/{pid}/export?exportType=JSON", headers=h).json()
    assert exported[0]["annotations"][0]["presentation"] == SHOWN
    copy = world.project(manager, CONFIG)
    r = c.post(f"/api/projects/{copy}/import?return_task_ids=true", json=exported, headers=h)
    assert r.status_code == 201, r.text
    again = c.get(f"/api/projects/{copy}/export?exportType=JSON", headers=h).json()
    assert again[0]["annotations"][0]["presentation"] == SHOWN
    bad = json.loads(json.dumps(exported))
    bad[0]["annotations"][0]["presentation"] = {"pw": ["a", "a"]}
    r = c.post(f"/api/projects/{copy}/import", json=bad, headers=h)
    assert r.status_code == 400 and "annotations[0].presentation.pw" in r.text, r.text
