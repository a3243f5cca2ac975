"""Review: reviewers take submitted annotations from a queue and accept, reject with a comment, or fix them.

A fix is a new annotation in the reviewer's name whose `parent_annotation` is the one it corrects; the original
is kept, marked `fixed`. An annotation's `review_status` (null while pending) is the verdict of its latest
review; its author sees it and the comments, and an update by the author after a rejection puts it back in the
queue. Every verdict is a row in `reviews`, so the history stays. The annotation row is locked for the verdict,
and a verdict may carry the `version` the reviewer read: a stale one is a 409, as for any annotation update.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tessera.db.expressions import holds_json_string
from tessera.db.tables import Annotation, Project, Review, Task, utcnow
from tessera.domain.config import cached_config, validate_result
from tessera.domain.errors import Conflict, InvalidInput, PermissionDenied
from tessera.services.access import get_project, get_scoped
from tessera.services.actors import Actor
from tessera.services.annotations import refresh_counters

ACCEPTED, REJECTED, FIXED = "accepted", "rejected", "fixed"
VERDICT_FIELDS = {"accepted", "comment", "result", "version"}
COMMENT_MAX = 10_000


@dataclass
class ReviewQueuePage:
    annotations: list[Annotation]
    total: int


def review_queue(
    session: Session,
    actor: Actor,
    project_id: int,
    *,
    annotator: int | None = None,
    label: str | None = None,
    status: str | None = None,
    max_agreement: float | None = None,
    page: int = 1,
    page_size: int = 100,
) -> ReviewQueuePage:
    """Submitted annotations waiting for review (or, with `status`, those with that verdict), oldest first;
    with `max_agreement`, only those on tasks whose annotators agree that much or less (0..1), so that a
    reviewer can start where the annotators disagree."""
    project, _role = get_project(session, actor, project_id, "reviews.create")
    q = select(Annotation).where(Annotation.project_id == project.id, Annotation.was_cancelled.is_(False))
    if status is None:
        q = q.where(Annotation.review_status.is_(None))
    elif status in (ACCEPTED, REJECTED, FIXED):
        q = q.where(Annotation.review_status == status)
    else:
        raise InvalidInput("status must be accepted, rejected or fixed", field_errors={"status": ["unknown"]})
    if annotator is not None:
        q = q.where(Annotation.completed_by == annotator)
    if max_agreement is not None:
        if not 0 <= max_agreement <= 1:
            raise InvalidInput("max_agreement must be between 0 and 1", field_errors={"max_agreement": ["0..1"]})
        low = select(Task.id).where(Task.project_id == project.id, Task.agreement <= max_agreement)
        q = q.where(Annotation.task_id.in_(low))
    if label:
        q = q.where(holds_json_string(Annotation.result, label))
    total = session.scalar(q.with_only_columns(func.count()).order_by(None)) or 0
    rows = list(session.scalars(q.order_by(Annotation.id).offset((page - 1) * page_size).limit(page_size)))
    return ReviewQueuePage(rows, total)


def _check_verdict(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    unknown = sorted(set(body) - VERDICT_FIELDS)
    if unknown:
        raise InvalidInput(
            f"unknown field(s): {', '.join(unknown)}", field_errors={k: ["is not a review field"] for k in unknown}
        )
    if not isinstance(body.get("accepted"), bool):
        raise InvalidInput("accepted must be true or false", field_errors={"accepted": ["this field is required"]})
    comment = body.get("comment", "")
    if not isinstance(comment, str) or len(comment) > COMMENT_MAX:
        raise InvalidInput(
            f"comment must be text of at most {COMMENT_MAX} characters", field_errors={"comment": ["invalid"]}
        )
    if "result" in body and not body["accepted"]:
        raise InvalidInput("a fix (`result`) accepts the fixed annotation: send accepted=true with it")
    if not body["accepted"] and not comment.strip():
        raise InvalidInput("a rejection needs a comment saying what to change", field_errors={"comment": ["required"]})
    return body


def review(session: Session, actor: Actor, annotation_id: int, body: Any) -> tuple[Review, Annotation | None]:
    """Record a verdict on an annotation; with `result`, also the reviewer's fixed annotation (returned)."""
    body = _check_verdict(body)
    ann, _role = get_scoped(session, actor, Annotation, annotation_id, "reviews.create", for_update=True)
    if ann.completed_by == actor.user_id:
        raise PermissionDenied("you cannot review your own annotation")
    if ann.was_cancelled:
        raise InvalidInput("a skipped task has no annotation to review")
    version = body.get("version")
    if version is not None and version != ann.version:
        raise Conflict(f"the annotation changed since you read it (version {ann.version}, yours {version})")
    fixed = None
    if "result" in body:
        fixed = _fix(session, actor, ann, body["result"])
    ann.review_status = FIXED if fixed is not None else ACCEPTED if body["accepted"] else REJECTED
    ann.version += 1
    ann.updated_at = utcnow()
    verdict = Review(
        annotation_id=ann.id,
        reviewer_id=actor.user_id or None,
        accepted=body["accepted"],
        comment=body.get("comment", ""),
        fixed_annotation_id=fixed.id if fixed is not None else None,
    )
    session.add(verdict)
    session.flush()
    return verdict, fixed


def _fix(session: Session, actor: Actor, original: Annotation, result: Any) -> Annotation:
    task = session.get(Task, original.task_id, with_for_update=True)
    project = session.get(Project, original.project_id)
    assert task is not None and project is not None
    validate_result(cached_config(project.label_config), result, task.data)
    fixed = Annotation(
        task_id=task.id,
        project_id=project.id,
        result=result,
        completed_by=actor.user_id or None,
        parent_annotation_id=original.id,
        config_version=project.config_version,
        review_status=ACCEPTED,
        updated_by=actor.user_id or None,
        last_action="fixed",
    )
    session.add(fixed)
    session.flush()
    refresh_counters(session, task, project)
    return fixed


def my_rejections(session: Session, actor: Actor, project_id: int) -> list[tuple[Annotation, Review | None]]:
    """The caller's own annotations in the project whose latest verdict is a rejection, oldest first, each with
    that verdict (its comment says what to change)."""
    project, _role = get_project(session, actor, project_id, "annotations.create")
    anns = list(
        session.scalars(
            select(Annotation)
            .where(
                Annotation.project_id == project.id,
                Annotation.completed_by == actor.user_id,
                Annotation.review_status == REJECTED,
            )
            .order_by(Annotation.id)
        )
    )
    latest: dict[int, Review] = {}
    if anns:
        q = select(Review).where(Review.annotation_id.in_([a.id for a in anns])).order_by(Review.id)
        for r in session.scalars(q):
            latest[r.annotation_id] = r
    return [(a, latest.get(a.id)) for a in anns]


def reviews_of(session: Session, actor: Actor, annotation_id: int) -> list[Review]:
    """The verdicts on an annotation, oldest first: for its author and for staff."""
    ann, _role = get_scoped(session, actor, Annotation, annotation_id, "tasks.view")
    return list(session.scalars(select(Review).where(Review.annotation_id == ann.id).order_by(Review.id)))
