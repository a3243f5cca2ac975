"""`GET /api/projects/{id}/agreement` against a real database: who may read it, what it counts, paging."""

from __future__ import annotations

from typing import Any

import pytest

from tessera.services import agreement as agreement_service
from tests.api.conftest import Person, World


def sentiment(choice: str) -> dict[str, Any]:
    return {"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": [choice]}}


def person_span(start: int, end: int) -> dict[str, Any]:
    value = {"start": start, "end": end, "labels": ["PER"]}
    return {"from_name": "label", "to_name": "text", "type": "labels", "value": value}


class Team:
    """A project with three annotators, a reviewer, and helpers to add tasks with their annotations."""

    def __init__(self, world: World, manager: Person) -> None:
        self.world, self.manager = world, manager
        self.project = world.project(manager, maximum_annotations=3)
        self.people = {name: world.person(f"{name}@example.com") for name in ("ann1", "ann2", "ann3", "rev")}
        for name, person in self.people.items():
            world.join(self.project, person, "reviewer" if name == "rev" else "annotator")

    def id(self, name: str) -> int:
        return self.people[name].id

    def add(self, answers: dict[str, list[dict[str, Any]]], *, cancelled: tuple[str, ...] = ()) -> int:
        """One task, annotated through the API by each named person in their own name."""
        c, h = self.world.client, self.manager.headers
        r = c.post(f"/api/projects/{self.project}/import", json=[{"text": "Alice met Bob in Paris."}], headers=h)
        assert r.status_code == 201, r.text
        task = r.json()["task_ids"][0]
        for name, result in answers.items():
            body = {"result": result, "was_cancelled": name in cancelled}
            r = c.post(f"/api/tasks/{task}/annotations", json=body, headers=self.people[name].headers)
            assert r.status_code == 201, r.text
        return task

    def get(self, query: str = "", who: Person | None = None) -> Any:
        headers = (who or self.manager).headers
        return self.world.client.get(f"/api/projects/{self.project}/agreement{query}", headers=headers)


@pytest.fixture
def team(world: World, manager: Person) -> Team:
    return Team(world, manager)


def test_who_may_read_it(team: Team, world: World, admin: Person) -> None:
    team.add({"ann1": [sentiment("Positive")], "ann2": [sentiment("Positive")]})
    assert team.get(who=team.people["rev"]).status_code == 200
    assert team.get(who=admin).status_code == 200
    assert team.get().status_code == 200
    assert team.get(who=team.people["ann1"]).status_code == 403
    outsider = world.person("outsider@example.com")
    assert team.get(who=outsider).status_code == 404
    assert world.client.get(f"/api/projects/{team.project}/agreement").status_code == 401
    assert world.client.get("/api/projects/999999/agreement", headers=team.manager.headers).status_code == 404


def test_choices_and_spans_per_pair_annotator_and_project(team: Team) -> None:
    team.add(
        {
            "ann1": [sentiment("Positive"), person_span(0, 5)],
            "ann2": [sentiment("Positive"), person_span(0, 5)],
            "ann3": [sentiment("Negative"), person_span(10, 13)],
        }
    )
    team.add({"ann1": [sentiment("Negative")], "ann2": [sentiment("Positive")], "ann3": [sentiment("Negative")]})
    team.add({"ann1": [sentiment("Positive")]})  # one annotator: not compared
    r = team.get()
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["project"] == team.project and out["tasks"] == 2 and out["threshold"] == 0.5
    percent = out["controls"]["sentiment"]["metrics"]["percent_agreement"]
    assert percent["value"] == pytest.approx(1 / 3)  # one agreeing pair of three, in both tasks
    pairs = {tuple(p["annotators"]): p["value"] for p in percent["per_pair"]}
    a1, a2, a3 = team.id("ann1"), team.id("ann2"), team.id("ann3")
    assert pairs == {(a1, a2): 0.5, (a1, a3): 0.5, (a2, a3): 0.0}
    mine = {p["annotator"]: p["value"] for p in percent["per_annotator"]}
    assert mine == {a1: 0.5, a2: 0.25, a3: 0.25}
    spans = out["controls"]["label"]["metrics"]
    assert spans["f1"]["value"] == pytest.approx(2 / 6)  # 1 match, 2 + 2 + 2 regions over the three pairs
    assert spans["mean_iou"]["value"] == 1.0
    # Task 2 has no spans at all: every pair agrees there is nothing to mark.
    assert spans["percent_agreement"]["value"] == pytest.approx((1 / 3 + 1) / 2)


