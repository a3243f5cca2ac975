"""GET /api/projects/{id}/preferences/report: position bias from the display order, agreement on pairs."""

from __future__ import annotations

from typing import Any

import pytest
from scipy.stats import binomtest

from tests.api.conftest import CONFIG, Person, World
from tests.api.preference_projects import PAIRWISE, annotate, import_tasks, pairwise_tasks, pick, real_pairs, show


@pytest.fixture
def report_project(world: World, manager: Person) -> dict[str, Any]:
    """Ten tasks. The annotator sees them all with a display order and picks the reply shown first on 8 (in
    config terms: left when shown in config order, right when swapped). The manager, without a display
    order, picks left on tasks 0-2 and ties on task 3."""
    pid = world.project(manager, PAIRWISE)
    annotator = world.person("annotator@example.com")
    world.join(pid, annotator, "annotator")
    ids = import_tasks(world, pid, manager, pairwise_tasks(real_pairs(10)))
    for i, task_id in enumerate(ids):
        swapped = i % 2 == 1
        first_wins = i < 8
        left = first_wins != swapped  # the first shown is "answer2" (right) when swapped
        ann = annotate(world, task_id, annotator, pick("left" if left else "right"))
        show(world, ann, {"pw": ["answer2", "answer1"] if swapped else ["answer1", "answer2"]})
    for i, task_id in enumerate(ids[:4]):
        annotate(world, task_id, manager, pick("left" if i < 3 else None))
    return {"pid": pid, "ids": ids, "manager": manager, "annotator": annotator}


def report(world: World, project: dict[str, Any], person: Person) -> Any:
    return world.client.get(f"/api/projects/{project['pid']}/preferences/report", headers=person.headers)


def test_position_bias_with_and_without_display_order(world: World, report_project: dict[str, Any]) -> None:
    r = report(world, report_project, report_project["manager"])
    assert r.status_code == 200, r.text
    [control] = r.json()["controls"]
    assert control["control"] == "pw" and control["kind"] == "pairwise" and control["annotations"] == 14
    bias = control["position_bias"]
    assert bias["shown"] == {
        "first": 8,
        "second": 2,
        "ties": 0,
        "decided": 10,
        "first_rate": 0.8,
        "p_value": pytest.approx(binomtest(8, 10).pvalue),
    }
    assert bias["unknown_order"]["first"] == 3 and bias["unknown_order"]["ties"] == 1
    people = {row["email"]: row for row in bias["per_annotator"]}
    assert people["annotator@example.com"]["shown"]["first"] == 8
    assert people["annotator@example.com"]["unknown_order"]["decided"] == 0
    assert people["manager@example.com"]["unknown_order"]["first"] == 3


def test_agreement_on_pairs(world: World, report_project: dict[str, Any]) -> None:
    agreement = report(world, report_project, report_project["manager"]).json()["controls"][0]["agreement"]
    # Tasks 0-3: the annotator chose left, right, left, right; the manager left, left, left, tie.
    assert agreement["pairs"] == 4
    assert agreement["percent"]["value"] == pytest.approx(2 / 4)
    assert agreement["fleiss_kappa"]["n"] == 4 and agreement["krippendorff_alpha"]["value"] is not None


def test_staff_only(world: World, report_project: dict[str, Any]) -> None:
    assert report(world, report_project, report_project["annotator"]).status_code == 403
    assert report(world, report_project, world.person("other@example.com")).status_code == 404


def test_a_project_without_comparisons_is_a_400(world: World, manager: Person) -> None:
    pid = world.project(manager, CONFIG)
    r = world.client.get(f"/api/projects/{pid}/preferences/report", headers=manager.headers)
    assert r.status_code == 400 and "comparison" in r.text


RATED = PAIRWISE.replace(
    "</View>",
    '<Rating name="helpfulness_answer1" toName="answer1"/><Rating name="helpfulness_answer2" toName="answer2"/></View>',
)


def rate(a: int, b: int) -> list[dict[str, Any]]:
    return [
        {"from_name": f"helpfulness_{name}", "to_name": name, "type": "rating", "value": {"rating": value}}
        for name, value in (("answer1", a), ("answer2", b))
    ]


def test_ratings_per_criterion_and_reply(world: World, manager: Person) -> None:
    pid = world.project(manager, RATED)
    ids = import_tasks(world, pid, manager, pairwise_tasks(real_pairs(3)))
    annotate(world, ids[0], manager, pick("left") + rate(5, 2))  # consistent
    annotate(world, ids[1], manager, pick("right") + rate(4, 1))  # not consistent
    annotate(world, ids[2], manager, pick("left") + rate(3, 3))  # equal ratings: left out
    r = world.client.get(f"/api/projects/{pid}/preferences/report", headers=manager.headers)
    assert r.status_code == 200, r.text
    [ratings] = r.json()["ratings"]
    assert ratings["criterion"] == "helpfulness"
    assert ratings["replies"] == {"answer1": {"n": 3, "mean": 4.0}, "answer2": {"n": 3, "mean": 2.0}}
    assert ratings["consistent_with_choice"] == {"n": 2, "rate": 0.5}
