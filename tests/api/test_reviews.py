"""Review: queue, accept, reject with a comment, fix (a new annotation linked to the original, which is kept),
resubmission after a rejection, who may review, and two reviewers racing on one annotation."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient

from tests.api.conftest import Person, World

CHOICE = [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}]
NEGATIVE = [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Negative"]}}]


def _setup(world: World, manager: Person) -> tuple[int, list[int], Person, Person, Person]:
    pid = world.project(manager)
    r = world.client.post(
        f"/api/projects/{pid}/import?return_task_ids=true",
        json=[{"text": "good"}, {"text": "bad"}, {"text": "meh"}],
        headers=manager.headers,
    )
    ids = r.json()["task_ids"]
    ann1, ann2, rev = world.person("ann1@example.com"), world.person("ann2@example.com"), world.person("rev@x.org")
    world.join(pid, ann1, "annotator")
    world.join(pid, ann2, "annotator")
    world.join(pid, rev, "reviewer")
    return pid, ids, ann1, ann2, rev


def _annotate(c: TestClient, task_id: int, who: Person, result: list) -> dict:
    r = c.post(f"/api/tasks/{task_id}/annotations", json={"result": result}, headers=who.headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_queue_accept_reject_and_resubmit(world: World, manager: Person) -> None:
    pid, ids, ann1, ann2, rev = _setup(world, manager)
    c = world.client
    a = _annotate(c, ids[0], ann1, CHOICE)
    b = _annotate(c, ids[1], ann2, NEGATIVE)
    c.post(f"/api/tasks/{ids[2]}/annotations", json={"result": [], "was_cancelled": True}, headers=ann1.headers)

    queue = c.get(f"/api/projects/{pid}/reviews/queue", headers=rev.headers).json()
    assert queue["count"] == 2 and [x["id"] for x in queue["results"]] == [a["id"], b["id"]]  # skips excluded
    assert queue["results"][0]["task_data"] == {"text": "good"}
    by_annotator = c.get(f"/api/projects/{pid}/reviews/queue?annotator={ann2.id}", headers=rev.headers).json()
    assert [x["id"] for x in by_annotator["results"]] == [b["id"]]
    by_label = c.get(f"/api/projects/{pid}/reviews/queue?label=Positive", headers=rev.headers).json()
    assert [x["id"] for x in by_label["results"]] == [a["id"]]

    r = c.post(f"/api/annotations/{a['id']}/reviews", json={"accepted": True}, headers=rev.headers)
    assert r.status_code == 201 and r.json()["accepted"] is True and r.json()["fixed_annotation"] is None
    r = c.post(
        f"/api/annotations/{b['id']}/reviews",
        json={"accepted": False, "comment": "It is positive."},
        headers=rev.headers,
    )
    assert r.status_code == 201, r.text
    assert c.get(f"/api/projects/{pid}/reviews/queue", headers=rev.headers).json()["count"] == 0
    rejected = c.get(f"/api/projects/{pid}/reviews/queue?status=rejected", headers=rev.headers).json()
    assert [x["id"] for x in rejected["results"]] == [b["id"]]

    # The author sees the rejection and its comment, resubmits, and the annotation is pending again.
    mine = c.get(f"/api/annotations/{b['id']}", headers=ann2.headers).json()
    assert mine["review_status"] == "rejected"
    history = c.get(f"/api/annotations/{b['id']}/reviews", headers=ann2.headers).json()
    assert [(h["accepted"], h["comment"], h["reviewer"]) for h in history] == [(False, "It is positive.", rev.id)]
    r = c.patch(f"/api/annotations/{b['id']}", json={"result": CHOICE}, headers=ann2.headers)
    assert r.status_code == 200 and r.json()["review_status"] is None
    assert [x["id"] for x in c.get(f"/api/projects/{pid}/reviews/queue", headers=rev.headers).json()["results"]] == [
        b["id"]
    ]


def test_a_fix_is_a_new_annotation_and_the_original_is_kept(world: World, manager: Person) -> None:
    pid, ids, ann1, _ann2, rev = _setup(world, manager)
    c = world.client
    a = _annotate(c, ids[0], ann1, NEGATIVE)
    r = c.post(f"/api/annotations/{a['id']}/reviews", json={"accepted": True, "result": CHOICE}, headers=rev.headers)
    assert r.status_code == 201, r.text
    fixed = r.json()["fixed_annotation"]
    assert fixed["parent_annotation"] == a["id"] and fixed["completed_by"] == rev.id and fixed["result"] == CHOICE
    original = c.get(f"/api/annotations/{a['id']}", headers=manager.headers).json()
    assert original["result"] == NEGATIVE and original["review_status"] == "fixed"
    anns = c.get(f"/api/tasks/{ids[0]}/annotations", headers=manager.headers).json()
    assert sorted(x["id"] for x in anns) == sorted([a["id"], fixed["id"]])
    r = c.post(
        f"/api/annotations/{a['id']}/reviews", json={"accepted": True, "result": [{"x": 1}]}, headers=rev.headers
    )
    assert r.status_code == 400  # a fix is checked against the config like any result


def test_who_may_review(world: World, manager: Person) -> None:
    pid, ids, ann1, ann2, rev = _setup(world, manager)
    c = world.client
    a = _annotate(c, ids[0], ann1, CHOICE)
    assert c.get(f"/api/projects/{pid}/reviews/queue", headers=ann2.headers).status_code == 403
    assert c.post(f"/api/annotations/{a['id']}/reviews", json={"accepted": True}, headers=ann2.headers).status_code in (
        403,
        404,
    )
    outsider = world.person("outsider@example.com")
    assert (
        c.post(f"/api/annotations/{a['id']}/reviews", json={"accepted": True}, headers=outsider.headers).status_code
        == 404
    )
    own = _annotate(c, ids[1], rev, CHOICE)
    r = c.post(f"/api/annotations/{own['id']}/reviews", json={"accepted": True}, headers=rev.headers)
    assert r.status_code == 403 and "own" in r.json()["detail"]
    r = c.post(f"/api/annotations/{a['id']}/reviews", json={"accepted": False}, headers=rev.headers)
    assert r.status_code == 400 and "comment" in r.json()["detail"]
    r = c.post(f"/api/annotations/{a['id']}/reviews", json={"accepted": "yes"}, headers=rev.headers)
    assert r.status_code == 400
    r = c.post(f"/api/annotations/{a['id']}/reviews", json={"accepted": True, "score": 3}, headers=rev.headers)
    assert r.status_code == 400 and "score" in r.json()["detail"]
    assert c.get(f"/api/projects/{pid}/reviews/queue?status=bogus", headers=rev.headers).status_code == 400


def test_two_reviewers_with_the_same_version_one_wins(world: World, manager: Person) -> None:
    pid, ids, ann1, _ann2, rev = _setup(world, manager)
    rev2 = world.person("rev2@example.com")
    world.join(pid, rev2, "reviewer")
    a = _annotate(world.client, ids[0], ann1, CHOICE)
    clients = [world.client, TestClient(world.app, raise_server_exceptions=False)]
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def verdict(c: TestClient, who: Person, accepted: bool) -> None:
        body = {"accepted": accepted, "comment": "no", "version": a["version"]}
        barrier.wait()
        statuses.append(c.post(f"/api/annotations/{a['id']}/reviews", json=body, headers=who.headers).status_code)

    threads = [
        threading.Thread(target=verdict, args=(clients[0], rev, True)),
        threading.Thread(target=verdict, args=(clients[1], rev2, False)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    clients[1].close()
    assert sorted(statuses) == [201, 409]
    assert len(world.client.get(f"/api/annotations/{a['id']}/reviews", headers=manager.headers).json()) == 1
