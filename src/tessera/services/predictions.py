"""Predictions (pre-annotations from models): create one or many, list, update, delete."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tessera.db.tables import Prediction, Project, Task, utcnow
from tessera.domain.config import LabelConfig, cached_config, expand_prediction_shorthand, validate_result
from tessera.domain.errors import InvalidInput, NotFound, ResultError
from tessera.domain.ids import is_row_id
from tessera.services.access import get_project, get_scoped
from tessera.services.actors import Actor
from tessera.services.task_totals import labels_changed

FIELDS = {"task", "result", "score", "model_version", "project", "cluster", "neighbors", "mislabeling"}
MODEL_VERSION_MAX = 255  # the column's length


def _check(body: Any, *, where: str = "") -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidInput(f"{where}the prediction must be a JSON object")
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise InvalidInput(
            f"{where}unknown fields: {', '.join(unknown)}", field_errors={k: ["unknown field"] for k in unknown}
        )
    score = body.get("score")
    if score is not None and (isinstance(score, bool) or not isinstance(score, int | float)):
        raise InvalidInput(f"{where}score must be a number", field_errors={"score": ["must be a number"]})
    mv = body.get("model_version")
    if mv is not None and (not isinstance(mv, str | int | float) or len(str(mv)) > MODEL_VERSION_MAX):
        detail = f"must be a string of at most {MODEL_VERSION_MAX} characters"
        raise InvalidInput(f"{where}model_version {detail}", field_errors={"model_version": [detail]})
    return body


def _result(config: LabelConfig, task: Task, raw: Any, where: str = "") -> list[Any]:
    try:
        result = expand_prediction_shorthand(config, raw)
        validate_result(config, result, task.data)
    except ResultError as exc:
        raise InvalidInput(f"{where}{exc.detail}", field_errors={"result": [exc.detail]}) from exc
    return result


def _bump(session: Session, task_id: int) -> None:
    n = session.scalar(select(func.count()).select_from(Prediction).where(Prediction.task_id == task_id))
    session.execute(update(Task).where(Task.id == task_id).values(total_predictions=n))


def create_prediction(session: Session, actor: Actor, body: Any) -> Prediction:
    body = _check(body)
    task_id = body.get("task")
    if not isinstance(task_id, int) or isinstance(task_id, bool):
        raise InvalidInput("task is required", field_errors={"task": ["this field is required"]})
    task, _role = get_scoped(session, actor, Task, task_id, "predictions.change", for_update=True)
    project = session.get(Project, task.project_id)
    assert project is not None
    pred = Prediction(
        task_id=task.id,
        project_id=task.project_id,
        score=body.get("score"),
        model_version=str(body.get("model_version") or ""),
        result=_result(cached_config(project.label_config), task, body.get("result", [])),
    )
    session.add(pred)
    session.flush()
    _bump(session, task.id)
    labels_changed(session, task.project_id)
    return pred


def import_predictions(session: Session, actor: Actor, project_id: int, items: Any) -> int:
    """`POST /api/projects/{id}/import/predictions`: all or nothing, each bad item named by index."""
    project, _role = get_project(session, actor, project_id, "predictions.change")
    if not isinstance(items, list):
        raise InvalidInput("the body must be a JSON list of predictions")
    config = cached_config(project.label_config)
    task_ids = {t for i in items if isinstance(i, dict) and is_row_id(t := i.get("task"))}
    tasks = {t.id: t for t in session.scalars(select(Task).where(Task.project_id == project.id, Task.id.in_(task_ids)))}
    rows = []
    for i, item in enumerate(items):
        where = f"item {i}: "
        body = _check(item, where=where)
        task = tasks.get(body["task"]) if is_row_id(body.get("task")) else None
        if task is None:
            raise InvalidInput(
                f"{where}task {body.get('task')!r} is not a task of this project",
                field_errors={"task": [f"item {i}: not found"]},
            )
        rows.append(
            Prediction(
                task_id=task.id,
                project_id=project.id,
                score=body.get("score"),
                model_version=str(body.get("model_version") or ""),
                result=_result(config, task, body.get("result", []), where),
            )
        )
    session.add_all(rows)
    session.flush()
    for task_id in {r.task_id for r in rows}:
        _bump(session, task_id)
    labels_changed(session, project.id)
    return len(rows)


def list_predictions(
    session: Session, actor: Actor, *, task_id: int | None, project_id: int | None
) -> list[Prediction]:
    if task_id is not None:
        task, _role = get_scoped(session, actor, Task, task_id, "predictions.view")
        q = select(Prediction).where(Prediction.task_id == task.id)
    elif project_id is not None:
        project, _role = get_project(session, actor, project_id, "predictions.view")
        q = select(Prediction).where(Prediction.project_id == project.id)
    else:
        raise InvalidInput("give task or project", field_errors={"task": ["task or project is required"]})
    return list(session.scalars(q.order_by(Prediction.id).limit(100_000)))


def read_prediction(session: Session, actor: Actor, prediction_id: int) -> Prediction:
    return get_scoped(session, actor, Prediction, prediction_id, "predictions.view")[0]


def update_prediction(session: Session, actor: Actor, prediction_id: int, body: Any) -> Prediction:
    body = _check(body)
    pred, _role = get_scoped(session, actor, Prediction, prediction_id, "predictions.change", for_update=True)
    if "task" in body and body["task"] != pred.task_id:
        raise InvalidInput("task cannot be changed", field_errors={"task": ["read-only"]})
    task = session.get(Task, pred.task_id)
    project = session.get(Project, pred.project_id)
    if task is None or project is None:
        raise NotFound("prediction not found")
    if "result" in body:
        pred.result = _result(cached_config(project.label_config), task, body["result"])
    if "score" in body:
        pred.score = body["score"]
    if "model_version" in body:
        pred.model_version = str(body["model_version"] or "")
    pred.updated_at = utcnow()
    session.flush()
    return pred


def delete_prediction(session: Session, actor: Actor, prediction_id: int) -> None:
    pred, _role = get_scoped(session, actor, Prediction, prediction_id, "predictions.change")
    task_id, project_id = pred.task_id, pred.project_id
    session.delete(pred)
    session.flush()
    _bump(session, task_id)
    labels_changed(session, project_id)
