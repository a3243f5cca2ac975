"""The task list's review columns: `reviews_accepted`, `reviews_rejected` and `reviews_pending` count a task's
annotations by verdict, and the data-manager query filters and orders on them."""

from __future__ import annotations

import json

from tests.api.conftest import Person, World

CHOICE = [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}]


def _tasks(world: World, who: Person, pid: int, query: dict | None = None) -> list[dict]:
    params = {"project": pid, "query": json.dumps(query or {})}
    r = world.client.get("/api/tasks", params=params, headers=who.headers)
    assert r.status_code == 200, r.text
    return r.json()["tasks"]


def _over(column: str) -> dict:
    item = {"filter": f"filter:tasks:{column}", "operator": "greater", "type": "Number", "value": 0}
    return {"filters": {"conjunction": "and", "items": [item]}}


def test_review_counts_filters_and_ordering(world: World, manager: Person) -> None:
    c = world.client
    pid = world.project(manager)
    texts = [{"text": t} for t in ("accepted", "rejected", "pending", "skipped", "untouched")]
    ids = c.post(f"/api/projects/{pid}/import?return_task_ids=true", json=texts, headers=manager.headers).json()[
        "task_ids"
    ]
    ann, rev = world.person("ann@example.com"), world.person("rev@example.com")
    world.join(pid, ann, "annotator")
    world.join(pid, rev, "reviewer")
    made = [c.post(f"/api/tasks/{t}/annotations", json={"result": CHOICE}, headers=ann.headers).json() for t in ids[:3]]
    c.post(f"/api/tasks/{ids[3]}/annotations", json={"result": [], "was_cancelled": True}, headers=ann.headers)
    c.post(f"/api/annotations/{made[0]['id']}/reviews", json={"accepted": True}, headers=rev.headers)
    c.post(f"/api/annotations/{made[1]['id']}/reviews", json={"accepted": False, "comment": "no"}, headers=rev.headers)

    counts = {
        t["id"]: (t["reviews_accepted"], t["reviews_rejected"], t["reviews_pending"])
        for t in _tasks(world, manager, pid)
    }
    assert counts == {ids[0]: (1, 0, 0), ids[1]: (0, 1, 0), ids[2]: (0, 0, 1), ids[3]: (0, 0, 0), ids[4]: (0, 0, 0)}
    assert [t["id"] for t in _tasks(world, manager, pid, _over("reviews_accepted"))] == [ids[0]]
    assert [t["id"] for t in _tasks(world, manager, pid, _over("reviews_rejected"))] == [ids[1]]
    assert [t["id"] for t in _tasks(world, manager, pid, _over("reviews_pending"))] == [ids[2]]
    ordered = _tasks(world, manager, pid, {"ordering": ["-tasks:reviews_rejected"]})
    assert ordered[0]["id"] == ids[1]

    # The annotator's own view counts their annotations the same way.
    assert {t["id"]: t["reviews_rejected"] for t in _tasks(world, ann, pid)}[ids[1]] == 1


def test_an_annotator_who_cannot_see_others_filters_and_sorts_on_their_own_work_only(
    world: World, manager: Person
) -> None:
    """Without `annotators_see_others`, the annotator and review filters and sorts look only at the caller's
    own annotations: otherwise a filter would tell them which tasks a colleague did and how it was judged."""
    c = world.client
    pid = world.project(manager, annotators_see_others=False)
    ids = c.post(
        f"/api/projects/{pid}/import?return_task_ids=true",
        json=[{"text": "theirs"}, {"text": "mine"}, {"text": "both"}],
        headers=manager.headers,
    ).json()["task_ids"]
    me, other, rev = world.person("me@example.com"), world.person("other@example.com"), world.person("r@example.com")
    for person, role in ((me, "annotator"), (other, "annotator"), (rev, "reviewer")):
        world.join(pid, person, role)
    theirs = c.post(f"/api/tasks/{ids[0]}/annotations", json={"result": CHOICE}, headers=other.headers).json()
    c.post(f"/api/tasks/{ids[1]}/annotations", json={"result": CHOICE}, headers=me.headers)
    both = c.post(f"/api/tasks/{ids[2]}/annotations", json={"result": CHOICE}, headers=other.headers).json()
    c.post(f"/api/tasks/{ids[2]}/annotations", json={"result": CHOICE}, headers=me.headers)
    for made in (theirs, both):
        r = c.post(
            f"/api/annotations/{made['id']}/reviews", json={"accepted": False, "comment": "no"}, headers=rev.headers
        )
        assert r.status_code == 201, r.text

    by_other = {
        "filters": {
            "conjunction": "and",
            "items": [
                {"filter": "filter:tasks:annotators", "operator": "contains", "type": "List", "value": [other.id]}
            ],
        }
    }
    assert [t["id"] for t in _tasks(world, manager, pid, by_other)] == [ids[0], ids[2]]
    assert _tasks(world, me, pid, by_other) == []
    assert [t["id"] for t in _tasks(world, manager, pid, _over("reviews_rejected"))] == [ids[0], ids[2]]
    assert _tasks(world, me, pid, _over("reviews_rejected")) == []
    assert [t["id"] for t in _tasks(world, me, pid, _over("reviews_pending"))] == [ids[1], ids[2]]
    # Sorting by a colleague's verdicts would put the tasks they were rejected on first; on the caller's own
    # work every count is 0, so the tie-break (id, descending) decides.
    ordered = _tasks(world, me, pid, {"ordering": ["-tasks:reviews_rejected"]})
    assert [t["id"] for t in ordered] == [ids[2], ids[1], ids[0]]
    assert all(t["reviews_rejected"] == 0 for t in ordered)

    # Once the project lets annotators see each other's work, the same filters see all of it.
    r = c.patch(f"/api/projects/{pid}", json={"annotators_see_others": True}, headers=manager.headers)
    assert r.status_code == 200, r.text
    assert [t["id"] for t in _tasks(world, me, pid, by_other)] == [ids[0], ids[2]]


def test_a_review_filter_total_follows_a_new_verdict(world: World, manager: Person) -> None:
    """A verdict changes no task row, so the total of a review filter is counted afresh, never taken from the
    cache of totals that writes to tasks keep exact."""
    c = world.client
    pid = world.project(manager)
    ids = c.post(
        f"/api/projects/{pid}/import?return_task_ids=true", json=[{"text": "a"}, {"text": "b"}], headers=manager.headers
    ).json()["task_ids"]
    ann, rev = world.person("ann@example.com"), world.person("rev@example.com")
    world.join(pid, ann, "annotator")
    world.join(pid, rev, "reviewer")
    made = c.post(f"/api/tasks/{ids[0]}/annotations", json={"result": CHOICE}, headers=ann.headers).json()

    def total() -> int:
        params = {"project": pid, "query": json.dumps(_over("reviews_accepted"))}
        r = c.get("/api/tasks", params=params, headers=manager.headers)
        assert r.status_code == 200, r.text
        return r.json()["total"]

    assert total() == 0
    c.post(f"/api/annotations/{made['id']}/reviews", json={"accepted": True}, headers=rev.headers)
    assert total() == 1
