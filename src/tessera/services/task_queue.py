"""The labeling queue: `next` claims a task for one annotator with a lease, atomically, in the database.

A task takes at most `maximum_annotations` (k) annotations, from k different people. A claim counts the
task's completed annotations plus the live leases of other people; it is granted only while that stays under
k. SQLite serialises claims by its one writer (`BEGIN IMMEDIATE`); PostgreSQL locks the candidate task row
with `FOR UPDATE SKIP LOCKED` and counts again once it holds the lock, in a statement of its own, so that a
claim committed a moment earlier by another process is seen. A submit or skip ends the lease; a lease that
expires frees its slot, and a late submit on it is refused only when the task has filled up meanwhile.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, case, delete, exists, func, literal, select
from sqlalchemy.orm import Session

from tessera.db.expressions import DataField
from tessera.db.raw_sql import RawStatement
from tessera.db.tables import Annotation, Prediction, Project, Task, TaskAssignment, TaskLock, utcnow
from tessera.db.upsert import upsert
from tessera.domain.errors import Conflict, NotFound
from tessera.domain.ids import is_row_id
from tessera.domain.labeling import COHORT_STRIDE, counted_done, task_overlap
from tessera.domain.policy import allows
from tessera.services.access import (
    TASK_FOR_WRITE,
    ProjectRules,
    TaskToWrite,
    get_project,
    task_for_write,
    write_target,
)
from tessera.services.actors import Actor
from tessera.services.tasks import cohort_of, overlap_of, shape_tasks

CANDIDATES_PER_TRY = 20  # PostgreSQL: rows locked per attempt before counting again
SHUFFLE_MULTIPLIER, SHUFFLE_MODULUS = 2654435761, 4294967291  # a seeded order: id * a + seed mod a prime


@dataclass(frozen=True)
class QueueRules:
    overlap: int
    skip_queue: str
    sampling: str
    lease: timedelta
    gold_first: bool = False
    gold_rate: float = 0.0
    cohort: int = 100  # overlap_cohort_percentage
    annotator_cap: int | None = None  # annotation_limit_count: annotations one person may make here
    priority_field: str | None = None
    seed: int | None = None  # sampling_seed

    @classmethod
    def of(cls, project: Project | ProjectRules) -> QueueRules:
        settings = project.settings or {}
        return cls(
            overlap=max(1, overlap_of(project)),
            skip_queue=str(settings.get("skip_queue", "REQUEUE_FOR_OTHERS")),
            sampling=str(settings.get("sampling", "Sequential sampling")),
            lease=timedelta(seconds=int(settings.get("lease_seconds", 3600))),
            gold_first=bool(settings.get("show_ground_truth_first", False)),
            gold_rate=float(settings.get("ground_truth_rate", 0) or 0) / 100,
            cohort=cohort_of(project),
            annotator_cap=settings.get("annotation_limit_count"),
            priority_field=settings.get("priority_field"),
            seed=settings.get("sampling_seed"),
        )


# The statements every claim and submit runs, built once (SQLAlchemy computes each cache key once).
_LOCKS = TaskLock.__table__.c
_LEASED = select(TaskLock.task_id).where(
    TaskLock.user_id == bindparam("user_id"), TaskLock.expires_at > bindparam("now")
)
_HELD = (
    select(Task)
    .where(
        Task.id.in_(bindparam("leased", expanding=True)),
        Task.project_id == bindparam("project_id"),
        ~exists().where(Annotation.task_id == Task.id, Annotation.completed_by == bindparam("user_id")),
    )
    .order_by(Task.id)
    .limit(1)
)
_ASSIGNED = (
    select(TaskAssignment.id)
    .where(
        TaskAssignment.project_id == bindparam("project_id"),
        TaskAssignment.user_id == bindparam("user_id"),
        TaskAssignment.type == "AN",
    )
    .limit(1)
)
_RELEASE = RawStatement(
    delete(TaskLock.__table__)
    .where(_LOCKS.task_id == bindparam("task_id"), _LOCKS.user_id == bindparam("user_id"))
    .returning(_LOCKS.expires_at)
)  # Core, on the table: no lease is ever loaded as an object to keep in step


def next_task(session: Session, actor: Actor, project_id: int) -> dict[str, Any] | None:
    """Claim the actor's next task in the project (in the caller's write transaction) and return it in Label
    Studio's task shape, or None when nothing is left for them. A live lease of theirs is returned again."""
    project, role = get_project(session, actor, project_id, "annotations.create")
    rules = QueueRules.of(project)
    now = utcnow()
    task = _held(session, actor, project, now)
    if task is None and not _capped(session, actor, project, rules):
        task = _claim(session, actor, project, rules, now)
    if task is None:
        return None
    _lease(session, actor, task, now + rules.lease)
    shaped = shape_tasks(session, actor, role, project, [task], full=True)[0]
    shaped["queue"] = rules.sampling
    shaped["lease_expires_at"] = (now + rules.lease).isoformat().replace("+00:00", "Z")
    return shaped


