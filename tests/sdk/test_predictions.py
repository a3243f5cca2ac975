"""Predictions: create with a full result and with the shorthand forms, list by task and by project, update,
delete, and bulk `import/predictions` (legacy `create_predictions`, new `import_predictions`)."""

from __future__ import annotations

from typing import Any

import pytest
from label_studio_sdk.core.api_error import ApiError

from tests.sdk.support import SENTIMENT_CONFIG, SPAM_CONFIG, spam_rows, strip_item, val


def _sentiment(choice: str) -> dict[str, Any]:
    return {"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": [choice]}}


@pytest.fixture
def project_and_tasks(ls: Any, make_project: Any) -> tuple[Any, list[int]]:
    project = make_project(SENTIMENT_CONFIG)
    r = ls.projects.import_tasks(
        id=project.id, request=[{"text": t} for t in ("good", "bad", "meh")], return_task_ids=True
    )
    return project, list(r.task_ids)


def test_create_full_result(ls: Any, project_and_tasks: tuple[Any, list[int]]) -> None:
    project, (t1, _t2, _t3) = project_and_tasks
    p = ls.predictions.create(task=t1, result=[_sentiment("Positive")], score=0.91, model_version="m1")
    assert isinstance(p.id, int)
    assert [strip_item(i) for i in p.result] == [_sentiment("Positive")]
    assert p.score == pytest.approx(0.91)
    assert p.model_version == "m1"
    assert p.task == t1
    assert p.project == project.id

    got = ls.predictions.get(p.id)
    assert (got.id, got.model_version, got.task) == (p.id, "m1", t1)
    task = ls.tasks.get(t1)
    assert task.total_predictions == 1
    assert [val(x, "id") for x in task.predictions] == [p.id]
    assert task.total_annotations == 0 and task.is_labeled is False  # a prediction labels nothing


def test_shorthand_results(legacy: Any, ls: Any, project_and_tasks: tuple[Any, list[int]]) -> None:
    """`result` as a dict (the value of the first control whose type is a key) or a bare string (the value of
    the first single-valued control), as the legacy `Project.create_prediction` documents."""
    project_id, (t1, t2, _t3) = project_and_tasks[0].id, project_and_tasks[1]
    project = legacy.get_project(project_id)

    as_dict = project.create_prediction(t1, result={"choices": ["Negative"]}, score=0.4, model_version="short")
    assert [strip_item(i) for i in as_dict["result"]] == [_sentiment("Negative")]
    assert as_dict["score"] == pytest.approx(0.4)

    as_string = project.create_prediction(t2, result="Neutral", model_version="short")
    assert [strip_item(i) for i in as_string["result"]] == [_sentiment("Neutral")]

    stored = ls.predictions.list(task=t2)
    assert [strip_item(i) for i in stored[0].result] == [_sentiment("Neutral")]


def test_shorthand_with_the_new_client(ls: Any, project_and_tasks: tuple[Any, list[int]]) -> None:
    _project, (t1, _t2, _t3) = project_and_tasks
    p = ls.predictions.create(task=t1, result={"choices": ["Positive"]}, score=0.5)  # type: ignore[arg-type]
    assert [strip_item(i) for i in p.result] == [_sentiment("Positive")]


def test_bad_shorthand_is_refused(legacy: Any, project_and_tasks: tuple[Any, list[int]]) -> None:
    from requests import HTTPError

    project = legacy.get_project(project_and_tasks[0].id)
    with pytest.raises(HTTPError) as excinfo:
        project.create_prediction(project_and_tasks[1][0], result={"rectanglelabels": ["Cat"]})
    assert excinfo.value.response.status_code == 400


