"""`POST /api/projects/{id}/chat-completions`: one live call from the labeling editor (a `<Chat>` tag, a
red-teamer talking to the model). Any member of the project may call it; the connector's rate limit applies,
and a call that would wait longer than LIVE_MAX_WAIT for its slot is refused with 429 instead of hanging.

The connector is the project's one whose name, then model, equals `llm`; else its default connector; else
its only connector. The route reads the connector, ends its transaction, and only then calls the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tessera.db.tables import Connector, Task
from tessera.domain.chat import check_messages
from tessera.domain.errors import InvalidInput, NotFound
from tessera.services.access import get_project, get_scoped
from tessera.services.actors import Actor
from tessera.services.chat_calls import ChatCaller, Endpoint, endpoint_of

LIVE_MAX_WAIT = 5.0
BODY_FIELDS = {"messages", "llm", "task"}


@dataclass(frozen=True)
class LiveCall:
    endpoint: Endpoint
    messages: list[dict[str, str]]


def pick_connector(session: Session, project_id: int, llm: str | None) -> Connector:
    rows = list(session.scalars(select(Connector).where(Connector.project_id == project_id).order_by(Connector.id)))
    if llm:
        for key in ("name", "model"):
            found = [c for c in rows if getattr(c, key) == llm]
            if found:
                return found[0]
    default = [c for c in rows if c.is_default] or (rows if len(rows) == 1 else [])
    if default:
        return default[0]
    if not rows:
        detail = "this project has no connector: a manager adds one under /api/projects/{id}/connectors"
    else:
        detail = (
            f"no connector of this project is named {llm!r} and none is the default"
            if llm
            else ("this project has several connectors and none is the default: name one with llm")
        )
    raise InvalidInput(detail, field_errors={"llm": [detail]})


def prepare_live_call(session: Session, actor: Actor, project_id: int, body: Any) -> LiveCall:
    project, _role = get_project(session, actor, project_id, "connectors.chat")
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    unknown = sorted(set(body) - BODY_FIELDS)
    if unknown:
        raise InvalidInput(
            f"unknown fields: {', '.join(unknown)}", field_errors={k: ["unknown field"] for k in unknown}
        )
    llm = body.get("llm")
    if llm is not None and not isinstance(llm, str):
        raise InvalidInput("llm must be a string", field_errors={"llm": ["must be a string"]})
    task_id = body.get("task")
    if task_id is not None:
        if not isinstance(task_id, int) or isinstance(task_id, bool):
            raise InvalidInput("task must be a task id", field_errors={"task": ["must be an integer"]})
        task, _role = get_scoped(session, actor, Task, task_id, "tasks.view")
        if task.project_id != project.id:
            raise NotFound("task not found")
    messages = check_messages(body.get("messages"))
    connector = pick_connector(session, project.id, llm or None)
    return LiveCall(endpoint_of(session, connector), messages)


def call_live(caller: ChatCaller, call: LiveCall) -> dict[str, Any]:
    completion = caller.complete(call.endpoint, call.messages, 1, max_wait=LIVE_MAX_WAIT)
    return {
        "message": {"role": "assistant", "content": completion.texts[0]},
        "meta": {
            "model": completion.model,
            "params": completion.params,
            "created_at": completion.created_at,
            "connector": call.endpoint.name,
        },
    }
