"""Tasks given to named people (Label Studio Enterprise's manual distribution), in its API's shapes.

A task assigned to annotate ("AN") is taken from the queue only by the people it is assigned to, and comes
before their other tasks; the overlap still caps how many annotations it gets. "RE" assignments are kept and
listed for reviewers. Managers assign; staff read.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tessera.db.tables import ProjectMember, Task, TaskAssignment
from tessera.domain.errors import InvalidInput, NotFound
from tessera.domain.ids import id_from_text
from tessera.services.access import get_project, get_scoped
from tessera.services.actors import Actor
from tessera.services.ls_shapes import iso
from tessera.services.task_query import apply_query

TYPES = ("AN", "RE")


def assignment_dict(row: TaskAssignment) -> dict[str, Any]:
    return {
        "id": row.id,
        "task": row.task_id,
        "assignee": row.user_id,
        "type": row.type,
        "state": None,
        "created_at": iso(row.created_at),
    }


def _check(session: Session, project_id: int, body: Any, *, need_users: bool = True) -> tuple[str, list[int]]:
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    kind = body.get("type", "AN")
    if kind not in TYPES:
        raise InvalidInput('type must be "AN" (annotate) or "RE" (review)', field_errors={"type": ["invalid"]})
    users = body.get("users")
    if users is None and not need_users:
        return kind, []
    if not isinstance(users, list) or not all(isinstance(u, int) and not isinstance(u, bool) for u in users):
        raise InvalidInput("users must be a list of user ids", field_errors={"users": ["a list of user ids"]})
    members = set(
        session.scalars(
            select(ProjectMember.user_id).where(
                ProjectMember.project_id == project_id, ProjectMember.user_id.in_(users)
            )
        )
    )
    strangers = [u for u in users if u not in members]
    if strangers:
        message = f"not members of this project: {', '.join(map(str, strangers))}"
        raise InvalidInput(f"users: {message}", field_errors={"users": [message]})
    return kind, list(dict.fromkeys(users))


def _add(session: Session, project_id: int, task_ids: list[int], kind: str, users: list[int]) -> int:
    existing = {
        (row[0], row[1])
        for row in session.execute(
            select(TaskAssignment.task_id, TaskAssignment.user_id).where(
                TaskAssignment.task_id.in_(task_ids), TaskAssignment.type == kind
            )
        )
    }
    rows = [
        TaskAssignment(task_id=t, project_id=project_id, user_id=u, type=kind)
        for t in task_ids
        for u in users
        if (t, u) not in existing
    ]
    session.add_all(rows)
    session.flush()
    return len(rows)


def list_task(session: Session, actor: Actor, project_id: int, task_id: int) -> list[TaskAssignment]:
    task = _task(session, actor, project_id, task_id, "assignments.view")
    q = select(TaskAssignment).where(TaskAssignment.task_id == task.id).order_by(TaskAssignment.id)
    return list(session.scalars(q))


def _task(session: Session, actor: Actor, project_id: int, task_id: int, action: str) -> Task:
    get_project(session, actor, project_id, action)
    task, _role = get_scoped(session, actor, Task, task_id, action)
    if task.project_id != project_id:
        raise NotFound("task not found")
    return task


def assign_task(
    session: Session, actor: Actor, project_id: int, task_id: int, body: Any, *, replace: bool = False
) -> list[TaskAssignment]:
    """POST adds the users to the task; PATCH (`replace`) makes them its only assignees of that type."""
    task = _task(session, actor, project_id, task_id, "assignments.change")
    kind, users = _check(session, project_id, body)
    if replace:
        session.execute(delete(TaskAssignment).where(TaskAssignment.task_id == task.id, TaskAssignment.type == kind))
    _add(session, project_id, [task.id], kind, users)
    q = select(TaskAssignment).where(TaskAssignment.task_id == task.id, TaskAssignment.type == kind)
    return list(session.scalars(q.order_by(TaskAssignment.id)))


def unassign_task(
    session: Session, actor: Actor, project_id: int, task_id: int, kind: str | None, users: str | None
) -> int:
    """DELETE: all of the task's assignments, those of one type, or of some users (`users` as "1,2")."""
    task = _task(session, actor, project_id, task_id, "assignments.change")
    q = delete(TaskAssignment).where(TaskAssignment.task_id == task.id)
    if kind is not None:
        q = q.where(TaskAssignment.type == _check(session, project_id, {"type": kind}, need_users=False)[0])
    if users:
        ids = [id_from_text(u) for u in users.split(",") if u.strip()]
        if None in ids:
            raise InvalidInput("users must be comma-separated user ids", field_errors={"users": ["invalid"]})
        q = q.where(TaskAssignment.user_id.in_(ids))
    return session.execute(q).rowcount or 0


def bulk_assign(session: Session, actor: Actor, project_id: int, body: Any) -> dict[str, Any]:
    """POST /api/projects/{id}/tasks/assignees: `users` to every task `selectedItems` (and `filters`) pick."""
    get_project(session, actor, project_id, "assignments.change")
    kind, users = _check(session, project_id, body)
    selected = body.get("selectedItems", body.get("selected_items"))
    if not isinstance(selected, dict):
        raise InvalidInput(
            'selectedItems is required: {"all": false, "included": [ids]} or {"all": true, "excluded": [ids]}',
            field_errors={"selectedItems": ["required"]},
        )
    query = {"selectedItems": selected, "filters": body.get("filters")}
    task_ids = list(session.scalars(apply_query(select(Task.id).where(Task.project_id == project_id), query)))
    added = _add(session, project_id, task_ids, kind, users)
    return {"assignments": added, "async": False, "task_ids": task_ids}