def test_list_by_task_and_project_update_delete(
    ls: Any, make_project: Any, project_and_tasks: tuple[Any, list[int]]
) -> None:
    project, (t1, t2, t3) = project_and_tasks
    a = ls.predictions.create(task=t1, result=[_sentiment("Positive")], score=0.9, model_version="m1")
    b = ls.predictions.create(task=t1, result=[_sentiment("Neutral")], score=0.1, model_version="m2")
    c = ls.predictions.create(task=t2, result=[_sentiment("Negative")], score=0.8, model_version="m1")

    other = make_project(SENTIMENT_CONFIG)
    [ot] = ls.projects.import_tasks(id=other.id, request=[{"text": "elsewhere"}], return_task_ids=True).task_ids
    ls.predictions.create(task=ot, result=[_sentiment("Positive")], model_version="m1")

    assert sorted(p.id for p in ls.predictions.list(task=t1)) == sorted([a.id, b.id])
    assert [p.id for p in ls.predictions.list(task=t2)] == [c.id]
    assert ls.predictions.list(task=t3) == []
    assert sorted(p.id for p in ls.predictions.list(project=project.id)) == sorted([a.id, b.id, c.id])

    updated = ls.predictions.update(a.id, score=0.5, model_version="m3", result=[_sentiment("Negative")])
    assert (updated.score, updated.model_version) == (pytest.approx(0.5), "m3")
    assert [strip_item(i) for i in updated.result] == [_sentiment("Negative")]
    got = ls.predictions.get(a.id)
    assert (got.score, got.model_version) == (pytest.approx(0.5), "m3")

    ls.predictions.delete(b.id)
    with pytest.raises(ApiError) as excinfo:
        ls.predictions.get(b.id)
    assert excinfo.value.status_code == 404
    assert [p.id for p in ls.predictions.list(task=t1)] == [a.id]
    assert ls.tasks.get(t1).total_predictions == 1


def test_legacy_bulk_create_predictions(legacy: Any, ls: Any, make_project: Any) -> None:
    project = make_project(SPAM_CONFIG)
    rows = spam_rows()[:40]
    task_ids = ls.projects.import_tasks(id=project.id, request=rows, return_task_ids=True).task_ids
    bulk = [
        {
            "task": task_id,
            "score": 0.75,
            "model_version": "bulk-v1",
            "result": [
                {"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": [row["label"]]}}
            ],
        }
        for task_id, row in zip(task_ids, rows, strict=True)
    ]
    answer = legacy.get_project(project.id).create_predictions(bulk)
    assert answer["created"] == 40

    stored = ls.predictions.list(project=project.id)
    assert len(stored) == 40
    by_task = {p.task: p for p in stored}
    for task_id, row in zip(task_ids, rows, strict=True):
        p = by_task[task_id]
        assert p.model_version == "bulk-v1"
        assert p.result[0]["value"] == {"choices": [row["label"]]}
    assert all(t.total_predictions == 1 for t in ls.tasks.list(project=project.id, page_size=100))


def test_new_client_import_predictions(ls: Any, make_project: Any) -> None:
    project = make_project(SENTIMENT_CONFIG)
    task_ids = ls.projects.import_tasks(
        id=project.id, request=[{"text": "x"}, {"text": "y"}], return_task_ids=True
    ).task_ids
    ls.projects.import_predictions(
        project.id,
        request=[
            {"task": task_ids[0], "result": [_sentiment("Positive")], "score": 0.6, "model_version": "imp"},
            {"task": task_ids[1], "result": [_sentiment("Negative")], "score": 0.4, "model_version": "imp"},
        ],
    )
    stored = {p.task: p for p in ls.predictions.list(project=project.id)}
    assert stored[task_ids[0]].result[0]["value"] == {"choices": ["Positive"]}
    assert stored[task_ids[1]].score == pytest.approx(0.4)


def test_bulk_predictions_for_a_task_of_another_project_are_refused(ls: Any, legacy: Any, make_project: Any) -> None:
    from requests import HTTPError

    mine = make_project(SENTIMENT_CONFIG)
    theirs = make_project(SENTIMENT_CONFIG)
    [their_task] = ls.projects.import_tasks(id=theirs.id, request=[{"text": "x"}], return_task_ids=True).task_ids
    with pytest.raises(HTTPError) as excinfo:
        legacy.get_project(mine.id).create_predictions([{"task": their_task, "result": [_sentiment("Positive")]}])
    assert excinfo.value.response.status_code in (400, 404)
    assert ls.predictions.list(task=their_task) == []
