"""`next_selected_task` answers from one view of the database: whatever moment the caller's own submit (from
another tab) commits at, the task handed out and the counts agree, and a task the answer shows as answered by
the caller is never the one handed out. The submit is committed from a second session just before the k-th
statement the service runs, for every k, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select

from tessera.db.engine import Database
from tessera.db.tables import Task
from tessera.services import imports, members, users
from tessera.services.actors import Actor
from tessera.services.annotations import create_annotation
from tessera.services.projects import create_project
from tessera.services.task_selection import SelectionStep, next_selected_task

CONFIG = (
    '<View><Text name="text" value="$text"/>'
    '<Choices name="mood" toName="text"><Choice value="happy"/><Choice value="sad"/></Choices></View>'
)
HAPPY = [{"from_name": "mood", "to_name": "text", "type": "choices", "value": {"choices": ["happy"]}}]
ADMIN = Actor.system()


def _labeler(db: Database) -> Actor:
    with db.writer() as s:
        user = users.create_user(s, None, email="labeler@example.com", password="labeler-password-1")
        s.commit()
        return Actor(user_id=user.id, email=user.email)


def _project(db: Database, labeler: Actor, title: str) -> list[int]:
    """Three tasks in a new project where `labeler` is a manager; the ids in order."""
    with db.writer() as s:
        pid = create_project(s, ADMIN, {"title": title, "label_config": CONFIG}).id
        imports.import_tasks(s, ADMIN, pid, body=[{"text": f"note {i}"} for i in range(3)])
        members.add_member(s, ADMIN, pid, {"user": labeler.user_id, "role": "manager"})
        s.commit()
        return list(s.scalars(select(Task.id).where(Task.project_id == pid).order_by(Task.id)))


def _answer(db: Database, labeler: Actor, task_id: int) -> None:
    with db.writer() as s:
        create_annotation(s, labeler, task_id, {"result": HAPPY})
        s.commit()


@contextmanager
def _before_statement(db: Database, k: int, action: Callable[[], None]) -> Iterator[list[int]]:
    """Runs `action` once, just before the k-th statement sent to the database (its own statements not
    counted); yields a one-item list holding how many statements were counted."""
    seen = [0]
    busy = [False]

    def hook(*_args: Any) -> None:
        if busy[0]:
            return
        seen[0] += 1
        if seen[0] == k:
            busy[0] = True
            try:
                action()
            finally:
                busy[0] = False

    event.listen(db.engine, "before_cursor_execute", hook)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", hook)


def _project_of(db: Database, query: dict[str, Any]) -> int:
    with db.reader() as s:
        task = s.get(Task, query["selectedItems"]["included"][0])
        assert task is not None
        return task.project_id


def _answers_of(step: SelectionStep, labeler: Actor) -> int:
    """How many of the handed-out task's annotations are the caller's."""
    assert step.task is not None
    authors = [a["completed_by"] for a in step.task["annotations"]]
    return sum((a["id"] if isinstance(a, dict) else a) == labeler.user_id for a in authors)


def test_the_last_task_answered_while_the_next_is_asked(db: Database) -> None:
    labeler = _labeler(db)
    ids = _project(db, labeler, "dry run")
    query = {"selectedItems": {"all": False, "included": [ids[0], ids[2]]}, "ordering": ["tasks:id"]}
    _answer(db, labeler, ids[0])
    pid = _project_of(db, query)
    with _before_statement(db, 0, lambda: None) as seen, db.reader() as s:
        first = next_selected_task(s, labeler, pid, query)
    assert (first.task and first.task["id"], first.total, first.remaining) == (ids[2], 2, 1)
    statements = seen[0]
    assert statements >= 2
    answers = {}
    for k in range(1, statements + 3):
        ids = _project(db, labeler, f"answer before statement {k}")
        query = {"selectedItems": {"all": False, "included": [ids[0], ids[2]]}, "ordering": ["tasks:id"]}
        _answer(db, labeler, ids[0])
        pid = _project_of(db, query)
        with _before_statement(db, k, lambda ids=ids: _answer(db, labeler, ids[2])), db.reader() as s:
            step = next_selected_task(s, labeler, pid, query)
        mine = _answers_of(step, labeler) if step.task else None
        answers[k] = (step.task and step.task["id"] == ids[2], step.total, step.remaining, mine)
    # Either the answer to the last task was seen (nothing handed out, nothing left) or it was not (the last task
    # handed out, without the caller's annotation, and still counted).
    assert {k: a for k, a in answers.items() if a not in {(None, 2, 0, None), (True, 2, 1, 0)}} == {}
