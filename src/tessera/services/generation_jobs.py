"""The `generate` job kind: ask a connector for `n` replies per task and store them in task data.

For each task, the messages are `data[prompt_field]` (a string is one user message; a list of `{role,
content}` is sent as is), after `system_prompt` when given. The `n` replies go to `data[output_field]` as a
list of `{"id": "r1", "body", "model", "params", "created_at"}` (see `domain/chat.py`), all of a task's
replies in one write. Without `tasks`, the job takes every task whose output field is absent or empty, and
skips a task that got an output meanwhile. See `connector_jobs.py` for failures and the job's outcome.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tessera.db.engine import Database
from tessera.db.tables import Job, Task, utcnow
from tessera.domain.chat import lacks, prompt_messages, reply_items
from tessera.domain.errors import InvalidInput
from tessera.services.actors import Actor
from tessera.services.chat_calls import ChatCaller, Endpoint, endpoint_of
from tessera.services.connector_jobs import actor_payload, check_task_ids, for_each_task
from tessera.services.connectors import project_connector
from tessera.services.jobs import Progress, enqueue
from tessera.services.task_totals import changed

KIND = "generate"
MAX_N = 10
BODY_FIELDS = {"prompt_field", "output_field", "n", "tasks", "system_prompt"}


def _check(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    errors: dict[str, list[str]] = {k: ["unknown field"] for k in sorted(set(body) - BODY_FIELDS)}
    for key in ("prompt_field", "output_field"):
        value = body.get(key)
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            errors[key] = ["must be the name of a task data field"]
    if "output_field" not in errors and body.get("output_field") == body.get("prompt_field"):
        errors["output_field"] = ["must differ from prompt_field"]
    n = body.get("n", 1)
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_N:
        errors["n"] = [f"must be an integer from 1 to {MAX_N}"]
    system = body.get("system_prompt")
    if system is not None and not isinstance(system, str):
        errors["system_prompt"] = ["must be a string"]
    if errors:
        raise InvalidInput("; ".join(f"{k}: {v[0]}" for k, v in errors.items()), field_errors=errors)
    return body


def start_generation(session: Session, actor: Actor, project_id: int, connector_id: int, body: Any) -> Job:
    """Check the request and queue its job; the caller commits and wakes the runner."""
    connector = project_connector(session, actor, project_id, connector_id, "connectors.run")
    body = _check(body)
    endpoint_of(session, connector)  # a key that cannot be read fails now, not in every task
    payload = {
        "connector_id": connector.id,
        "project_id": project_id,
        "actor": actor_payload(actor),
        "prompt_field": body["prompt_field"],
        "output_field": body["output_field"],
        "n": body.get("n", 1),
        "tasks": check_task_ids(session, project_id, body.get("tasks")),
        "system_prompt": body.get("system_prompt") or None,
    }
    return enqueue(session, KIND, payload, project_id=project_id, user_id=actor.user_id or None)


class GenerationJob:
    def __init__(self, caller: ChatCaller) -> None:
        self.caller = caller

    def run(self, db: Database, job_id: int, payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
        actor = Actor(**payload["actor"])
        project_id, output = payload["project_id"], payload["output_field"]
        with db.reader() as session:
            connector = project_connector(session, actor, project_id, payload["connector_id"], "connectors.run")
            endpoint = endpoint_of(session, connector)
            ids = payload["tasks"]
            if ids is None:
                rows = session.execute(select(Task.id, Task.data).where(Task.project_id == project_id))
                ids = [task_id for task_id, data in rows if lacks(data, output)]
            session.rollback()
        explicit = payload["tasks"] is not None

        def one(task_id: int) -> str:
            return self._one(db, endpoint, payload, task_id, explicit)

        tally = for_each_task(sorted(ids), one, progress)
        return {"connector": endpoint.connector_id, "model": endpoint.model, "n": payload["n"], **tally.summary()}

    def _one(self, db: Database, endpoint: Endpoint, payload: dict[str, Any], task_id: int, explicit: bool) -> str:
        output = payload["output_field"]
        with db.reader() as session:
            task = session.get(Task, task_id)
            data = dict(task.data) if task is not None and task.project_id == payload["project_id"] else None
            session.rollback()
        if data is None:
            return "skipped"  # deleted since the job started
        messages = prompt_messages(data, payload["prompt_field"], payload["system_prompt"])
        completion = self.caller.complete(endpoint, messages, payload["n"])
        items = reply_items(
            completion.texts, model=completion.model, params=completion.params, created_at=completion.created_at
        )
        with db.writer() as session:
            task = session.get(Task, task_id, with_for_update=True)
            if task is None or (not explicit and not lacks(task.data, output)):
                session.rollback()
                return "skipped"
            task.data = {**task.data, output: items}
            task.updated_at = utcnow()
            task.updated_by = payload["actor"]["user_id"] or None
            session.flush()
            changed(session, task.project_id)
            session.commit()
        return "written"

    def abandon(self, session: Session, job_id: int, payload: dict[str, Any], reason: str) -> None:
        """Nothing to undo: every task written so far was written whole, in its own transaction."""
