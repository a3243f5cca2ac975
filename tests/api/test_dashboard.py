"""`GET /api/projects/{id}/dashboard` on built data with known answers: progress per day, annotator figures,
lead times, labels, reviews and ground truth; who may read it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import update

from tessera.db.tables import Annotation
from tests.api.conftest import Person, World

PAIRWISE = """<View><Text name="a" value="$a"/><Text name="b" value="$b"/>
  <Pairwise name="pick" toName="a,b"/></View>"""


def sentiment(choice: str) -> dict[str, Any]:
    return {"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": [choice]}}


def person_span() -> dict[str, Any]:
    value = {"start": 0, "end": 5, "labels": ["PER"]}
    return {"id": "r1", "from_name": "label", "to_name": "text", "type": "labels", "value": value}


class Scene:
    """Four tasks (overlap 2), two annotators, a reviewer; annotations dated by hand."""

    def __init__(self, world: World, manager: Person) -> None:
        self.world, self.manager = world, manager
        self.project = world.project(manager, maximum_annotations=2)
        self.people = {name: world.person(f"{name}@example.com") for name in ("ann1", "ann2", "rev")}
        for name, person in self.people.items():
            world.join(self.project, person, "reviewer" if name == "rev" else "annotator")
        texts = [{"text": "Alice met Bob in Paris."} for _ in range(4)]
        r = world.client.post(f"/api/projects/{self.project}/import", json=texts, headers=manager.headers)
        assert r.status_code == 201, r.text
        self.tasks = r.json()["task_ids"]

    def annotate(self, who: str, task: int, result: list[Any], lead: float, day: str, *, skip: bool = False) -> int:
        body = {"result": result, "lead_time": lead, "was_cancelled": skip}
        r = self.world.client.post(f"/api/tasks/{task}/annotations", json=body, headers=self.people[who].headers)
        assert r.status_code == 201, r.text
        at = datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)
        with self.world.db.writer() as s:
            s.execute(update(Annotation).where(Annotation.id == r.json()["id"]).values(created_at=at))
            s.commit()
        return r.json()["id"]

    def review(self, annotation: int, body: dict[str, Any]) -> None:
        r = self.world.client.post(
            f"/api/annotations/{annotation}/reviews", json=body, headers=self.people["rev"].headers
        )
        assert r.status_code == 201, r.text

    def get(self, who: Person | None = None, project: int | None = None) -> Any:
        headers = (who or self.manager).headers
        return self.world.client.get(f"/api/projects/{project or self.project}/dashboard", headers=headers)


@pytest.fixture
def scene(world: World, manager: Person) -> Scene:
    s = Scene(world, manager)
    t1, t2, t3, _t4 = s.tasks
    a = s.annotate("ann1", t1, [sentiment("Positive")], 4, "2026-01-01")
    b = s.annotate("ann2", t1, [sentiment("Positive"), person_span()], 40, "2026-01-01")
    c = s.annotate("ann1", t2, [sentiment("Negative")], 12, "2026-01-01")
    s.annotate("ann2", t2, [sentiment("Positive")], 100, "2026-01-03")
    s.annotate("ann1", t3, [], 3, "2026-01-03", skip=True)
    d = s.annotate("ann2", t3, [sentiment("Negative")], 7, "2026-01-03")
    s.review(a, {"accepted": True})
    s.review(d, {"accepted": False, "comment": "read it again"})
    s.review(c, {"accepted": True, "result": [sentiment("Positive")]})  # a fix: counted under reviews only
    r = world.client.patch(f"/api/annotations/{b}", json={"ground_truth": True}, headers=manager.headers)
    assert r.status_code == 200, r.text
    return s


def test_progress_per_day_with_quiet_days_and_cumulative_completion(scene: Scene) -> None:
    r = scene.get()
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["totals"] == {"tasks": 4, "labeled_tasks": 2, "annotations": 5, "skips": 1}
    assert body["progress"] == [
        {"day": "2026-01-01", "annotations": 3, "skips": 0, "completed": 1, "completed_total": 1},
        {"day": "2026-01-02", "annotations": 0, "skips": 0, "completed": 0, "completed_total": 1},
        {"day": "2026-01-03", "annotations": 2, "skips": 1, "completed": 1, "completed_total": 2},
    ]


def test_annotator_figures(scene: Scene) -> None:
    people = {a["email"]: a for a in scene.get().json()["annotators"]}
    assert set(people) == {"ann1@example.com", "ann2@example.com"}
    one, two = people["ann1@example.com"], people["ann2@example.com"]
    assert (one["annotations"], one["skips"], one["active_days"]) == (2, 1, 2)
    assert one["skip_rate"] == pytest.approx(1 / 3)
    assert one["mean_lead_time"] == pytest.approx(8) and one["median_lead_time"] == pytest.approx(8)
    assert one["annotations_per_active_day"] == pytest.approx(1)
    assert one["last_active_at"].startswith("2026-01-03T12:00:00")
    assert (two["annotations"], two["skips"], two["skip_rate"]) == (3, 0, 0)
    assert two["mean_lead_time"] == pytest.approx(49) and two["median_lead_time"] == pytest.approx(40)
    assert two["annotations_per_active_day"] == pytest.approx(1.5)
    assert two["annotator"] == scene.people["ann2"].id


def test_lead_time_histogram_leaves_out_skips(scene: Scene) -> None:
    histogram = scene.get().json()["lead_times"]
    counts = {(b["low"], b["high"]): b["count"] for b in histogram["buckets"]}
    assert counts[(0, 5)] == 1 and counts[(5, 10)] == 1 and counts[(10, 30)] == 1
    assert counts[(30, 60)] == 1 and counts[(60, 120)] == 1 and counts[(3600, None)] == 0
    assert sum(counts.values()) == 5 and histogram["without_lead_time"] == 0


def test_labels_reviews_ground_truth_and_reports(scene: Scene) -> None:
    body = scene.get().json()
    labels = {c["control"]: c for c in body["labels"]}
    assert labels["sentiment"]["values"] == [{"value": "Positive", "count": 3}, {"value": "Negative", "count": 2}]
    assert labels["sentiment"]["items"] == 5 and labels["label"]["items"] == 1
    assert labels["label"]["values"] == [{"value": "PER", "count": 1}, {"value": "ORG", "count": 0}]
    assert body["reviews"] == {"pending": 2, "accepted": 1, "rejected": 1, "fixed": 1, "fixes": 1}
    assert body["ground_truth"] == {"annotations": 1, "tasks": 1}
    assert body["reports"] == {"agreement": True, "accuracy": True, "preferences": False, "redteam": False}


def test_an_empty_project_and_a_comparison_project(world: World, manager: Person) -> None:
    project = world.project(manager, PAIRWISE)
    r = world.client.get(f"/api/projects/{project}/dashboard", headers=manager.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["progress"] == [] and body["annotators"] == []
    assert body["totals"] == {"tasks": 0, "labeled_tasks": 0, "annotations": 0, "skips": 0}
    assert body["labels"][0]["control"] == "pick" and body["labels"][0]["values"] == []
    assert body["reports"]["preferences"] is True


def test_who_may_read_it(scene: Scene, world: World, admin: Person) -> None:
    assert scene.get(scene.people["rev"]).status_code == 200
    assert scene.get(admin).status_code == 200
    assert scene.get(scene.people["ann1"]).status_code == 403
    assert scene.get(world.person("outsider@example.com")).status_code == 404
    assert world.client.get(f"/api/projects/{scene.project}/dashboard").status_code == 401
    assert scene.get(project=999999).status_code == 404
    other = world.person("other@example.com")
    theirs = world.project(other)
    assert scene.get(project=theirs).status_code == 404  # the manager of one project asks for another's


MIXED = """<View><Text name="text" value="$text"/>
  <Choices name="tags" toName="text" choice="multiple"><Choice value="A"/><Choice value="B"/></Choices>
  <Taxonomy name="kind" toName="text"><Choice value="Animal"><Choice value="Mammal"/></Choice>
    <Choice value="Plant"/></Taxonomy>
  <Rating name="stars" toName="text" maxRating="5"/>
  <TextArea name="note" toName="text"/></View>"""


def test_multiple_choices_taxonomy_paths_and_ratings_are_counted_by_the_database(world: World, manager: Person) -> None:
    project = world.project(manager, MIXED)
    c, h = world.client, manager.headers
    tasks = c.post(f"/api/projects/{project}/import", json=[{"text": "x"}, {"text": "y"}], headers=h).json()
    answers = [
        [
            {"from_name": "tags", "to_name": "text", "type": "choices", "value": {"choices": ["A", "B"]}},
            {"from_name": "kind", "to_name": "text", "type": "taxonomy", "value": {"taxonomy": [["Animal", "Mammal"]]}},
            {"from_name": "stars", "to_name": "text", "type": "rating", "value": {"rating": 4}},
            {"from_name": "note", "to_name": "text", "type": "textarea", "value": {"text": ["free text"]}},
        ],
        [
            {"from_name": "tags", "to_name": "text", "type": "choices", "value": {"choices": ["B"]}},
            {
                "from_name": "kind",
                "to_name": "text",
                "type": "taxonomy",
                "value": {"taxonomy": [["Plant"], ["Animal"]]},
            },
            {"from_name": "stars", "to_name": "text", "type": "rating", "value": {"rating": 4}},
        ],
    ]
    for task, result in zip(tasks["task_ids"], answers, strict=True):
        r = c.post(f"/api/tasks/{task}/annotations", json={"result": result}, headers=h)
        assert r.status_code == 201, r.text
    labels = {x["control"]: x for x in c.get(f"/api/projects/{project}/dashboard", headers=h).json()["labels"]}
    assert set(labels) == {"tags", "kind", "stars"}  # free text is not counted
    assert labels["tags"]["values"] == [{"value": "A", "count": 1}, {"value": "B", "count": 2}]
    assert labels["kind"]["values"] == [
        {"value": "Animal", "count": 1},
        {"value": "Animal/Mammal", "count": 1},
        {"value": "Plant", "count": 1},
    ]
    assert labels["stars"]["values"] == [{"value": "4", "count": 2}]
    assert labels["stars"]["items"] == 2 and labels["tags"]["items"] == 2


def test_a_second_visit_sees_new_annotations_and_verdicts(scene: Scene) -> None:
    first = scene.get().json()
    assert first == scene.get().json()  # the same again, from the report cache
    _t1, _t2, _t3, t4 = scene.tasks
    made = scene.annotate("ann1", t4, [sentiment("Negative")], 2, "2026-01-04")
    scene.review(made, {"accepted": False, "comment": "no"})
    second = scene.get().json()
    assert second["totals"]["annotations"] == 6 and second["progress"][-1]["day"] == "2026-01-04"
    assert second["reviews"]["rejected"] == 2
    scene.review(made, {"accepted": True})  # a verdict alone: the cached figures stay, the counts move
    third = scene.get().json()
    assert third["reviews"]["rejected"] == 1 and third["reviews"]["accepted"] == 2
