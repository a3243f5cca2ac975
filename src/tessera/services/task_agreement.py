"""Keeping `tasks.agreement` current: for one task on every annotation write (`refresh_counters`), and a batch
at a time for the tasks with two annotations or more that an import brought in, or all of a project's when
its labeling config changes."""

from __future__ import annotations

from collections import defaultdict
from operator import itemgetter
from typing import Any

from sqlalchemy import Text, bindparam, cast, func, select, update
from sqlalchemy.orm import Session

from tessera.db.tables import Annotation, Task
from tessera.domain.agreement.task_value import TaskAgreement
from tessera.domain.config.model import LabelConfig
from tessera.services.agreement import decode_result, gc_paused

BATCH = 2000
_A = Annotation.__table__.c
_T = Task.__table__.c
# What a task's agreement compares: submitted annotations by a known person, not a reviewer's fix; a later one
# by the same person replaces the earlier (the agreement report's rule, see services/agreement).
_COMPARED = (_A.was_cancelled.is_(False), _A.completed_by.is_not(None), _A.parent_annotation_id.is_(None))
_ONE_TASK = select(_A.completed_by, _A.result).where(_A.task_id == bindparam("task_id"), *_COMPARED).order_by(_A.id)
_SET = update(Task.__table__).where(_T.id == bindparam("task_id")).values(agreement=bindparam("agreement"))


# The same annotations as one JSON array of [id, annotator, result], for a statement to return with its row
# (PostgreSQL: `annotations._INSERT_AND_COUNT` returns those stored before the one it inserts).
COMPARED_AS_JSON = (
    select(func.json_agg(func.json_build_array(_A.id, _A.completed_by, _A.result)))
    .where(_A.task_id == bindparam("task_id"), *_COMPARED)
    .scalar_subquery()
)


def agreement_of_task(session: Session, config: LabelConfig, task_id: int) -> float | None:
    latest = dict(session.connection().execute(_ONE_TASK, {"task_id": task_id}).all())
    return TaskAgreement(config).value(latest)


def agreement_with_new(config: LabelConfig, stored: list[Any] | None, new: dict[str, Any]) -> float | None:
    """`agreement_of_task` from the task's compared annotations as `COMPARED_AS_JSON` gave them (None: there
    were none) before `new`, the values of the annotation inserted since (with the highest id), was added."""
    latest = {annotator: result for _, annotator, result in sorted(stored or [], key=itemgetter(0))}
    if not new["was_cancelled"] and new["completed_by"] is not None and new["parent_annotation_id"] is None:
        latest[new["completed_by"]] = new["result"]  # as `_COMPARED` would have it
    return TaskAgreement(config).value(latest)


def refresh_tasks(session: Session, config: LabelConfig, project_id: int, import_id: int | None = None) -> int:
    """Set the agreement of the project's tasks (only the import's, if given) that have two annotations or
    more; how many were set."""
    conn = session.connection()
    agreement = TaskAgreement(config)
    which = [_T.project_id == project_id, _T.total_annotations >= 2]
    if import_id is not None:
        which.append(_T.import_id == import_id)
    last, done = 0, 0
    while True:
        ids = conn.scalars(select(_T.id).where(*which, _T.id > last).order_by(_T.id).limit(BATCH)).all()
        if not ids:
            return done
        last = ids[-1]
        results: dict[int, dict[int, Any]] = defaultdict(dict)
        # The task ids are the only condition here: with `_COMPARED` too, SQLite picks the index on
        # parent_annotation_id and reads every annotation of the database for each batch.
        rows = conn.execute(
            select(_A.task_id, _A.completed_by, _A.parent_annotation_id, cast(_A.result, Text))
            .where(_A.task_id.in_(ids), _A.was_cancelled.is_(False))
            .order_by(_A.id)
        )
        for task_id, annotator, parent, text in rows:
            if annotator is not None and parent is None:
                results[task_id][annotator] = text
        with gc_paused():
            values = [
                {"task_id": t, "agreement": agreement.value({a: decode_result(r) for a, r in results[t].items()})}
                for t in ids
            ]
        conn.execute(_SET, values)
        done += len(ids)
