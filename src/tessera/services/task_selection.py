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

from sqlalchemy import exists, not_
from sqlalchemy.orm import Session

from tessera.db.data_indexes import ensure_data_index
from tessera.db.tables import Annotation, Task
from tessera.services.access import get_project, sees_all_annotations
from tessera.services.actors import Actor
from tessera.services.task_query import apply_query, order_by, ordering_data_paths, parse_query, project_tasks
from tessera.services.task_totals import task_totals
from tessera.services.tasks import shape_tasks


@dataclass
class SelectionStep:
    task: dict[str, Any] | None  # as `GET /api/tasks/{id}` shows it; None when nothing is left to open
    total: int  # tasks in the selection
    remaining: int  # of those, the ones the caller has neither annotated nor skipped (passed ones included)


def next_selected_task(
    session: Session, actor: Actor, project_id: int, query: str | dict | None, *, passed: Iterable[int] = ()
) -> SelectionStep:
    """The first task of the selection, in its order, without an annotation (or skip) by the caller and not in
    `passed`. The selection holds what `GET /api/tasks` with the same query shows the caller."""
    project, role = get_project(session, actor, project_id, "tasks.view")
    parsed = parse_query(query)
    author = None if sees_all_annotations(session, role, project.id) else actor.user_id
    selection = apply_query(project_tasks(project.id), parsed, author=author)
    mine = exists().where(Annotation.task_id == Task.id, Annotation.completed_by == actor.user_id)
    unlabeled = selection.where(not_(mine))
    key = {"filters": parsed.get("filters"), "selected": parsed.get("selectedItems"), "author": author}
    total = task_totals(session, project, selection, key)[0]
    remaining = task_totals(session, project, unlabeled, {**key, "not_annotated_by": actor.user_id})[0]
    skipped = sorted(set(passed))
    candidates = unlabeled.where(Task.id.not_in(skipped)) if skipped else unlabeled
    for path in ordering_data_paths(parsed):
        ensure_data_index(session.get_bind(), path)
    task_id = session.scalar(candidates.with_only_columns(Task.id).order_by(*order_by(parsed, author=author)).limit(1))
    task = session.get(Task, task_id) if task_id is not None else None
    shaped = shape_tasks(session, actor, role, project, [task], full=True)[0] if task is not None else None
    return SelectionStep(shaped, total, remaining)
