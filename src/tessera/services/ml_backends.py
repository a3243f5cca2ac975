"""ML backend records (`/api/ml/`). Storing one never fails because the model server is unreachable: its
health check (`services/model_servers.py`) runs afterwards and only sets `state` and `error_message`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from tessera.db.tables import MLBackend, utcnow
from tessera.domain.errors import InvalidInput
from tessera.services.access import get_project, get_scoped, visible_project_ids
from tessera.services.actors import Actor
from tessera.services.model_servers import Health

FIELDS = {
    "url",
    "project",
    "title",
    "description",
    "auth_method",
    "basic_auth_user",
    "basic_auth_pass",
    "extra_params",
    "timeout",
    "is_interactive",
    "model_version",
    "auto_update",
}
AUTH_METHODS = ("NONE", "BASIC_AUTH")
# The columns' lengths.
TEXT_LIMITS = {"title": 500, "model_version": 255, "basic_auth_user": 255, "basic_auth_pass": 255}


def _check(body: Any, *, creating: bool) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    errors: dict[str, list[str]] = {}
    for key in sorted(set(body) - FIELDS - {"id", "state"}):
        errors[key] = ["unknown field"]
    url = body.get("url")
    if creating or "url" in body:
        parts = urlsplit(url) if isinstance(url, str) else None
        if not parts or parts.scheme not in ("http", "https") or not parts.hostname:
            errors["url"] = ["must be an http(s) URL"]
    if "auth_method" in body and body["auth_method"] not in AUTH_METHODS:
        errors["auth_method"] = [f"must be one of {', '.join(AUTH_METHODS)}"]
    if "timeout" in body and (
        isinstance(body["timeout"], bool) or not isinstance(body["timeout"], int | float) or body["timeout"] <= 0
    ):
        errors["timeout"] = ["must be a positive number"]
    if "extra_params" in body and body["extra_params"] is not None and not isinstance(body["extra_params"], dict):
        errors["extra_params"] = ["must be an object"]
    for flag in ("is_interactive", "auto_update"):
        if flag in body and not isinstance(body[flag], bool):
            errors[flag] = ["must be a boolean"]
    for key, limit in TEXT_LIMITS.items():
        if body.get(key) is not None and len(str(body[key])) > limit:
            errors[key] = [f"must have at most {limit} characters"]
    if errors:
        raise InvalidInput("; ".join(f"{k}: {v[0]}" for k, v in errors.items()), field_errors=errors)
    return body


def _apply(backend: MLBackend, body: dict[str, Any]) -> None:
    for key in FIELDS - {"project"}:
        if key in body:
            value = body[key]
            if key == "extra_params":
                value = value or {}
            elif key in ("title", "description", "model_version"):
                value = str(value or "")
            setattr(backend, key, value)


def create_backend(session: Session, actor: Actor, body: Any) -> MLBackend:
    body = _check(body, creating=True)
    project_id = body.get("project")
    if not isinstance(project_id, int) or isinstance(project_id, bool):
        raise InvalidInput("project is required", field_errors={"project": ["this field is required"]})
    project, _role = get_project(session, actor, project_id, "ml.change")
    backend = MLBackend(project_id=project.id, url=body["url"])
    _apply(backend, body)
    session.add(backend)
    session.flush()
    return backend


def list_backends(session: Session, actor: Actor, project_id: int | None) -> list[MLBackend]:
    if project_id is not None:
        get_project(session, actor, project_id, "ml.view")
        q = select(MLBackend).where(MLBackend.project_id == project_id)
    else:
        q = select(MLBackend).where(MLBackend.project_id.in_(visible_project_ids(actor)))
    return list(session.scalars(q.order_by(MLBackend.id)))


def read_backend(session: Session, actor: Actor, backend_id: int) -> MLBackend:
    return get_scoped(session, actor, MLBackend, backend_id, "ml.view")[0]


def update_backend(session: Session, actor: Actor, backend_id: int, body: Any) -> MLBackend:
    backend, _role = get_scoped(session, actor, MLBackend, backend_id, "ml.change")
    body = _check(body, creating=False)
    if "project" in body and body["project"] != backend.project_id:
        raise InvalidInput("project cannot be changed", field_errors={"project": ["read-only"]})
    _apply(backend, body)
    backend.updated_at = utcnow()
    session.flush()
    return backend


def record_health(session: Session, actor: Actor, backend_id: int, health: Health) -> MLBackend:
    """Store the outcome of a health check: `state` CO or ER, and the reason for an error."""
    backend, _role = get_scoped(session, actor, MLBackend, backend_id, "ml.change", for_update=True)
    backend.state = health.state
    backend.error_message = health.error_message
    session.flush()
    return backend


def delete_backend(session: Session, actor: Actor, backend_id: int) -> None:
    backend, _role = get_scoped(session, actor, MLBackend, backend_id, "ml.change")
    session.delete(backend)
    session.flush()
