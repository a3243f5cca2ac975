"""Annotations: idempotent create, versioned update, delete; task counters kept in the same transaction."""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import (
    Boolean,
    Integer,
    Subquery,
    Update,
    bindparam,
    case,
    func,
    insert,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from tessera.db.raw_sql import RawStatement, as_loaded
from tessera.db.tables import Annotation, Prediction, Project, ProjectMember, Task, utcnow
from tessera.domain.agreement.escalation import wants_another
from tessera.domain.config import cached_config, validate_result
from tessera.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tessera.domain.ids import is_row_id
from tessera.domain.labeling import task_is_labeled
from tessera.domain.policy import allows
from tessera.domain.presentation import check_presentation
from tessera.services.access import (
    ProjectRules,
    TaskToWrite,
    get_scoped,
    sees_all_annotations,
)
from tessera.services.actors import Actor
from tessera.services.task_agreement import COMPARED_AS_JSON, agreement_of_task, agreement_with_new
from tessera.services.task_queue import check_submit, task_for_submit
from tessera.services.task_totals import labels_changed
from tessera.services.tasks import overlap_of_task

CREATE_FIELDS = {
    "result",
    "was_cancelled",
    "ground_truth",
    "lead_time",
    "completed_by",
    "unique_id",
    "parent_prediction",
    "parent_annotation",
    "task",
    "project",
    "draft_id",
    "import_id",
    "presentation",
}
UPDATE_FIELDS = {
    "result",
    "was_cancelled",
    "ground_truth",
    "lead_time",
    "version",
    "task",
    "project",
    "completed_by",
    "id",
    "updated_by",
    "draft_id",
    "presentation",
}
UNIQUE_ID_MAX = 64


def _check_fields(body: Any, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise InvalidInput(
            f"unknown fields: {', '.join(unknown)}", field_errors={k: ["unknown field"] for k in unknown}
        )
    for key in ("was_cancelled", "ground_truth"):
        if key in body and not isinstance(body[key], bool):
            raise InvalidInput(f"{key} must be true or false", field_errors={key: ["must be a boolean"]})
    if (
        "lead_time" in body
        and body["lead_time"] is not None
        and (isinstance(body["lead_time"], bool) or not isinstance(body["lead_time"], int | float))
    ):
        raise InvalidInput("lead_time must be a number", field_errors={"lead_time": ["must be a number"]})
    return body


_A = Annotation.__table__.c
_COUNT_ANNOTATIONS = RawStatement(
    select(
        func.coalesce(func.sum(case((_A.was_cancelled, 0), else_=1)), 0),
        func.coalesce(func.sum(case((_A.was_cancelled, 1), else_=0)), 0),
    ).where(_A.task_id == bindparam("task_id"))
)
_SET_COUNTERS = RawStatement(
    update(Task.__table__)
    .where(Task.__table__.c.id == bindparam("task_id"))
    .values(
        total_annotations=bindparam("total_annotations"),
        cancelled_annotations=bindparam("cancelled_annotations"),
        is_labeled=bindparam("is_labeled"),
        extra_overlap=bindparam("extra_overlap"),
        agreement=bindparam("agreement"),
        updated_at=bindparam("updated_at"),
    )
)  # both built once (see `db.raw_sql`): the counters' statements of a project with an `agreement_threshold`
_T = Task.__table__


def _set_counts(rows: Subquery) -> Update:
    """The UPDATE of a task's counters from the `was_cancelled` of its annotations (`rows`), with
    `task_is_labeled` in SQL: the completed annotations, and the skips when they count, fill `slots`; it
    returns what a submit reads back."""
    counts = select(
        func.coalesce(func.sum(case((rows.c.was_cancelled, 0), else_=1)), 0).label("total"),
        func.coalesce(func.sum(case((rows.c.was_cancelled, 1), else_=0)), 0).label("cancelled"),
    ).subquery("counts")
    done = counts.c.total + case((bindparam("skips_count", type_=Boolean), counts.c.cancelled), else_=0)
    return (
        update(_T)
        .where(_T.c.id == bindparam("task_id"))
        .values(
            total_annotations=counts.c.total,
            cancelled_annotations=counts.c.cancelled,
            is_labeled=done >= bindparam("slots", type_=Integer),
            agreement=case((counts.c.total >= 2, _T.c.agreement), else_=null()),
            updated_at=bindparam("updated_at"),
        )
    )


_STORED = select(_A.was_cancelled).where(_A.task_id == bindparam("task_id"))
_COUNT_AND_SET = RawStatement(
    _set_counts(_STORED.subquery("task_annotations")).returning(
        _T.c.total_annotations, _T.c.cancelled_annotations, _T.c.is_labeled
    )
)  # built once: the counters of a project without `agreement_threshold`, after any change of its annotations
_INSERTED = {c.key for c in Annotation.__table__.columns} - {"id"}
_ADD = insert(Annotation.__table__).values({key: bindparam(key) for key in _INSERTED})
_INSERT = RawStatement(_ADD.returning(_A.id))  # built once: every submit runs it, or the next
_NEW = _ADD.returning(_A.id, _A.was_cancelled).cte("inserted")
_INSERT_AND_COUNT = RawStatement(
    _set_counts(union_all(_STORED, select(_NEW.c.was_cancelled)).subquery("task_annotations")).returning(
        select(_NEW.c.id).scalar_subquery(),
        _T.c.total_annotations,
        _T.c.cancelled_annotations,
        _T.c.is_labeled,
        COMPARED_AS_JSON,
    )
)  # PostgreSQL, a project without `agreement_threshold`: the annotation and the counters in one statement, and
# what the task's agreement compares. The statement does not see the row its WITH inserts: it is counted with
# the others, and the agreement adds it.
_SET_AGREEMENT = RawStatement(
    update(_T).where(_T.c.id == bindparam("task_id")).values(agreement=bindparam("agreement"))
)


class Inserted(NamedTuple):
    """What `_INSERT_AND_COUNT` wrote and read besides the annotation's id, and the annotation's values."""

    total: int
    cancelled: int
    labeled: bool
    compared: list[Any] | None  # `COMPARED_AS_JSON`: the task's annotations the agreement compares, before it
    values: dict[str, Any]


def refresh_counters(
    session: Session,
    task: Task | TaskToWrite,
    project: Project | ProjectRules,
    inserted: Inserted | None = None,
) -> None:
    """Recompute a task's counters from its rows (the task row is locked by the caller). An ORM task is
    brought up to date; a `TaskToWrite` is a read of the row, left as it was read. Without an
    `agreement_threshold` (no disagreement can ask for one more annotator) the counts are made and written in
    one statement (`_COUNT_AND_SET`), or were with the annotation just inserted (`inserted`, by
    `_INSERT_AND_COUNT`, which read what the agreement compares too: its `UPDATE` then goes with the COMMIT);
    the agreement, of two annotations or more, in another."""
    conn = session.connection()
    now = utcnow()
    if project.settings.get("agreement_threshold") is None:
        if inserted is not None:
            total, cancelled, labeled = inserted.total, inserted.cancelled, inserted.labeled
        else:
            row = _COUNT_AND_SET.first(conn, task_id=task.id, updated_at=now, **_counting(task, project))
            assert row is not None
            total, cancelled, labeled = row
        agreement = None
        if total >= 2:
            config = cached_config(project.label_config)
            if inserted is not None:
                agreement = agreement_with_new(config, inserted.compared, inserted.values)
                _SET_AGREEMENT.on_commit(conn, task_id=task.id, agreement=agreement)
            else:
                agreement = agreement_of_task(session, config, task.id)
                _SET_AGREEMENT.first(conn, task_id=task.id, agreement=agreement)
        values = {
            "total_annotations": total,
            "cancelled_annotations": cancelled,
            "is_labeled": labeled,
            "extra_overlap": task.extra_overlap or 0,
            "agreement": agreement,
            "updated_at": now,
        }
    else:
        skip_queue = project.settings.get("skip_queue", "")
        overlap = overlap_of_task(project, task.inner_id, task.extra_overlap)
        values = _counters_with_disagreement(session, task, project, skip_queue, overlap, now)
        _SET_COUNTERS.first(conn, task_id=task.id, **values)
    if isinstance(task, Task):
        for key, value in values.items():
            set_committed_value(task, key, value)
    labels_changed(session, project.id)


def _counting(task: Task | TaskToWrite, project: Project | ProjectRules) -> dict[str, Any]:
    """What `_COUNT_AND_SET` and `_INSERT_AND_COUNT` need besides the task: whether skips fill a slot, and
    how many slots there are (as `task_is_labeled` counts them)."""
    overlap = overlap_of_task(project, task.inner_id, task.extra_overlap)
    return {"skips_count": project.settings.get("skip_queue", "") == "IGNORE_SKIPPED", "slots": max(1, overlap)}


def _counters_with_disagreement(
    session: Session, task: Task | TaskToWrite, project: Project | ProjectRules, skip_queue: str, overlap: int, now: Any
) -> dict[str, Any]:
    """The counters of a task whose project has an `agreement_threshold`: a task that just got all its
    annotations, with too little agreement among them, wants one more."""
    counts = _COUNT_ANNOTATIONS.first(session.connection(), task_id=task.id)
    assert counts is not None
    total, cancelled = counts
    labeled = task_is_labeled(total, cancelled, overlap, skip_queue)
    extra = task.extra_overlap or 0
    if labeled and not task.is_labeled and _disagree(session, task, project):
        extra += 1  # one more person, then look again when they submit
        labeled = task_is_labeled(total, cancelled, overlap + 1, skip_queue)
    return {
        "total_annotations": total,
        "cancelled_annotations": cancelled,
        "is_labeled": labeled,
        "extra_overlap": extra,
        "agreement": agreement_of_task(session, cached_config(project.label_config), task.id) if total >= 2 else None,
        "updated_at": now,
    }


def _disagree(session: Session, task: Task | TaskToWrite, project: Project | ProjectRules) -> bool:
    """Low agreement on a task that just got all its annotations (`agreement_threshold`)."""
    settings = project.settings or {}
    threshold = settings.get("agreement_threshold")
    if threshold is None:
        return False
    results = list(
        session.scalars(
            select(Annotation.result).where(Annotation.task_id == task.id, Annotation.was_cancelled.is_(False))
        )
    )
    limit = int(settings.get("max_additional_annotators_assignable", 1))
    return wants_another(cached_config(project.label_config), results, threshold, task.extra_overlap, limit)


def _author(session: Session, actor: Actor, role: str, project_id: int, value: Any) -> int | None:
    if isinstance(value, dict):
        value = value.get("id")
    if value is None or value == actor.user_id:
        return actor.user_id or None
    if not allows(role, "annotations.change_any") or not isinstance(value, int):
        raise PermissionDenied("you can create annotations only in your own name")
    if not is_row_id(value) or session.get(ProjectMember, (project_id, value)) is None:
        raise InvalidInput(
            "completed_by is not a member of this project", field_errors={"completed_by": ["not a member"]}
        )
    return value


def create_annotation(session: Session, actor: Actor, task_id: int, body: Any) -> tuple[Annotation, bool]:
    """Returns (annotation, created). A retried create with the same `unique_id` returns the first one."""
    body = _check_fields(body, CREATE_FIELDS)
    unique_id = body.get("unique_id")
    if unique_id is not None and (not isinstance(unique_id, str) or not 0 < len(unique_id) <= UNIQUE_ID_MAX):
        raise InvalidInput("unique_id must be a string of 1 to 64 characters", field_errors={"unique_id": ["invalid"]})
    task, project, role, lease = task_for_submit(session, actor, task_id)
    if unique_id:
        existing = _by_unique_id(session, actor, task, unique_id)
        if existing is not None:
            return existing, False
    result = body.get("result", [])
    config = cached_config(project.label_config)
    validate_result(config, result, task.data)
    presentation = check_presentation(config, task.data, body.get("presentation"))
    check_submit(session, actor, role, task, project, bool(body.get("was_cancelled", False)), lease)
    parent_prediction = body.get("parent_prediction")
    if parent_prediction is not None:
        pred = session.get(Prediction, parent_prediction) if is_row_id(parent_prediction) else None
        if pred is None or pred.task_id != task.id:
            raise InvalidInput(
                "parent_prediction is not a prediction of this task", field_errors={"parent_prediction": ["not found"]}
            )
    now = utcnow()
    values = {
        "task_id": task.id,
        "project_id": task.project_id,
        "completed_by": _author(session, actor, role, task.project_id, body.get("completed_by")),
        "result": result,
        "was_cancelled": body.get("was_cancelled", False),
        "ground_truth": body.get("ground_truth", False),
        "lead_time": body.get("lead_time"),
        "unique_id": unique_id,
        "config_version": project.config_version,
        "parent_prediction_id": parent_prediction,
        "parent_annotation_id": None,
        "review_status": None,
        "version": 1,
        "import_id": None,
        "last_action": "submitted" if not body.get("was_cancelled") else "skipped",
        "presentation": presentation,
        "created_at": now,
        "updated_at": now,
        "updated_by": actor.user_id or None,
    }
    counting = None  # PostgreSQL, no `agreement_threshold`: the counters are written with the annotation
    if project.settings.get("agreement_threshold") is None and session.get_bind().dialect.name == "postgresql":
        counting = _counting(task, project)
    if not unique_id:
        ann, inserted = _insert(session, values, counting)
    else:  # a retry racing the first create: the unique index decides, inside a savepoint
        try:
            with session.begin_nested():
                ann, inserted = _insert(session, values, counting)
        except IntegrityError:
            existing = _by_unique_id(session, actor, task, unique_id)
            if existing is None:
                raise
            return existing, False
    refresh_counters(session, task, project, inserted)
    return ann, True


def _insert(
    session: Session, values: dict[str, Any], counting: dict[str, Any] | None
) -> tuple[Annotation, Inserted | None]:
    """Write a new annotation with one Core INSERT and put it in the session as if it had been loaded: the
    unit of work's flush of the one object cost a submit about three times as much. `values` holds every
    column but the id (the columns' Python defaults are not applied here). With `counting` (`_counting`) the
    same statement writes the task's counters (`_INSERT_AND_COUNT`), and what it wrote and read comes back."""
    assert values.keys() == _INSERTED, "a column of annotations is missing from the values"
    conn = session.connection()
    row = _INSERT.first(conn, **values) if counting is None else _INSERT_AND_COUNT.first(conn, **values, **counting)
    assert row is not None
    ann = as_loaded(Annotation, {"id": row[0], **values})
    session.add(ann)
    return ann, None if counting is None else Inserted(*row[1:], values=values)


def _by_unique_id(session: Session, actor: Actor, task: Task | TaskToWrite, unique_id: str) -> Annotation | None:
    existing = session.scalar(select(Annotation).where(Annotation.unique_id == unique_id))
    if existing is None:
        return None
    if existing.task_id != task.id or existing.completed_by != actor.user_id:
        raise Conflict("unique_id is already used by another annotation")
    return existing


def list_annotations(session: Session, actor: Actor, task_id: int) -> list[Annotation]:
    task, role = get_scoped(session, actor, Task, task_id, "tasks.view")
    q = select(Annotation).where(Annotation.task_id == task.id).order_by(Annotation.id)
    if not sees_all_annotations(session, role, task.project_id):
        q = q.where(Annotation.completed_by == actor.user_id)
    return list(session.scalars(q))


def read_annotation(session: Session, actor: Actor, annotation_id: int) -> Annotation:
    ann, _role = get_scoped(session, actor, Annotation, annotation_id, "tasks.view")
    return ann


def update_annotation(session: Session, actor: Actor, annotation_id: int, body: Any) -> Annotation:
    body = _check_fields(body, UPDATE_FIELDS)
    ann, role = get_scoped(session, actor, Annotation, annotation_id, "tasks.view", for_update=True)
    if ann.completed_by != actor.user_id and not allows(role, "annotations.change_any"):
        raise PermissionDenied("you can change only your own annotations")
    for key in ("task", "project", "id"):
        if key in body and body[key] != getattr(ann, f"{key}_id" if key != "id" else "id"):
            raise InvalidInput(f"{key} cannot be changed", field_errors={key: ["read-only"]})
    if "completed_by" in body and _id_of(body["completed_by"]) != ann.completed_by:
        raise InvalidInput("completed_by cannot be changed", field_errors={"completed_by": ["read-only"]})
    version = body.get("version")
    if version is not None and version != ann.version:
        raise Conflict(f"the annotation changed since you read it (version {ann.version}, yours {version})")
    task = session.get(Task, ann.task_id, with_for_update=True)
    project = session.get(Project, ann.project_id)
    assert task is not None and project is not None
    config = cached_config(project.label_config)
    if "result" in body:
        validate_result(config, body["result"], task.data)
        ann.result = body["result"]
    if "presentation" in body:
        ann.presentation = check_presentation(config, task.data, body["presentation"])
    for key in ("was_cancelled", "ground_truth", "lead_time"):
        if key in body:
            setattr(ann, key, body[key])
    if ann.review_status == "rejected" and ann.completed_by == actor.user_id and "result" in body:
        ann.review_status = None  # the author resubmits: back in the review queue
    # The annotation row is locked (FOR UPDATE; SQLite writers are serialized), so the check above holds.
    ann.version += 1
    ann.updated_at = utcnow()
    ann.updated_by = actor.user_id or None
    ann.last_action = "updated"
    session.flush()
    refresh_counters(session, task, project)
    return ann


def delete_annotation(session: Session, actor: Actor, annotation_id: int) -> None:
    ann, role = get_scoped(session, actor, Annotation, annotation_id, "tasks.view", for_update=True)
    if ann.completed_by != actor.user_id and not allows(role, "annotations.delete_any"):
        raise PermissionDenied("you can delete only your own annotations")
    task = session.get(Task, ann.task_id, with_for_update=True)
    project = session.get(Project, ann.project_id)
    if task is None or project is None:
        raise NotFound("annotation not found")
    session.execute(
        update(Annotation).where(Annotation.parent_annotation_id == ann.id).values(parent_annotation_id=None)
    )
    session.delete(ann)
    session.flush()
    refresh_counters(session, task, project)


def _id_of(value: Any) -> Any:
    return value.get("id") if isinstance(value, dict) else value
