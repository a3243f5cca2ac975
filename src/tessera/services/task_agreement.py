"""Keeping `tasks.agreement` current: for one task on every annotation write (`refresh_counters`), and for
the tasks an import brought in with two annotations or more, a batch at a time."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from tessera.db.tables import Annotation, Task
from tessera.domain.agreement.task_value import task_agreement_value
from tessera.domain.config.model import LabelConfig

BATCH = 2000
_A = Annotation.__table__.c
_T = Task.__table__.c
# What a task's agreement compares: submitted annotations by a known person, not a reviewer's fix; a later one
# by the same person replaces the earlier (the agreement report's rule, see services/agreement).
_COMPARED = (_A.was_cancelled.is_(False), _A.completed_by.is_not(None), _A.parent_annotation_id.is_(None))
_ONE_TASK = select(_A.completed_by, _A.result).where(_A.task_id == bindparam("task_id"), *_COMPARED).order_by(_A.id)
_SET = update(Task.__table__).where(_T.id == bindparam("task_id")).values(agreement=bindparam("agreement"))


def agreement_of_task(session: Session, config: LabelConfig, task_id: int) -> float | None:
    latest = dict(session.connection().execute(_ONE_TASK, {"task_id": task_id}).all())
    return task_agreement_value(config, latest)


def refresh_imported(session: Session, config: LabelConfig, project_id: int, import_id: int) -> int:
    """Set the agreement of the import's tasks that have two annotations or more; how many were set."""
    conn = session.connection()
    last, done = 0, 0
    while True:
        ids = conn.scalars(
            select(_T.id)
            .where(_T.project_id == project_id, _T.import_id == import_id, _T.total_annotations >= 2, _T.id > last)
            .order_by(_T.id)
            .limit(BATCH)
        ).all()
        if not ids:
            return done
        last = ids[-1]
        results: dict[int, dict[int, Any]] = defaultdict(dict)
        rows = conn.execute(
            select(_A.task_id, _A.completed_by, _A.result).where(_A.task_id.in_(ids), *_COMPARED).order_by(_A.id)
        )
        for task_id, annotator, result in rows:
            results[task_id][annotator] = result
        values = [{"task_id": t, "agreement": task_agreement_value(config, results.get(t, {}))} for t in ids]
        conn.execute(_SET, values)
        done += len(ids)
