"""Drafts: an annotator's unsubmitted work on a task, saved by the editor every few seconds.

A draft belongs to its author alone: anyone else, and anyone outside the task's project, gets a 404, as for
annotations. Its result is not checked against the labeling config (it is work in progress), only that it is
a list of objects; the annotation made from it is checked on submit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tessera.db.tables import Annotation, Draft, Task, utcnow
from tessera.domain.errors import InvalidInput, NotFound
from tessera.domain.ids import is_row_id
from tessera.services.access import get_scoped, project_role, require
from tessera.services.actors import Actor

FIELDS = {"result", "lead_time", "annotation", "was_postponed", "task", "draft_id", "id", "user"}


def _check(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise InvalidInput(
            f"unknown fields: {', '.join(unknown)}", field_errors={k: ["unknown field"] for k in unknown}
        )
    result = body.get("result", [])
    if not isinstance(result, list) or not all(isinstance(item, dict) for item in result):
        raise InvalidInput("result must be a list of objects", field_errors={"result": ["must be a list of objects"]})
    lead = body.get("lead_time")
    if lead is not None and (isinstance(lead, bool) or not isinstance(lead, int | float)):
        raise InvalidInput("lead_time must be a number", field_errors={"lead_time": ["must be a number"]})
    return body


def _annotation_of(session: Session, actor: Actor, task: Task, annotation_id: Any) -> int | None:
    if annotation_id is None:
        return None
    ann = session.get(Annotation, annotation_id) if is_row_id(annotation_id) else None
    if ann is None or ann.task_id != task.id or ann.completed_by != actor.user_id:
        raise InvalidInput("annotation is not yours on this task", field_errors={"annotation": ["not found"]})
    return ann.id


def create_draft(session: Session, actor: Actor, task_id: int, body: Any) -> Draft:
    body = _check(body)
    task, _ = get_scoped(session, actor, Task, task_id, "annotations.create")
    draft = Draft(
        task_id=task.id,
        user_id=actor.user_id,
        annotation_id=_annotation_of(session, actor, task, body.get("annotation")),
        result=body.get("result", []),
        lead_time=body.get("lead_time"),
    )
    session.add(draft)
    session.flush()
    return draft


def list_drafts(session: Session, actor: Actor, task_id: int) -> list[Draft]:
    task, _ = get_scoped(session, actor, Task, task_id, "tasks.view")
    q = select(Draft).where(Draft.task_id == task.id, Draft.user_id == actor.user_id).order_by(Draft.id)
    return list(session.scalars(q))


def read_draft(session: Session, actor: Actor, draft_id: int, *, for_update: bool = False) -> Draft:
    draft = session.get(Draft, draft_id, with_for_update=for_update) if isinstance(draft_id, int) else None
    if draft is None or draft.user_id != actor.user_id:
        raise NotFound("draft not found")
    task = session.get(Task, draft.task_id)
    if task is None or project_role(session, actor, task.project_id) is None:
        raise NotFound("draft not found")
    require(project_role(session, actor, task.project_id), "annotations.create", "draft")
    return draft


def update_draft(session: Session, actor: Actor, draft_id: int, body: Any) -> Draft:
    body = _check(body)
    draft = read_draft(session, actor, draft_id, for_update=True)
    if "result" in body:
        draft.result = body["result"]
    if "lead_time" in body:
        draft.lead_time = body["lead_time"]
    if "annotation" in body:
        task = session.get(Task, draft.task_id)
        assert task is not None
        draft.annotation_id = _annotation_of(session, actor, task, body["annotation"])
    draft.updated_at = utcnow()
    session.flush()
    return draft


def delete_draft(session: Session, actor: Actor, draft_id: int) -> None:
    session.delete(read_draft(session, actor, draft_id, for_update=True))
    session.flush()
