"""GET /api/projects/{id}/my-rejections: the caller's own rejected annotations with the rejecting verdict; a
resubmission takes one off the list; another annotator's rejections are not listed; outsiders get a 404."""

from __future__ import annotations

from tests.api.conftest import Person, World

CHOICE = [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}]


def test_my_rejections(world: World, manager: Person) -> None:
    c = world.client
    pid = world.project(manager)
    ids = c.post(
        f"/api/projects/{pid}/import?return_task_ids=true", json=[{"text": "a"}, {"text": "b"}], headers=manager.headers
    ).json()["task_ids"]
    ann1, ann2, rev = world.person("a1@example.com"), world.person("a2@example.com"), world.person("r@example.com")
    world.join(pid, ann1, "annotator")
    world.join(pid, ann2, "annotator")
    world.join(pid, rev, "reviewer")
    mine = c.post(f"/api/tasks/{ids[0]}/annotations", json={"result": CHOICE}, headers=ann1.headers).json()
    theirs = c.post(f"/api/tasks/{ids[1]}/annotations", json={"result": CHOICE}, headers=ann2.headers).json()
    for a in (mine, theirs):
        r = c.post(
            f"/api/annotations/{a['id']}/reviews", json={"accepted": False, "comment": "Re-read"}, headers=rev.headers
        )
        assert r.status_code == 201, r.text

    listed = c.get(f"/api/projects/{pid}/my-rejections", headers=ann1.headers)
    assert listed.status_code == 200, listed.text
    [row] = listed.json()
    assert (row["annotation"], row["task"]) == (mine["id"], ids[0])
    assert row["review"]["comment"] == "Re-read" and row["review"]["accepted"] is False
    assert row["review"]["reviewer"] == rev.id

    assert c.patch(f"/api/annotations/{mine['id']}", json={"result": CHOICE}, headers=ann1.headers).status_code == 200
    assert c.get(f"/api/projects/{pid}/my-rejections", headers=ann1.headers).json() == []
    assert [r["annotation"] for r in c.get(f"/api/projects/{pid}/my-rejections", headers=ann2.headers).json()] == [
        theirs["id"]
    ]

    outsider = world.person("out@example.com")
    assert c.get(f"/api/projects/{pid}/my-rejections", headers=outsider.headers).status_code == 404