def test_skipped_annotations_and_earlier_answers_do_not_count(team: Team) -> None:
    task = team.add(
        {"ann1": [sentiment("Positive")], "ann2": [sentiment("Negative")], "ann3": [sentiment("Negative")]},
        cancelled=("ann3",),
    )
    # The manager answers in their own name, then records a second answer in ann1's name: the latest counts.
    r = team.world.client.post(
        f"/api/tasks/{task}/annotations", json={"result": [sentiment("Negative")]}, headers=team.manager.headers
    )
    assert r.status_code == 201, r.text
    body = {"result": [sentiment("Negative")], "completed_by": team.id("ann1")}
    r = team.world.client.post(f"/api/tasks/{task}/annotations", json=body, headers=team.manager.headers)
    assert r.status_code == 201, r.text
    metrics = team.get().json()["controls"]["sentiment"]["metrics"]
    pairs = {tuple(p["annotators"]): p["value"] for p in metrics["percent_agreement"]["per_pair"]}
    a1, a2, m = team.id("ann1"), team.id("ann2"), team.manager.id
    assert team.id("ann3") not in {a for pair in pairs for a in pair}
    assert pairs == {tuple(sorted(p)): 1.0 for p in [(a1, a2), (a1, m), (a2, m)]}
    kappa = metrics["cohen_kappa"]
    assert kappa["value"] is None and "chance agreement is 1" in kappa["per_pair"][0]["reason"]


def test_other_projects_annotations_never_count(team: Team, world: World) -> None:
    other_manager = world.person("other@example.com")
    other = world.project(other_manager)
    for i in range(3):  # interleave task ids of both projects, so id ranges overlap
        team.add({"ann1": [sentiment("Positive")], "ann2": [sentiment("Positive")]})
        r = world.client.post(f"/api/projects/{other}/import", json=[{"text": f"x{i}"}], headers=other_manager.headers)
        t = r.json()["task_ids"][0]
        for choice in ("Negative", "Positive"):
            world.client.post(
                f"/api/tasks/{t}/annotations", json={"result": [sentiment(choice)]}, headers=other_manager.headers
            )
    out = team.get().json()
    assert out["tasks"] == 3
    assert out["controls"]["sentiment"]["metrics"]["percent_agreement"]["value"] == 1.0


def test_per_task_pages(team: Team) -> None:
    tasks = [
        team.add({"ann1": [sentiment(a)], "ann2": [sentiment(b)]})
        for a, b in [("Positive", "Positive"), ("Positive", "Negative"), ("Negative", "Negative")]
    ]
    team.add({"ann1": [sentiment("Positive")]})
    assert "per_task" not in team.get().json()
    first = team.get("?per_task=true&page_size=2&metric=percent_agreement,fleiss_kappa").json()
    assert first["per_task"]["count"] == 3 and first["per_task"]["page"] == 1
    rows = first["per_task"]["results"]
    assert [r["task"] for r in rows] == tasks[:2]
    assert rows[0]["annotators"] == sorted([team.id("ann1"), team.id("ann2")])
    assert rows[1]["controls"]["sentiment"]["percent_agreement"] == 0.0
    assert set(rows[0]["controls"]["sentiment"]) == {"percent_agreement", "fleiss_kappa", "answers"}
    shown = {str(team.id("ann1")): ["Positive"], str(team.id("ann2")): ["Negative"]}
    assert rows[1]["controls"]["sentiment"]["answers"] == shown
    second = team.get("?per_task=True&page=2&page_size=2").json()["per_task"]["results"]
    assert [r["task"] for r in second] == tasks[2:]
    assert team.get("?per_task=1&page=3&page_size=2").json()["per_task"]["results"] == []


def test_choosing_controls_metrics_and_threshold(team: Team) -> None:
    team.add({"ann1": [person_span(0, 10)], "ann2": [person_span(0, 7)]})  # IoU 0.7
    loose = team.get("?control=label&metric=f1&threshold=0.6").json()
    assert list(loose["controls"]) == ["label"] and list(loose["controls"]["label"]["metrics"]) == ["f1"]
    assert loose["controls"]["label"]["metrics"]["f1"]["value"] == 1.0
    strict = team.get("?control=label&metric=f1&metric=mean_iou&threshold=0.8").json()["controls"]["label"]
    assert strict["metrics"]["f1"]["value"] == 0.0 and strict["metrics"]["mean_iou"]["value"] is None


BAD_QUERIES = [
    ("?metric=accuracy", "metric"),
    ("?control=nope", "control"),
    ("?threshold=2", "threshold"),
    ("?threshold=abc", "threshold"),
    ("?threshold=nan", "threshold"),
    ("?per_task=true&page_size=0", "page_size"),
    ("?page=x", "page"),
]


