"""The one scoped accessor for project objects. Deny by default: an object in a project the actor does
not belong to is reported as not found, whichever route or body field names it."""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from tessera.db.raw_sql import RawStatement
from tessera.db.tables import (
    Annotation,
    Connector,
    Export,
    MLBackend,
    Prediction,
    Project,
    ProjectMember,
    SourceStorage,
    Task,
    View,
)
from tessera.domain.errors import NotFound, PermissionDenied
from tessera.domain.ids import is_row_id
from tessera.domain.policy import ADMIN, allows
from tessera.services.actors import Actor

Scoped = TypeVar("Scoped", Task, Annotation, Prediction, Export, MLBackend, View, Connector, SourceStorage)

NAMES = {
    Task: "task",
    Annotation: "annotation",
    Prediction: "prediction",
    Export: "export",
    MLBackend: "ML backend",
    Connector: "connector",
    View: "view",
    SourceStorage: "storage",
    Project: "project",
}


def project_role(session: Session, actor: Actor, project_id: int) -> str | None:
    if not is_row_id(project_id):
        return None
    if actor.is_admin:
        return ADMIN
    return session.scalar(
        select(ProjectMember.role).where(ProjectMember.project_id == project_id, ProjectMember.user_id == actor.user_id)
    )


def require(role: str | None, action: str, what: str = "project") -> None:
    if role is None:
        raise NotFound(f"{what} not found")
    if not allows(role, action):
        raise PermissionDenied(f"your role ({role}) does not allow {action}")


def get_project(
    session: Session, actor: Actor, project_id: int, action: str = "project.view", *, for_update: bool = False
) -> tuple[Project, str]:
    project, role = _with_role(session, actor, Project, project_id, for_update)
    if project is None or role is None:
        raise NotFound("project not found")
    require(role, action)
    return project, role


def get_scoped(
    session: Session, actor: Actor, model: type[Scoped], object_id: int, action: str, *, for_update: bool = False
) -> tuple[Scoped, str]:
    """Fetch a task, annotation, prediction, export, ML backend, view, connector or storage through its project's
    membership."""
    what = NAMES[model]
    obj, role = _with_role(session, actor, model, object_id, for_update)
    if obj is None or role is None:
        raise NotFound(f"{what} not found")
    require(role, action, what)
    if isinstance(obj, Annotation) and not can_see_annotation(session, actor, role, obj):
        raise NotFound(f"{what} not found")
    return obj, role


def _with_role(
    session: Session, actor: Actor, model: type[Any], object_id: int, for_update: bool
) -> tuple[Any, str | None]:
    """The object with the id and the actor's role in its project, in one statement (every request that names
    a project object runs it): (None, None) when there is no such object, (object, None) for an outsider."""
    if not is_row_id(object_id):
        return None, None
    found = session.execute(_object_and_role(model, for_update), {"id": object_id, "user": actor.user_id}).first()
    if found is None:
        return None, None
    if model is not Project:
        # The session's identity map holds objects weakly: kept here for the session's life, the project
        # answers the caller's `session.get(Project, ...)` without a statement.
        session.info.setdefault("scoped_projects", {})[found[2].id] = found[2]
    # An admin reads through the same prebuilt statement (cheaper than `Session.get` with a lock, which builds
    # a new one each time); their membership, if any, does not limit them.
    return found[0], ADMIN if actor.is_admin else found[1]


@cache
def _object_and_role(model: type[Any], for_update: bool) -> Select[Any]:
    """Built once per kind of object: SQLAlchemy then computes its cache key once, not on every request. An
    object of a project comes with its project, which the session then holds: the `session.get(Project, ...)`
    that nearly every caller makes next sends nothing."""
    project_id = model.id if model is Project else model.project_id
    member = (ProjectMember.project_id == project_id) & (ProjectMember.user_id == bindparam("user"))
    q = select(model, ProjectMember.role).outerjoin(ProjectMember, member).where(model.id == bindparam("id"))
    if model is not Project:
        q = q.add_columns(Project).join(Project, Project.id == project_id)
    return q.with_for_update(of=model) if for_update else q


class TaskToWrite(NamedTuple):
    """What a write of a task's annotations reads of the task (its row locked): `task_for_write`."""

    id: int
    project_id: int
    inner_id: int
    extra_overlap: int
    is_labeled: bool
    data: Any


class ProjectRules(NamedTuple):
    """What a write of a task's annotations reads of its project: the config and the settings."""

    id: int
    label_config: str
    config_version: int
    settings: Any


_T, _P, _M = Task.__table__.c, Project.__table__.c, ProjectMember.__table__.c
TASK_FOR_WRITE = (
    select(*(_T[k] for k in TaskToWrite._fields), _M.role, *(_P[k] for k in ProjectRules._fields))
    .select_from(
        Task.__table__.outerjoin(
            ProjectMember.__table__, (_M.project_id == _T.project_id) & (_M.user_id == bindparam("user"))
        ).join(Project.__table__, _P.id == _T.project_id)
    )
    .where(_T.id == bindparam("id"))
    .with_for_update(of=Task.__table__)
)  # what `task_for_write` reads, in a row: the task's columns, the role, the project's columns
_TASK_FOR_WRITE = RawStatement(TASK_FOR_WRITE)  # built once (see `db.raw_sql`)
_ROLE_AT, _RULES = len(TaskToWrite._fields), len(ProjectRules._fields)


def task_for_write(session: Session, actor: Actor, task_id: int, action: str) -> tuple[TaskToWrite, ProjectRules, str]:
    """The task (its row locked), its project's rules and the actor's role there, for a write of the task's
    annotations, with the same answers as `get_scoped`. Only the columns such a write reads, on the driver's
    cursor: loading the whole task and project as ORM objects cost a submit about as much again as the rest of
    its reads and writes."""
    if not is_row_id(task_id):
        raise NotFound("task not found")
    return write_target(_TASK_FOR_WRITE.first(session.connection(), id=task_id, user=actor.user_id), actor, action)


def write_target(row: Any, actor: Actor, action: str) -> tuple[TaskToWrite, ProjectRules, str]:
    """`task_for_write`'s answer from a row that begins as `TASK_FOR_WRITE`'s (None: no task has the id)."""
    role = None if row is None else ADMIN if actor.is_admin else row[_ROLE_AT]
    if row is None or role is None:
        raise NotFound("task not found")
    require(role, action, "task")
    return TaskToWrite._make(row[:_ROLE_AT]), ProjectRules._make(row[_ROLE_AT + 1 : _ROLE_AT + 1 + _RULES]), role


def visible_projects(actor: Actor) -> Select[tuple[Project]]:
    q = select(Project)
    if not actor.is_admin:
        q = q.join(ProjectMember, ProjectMember.project_id == Project.id).where(ProjectMember.user_id == actor.user_id)
    return q


def visible_project_ids(actor: Actor) -> Select[tuple[int]]:
    if actor.is_admin:
        return select(Project.id)
    return select(ProjectMember.project_id).where(ProjectMember.user_id == actor.user_id)


def sees_all_annotations(session: Session, role: str, project_id: int) -> bool:
    if allows(role, "annotations.view_all"):
        return True
    project = session.get(Project, project_id)
    return bool(project and (project.settings or {}).get("annotators_see_others"))


def can_see_annotation(session: Session, actor: Actor, role: str, annotation: Annotation) -> bool:
    return annotation.completed_by == actor.user_id or sees_all_annotations(session, role, annotation.project_id)