def _held(session: Session, actor: Actor, project: Project, now: datetime) -> Task | None:
    """A task the actor already holds a live lease on and has not annotated yet. Their few lease rows are read
    first: joined from the task side, the planner walks the project's tasks in id order (29 ms at 100,000)."""
    leased = list(session.scalars(_LEASED, {"user_id": actor.user_id, "now": now}))
    if not leased:
        return None
    return session.scalar(_HELD, {"leased": leased, "project_id": project.id, "user_id": actor.user_id})


def overlap_column(rules: QueueRules) -> Any:
    """`domain.labeling.task_overlap` as a column expression over tasks."""
    return _overlap_expr(_flat(rules), rules.overlap, rules.cohort)


def _flat(rules: QueueRules) -> bool:
    return rules.overlap <= 1 or rules.cohort >= 100


def _overlap_expr(flat: bool, overlap: Any, cohort: Any) -> Any:
    if flat:
        return (literal(overlap) if isinstance(overlap, int) else overlap) + Task.extra_overlap
    slot = ((Task.inner_id % 100) * COHORT_STRIDE) % 100
    return case((slot < cohort, overlap), else_=1) + Task.extra_overlap


def _has_assignments(session: Session, actor: Actor, project: Project) -> bool:
    return session.scalar(_ASSIGNED, {"project_id": project.id, "user_id": actor.user_id}) is not None


def _capped(session: Session, actor: Actor, project: Project, rules: QueueRules) -> bool:
    """Whether the actor has made the annotations the project allows one person (`annotation_limit_count`)."""
    if not rules.annotator_cap:
        return False
    made = session.scalar(
        select(func.count())
        .select_from(Annotation)
        .where(
            Annotation.project_id == project.id,
            Annotation.completed_by == actor.user_id,
            Annotation.was_cancelled.is_(False),
        )
    )
    return (made or 0) >= rules.annotator_cap