def test_bad_queries_are_400_naming_the_field(team: Team) -> None:
    for query, field in BAD_QUERIES:
        r = team.get(query)
        assert r.status_code == 400, (query, r.text)
        assert field in r.json()["validation_errors"], query


def test_batches_cover_every_task_once(team: Team, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Small batches, tasks of another project and a task with one annotation in between: nothing is lost,
    nothing counted twice, and the per-task page follows task order across batch boundaries."""
    monkeypatch.setattr(agreement_service, "TASK_BATCH", 2)
    other_manager = world.person("other@example.com")
    other = world.project(other_manager)
    tasks = []
    for i, pair in enumerate([("Positive", "Positive"), ("Negative", "Positive"), None, ("Negative", "Negative")] * 2):
        if pair is None:
            team.add({"ann1": [sentiment("Positive")]})
            world.client.post(f"/api/projects/{other}/import", json=[{"text": f"o{i}"}], headers=other_manager.headers)
            continue
        tasks.append(team.add({"ann1": [sentiment(pair[0])], "ann2": [sentiment(pair[1])]}))
    out = team.get("?per_task=true&page_size=4&page=2&metric=percent_agreement").json()
    assert out["tasks"] == 6 and out["per_task"]["count"] == 6
    assert [r["task"] for r in out["per_task"]["results"]] == tasks[4:]
    assert out["controls"]["sentiment"]["metrics"]["percent_agreement"]["value"] == pytest.approx(4 / 6)


def test_a_new_annotation_is_seen_by_the_next_report(team: Team) -> None:
    """Reports are cached per project data version: every write must show in the next one."""
    task = team.add({"ann1": [sentiment("Positive")], "ann2": [sentiment("Positive")]})
    assert team.get().json()["controls"]["sentiment"]["metrics"]["percent_agreement"]["value"] == 1.0
    r = team.world.client.post(
        f"/api/tasks/{task}/annotations", json={"result": [sentiment("Negative")]}, headers=team.people["ann3"].headers
    )
    assert r.status_code == 201, r.text
    after = team.get().json()["controls"]["sentiment"]["metrics"]["percent_agreement"]
    assert after["value"] == pytest.approx(1 / 3)
    ann = r.json()["id"]
    r = team.world.client.delete(f"/api/annotations/{ann}", headers=team.manager.headers)
    assert r.status_code == 204, r.text
    assert team.get().json()["controls"]["sentiment"]["metrics"]["percent_agreement"]["value"] == 1.0


BOXES_AND_RANKS = """<View>
  <Image name="img" value="$image"/>
  <RectangleLabels name="box" toName="img"><Label value="car"/></RectangleLabels>
  <List name="items" value="$items"/>
  <Ranker name="rank" toName="items"/>
</View>"""


def test_boxes_and_rankings_as_imported(world: World, manager: Person) -> None:
    """Results in Label Studio's shape, imported with their authors, are read as boxes and rankings."""
    project = world.project(manager, BOXES_AND_RANKS)
    people = [world.person(f"a{i}@example.com") for i in range(2)]
    for person in people:
        world.join(project, person, "annotator")

    def result(x: float, order: list[str]) -> list[dict[str, Any]]:
        box = {"x": x, "y": 10, "width": 20, "height": 20, "rotation": 0, "rectanglelabels": ["car"]}
        ranks = {"ranker": {"rank": order}}
        return [
            {"id": "b", "from_name": "box", "to_name": "img", "type": "rectanglelabels", "value": box,
             "original_width": 640, "original_height": 480},
            {"id": "r", "from_name": "rank", "to_name": "items", "type": "ranker", "value": ranks},
        ]  # fmt: skip

    items = [{"id": i, "title": i} for i in ("x", "y", "z")]
    task = {
        "data": {"image": "/data/upload/1/a.jpg", "items": items},
        "annotations": [
            {"completed_by": people[0].id, "result": result(10, ["x", "y", "z"])},
            {"completed_by": people[1].id, "result": result(12, ["y", "x", "z"])},
        ],
    }
    r = world.client.post(f"/api/projects/{project}/import", json=[task], headers=manager.headers)
    assert r.status_code == 201, r.text
    out = world.client.get(f"/api/projects/{project}/agreement", headers=manager.headers).json()
    boxes = out["controls"]["box"]["metrics"]
    assert boxes["f1"]["value"] == 1.0
    assert boxes["mean_iou"]["value"] == pytest.approx(360 / 440)  # 18x20 overlap of two 20x20 boxes
    assert out["controls"]["rank"]["metrics"]["kendall_tau"]["value"] == pytest.approx(1 / 3)
