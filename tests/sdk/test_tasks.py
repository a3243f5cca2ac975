"""Tasks: paging through `tasks.list`, Data Manager filters and ordering (legacy `Project.get_tasks` and the new
client's `query`), and single-task create/get/update/delete."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from label_studio_sdk.core.api_error import ApiError
from label_studio_sdk.data_manager import Column, Filters, Operator, Type

from tests.sdk.support import SPAM_CONFIG, spam_rows, val

WORD = "Unsubscribe"  # Data Manager `contains` is case-insensitive (Django icontains)


@dataclass
class Emails:
    project_id: int
    task_ids: list[int]  # in import order
    rows: list[dict[str, Any]]
    annotated: list[int]  # task ids with one annotation each

    def data_of(self, task_id: int) -> dict[str, Any]:
        return self.rows[self.task_ids.index(task_id)]


def _choice(label: str) -> list[dict[str, Any]]:
    return [{"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": [label]}}]


@pytest.fixture(scope="module")
def emails(ls: Any) -> Iterator[Emails]:
    """200 real e-mails in one project; three of them (the 10th, 50th and 150th) annotated with their label."""
    project = ls.projects.create(title="emails", label_config=SPAM_CONFIG)
    rows = spam_rows()
    imported = ls.projects.import_tasks(id=project.id, request=rows, return_task_ids=True)
    annotated = [imported.task_ids[i] for i in (9, 49, 149)]
    for task_id in annotated:
        ls.annotations.create(id=task_id, result=_choice(rows[imported.task_ids.index(task_id)]["label"]))
    yield Emails(project.id, list(imported.task_ids), rows, annotated)
    ls.projects.delete(project.id)


@pytest.mark.parametrize("page_size", [1, 7, 100, 500])
def test_list_iterates_every_page(ls: Any, emails: Emails, page_size: int) -> None:
    tasks = list(ls.tasks.list(project=emails.project_id, page_size=page_size))
    assert [t.id for t in tasks] == sorted(emails.task_ids)
    for t in tasks[:: max(1, 200 // 10)]:
        assert t.data == emails.data_of(t.id)
        assert t.project == emails.project_id


def test_list_page_shape_and_past_the_end(ls: Any, live_server: Any, emails: Emails) -> None:
    first = ls.tasks.list(project=emails.project_id, page=1, page_size=7)
    assert len(first.items) == 7
    assert first.response.total == 200
    assert first.response.total_annotations == 3
    last = ls.tasks.list(project=emails.project_id, page=29, page_size=7)  # 28 full pages + 4
    assert len(last.items) == 4
    with live_server.http() as http:
        r = http.get("/api/tasks/", params={"project": emails.project_id, "page": 30, "page_size": 7})
        assert r.status_code == 404
        r = http.get("/api/tasks", params={"project": emails.project_id, "page": 2, "page_size": 7})
        assert r.status_code == 200
        body = r.json()
        assert set(body) >= {"tasks", "total", "total_annotations", "total_predictions"}
        assert [t["id"] for t in body["tasks"]] == sorted(emails.task_ids)[7:14]


def test_fields_all_includes_annotations(ls: Any, emails: Emails) -> None:
    by_id = {t.id: t for t in ls.tasks.list(project=emails.project_id, page_size=50, fields="all")}
    for task_id in emails.annotated:
        task = by_id[task_id]
        assert task.total_annotations == 1
        assert task.is_labeled is True
        [annotation] = task.annotations
        assert val(annotation, "result")[0]["value"] == {"choices": [emails.data_of(task_id)["label"]]}
    plain = by_id[next(i for i in emails.task_ids if i not in emails.annotated)]
    assert (plain.annotations, plain.total_annotations, plain.is_labeled) == ([], 0, False)


def test_legacy_filter_contains_on_data_text(legacy: Any, emails: Emails) -> None:
    project = legacy.get_project(emails.project_id)
    filters = Filters.create(
        Filters.AND,
        [
            Filters.item(Column.data("text"), Operator.CONTAINS, Type.String, Filters.value(WORD)),
        ],
    )
    tasks = project.get_tasks(filters=filters)
    want = [i for i, r in zip(emails.task_ids, emails.rows, strict=True) if WORD.lower() in r["text"].lower()]
    assert 0 < len(want) < 200
    assert sorted(t["id"] for t in tasks) == sorted(want)
    assert all(WORD.lower() in t["data"]["text"].lower() for t in tasks)


def test_legacy_filter_total_annotations_greater_than_zero(legacy: Any, emails: Emails) -> None:
    project = legacy.get_project(emails.project_id)
    filters = Filters.create(
        Filters.AND,
        [
            Filters.item(Column.total_annotations, Operator.GREATER, Type.Number, Filters.value(0)),
        ],
    )
    tasks = project.get_tasks(filters=filters)
    assert sorted(t["id"] for t in tasks) == sorted(emails.annotated)
    assert all(len(t["annotations"]) == 1 for t in tasks)
    assert sorted(project.get_tasks_ids(filters=filters)) == sorted(emails.annotated)


def test_legacy_filters_combine(legacy: Any, emails: Emails) -> None:
    project = legacy.get_project(emails.project_id)
    spam = Filters.item(Column.data("label"), Operator.EQUAL, Type.String, Filters.value("spam"))
    word = Filters.item(Column.data("text"), Operator.CONTAINS, Type.String, Filters.value(WORD))
    both = project.get_tasks_ids(filters=Filters.create(Filters.AND, [spam, word]))
    either = project.get_tasks_ids(filters=Filters.create(Filters.OR, [spam, word]))
    pairs = list(zip(emails.task_ids, emails.rows, strict=True))
    is_spam = {i for i, r in pairs if r["label"] == "spam"}
    has_word = {i for i, r in pairs if WORD.lower() in r["text"].lower()}
    assert sorted(both) == sorted(is_spam & has_word)
    assert sorted(either) == sorted(is_spam | has_word)


def test_legacy_labeled_and_unlabeled(legacy: Any, emails: Emails) -> None:
    """`get_labeled_tasks` / `get_unlabeled_tasks` filter on `tasks:completed_at` being empty or not."""
    project = legacy.get_project(emails.project_id)
    assert sorted(project.get_labeled_tasks_ids()) == sorted(emails.annotated)
    unlabeled = project.get_unlabeled_tasks_ids()
    assert sorted(unlabeled) == sorted(set(emails.task_ids) - set(emails.annotated))


def test_legacy_ordering(legacy: Any, emails: Emails) -> None:
    project = legacy.get_project(emails.project_id)
    assert project.get_tasks_ids(ordering=["-" + Column.id]) == sorted(emails.task_ids, reverse=True)
    assert project.get_tasks_ids(ordering=[Column.id]) == sorted(emails.task_ids)
    by_annotations = project.get_tasks_ids(ordering=["-" + Column.total_annotations])
    assert set(by_annotations[:3]) == set(emails.annotated)
    assert len(by_annotations) == 200


def test_legacy_selected_ids(legacy: Any, emails: Emails) -> None:
    project = legacy.get_project(emails.project_id)
    chosen = emails.task_ids[20:25]
    tasks = project.get_tasks(selected_ids=chosen)
    assert sorted(t["id"] for t in tasks) == sorted(chosen)


def test_new_client_query_filters_and_ordering(ls: Any, emails: Emails) -> None:
    query = {
        "filters": Filters.create(
            Filters.AND,
            [
                Filters.item(Column.data("text"), Operator.CONTAINS, Type.String, Filters.value(WORD)),
            ],
        ),
        "ordering": ["-" + Column.id],
    }
    tasks = list(ls.tasks.list(project=emails.project_id, page_size=5, query=json.dumps(query)))
    want = [i for i, r in zip(emails.task_ids, emails.rows, strict=True) if WORD.lower() in r["text"].lower()]
    assert [t.id for t in tasks] == sorted(want, reverse=True)


def test_task_create_get_update_delete(ls: Any, make_project: Any) -> None:
    project = make_project(SPAM_CONFIG)
    task = ls.tasks.create(project=project.id, data={"text": "hello", "subject": "greeting"}, meta={"source": "sdk"})
    assert isinstance(task.id, int)
    assert task.data == {"text": "hello", "subject": "greeting"}
    assert ls.projects.get(project.id).task_number == 1

    got = ls.tasks.get(task.id)
    assert got.data == {"text": "hello", "subject": "greeting"}
    assert (got.meta, got.project) == ({"source": "sdk"}, project.id)
    assert (got.annotations, got.predictions, got.total_annotations, got.is_labeled) == ([], [], 0, False)

    updated = ls.tasks.update(task.id, data={"text": "hello again"})
    assert updated.data == {"text": "hello again"}
    assert ls.tasks.get(task.id).data == {"text": "hello again"}

    ls.tasks.delete(task.id)
    with pytest.raises(ApiError) as excinfo:
        ls.tasks.get(task.id)
    assert excinfo.value.status_code == 404
    assert ls.projects.get(project.id).task_number == 0
    assert list(ls.tasks.list(project=project.id)) == []


def test_task_create_without_required_field_is_refused(ls: Any, make_project: Any) -> None:
    project = make_project(SPAM_CONFIG)
    with pytest.raises(ApiError) as excinfo:
        ls.tasks.create(project=project.id, data={"subject": "no text"})
    assert excinfo.value.status_code == 400
    assert ls.projects.get(project.id).task_number == 0