def _others_leases(task_id: Any, user_id: Any, now: Any) -> Any:
    return (
        select(func.count())
        .select_from(TaskLock)
        .where(TaskLock.task_id == task_id, TaskLock.user_id != user_id, TaskLock.expires_at > now)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class _Pass:
    """What decides the SQL of one pass over the candidates (the values go in as parameters, see `_params`):
    a claim builds nothing, and SQLAlchemy computes each statement's cache key once."""

    flat: bool  # the same overlap for every task
    skip_queue: str
    skipped: bool  # the pass over the actor's own skips (REQUEUE_FOR_ME)
    assigned: bool  # only the tasks assigned to the actor
    order: str  # the sampling, or "priority" with `priority_field`
    priority_field: str | None
    postgres: bool


def _passes(session: Session, actor: Actor, project: Project, rules: QueueRules) -> list[_Pass]:
    postgres = session.get_bind().dialect.name == "postgresql"
    order = "priority" if rules.priority_field else rules.sampling
    if order == "Uniform sampling" and rules.seed is not None:
        order = "seeded"
    kinds = [(False, False), (True, False)] if rules.skip_queue == "REQUEUE_FOR_ME" else [(False, False)]
    if _has_assignments(session, actor, project):
        kinds.insert(0, (False, True))  # the tasks given to the actor come first
    return [
        _Pass(_flat(rules), rules.skip_queue, skipped, assigned, order, rules.priority_field, postgres)
        for skipped, assigned in kinds
    ]


@lru_cache(maxsize=256)
def _statements(p: _Pass) -> tuple[Any, ...]:
    """Tasks with a free slot that the actor has not done: not annotated by them at all, or, for the pass over
    their own skips, skipped by them and nothing more. A task assigned to people ("AN") is a candidate only
    for them; with `assigned`, only the tasks assigned to the actor. In the project's sampling order: by id;
    uniformly at random (from a random id onwards, wrapping round, which an index answers without sorting the
    table: two statements); with a seed, a fixed shuffle, which sorts the candidates; or least certain
    prediction first. A priority field comes before all of these. One task for SQLite, whose one writer
    claims; a batch locked with SKIP LOCKED for PostgreSQL."""
    user, now = bindparam("user_id"), bindparam("now")
    mine = Annotation.task_id == Task.id, Annotation.completed_by == user
    given = TaskAssignment.task_id == Task.id, TaskAssignment.type == "AN"
    to_me = exists().where(*given, TaskAssignment.user_id == user)
    wanted = _overlap_expr(p.flat, bindparam("overlap"), bindparam("cohort"))
    q = select(Task).where(
        Task.project_id == bindparam("project_id"),
        Task.is_labeled.is_(False),
        done_count(p.skip_queue) + _others_leases(Task.id, user, now) < wanted,
        to_me if p.assigned else (~exists().where(*given) | to_me),
    )
    if p.skipped:
        q = q.where(exists().where(*mine, Annotation.was_cancelled.is_(True)))
        q = q.where(~exists().where(*mine, Annotation.was_cancelled.is_(False)))
    else:
        q = q.where(~exists().where(*mine))
    if p.order == "priority":
        priority = DataField(Task.__table__.c.data, (p.priority_field,), numeric=True)
        ordered = [q.order_by(priority.is_(None), priority.desc(), Task.id)]
    elif p.order == "seeded":
        ordered = [q.order_by((Task.id * SHUFFLE_MULTIPLIER + bindparam("seed")) % SHUFFLE_MODULUS, Task.id)]
    elif p.order == "Uncertainty sampling":
        score = (
            select(func.min(Prediction.score)).where(Prediction.task_id == Task.id).correlate(Task).scalar_subquery()
        )
        ordered = [q.order_by(score.is_(None), score, Task.id)]
    elif p.order == "Uniform sampling":
        pivot = bindparam("pivot")
        ordered = [q.where(Task.id >= pivot).order_by(Task.id), q.where(Task.id < pivot).order_by(Task.id)]
    else:
        ordered = [q.order_by(Task.id)]
    if p.postgres:
        return tuple(o.limit(CANDIDATES_PER_TRY).with_for_update(skip_locked=True, of=Task) for o in ordered)
    return tuple(o.limit(1) for o in ordered)


def _params(session: Session, actor: Actor, project: Project, rules: QueueRules, now: datetime) -> dict[str, Any]:
    params = {
        "project_id": project.id,
        "user_id": actor.user_id,
        "now": now,
        "overlap": rules.overlap,
        "cohort": rules.cohort,
        "seed": rules.seed or 0,
        "pivot": 0,
    }
    if rules.sampling == "Uniform sampling" and rules.seed is None and not rules.priority_field:
        low, high = session.execute(
            select(func.min(Task.id), func.max(Task.id)).where(Task.project_id == project.id)
        ).one()
        if low is not None:
            params["pivot"] = random.randint(low, high)  # noqa: S311 - spreading annotators over tasks, not a secret
    return params


def done_count(skip_queue: str) -> Any:
    """`domain.labeling.counted_done` as a column expression over tasks."""
    return Task.total_annotations + (Task.cancelled_annotations if skip_queue == "IGNORE_SKIPPED" else 0)


def _gold(session: Session, actor: Actor, project: Project) -> Task | None:
    """A task with a ground-truth annotation that the actor has not answered: an exam question, outside the
    overlap count (everyone may take it)."""
    gold = exists().where(Annotation.task_id == Task.id, Annotation.ground_truth.is_(True))
    mine = exists().where(Annotation.task_id == Task.id, Annotation.completed_by == actor.user_id)
    return session.scalar(select(Task).where(Task.project_id == project.id, gold, ~mine).order_by(Task.id).limit(1))


def _claim(session: Session, actor: Actor, project: Project, rules: QueueRules, now: datetime) -> Task | None:
    if rules.gold_first or (rules.gold_rate and random.random() < rules.gold_rate):  # noqa: S311 - not a secret
        task = _gold(session, actor, project)
        if task is not None:
            return task
    params = _params(session, actor, project, rules, now)
    for one_pass in _passes(session, actor, project, rules):
        for q in _statements(one_pass):
            if not one_pass.postgres:
                task = session.scalar(q, params)
                if task is not None:
                    return task
                continue
            tried: list[int] = []
            while True:
                batch = list(session.scalars(q.where(Task.id.not_in(tried)) if tried else q, params))
                if not batch:
                    # Every candidate left is being claimed by someone else right now: skipping them would
                    # wrongly say the queue is empty, so wait for the first one and count it again.
                    waiting = q.where(Task.id.not_in(tried)) if tried else q
                    batch = list(session.scalars(waiting.limit(1).with_for_update(of=Task), params))
                    if not batch:
                        break
                for task in batch:
                    if _slot_free(session, actor, task, rules, now):
                        return task
                    tried.append(task.id)
    return None


def _slot_free(session: Session, actor: Actor, task: Task | TaskToWrite, rules: QueueRules, now: datetime) -> bool:
    """Count again, in a new statement (a fresh snapshot), now that the task row is locked."""
    row = session.execute(
        select(Task.total_annotations, Task.cancelled_annotations, _others_leases(task.id, actor.user_id, now)).where(
            Task.id == task.id
        )
    ).one()
    wanted = task_overlap(rules.overlap, rules.cohort, task.inner_id) + (task.extra_overlap or 0)
    return counted_done(row[0], row[1], rules.skip_queue) + row[2] < wanted


def _lease(session: Session, actor: Actor, task: Task, until: datetime) -> None:
    values = {"task_id": task.id, "user_id": actor.user_id, "expires_at": until}
    upsert(session, TaskLock.__table__, values, ("task_id", "user_id"), ("expires_at",))


_LOCKED = TASK_FOR_WRITE.cte("task_to_write")
_RELEASED = (
    delete(TaskLock.__table__)
    .where(_LOCKS.task_id == select(_LOCKED.c.id).scalar_subquery(), _LOCKS.user_id == bindparam("user"))
    .returning(_LOCKS.expires_at)
    .cte("released")
)
_TASK_RELEASED = RawStatement(select(_LOCKED, select(_RELEASED.c.expires_at).scalar_subquery()))
# PostgreSQL: the task's row is locked first (the lease's row is found by the task's id), as a claim locks them


def task_for_submit(
    session: Session, actor: Actor, task_id: int
) -> tuple[TaskToWrite, ProjectRules, str, datetime | None]:
    """`task_for_write` for a submit, and `release` of the actor's lease on the task: on PostgreSQL in one
    statement (a round trip less). Should the submit then be refused, its rollback takes back the release."""
    if session.get_bind().dialect.name != "postgresql":  # SQLite: no data-modifying WITH
        task, project, role = task_for_write(session, actor, task_id, "annotations.create")
        return task, project, role, release(session, actor, task.id)
    if not is_row_id(task_id):
        raise NotFound("task not found")
    row = _TASK_RELEASED.first(session.connection(), id=task_id, user=actor.user_id)
    task, project, role = write_target(row, actor, "annotations.create")
    assert row is not None
    return task, project, role, row[-1]


def release(session: Session, actor: Actor, task_id: int) -> datetime | None:
    """End the actor's lease on a task (as their submit or skip is written); returns when it was to expire,
    None if they held none. A submit that `check_submit` then refuses rolls the release back with it."""
    row = _RELEASE.first(session.connection(), task_id=task_id, user_id=actor.user_id)
    return None if row is None else row[0]


def check_submit(
    session: Session,
    actor: Actor,
    role: str,
    task: Task | TaskToWrite,
    project: Project | ProjectRules,
    cancelled: bool,
    expires: datetime | None,
) -> None:
    """An annotator's late submit (the task row locked by the caller) may not push a task past its overlap:
    with a live lease (`expires`, from `release`) the slot is theirs; with a lease that expired (its row stays
    until they submit or claim the task again) the submit is accepted only while a slot is free. Without any
    lease (a task opened by its id, as Label Studio allows) and for staff, who write outside the queue, nothing
    is checked."""
    if cancelled or allows(role, "annotations.change_any"):
        return
    if expires is None:
        return
    now = utcnow()
    if expires.tzinfo is None:  # SQLite hands timestamps back without their zone; they are stored in UTC
        expires = expires.replace(tzinfo=now.tzinfo)
    if expires > now:
        return
    rules = QueueRules.of(project)
    if not _slot_free(session, actor, task, rules, now):
        raise Conflict(
            f"this task already has the {task_overlap(rules.overlap, rules.cohort, task.inner_id) + task.extra_overlap}"
            " annotation(s) it "
            "needs (or they are being made): "
            "your lease on it expired; take the next task"
        )
