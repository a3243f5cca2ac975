"""Annotations through the new client: create, list, get, update, delete, and the task counters after each."""

from __future__ import annotations

from typing import Any

import pytest
from label_studio_sdk.core.api_error import ApiError

from tests.sdk.support import NER_CONFIG, fixture_json, strip_item

EXAMPLES = fixture_json("result_examples.json")  # one valid item per control, recorded from Label Studio


def _ner_item() -> dict[str, Any]:
    item = dict(EXAMPLES["Labels(Text span)"])
    item["from_name"] = "label"  # the NER config names its Labels control `label`
    return item


def _sentiment_item(choice: str = "Positive") -> dict[str, Any]:
    return {"id": "c1", "from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": [choice]}}


@pytest.fixture
def task_ids(ls: Any, make_project: Any) -> list[int]:
    project = make_project(NER_CONFIG)
    r = ls.projects.import_tasks(
        id=project.id, request=[{"text": "Alice works at Acme Corp."}, {"text": "Bob"}], return_task_ids=True
    )
    return list(r.task_ids)


def _counters(ls: Any, task_id: int) -> tuple[int, int, bool]:
    task = ls.tasks.get(task_id)
    return task.total_annotations, task.cancelled_annotations, task.is_labeled


def test_annotation_lifecycle_and_task_counters(ls: Any, task_ids: list[int]) -> None:
    me = ls.users.whoami()
    task_id = task_ids[0]
    assert _counters(ls, task_id) == (0, 0, False)

    created = ls.annotations.create(
        id=task_id, result=[_ner_item()], lead_time=2.5, was_cancelled=False, ground_truth=False
    )
    assert isinstance(created.id, int)
    assert [strip_item(i) for i in created.result] == [strip_item(_ner_item())]
    assert created.task == task_id
    assert created.completed_by == me.id
    assert created.lead_time == pytest.approx(2.5)
    assert created.was_cancelled is False
    assert created.ground_truth is False
    assert created.created_at is not None and created.updated_at is not None
    assert _counters(ls, task_id) == (1, 0, True)

    listed = ls.annotations.list(id=task_id)
    assert [a.id for a in listed] == [created.id]
    got = ls.annotations.get(created.id)
    assert [strip_item(i) for i in got.result] == [strip_item(_ner_item())]
    task = ls.tasks.get(task_id)
    assert [a["id"] for a in task.annotations] == [created.id]

    updated = ls.annotations.update(created.id, result=[_ner_item(), _sentiment_item("Negative")], lead_time=4.0)
    assert [strip_item(i) for i in updated.result] == [strip_item(_ner_item()), strip_item(_sentiment_item("Negative"))]
    assert updated.lead_time == pytest.approx(4.0)
    again = ls.annotations.get(created.id)
    assert again.result[1]["value"] == {"choices": ["Negative"]}
    assert _counters(ls, task_id) == (1, 0, True)

    second = ls.annotations.create(id=task_id, result=[_sentiment_item()])
    assert second.id != created.id
    assert _counters(ls, task_id) == (2, 0, True)
    assert sorted(a.id for a in ls.annotations.list(id=task_id)) == sorted([created.id, second.id])

    ls.annotations.delete(created.id)
    with pytest.raises(ApiError) as excinfo:
        ls.annotations.get(created.id)
    assert excinfo.value.status_code == 404
    assert _counters(ls, task_id) == (1, 0, True)

    ls.annotations.delete(second.id)
    assert _counters(ls, task_id) == (0, 0, False)
    assert ls.annotations.list(id=task_id) == []
    assert _counters(ls, task_ids[1]) == (0, 0, False)  # the other task never moved


def test_cancelled_annotation_counts_apart(ls: Any, task_ids: list[int]) -> None:
    task_id = task_ids[1]
    skipped = ls.annotations.create(id=task_id, result=[], was_cancelled=True)
    assert skipped.was_cancelled is True
    total, cancelled, _labeled = _counters(ls, task_id)
    assert (total, cancelled) == (0, 1)

    ls.annotations.update(skipped.id, was_cancelled=False, result=[_sentiment_item()])
    assert _counters(ls, task_id) == (1, 0, True)


def test_project_counters_follow(ls: Any, task_ids: list[int]) -> None:
    project_id = ls.tasks.get(task_ids[0]).project
    a = ls.annotations.create(id=task_ids[0], result=[_sentiment_item()])
    project = ls.projects.get(project_id)
    assert project.task_number == 2
    assert project.total_annotations_number == 1
    assert project.num_tasks_with_annotations == 1
    ls.annotations.delete(a.id)
    project = ls.projects.get(project_id)
    assert (project.total_annotations_number, project.num_tasks_with_annotations) == (0, 0)


def test_annotation_on_missing_task_is_404(ls: Any) -> None:
    with pytest.raises(ApiError) as excinfo:
        ls.annotations.create(id=999_999, result=[_sentiment_item()])
    assert excinfo.value.status_code == 404


def test_deleting_the_task_deletes_its_annotations(ls: Any, task_ids: list[int]) -> None:
    a = ls.annotations.create(id=task_ids[0], result=[_sentiment_item()])
    ls.tasks.delete(task_ids[0])
    with pytest.raises(ApiError) as excinfo:
        ls.annotations.get(a.id)
    assert excinfo.value.status_code == 404
