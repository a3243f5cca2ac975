"""A task's counters after each submit, skip and delete, made in one statement when the project has no
`agreement_threshold` (`annotations._COUNT_AND_SET`; on PostgreSQL a submit writes them in the statement that
inserts the annotation, `_INSERT_AND_COUNT`): the same as counting the task's rows and asking
`task_is_labeled`, for every overlap and skip policy, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tessera.db.engine import Database
from tessera.db.tables import Annotation, Task
from tessera.domain.config import cached_config
from tessera.domain.labeling import task_is_labeled
from tessera.services import annotations, members, users
from tessera.services.actors import Actor
from tessera.services.projects import create_project
from tessera.services.task_agreement import agreement_of_task
from tessera.services.tasks import create_task

CONFIG = """<View>
  <Text name="text" value="$text"/>
  <Choices name="c" toName="text"><Choice value="a"/><Choice value="b"/></Choices>
</View>"""
ACTOR = Actor.system()
RESULT = [{"from_name": "c", "to_name": "text", "type": "choices", "value": {"choices": ["a"]}}]


def _expected(db: Database, task_id: int, overlap: int, skip_queue: str) -> tuple[int, int, bool, float | None]:
    """(completed, skipped, labeled, agreement) from the rows."""
    with db.reader() as s:
        rows = s.execute(
            select(Annotation.was_cancelled, func.count())
            .where(Annotation.task_id == task_id)
            .group_by(Annotation.was_cancelled)
        ).all()
        counts = dict(rows)
        total, cancelled = counts.get(False, 0), counts.get(True, 0)
        agreement = agreement_of_task(s, cached_config(CONFIG), task_id) if total >= 2 else None
    return total, cancelled, task_is_labeled(total, cancelled, overlap, skip_queue), agreement


def _stored(db: Database, task_id: int) -> tuple[int, int, bool, float | None]:
    with db.reader() as s:
        task = s.get(Task, task_id)
        assert task is not None
        return task.total_annotations, task.cancelled_annotations, task.is_labeled, task.agreement


@pytest.mark.parametrize("skip_queue", ["REQUEUE_FOR_OTHERS", "IGNORE_SKIPPED"])
@pytest.mark.parametrize("overlap", [1, 2, 3])
def test_the_counters_are_those_of_the_rows(db: Database, overlap: int, skip_queue: str) -> None:
    with db.writer() as s:
        body = {"title": "P", "label_config": CONFIG, "maximum_annotations": overlap, "skip_queue": skip_queue}
        pid = create_project(s, ACTOR, body).id
        task_id = create_task(s, ACTOR, {"project": pid, "data": {"text": "t"}}).id
        s.commit()
    written = []
    for cancelled in [True, False, True, False, False]:
        with db.writer() as s:
            ann, _ = annotations.create_annotation(s, ACTOR, task_id, {"result": RESULT, "was_cancelled": cancelled})
            written.append(ann.id)
            s.commit()
        assert _stored(db, task_id) == _expected(db, task_id, overlap, skip_queue)
    for ann_id in written[::-1]:
        with db.writer() as s:
            annotations.delete_annotation(s, ACTOR, ann_id)
            s.commit()
        assert _stored(db, task_id) == _expected(db, task_id, overlap, skip_queue)
    assert _stored(db, task_id) == (0, 0, False, None)


def test_the_agreement_is_that_of_the_rows_after_each_submit(db: Database) -> None:
    """Three annotators (and one who answers twice, the later answer counting): after each submit the task's
    agreement is what `agreement_of_task` makes of its rows (on PostgreSQL a submit makes it from what its
    INSERT read, and writes it with the COMMIT)."""
    with db.writer() as s:
        pid = create_project(s, ACTOR, {"title": "P", "label_config": CONFIG, "maximum_annotations": 3}).id
        task_id = create_task(s, ACTOR, {"project": pid, "data": {"text": "t"}}).id
        people = []
        for n in range(3):
            user = users.create_user(s, None, email=f"a{n}@example.com", password=f"annotator{n}")
            members.add_member(s, ACTOR, pid, {"user": user.id, "role": "annotator"})
            people.append(Actor(user_id=user.id, email=user.email))
        s.commit()
    seen = []
    steps = [(0, "a", False), (1, "b", False), (2, "a", True), (2, "a", False), (1, "a", False), (0, "a", False)]
    for who, choice, cancelled in steps:
        result = [] if cancelled else [{**RESULT[0], "value": {"choices": [choice]}}]
        with db.writer() as s:
            body = {"result": result, "was_cancelled": cancelled}
            annotations.create_annotation(s, people[who], task_id, body)
            s.commit()
        stored = _stored(db, task_id)
        assert stored == _expected(db, task_id, 3, "REQUEUE_FOR_OTHERS")
        seen.append(stored[3])
    # a, b; a skip; a, b, a (1 pair in 3); b's later a replaces their b, and stays the one that counts
    assert seen == [None, 0.0, 0.0, pytest.approx(1 / 3), 1.0, 1.0]
