"""Projects: create, read with counters, update, delete, and config validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import Session

from tessera.db.tables import Annotation, Project, ProjectMember, Task, utcnow
from tessera.domain.config import LabelConfig, parse_config
from tessera.domain.errors import InvalidInput
from tessera.domain.project_settings import check_changes, defaults
from tessera.services.access import get_project, visible_projects
from tessera.services.actors import Actor
from tessera.services.task_agreement import refresh_tasks
from tessera.services.task_queue import QueueRules, done_count, overlap_column
from tessera.services.task_totals import changed

DEFAULT_CONFIG = "<View></View>"
# the options that decide whether a task is labeled
LABELED_BY = ("maximum_annotations", "skip_queue", "overlap_cohort_percentage")  # extra_overlap stays


@dataclass
class ProjectCounts:
    task_number: int = 0
    finished_task_number: int = 0
    num_tasks_with_annotations: int = 0
    total_annotations_number: int = 0
    skipped_annotations_number: int = 0
    total_predictions_number: int = 0
    ground_truth_number: int = 0


@dataclass
class ProjectView:
    project: Project
    role: str
    counts: ProjectCounts = field(default_factory=ProjectCounts)


def load_config(xml: str) -> LabelConfig:
    return parse_config(xml)


def create_project(session: Session, actor: Actor, body: dict[str, Any]) -> Project:
    row, options = check_changes(body)
    config = row.get("label_config") or DEFAULT_CONFIG
    load_config(config)
    project = Project(
        title=row.get("title", ""),
        description=row.get("description", ""),
        instructions=row.get("expert_instruction", ""),
        label_config=config,
        settings={**defaults(), **options},
        created_by=actor.user_id or None,
    )
    session.add(project)
    session.flush()
    if actor.user_id:
        session.add(ProjectMember(project_id=project.id, user_id=actor.user_id, role="manager"))
        session.flush()
    return project


def update_project(session: Session, actor: Actor, project_id: int, body: dict[str, Any]) -> Project:
    project, _role = get_project(session, actor, project_id, "project.change", for_update=True)
    row, options = check_changes(body, current={"id": project.id})
    if "label_config" in row and row["label_config"] != project.label_config:
        config = load_config(row["label_config"] or DEFAULT_CONFIG)
        project.label_config = row["label_config"] or DEFAULT_CONFIG
        project.config_version += 1
        session.flush()
        refresh_tasks(session, config, project.id)  # what a task's agreement compares depends on the controls
        changed(session, project.id)
    if "title" in row:
        project.title = row["title"]
    if "description" in row:
        project.description = row["description"]
    if "expert_instruction" in row:
        project.instructions = row["expert_instruction"]
    if options:
        before = project.settings or {}
        project.settings = {**before, **options}
        if any(options.get(k, before.get(k)) != before.get(k) for k in LABELED_BY):
            _relabel(session, project)
    project.updated_at = utcnow()
    session.flush()
    return project


def _relabel(session: Session, project: Project) -> None:
    """A new overlap or skip rule changes which tasks count as labeled: recompute them all in one statement."""
    rules = QueueRules.of(project)
    session.execute(
        update(Task)
        .where(Task.project_id == project.id)
        .values(is_labeled=done_count(rules.skip_queue) >= overlap_column(rules))
        .execution_options(synchronize_session=False)
    )
    changed(session, project.id)


def delete_project(session: Session, actor: Actor, project_id: int) -> None:
    """The project, its tasks and all that hangs on them. Its row is locked first: what writes tasks locks it
    too, so no task comes in meanwhile; the tasks are deleted here because on PostgreSQL no foreign key from
    tasks to projects cascades (migration 0012)."""
    project, _role = get_project(session, actor, project_id, "project.delete", for_update=True)
    session.execute(delete(Task).where(Task.project_id == project.id))
    session.delete(project)
    session.flush()


def validate_config(session: Session, actor: Actor, project_id: int | None, xml: Any) -> LabelConfig:
    if project_id is not None:
        get_project(session, actor, project_id, "project.view")
    if not isinstance(xml, str) or not xml.strip():
        raise InvalidInput("label_config is required", field_errors={"label_config": ["this field is required"]})
    return load_config(xml)


def read_project(session: Session, actor: Actor, project_id: int) -> ProjectView:
    project, role = get_project(session, actor, project_id)
    return ProjectView(project, role, project_counts(session, [project.id]).get(project.id, ProjectCounts()))


def list_projects(
    session: Session,
    actor: Actor,
    *,
    page: int,
    page_size: int,
    title: str | None = None,
    ids: list[int] | None = None,
) -> tuple[int, list[ProjectView]]:
    q = visible_projects(actor)
    if title:
        q = q.where(Project.title.ilike(f"%{title}%"))
    if ids:
        q = q.where(Project.id.in_(ids))
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = list(session.scalars(q.order_by(Project.id.desc()).offset((page - 1) * page_size).limit(page_size)))
    counts = project_counts(session, [p.id for p in rows])
    roles = _roles(session, actor, [p.id for p in rows])
    return total, [ProjectView(p, roles.get(p.id, "admin"), counts.get(p.id, ProjectCounts())) for p in rows]


def _roles(session: Session, actor: Actor, ids: list[int]) -> dict[int, str]:
    q = select(ProjectMember.project_id, ProjectMember.role).where(
        ProjectMember.user_id == actor.user_id, ProjectMember.project_id.in_(ids)
    )
    return {pid: role for pid, role in session.execute(q)}


def project_counts(session: Session, ids: list[int]) -> dict[int, ProjectCounts]:
    if not ids:
        return {}
    q = (
        select(
            Task.project_id,
            func.count(),
            func.sum(case((Task.is_labeled, 1), else_=0)),
            func.sum(case((Task.total_annotations > 0, 1), else_=0)),
            func.sum(Task.total_annotations),
            func.sum(Task.cancelled_annotations),
            func.sum(Task.total_predictions),
        )
        .where(Task.project_id.in_(ids))
        .group_by(Task.project_id)
    )
    out: dict[int, ProjectCounts] = {}
    for pid, n, done, with_ann, ann, skipped, preds in session.execute(q):
        out[pid] = ProjectCounts(n, done or 0, with_ann or 0, ann or 0, skipped or 0, preds or 0)
    gt = (
        select(Annotation.project_id, func.count())
        .where(Annotation.project_id.in_(ids), Annotation.ground_truth.is_(True))
        .group_by(Annotation.project_id)
    )
    for pid, n in session.execute(gt):
        out.setdefault(pid, ProjectCounts()).ground_truth_number = n
    return out
