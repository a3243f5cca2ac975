"""Accuracy against ground truth for span and box controls: an annotator's regions matched one to one with the
gold regions of the same label at IoU >= 0.5; F1 (as `accuracy`), precision, recall and mean IoU over all
compared tasks. The expected figures are worked out by hand below."""

from __future__ import annotations

import pytest

from tests.api.conftest import Person, World

CONFIG = """<View>
  <Text name="text" value="$text"/>
  <Labels name="ner" toName="text"><Label value="PER"/><Label value="ORG"/></Labels>
</View>"""
TEXT = "Ann and Bob work at ACME in Paris today"  # Ann 0-3, Bob 8-11, ACME 20-24


def spans(*items: tuple[int, int, str]) -> list[dict]:
    return [
        {"from_name": "ner", "to_name": "text", "type": "labels", "value": {"start": s, "end": e, "labels": [label]}}
        for s, e, label in items
    ]


def test_span_accuracy_against_ground_truth(world: World, manager: Person) -> None:
    c = world.client
    pid = world.project(manager, CONFIG)
    ids = c.post(
        f"/api/projects/{pid}/import?return_task_ids=true",
        json=[{"text": TEXT}, {"text": TEXT}],
        headers=manager.headers,
    ).json()["task_ids"]
    gold = spans((0, 3, "PER"), (8, 11, "PER"), (20, 24, "ORG"))
    for tid in ids:
        r = c.post(
            f"/api/tasks/{tid}/annotations", json={"result": gold, "ground_truth": True}, headers=manager.headers
        )
        assert r.status_code == 201, r.text
    ann = world.person("ann@example.com")
    world.join(pid, ann, "annotator")
    # Task 1: all three, ACME marked 20-23 (IoU 3/4). Task 2: Ann right, Bob as ORG (no match), an extra span.
    answers = [
        spans((0, 3, "PER"), (8, 11, "PER"), (20, 23, "ORG")),
        spans((0, 3, "PER"), (8, 11, "ORG"), (28, 33, "ORG")),
    ]
    for tid, result in zip(ids, answers, strict=True):
        assert c.post(f"/api/tasks/{tid}/annotations", json={"result": result}, headers=ann.headers).status_code == 201

    r = c.get(f"/api/projects/{pid}/accuracy", headers=manager.headers)
    assert r.status_code == 200, r.text
    (score,) = [s for s in r.json()["scores"] if s["annotator"] == ann.id]
    # 4 matches (3 + 1) of 6 marked and 6 gold regions; the IoUs are 1, 1, 0.75 and 1.
    assert (score["control"], score["compared"], score["correct"]) == ("ner", 2, 1)
    assert score["accuracy"] == pytest.approx(2 * 4 / 12)
    assert score["precision"] == pytest.approx(4 / 6)
    assert score["recall"] == pytest.approx(4 / 6)
    assert score["mean_iou"] == pytest.approx(3.75 / 4)
