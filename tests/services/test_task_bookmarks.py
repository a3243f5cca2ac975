"""`page=N` of the task list read from remembered page boundaries (`task_bookmarks`) gives, page for page, what
an OFFSET gives (a writer's session never uses them): filtered, ordered both ways with ties and NULLs, at page
sizes that do and do not fall on a boundary, before and after writes; and an annotator who sees only their own
work gets their own answer, not one from boundaries a manager's listing left."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from sqlalchemy import event, select

from tessera.db.engine import Database
from tessera.db.tables import Task
from tessera.services import annotations, imports, members, predictions, task_bookmarks, tasks, users
from tessera.services.actors import Actor
from tessera.services.projects import create_project

CONFIG = '<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="a"/></Choices></View>'
ADMIN = Actor.system()
N = 137
QUERIES: list[Any] = [
    None,
    {"ordering": ["tasks:data.s"]},
    {"ordering": ["-tasks:data.s"]},
    {"filters": {"conjunction": "and", "items": [
        {"filter": "filter:tasks:data.text", "operator": "contains", "type": "String", "value": "re:"}]}},
    {"ordering": ["-tasks:data.s"], "filters": {"conjunction": "or", "items": [
        {"filter": "filter:tasks:data.text", "operator": "contains", "type": "String", "value": "re:"},
        {"filter": "filter:tasks:total_annotations", "operator": "greater", "type": "Number", "value": 0}]}},
    {"ordering": ["-tasks:completed_at"]},
]  # fmt: skip


def _pages(db: Database, actor: Actor, pid: int, query: Any, size: int, *, writer: bool = False) -> list[list[int]]:
    out = []
    with db.writer() if writer else db.reader() as s:
        total = tasks.list_tasks(s, actor, pid, page=1, page_size=1, full=False, query=query).total
        assert total is not None
        for page in range(1, (total + size - 1) // size + 1):
            got = tasks.list_tasks(s, actor, pid, page=page, page_size=size, full=False, query=query)
            out.append([json.loads(text)["id"] for text in got.tasks])
    return out


def _same_as_offset(db: Database, actor: Actor, pid: int) -> None:
    for query in QUERIES:
        for size in (10, 7, 25):
            assert _pages(db, actor, pid, query, size) == _pages(db, actor, pid, query, size, writer=True), (
                query,
                size,
            )


@pytest.fixture
def small_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(task_bookmarks, "STEP", 10)


def test_pages_from_bookmarks_are_offset_pages(db: Database, small_steps: None) -> None:
    rows = [{"text": ("re: " if i % 3 == 0 else "") + f"mail {i}", "s": f"k{i % 11:02d}"} for i in range(N)]
    for i in range(0, N, 9):
        del rows[i]["s"]  # NULLs in the ordering
    with db.writer() as s:
        pid = create_project(s, ADMIN, {"title": "P", "label_config": CONFIG}).id
        body = json.dumps([{"data": r} for r in rows]).encode()
        imports.import_tasks(s, ADMIN, pid, files=[imports.ImportSource("tasks.json", io.BytesIO(body))])
        annotator = users.create_user(s, None, email="ann@example.com", password="annotator1")
        members.add_member(s, ADMIN, pid, {"user": annotator.id, "role": "annotator"})
        ids = list(s.scalars(select(Task.id).where(Task.project_id == pid).order_by(Task.id)))
        s.commit()
    member = Actor(user_id=annotator.id, email="ann@example.com")
    result = [{"from_name": "c", "to_name": "text", "type": "choices", "value": {"choices": ["a"]}}]
    with db.writer() as s:
        for tid in ids[5:60:4]:
            annotations.create_annotation(s, ADMIN, tid, {"result": result})
        s.commit()

    offsets: list[Any] = []

    def spy(conn: Any, clause: Any, *args: Any) -> None:
        if getattr(clause, "_offset_clause", None) is not None:
            offsets.append(clause)

    event.listen(db.engine, "before_execute", spy)
    with db.reader() as s:  # the boundaries are found once; a later deep page reads no OFFSET
        tasks.list_tasks(s, ADMIN, pid, page=13, page_size=10, full=False, query=QUERIES[2])
        offsets.clear()
        got = tasks.list_tasks(s, ADMIN, pid, page=9, page_size=10, full=False, query=QUERIES[2])
    event.remove(db.engine, "before_execute", spy)
    assert len(got.tasks) == 10
    assert offsets == []

    _same_as_offset(db, ADMIN, pid)
    _same_as_offset(db, member, pid)  # sees only own annotations: other filters' answers
    with db.writer() as s:  # writes move tasks between pages and in and out of the filter
        tasks.update_task(s, ADMIN, ids[3], {"data": {"text": "re: moved", "s": "k00"}})
        tasks.update_task(s, ADMIN, ids[90], {"data": {"text": "plain now"}})
        tasks.delete_task(s, ADMIN, ids[40])
        for tid in ids[100:130:3]:
            annotations.create_annotation(s, member, tid, {"result": result})
        s.commit()
    _same_as_offset(db, ADMIN, pid)
    _same_as_offset(db, member, pid)


def test_unsteady_columns_keep_offset() -> None:
    assert task_bookmarks.steady({"ordering": ["tasks:data.s"], "filters": {"items": [{"filter": "filter:tasks:id"}]}})
    assert not task_bookmarks.steady({"ordering": ["-tasks:agreement"]})
    assert not task_bookmarks.steady({"filters": {"items": [{"filter": "filter:tasks:reviews_accepted"}]}})


def test_writes_of_annotations_keep_the_boundaries_of_a_listing_of_the_tasks_own_values(
    db: Database, small_steps: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A listing filtered and ordered by the tasks' own values (id, `data`) keeps its boundaries while
    annotations and predictions are written (`tasks_version`); one ordered by a count of annotations finds
    them again; a write of a task itself makes both find them again. The pages stay those of an OFFSET."""
    with db.writer() as s:
        pid = create_project(s, ADMIN, {"title": "P", "label_config": CONFIG}).id
        body = json.dumps([{"data": {"text": f"t{i}", "s": f"k{i % 7}"}} for i in range(N)]).encode()
        imports.import_tasks(s, ADMIN, pid, files=[imports.ImportSource("tasks.json", io.BytesIO(body))])
        ids = list(s.scalars(select(Task.id).where(Task.project_id == pid).order_by(Task.id)))
        s.commit()
    scans: list[Any] = []
    scan = task_bookmarks._scan
    monkeypatch.setattr(task_bookmarks, "_scan", lambda *args: scans.append(args) or scan(*args))
    own = {"ordering": ["-tasks:data.s"], "filters": {"conjunction": "and", "items": [
        {"filter": "filter:tasks:id", "operator": "greater", "type": "Number", "value": ids[3]}]}}  # fmt: skip
    counted = {"ordering": ["-tasks:total_annotations"]}

    def deep(query: Any) -> list[int]:
        with db.reader() as s:
            got = tasks.list_tasks(s, ADMIN, pid, page=9, page_size=10, full=False, query=query)
        return [json.loads(text)["id"] for text in got.tasks]

    def offset_page(query: Any) -> list[int]:
        with db.writer() as s:  # a writer's session reads by OFFSET
            got = tasks.list_tasks(s, ADMIN, pid, page=9, page_size=10, full=False, query=query)
        return [json.loads(text)["id"] for text in got.tasks]

    assert deep(own) == offset_page(own) and deep(counted) == offset_page(counted)
    assert len(scans) == 2
    result = [{"from_name": "c", "to_name": "text", "type": "choices", "value": {"choices": ["a"]}}]
    with db.writer() as s:
        for tid in ids[::5]:
            annotations.create_annotation(s, ADMIN, tid, {"result": result})
        predictions.create_prediction(s, ADMIN, {"task": ids[1], "result": result})
        s.commit()
    assert deep(own) == offset_page(own)
    assert len(scans) == 2  # kept
    assert deep(counted) == offset_page(counted)
    assert len(scans) == 3  # found again: the counts moved tasks
    with db.writer() as s:
        tasks.update_task(s, ADMIN, ids[50], {"data": {"text": "moved", "s": "k9"}})
        s.commit()
    assert deep(own) == offset_page(own) and deep(counted) == offset_page(counted)
    assert len(scans) == 5


def test_only_listings_of_the_tasks_own_values_go_by_tasks_version() -> None:
    class Versions:
        tasks_version, data_version = 3, 9

    project: Any = Versions()
    by_text = {"ordering": ["-tasks:data.text"]}
    by_id_and_data = {"ordering": ["tasks:id"], "filters": {"items": [{"filter": "filter:tasks:data.a.b"}]}}
    for query in [{}, by_text, by_id_and_data, {"ordering": ["tasks:inner_id", "-tasks:created_at"]}]:
        assert task_bookmarks.version_of(project, query) == ("tasks", 3), query
    counted = {"ordering": ["tasks:data.text"], "filters": {"items": [{"filter": "filter:tasks:total_annotations"}]}}
    for query in [
        counted,
        {"ordering": ["-tasks:updated_at"]},
        {"ordering": ["tasks:completed_at"]},
        {"ordering": ["x"]},
    ]:
        assert task_bookmarks.version_of(project, query) == ("data", 9), query
