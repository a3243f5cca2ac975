"""Task assignments through the real SDK's `projects.assignments` (an Enterprise API in Label Studio)."""

from __future__ import annotations

from typing import Any

from tests.sdk.conftest import LiveServer
from tests.sdk.support import SENTIMENT_CONFIG


def test_assign_list_bulk_and_delete_with_the_sdk(ls: Any, live_server: LiveServer, make_project: Any) -> None:
    project = make_project(SENTIMENT_CONFIG)
    tasks = list(
        ls.projects.import_tasks(id=project.id, request=[{"text": "a"}, {"text": "b"}], return_task_ids=True).task_ids
    )
    user = ls.users.create(email="assignee@example.com", username="assignee", password="assignee-password-1")
    with live_server.http() as http:
        r = http.post(f"/api/projects/{project.id}/members", json={"user": user.id, "role": "annotator"})
        assert r.status_code in (200, 201), r.text
    one = ls.projects.assignments.assign(id=project.id, task_pk=tasks[0], type="AN", users=[user.id])
    assert (one.task, one.assignee, one.type) == (tasks[0], user.id, "AN")
    listed = ls.projects.assignments.list(id=project.id, task_pk=tasks[0])
    assert [(a.assignee, a.type) for a in listed] == [(user.id, "AN")]
    bulk = ls.projects.assignments.bulk_assign(
        id=project.id, type="RE", users=[user.id], selected_items={"all": False, "included": tasks}
    )
    assert bulk.assignments == 2 and bulk.task_ids == tasks
    ls.projects.assignments.delete(id=project.id, task_pk=tasks[0], type="AN")
    assert [a.type for a in ls.projects.assignments.list(id=project.id, task_pk=tasks[0])] == ["RE"]
