"""The `judge` job kind: a connector picks one option of a `<Choices>` control for each task, and the pick is
stored as a prediction (`model_version` = the connector's model, `score` when the model gives one), which
annotators see as a pre-annotation to confirm or overturn.

The prompt and the reading of replies are in `domain/judging.py`. A reply that names none of the options is
counted as `unparseable` and stores nothing. Without `tasks`, the job takes every task of the project that
has no prediction of this model yet.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from tessera.db.engine import Database
from tessera.db.tables import Job, Prediction, Project, Task
from tessera.domain.config import ControlTag, cached_config
from tessera.domain.errors import InvalidInput
from tessera.domain.judging import choices_result, judge_messages, parse_judgement
from tessera.services import predictions
from tessera.services.actors import Actor
from tessera.services.chat_calls import ChatCaller, Endpoint, endpoint_of
from tessera.services.connector_jobs import actor_payload, check_task_ids, for_each_task
from tessera.services.connectors import project_connector
from tessera.services.jobs import Progress, enqueue

KIND = "judge"
BODY_FIELDS = {"control", "instructions", "tasks"}
MAX_INSTRUCTIONS = 20_000


def choices_control(project: Project, name: Any) -> ControlTag:
    """The project's `<Choices>` control called `name`, with fixed options."""
    config = cached_config(project.label_config)
    control = config.controls.get(name) if isinstance(name, str) else None
    if control is None or control.tag != "Choices":
        names = [c.name for c in config.controls.values() if c.tag == "Choices"]
        detail = f"must name a Choices control of the project ({', '.join(names) or 'it has none'})"
        raise InvalidInput(f"control {detail}", field_errors={"control": [detail]})
    if control.dynamic_labels or not control.labels:
        detail = "the control's options come from task data; a judge needs fixed options"
        raise InvalidInput(f"control: {detail}", field_errors={"control": [detail]})
    return control


def start_judging(session: Session, actor: Actor, project_id: int, connector_id: int, body: Any) -> Job:
    connector = project_connector(session, actor, project_id, connector_id, "connectors.run")
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    unknown = sorted(set(body) - BODY_FIELDS)
    if unknown:
        raise InvalidInput(
            f"unknown fields: {', '.join(unknown)}", field_errors={k: ["unknown field"] for k in unknown}
        )
    project = session.get(Project, project_id)
    assert project is not None
    control = choices_control(project, body.get("control"))
    instructions = body.get("instructions")
    if instructions is not None and (not isinstance(instructions, str) or len(instructions) > MAX_INSTRUCTIONS):
        detail = f"must be a string of at most {MAX_INSTRUCTIONS} characters"
        raise InvalidInput(f"instructions {detail}", field_errors={"instructions": [detail]})
    endpoint_of(session, connector)  # a key that cannot be read fails now
    payload = {
        "connector_id": connector.id,
        "project_id": project_id,
        "actor": actor_payload(actor),
        "control": control.name,
        "instructions": instructions or None,
        "tasks": check_task_ids(session, project_id, body.get("tasks")),
    }
    return enqueue(session, KIND, payload, project_id=project_id, user_id=actor.user_id or None)


class JudgeJob:
    def __init__(self, caller: ChatCaller) -> None:
        self.caller = caller

    def run(self, db: Database, job_id: int, payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
        actor = Actor(**payload["actor"])
        project_id = payload["project_id"]
        with db.reader() as session:
            connector = project_connector(session, actor, project_id, payload["connector_id"], "connectors.run")
            endpoint = endpoint_of(session, connector)
            project = session.get(Project, project_id)
            assert project is not None
            control = choices_control(project, payload["control"])
            ids = payload["tasks"]
            if ids is None:
                judged = exists().where(Prediction.task_id == Task.id, Prediction.model_version == endpoint.model)
                ids = list(session.scalars(select(Task.id).where(Task.project_id == project_id, ~judged)))
            session.rollback()

        def one(task_id: int) -> str:
            return self._one(db, actor, endpoint, control, payload, task_id)

        tally = for_each_task(sorted(ids), one, progress)
        summary = tally.summary()
        summary.setdefault("predicted", 0)
        summary.setdefault("unparseable", 0)
        return {"connector": endpoint.connector_id, "model": endpoint.model, "control": control.name, **summary}

    def _one(
        self, db: Database, actor: Actor, endpoint: Endpoint, control: ControlTag, payload: dict[str, Any], task_id: int
    ) -> str:
        with db.reader() as session:
            task = session.get(Task, task_id)
            data = dict(task.data) if task is not None and task.project_id == payload["project_id"] else None
            session.rollback()
        if data is None:
            return "skipped"
        messages = judge_messages(data, control.labels, control.name, payload["instructions"])
        completion = self.caller.complete(endpoint, messages, 1)
        judgement = parse_judgement(completion.texts[0], control.labels)
        if judgement is None:
            return "unparseable"
        body = {
            "task": task_id,
            "result": choices_result(control.name, control.to_names[0], judgement.choice),
            "score": judgement.score,
            "model_version": endpoint.model,
        }
        with db.writer() as session:
            predictions.create_prediction(session, actor, body)
            session.commit()
        return "predicted"

    def abandon(self, session: Session, job_id: int, payload: dict[str, Any], reason: str) -> None:
        """Nothing to undo: each prediction was stored whole, in its own transaction."""
