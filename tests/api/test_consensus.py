"""`GET /api/projects/{id}/consensus`: majority vote and Dawid–Skene over real annotations, staff only."""

from __future__ import annotations

import json

from tests.api.conftest import CONFIG, Person, World

RATED = """<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices>
  <Rating name="stars" toName="text" maxRating="5"/>
  <Labels name="label" toName="text"><Label value="PER"/></Labels>
</View>"""


def _choice(value: str) -> list[dict]:
    return [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": [value]}}]


def _stars(n: int) -> list[dict]:
    return [{"from_name": "stars", "to_name": "text", "type": "rating", "value": {"rating": n}}]


def _setup(world: World, manager: Person) -> tuple[int, list[int], list[Person]]:
    pid = world.project(manager, RATED, maximum_annotations=3)
    r = world.client.post(
        f"/api/projects/{pid}/import?return_task_ids=true",
        json=[{"text": f"t{i}"} for i in range(3)],
        headers=manager.headers,
    )
    ids = r.json()["task_ids"]
    people = [world.person(f"a{i}@example.com") for i in range(3)]
    for p in people:
        world.join(pid, p, "annotator")
    answers = {  # task -> each annotator's choice (None: skipped)
        ids[0]: ["Positive", "Positive", "Negative"],
        ids[1]: ["Negative", "Negative", None],
        ids[2]: ["Positive", None, None],
    }
    for task_id, choices in answers.items():
        for who, choice in zip(people, choices, strict=True):
            body = (
                {"result": _choice(choice) + _stars(4), "was_cancelled": False}
                if choice
                else {"result": [], "was_cancelled": True}
            )
            assert (
                world.client.post(f"/api/tasks/{task_id}/annotations", json=body, headers=who.headers).status_code
                == 201
            )
    return pid, ids, people


def test_majority_vote_per_task(world: World, manager: Person) -> None:
    pid, ids, _people = _setup(world, manager)
    r = world.client.get(f"/api/projects/{pid}/consensus?control=sentiment", headers=manager.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["control"] == "sentiment" and body["method"] == "majority_vote"
    got = {t["task"]: (t["label"], round(t["confidence"], 3), t["votes"]) for t in body["tasks"]}
    assert got == {ids[0]: ("Positive", 0.667, 3), ids[1]: ("Negative", 1.0, 2), ids[2]: ("Positive", 1.0, 1)}
    r = world.client.get(f"/api/projects/{pid}/consensus?control=stars", headers=manager.headers)
    assert {t["label"] for t in r.json()["tasks"]} == {4}


def test_dawid_skene_reports_labels_and_annotator_accuracy(world: World, manager: Person) -> None:
    pid, ids, people = _setup(world, manager)
    r = world.client.get(f"/api/projects/{pid}/consensus?control=sentiment&method=dawid_skene", headers=manager.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [t["task"] for t in body["tasks"]] == ids
    assert {t["task"]: t["label"] for t in body["tasks"]}[ids[1]] == "Negative"
    assert sorted(a["annotator"] for a in body["annotators"]) == sorted(p.id for p in people)
    assert all(0 <= a["accuracy"] <= 1 for a in body["annotators"])


def test_refusals(world: World, manager: Person) -> None:
    pid, _ids, people = _setup(world, manager)
    c, h = world.client, manager.headers
    assert c.get(f"/api/projects/{pid}/consensus?control=sentiment", headers=people[0].headers).status_code == 403
    outsider = world.person("outsider@example.com")
    assert c.get(f"/api/projects/{pid}/consensus?control=sentiment", headers=outsider.headers).status_code == 404
    r = c.get(f"/api/projects/{pid}/consensus", headers=h)  # two usable controls: which one?
    assert r.status_code == 400 and "sentiment" in r.json()["detail"] and "stars" in r.json()["detail"]
    r = c.get(f"/api/projects/{pid}/consensus?control=label", headers=h)
    assert r.status_code == 400 and "label" in r.json()["detail"]
    r = c.get(f"/api/projects/{pid}/consensus?control=sentiment&method=vibes", headers=h)
    assert r.status_code == 400 and "majority_vote" in r.json()["detail"]


def test_one_usable_control_needs_no_name(world: World, manager: Person) -> None:
    pid = world.project(manager, CONFIG)
    r = world.client.get(f"/api/projects/{pid}/consensus", headers=manager.headers)
    assert r.status_code == 200 and r.json() == {
        "control": "sentiment",
        "method": "majority_vote",
        "tasks": [],
        "annotators": [],
    }


def test_accuracy_against_ground_truth_per_annotator_and_control(world: World, manager: Person) -> None:
    pid, ids, people = _setup(world, manager)  # a0: P, N, P; a1: P, N, skip; a2: N, skip, skip; all 4 stars
    c, h = world.client, manager.headers
    for task_id, choice, stars in [(ids[0], "Positive", 4), (ids[1], "Positive", 5)]:
        body = {"result": _choice(choice) + _stars(stars), "ground_truth": True}
        assert c.post(f"/api/tasks/{task_id}/annotations", json=body, headers=h).status_code == 201
    r = c.get(f"/api/projects/{pid}/accuracy", headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["ground_truth_tasks"] == 2
    got = {(s["annotator"], s["control"]): (s["compared"], s["correct"]) for s in body["scores"]}
    a0, a1, a2 = (p.id for p in people)
    assert got == {
        (a0, "sentiment"): (2, 1),
        (a1, "sentiment"): (2, 1),
        (a2, "sentiment"): (1, 0),
        (a0, "stars"): (2, 1),
        (a1, "stars"): (2, 1),
        (a2, "stars"): (1, 1),
    }
    assert c.get(f"/api/projects/{pid}/accuracy", headers=people[0].headers).status_code == 403


def test_exports_carry_the_consensus_next_to_the_annotations(world: World, manager: Person) -> None:
    pid, ids, _people = _setup(world, manager)
    c, h = world.client, manager.headers
    r = c.get(f"/api/projects/{pid}/export?exportType=JSON&consensus=majority_vote", headers=h)
    assert r.status_code == 200, r.text
    by_task = {t["id"]: t for t in r.json()}
    first = by_task[ids[0]]["consensus"]
    assert first["sentiment"] == {"label": "Positive", "confidence": 0.666667, "votes": 3, "method": "majority_vote"}
    assert first["stars"]["label"] == 4 and "label" not in first  # spans have no whole-task consensus
    assert len(by_task[ids[0]]["annotations"]) == 3  # the individual annotations stay
    r = c.get(f"/api/projects/{pid}/export?exportType=JSONL&consensus=dawid_skene", headers=h)
    lines = [json.loads(line) for line in r.text.splitlines()]
    assert {t["id"]: t["consensus"]["sentiment"]["label"] for t in lines}[ids[1]] == "Negative"
    assert "consensus" not in c.get(f"/api/projects/{pid}/export?exportType=JSON", headers=h).json()[0]
    for query, message in (
        ("exportType=CSV&consensus=majority_vote", "JSON and JSONL only"),
        ("exportType=JSON&consensus=mode", "consensus: must be one of"),
    ):
        r = c.get(f"/api/projects/{pid}/export?{query}", headers=h)
        assert r.status_code == 400 and message in r.json()["detail"], r.text
    snap = c.post(f"/api/projects/{pid}/exports", json={"export_options": {"consensus": "majority_vote"}}, headers=h)
    assert snap.status_code == 201, snap.text
    r = c.get(f"/api/projects/{pid}/exports/{snap.json()['id']}/download?exportType=JSON", headers=h)
    assert all("consensus" in t for t in r.json())
