"""A project's tasks with their submitted annotations, a batch at a time, for the reports that read
every annotation (preferences, red-teaming): keyset over tasks, their annotations by the batch's id range.

Which annotations: submitted (not skipped), not a reviewer's fix of another annotation. When one person
annotated a task more than once, the latest (highest id) is theirs; annotations whose author was deleted are
each kept, with no author.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tessera.db.tables import Annotation, Task

BATCH = 2000
_T = Task.__table__.c
_A = Annotation.__table__.c


@dataclass(frozen=True)
class AnnotationRow:
    id: int
    completed_by: int | None
    result: Any
    presentation: Any


def iter_annotated_tasks(
    session: Session, project_id: int
) -> Iterator[tuple[int, dict[str, Any], list[AnnotationRow]]]:
    """(task id, data, annotations) for the project's tasks with a submitted annotation, in task id order."""
    conn = session.connection()
    last = 0
    while True:
        tasks = conn.execute(
            select(_T.id, _T.data)
            .where(_T.project_id == project_id, _T.id > last, _T.total_annotations > 0)
            .order_by(_T.id)
            .limit(BATCH)
        ).all()
        if not tasks:
            return
        last = tasks[-1][0]
        wanted = {row[0] for row in tasks}
        by_task: dict[int, dict[Any, AnnotationRow]] = {}
        rows = conn.execute(
            select(_A.task_id, _A.id, _A.completed_by, _A.parent_annotation_id, _A.result, _A.presentation)
            .where(_A.task_id.between(tasks[0][0], last), _A.was_cancelled.is_(False))
            .order_by(_A.id)
        )
        for task_id, ann_id, author, parent, result, presentation in rows:
            if task_id in wanted and parent is None:
                key = author if author is not None else ("deleted", ann_id)
                by_task.setdefault(task_id, {})[key] = AnnotationRow(ann_id, author, result, presentation)
        for task_id, data in tasks:
            annotations = by_task.get(task_id)
            if annotations:
                yield task_id, data if isinstance(data, dict) else {}, list(annotations.values())
