"""Labeling a data-manager selection: the next task of a selection (Label Studio's data-manager query:
filters, ordering, selectedItems) that the caller has neither annotated nor skipped, in the query's order.

The selection is asked again at every step, as Label Studio's data-manager queue does, so a page of ids is
never kept anywhere: tasks the caller labels leave it by themselves, and `passed` names the few they moved
on from without an answer. It is a read: no lease is claimed and the overlap is not looked at, as when a
task is opened by its id (its submit is then one without a lease: see `task_queue.check_submit`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, exists, func, not_, select
from sqlalchemy.orm import Session

from tessera.db.data_indexes import ensure_data_index
from tessera.db.tables import Annotation, Task
from tessera.services.access import get_project, sees_all_annotations
from tessera.services.actors import Actor
from tessera.services.task_query import apply_query, order_by, ordering_data_paths, parse_query, project_tasks
from tessera.services.tasks import shape_tasks

# A task the caller answers (in another tab) after the step was read but before it was shaped comes back with
# their annotation: the step is read again, with that answer in it. A bound, not a loop: each read is fresh.
READS = 3


@dataclass
class SelectionStep:
    task: dict[str, Any] | None  # as `GET /api/tasks/{id}` shows it; None when nothing is left to open
    total: int  # tasks in the selection
    remaining: int  # of those, the ones the caller has neither annotated nor skipped (passed ones included)


def next_selected_task(
    session: Session, actor: Actor, project_id: int, query: str | dict | None, *, passed: Iterable[int] = ()
) -> SelectionStep:
    """The first task of the selection, in its order, without an annotation (or skip) by the caller and not in
    `passed`. The selection holds what `GET /api/tasks` with the same query shows the caller.

    The task and both counts come from one statement, so from one view of the database on PostgreSQL too
    (where each statement of a read sees what was committed before it): the task handed out is one the counts
    hold as unanswered, and "nothing left" comes with nothing remaining."""
    project, role = get_project(session, actor, project_id, "tasks.view")
    parsed = parse_query(query)
    author = None if sees_all_annotations(session, role, project.id) else actor.user_id
    for path in ordering_data_paths(parsed):
        ensure_data_index(session.get_bind(), path)
    step = _read_step(session, actor, parsed, author, project.id, sorted(set(passed)))
    for _ in range(READS):
        task_id, total, remaining = session.execute(step).one()
        task = session.get(Task, task_id) if task_id is not None else None
        shaped = shape_tasks(session, actor, role, project, [task], full=True)[0] if task is not None else None
        if shaped is None or not _answered_by(shaped, actor):
            break
    return SelectionStep(shaped, int(total), int(remaining or 0))


def _read_step(
    session: Session, actor: Actor, parsed: dict[str, Any], author: int | None, project_id: int, passed: list[int]
) -> Select[Any]:
    """(first unanswered task id not in `passed` or NULL, tasks in the selection, unanswered ones): one row."""
    selection = apply_query(project_tasks(project_id), parsed, author=author)
    mine = exists().where(Annotation.task_id == Task.id, Annotation.completed_by == actor.user_id)
    unanswered = selection.where(not_(mine))
    candidates = unanswered.where(Task.id.not_in(passed)) if passed else unanswered
    first = candidates.with_only_columns(Task.id).order_by(*order_by(parsed, author=author)).limit(1)
    counted = selection.with_only_columns(case((mine, 0), else_=1).label("open")).subquery()
    return select(first.scalar_subquery(), func.count(), func.sum(counted.c.open)).select_from(counted)


def _answered_by(task: dict[str, Any], actor: Actor) -> bool:
    authors = [a["completed_by"] for a in task.get("annotations") or []]
    return any((a["id"] if isinstance(a, dict) else a) == actor.user_id for a in authors)
