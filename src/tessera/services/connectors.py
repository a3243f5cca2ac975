"""Connector records: an OpenAI-compatible chat-completions endpoint a project calls (`/api/.../connectors`).

The API key is write-only: `api_key` in a create or update body is encrypted (`connector_keys.py`) and never
read back; `api_key_env` names an environment variable instead. Setting one clears the other; `api_key: null`
removes a stored key. Managers change connectors; every member may list their names and models.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tessera.db.tables import Connector, utcnow
from tessera.domain.chat import param_problem
from tessera.domain.errors import Conflict, InvalidInput, NotFound
from tessera.domain.policy import allows
from tessera.services.access import get_project, get_scoped
from tessera.services.actors import Actor
from tessera.services.connector_keys import encrypt_key, env_name_problem

FIELDS = {
    "name",
    "base_url",
    "model",
    "params",
    "api_key",
    "api_key_env",
    "is_default",
    "requests_per_minute",
    "max_retries",
    "timeout",
}
REQUIRED = ("name", "base_url", "model")
MAX_KEY_CHARS = 4096


def _int_in(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _problems(body: dict[str, Any], creating: bool) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {k: ["unknown field"] for k in sorted(set(body) - FIELDS)}
    for key in REQUIRED:
        if creating and key not in body:
            errors[key] = ["this field is required"]
        elif key in body and (not isinstance(body[key], str) or not body[key].strip()):
            errors[key] = ["must be a non-empty string"]
    if isinstance(body.get("name"), str) and len(body["name"]) > 100:
        errors["name"] = ["must be at most 100 characters"]
    if isinstance(body.get("base_url"), str) and "base_url" not in errors:
        parts = urlsplit(body["base_url"])
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            errors["base_url"] = ["must be an http(s) URL without query, such as https://api.openai.com/v1"]
        elif parts.username or parts.password:
            errors["base_url"] = ["must not hold credentials (they would be shown); use api_key"]
    params = body.get("params")
    if "params" in body and not isinstance(params, dict):
        errors["params"] = ["must be an object"]
    elif isinstance(params, dict):
        for name, value in params.items():
            if problem := param_problem(name, value):
                errors[f"params.{name}"] = [problem]
    key = body.get("api_key")
    if "api_key" in body and key is not None and (not isinstance(key, str) or not key or len(key) > MAX_KEY_CHARS):
        errors["api_key"] = [f"must be a non-empty string of at most {MAX_KEY_CHARS} characters, or null"]
    env = body.get("api_key_env")
    if env is not None and (not isinstance(env, str) or env_name_problem(env)):
        errors["api_key_env"] = [env_name_problem(env) if isinstance(env, str) else "must be a string"]  # type: ignore[list-item]
    if key is not None and env is not None:
        errors["api_key"] = ["give api_key or api_key_env, not both"]
    if "is_default" in body and not isinstance(body["is_default"], bool):
        errors["is_default"] = ["must be a boolean"]
    if "requests_per_minute" in body and not _int_in(body["requests_per_minute"], 1, 100_000):
        errors["requests_per_minute"] = ["must be an integer from 1 to 100000"]
    if "max_retries" in body and not _int_in(body["max_retries"], 0, 10):
        errors["max_retries"] = ["must be an integer from 0 to 10"]
    timeout = body.get("timeout")
    if "timeout" in body and (
        isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= 600
    ):
        errors["timeout"] = ["must be a number of seconds, more than 0 and at most 600"]
    return errors


def _check(body: Any, *, creating: bool) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    errors = _problems(body, creating)
    if errors:
        # Messages name the field; a value is never echoed (it might be a key).
        raise InvalidInput("; ".join(f"{k}: {v[0]}" for k, v in errors.items()), field_errors=errors)
    return body


def _apply(session: Session, connector: Connector, body: dict[str, Any]) -> None:
    for key in ("name", "base_url", "model"):
        if key in body:
            setattr(connector, key, body[key].strip())
    for key in ("params", "is_default", "requests_per_minute", "max_retries", "timeout"):
        if key in body:
            setattr(connector, key, body[key])
    if body.get("api_key") is not None:
        connector.api_key_encrypted, connector.api_key_env = encrypt_key(session, body["api_key"]), None
    elif "api_key" in body:
        connector.api_key_encrypted = None
    if body.get("api_key_env") is not None:
        connector.api_key_env, connector.api_key_encrypted = body["api_key_env"], None
    elif "api_key_env" in body:
        connector.api_key_env = None


def _unique(session: Session, connector: Connector) -> None:
    """One name per project (checked before the row is written); at most one default connector."""
    same_name = select(Connector.id).where(
        Connector.project_id == connector.project_id, Connector.name == connector.name
    )
    if connector.id is not None:
        same_name = same_name.where(Connector.id != connector.id)
    with session.no_autoflush:
        clash = session.scalar(same_name)
    if clash is not None:
        detail = f"this project already has a connector named {connector.name!r}"
        raise Conflict(detail, field_errors={"name": ["already used in this project"]})


def _one_default(session: Session, connector: Connector) -> None:
    if connector.is_default:
        session.execute(
            update(Connector)
            .where(Connector.project_id == connector.project_id, Connector.id != connector.id)
            .values(is_default=False)
        )


def create_connector(session: Session, actor: Actor, project_id: int, body: Any) -> Connector:
    project, _role = get_project(session, actor, project_id, "connectors.change")
    body = _check(body, creating=True)
    connector = Connector(project_id=project.id, created_by=actor.user_id or None, params={})
    _apply(session, connector, body)
    _unique(session, connector)
    session.add(connector)
    session.flush()
    _one_default(session, connector)
    return connector


def list_connectors(session: Session, actor: Actor, project_id: int) -> tuple[list[Connector], bool]:
    """The project's connectors, and whether the actor may see whole records (else names and models only)."""
    project, role = get_project(session, actor, project_id, "connectors.list")
    rows = list(session.scalars(select(Connector).where(Connector.project_id == project.id).order_by(Connector.id)))
    return rows, allows(role, "connectors.view")


def read_connector(session: Session, actor: Actor, connector_id: int, action: str = "connectors.view") -> Connector:
    return get_scoped(session, actor, Connector, connector_id, action)[0]


def update_connector(session: Session, actor: Actor, connector_id: int, body: Any) -> Connector:
    connector, _role = get_scoped(session, actor, Connector, connector_id, "connectors.change", for_update=True)
    body = _check(body, creating=False)
    _apply(session, connector, body)
    _unique(session, connector)
    connector.updated_at = utcnow()
    session.flush()
    _one_default(session, connector)
    return connector


def delete_connector(session: Session, actor: Actor, connector_id: int) -> None:
    connector, _role = get_scoped(session, actor, Connector, connector_id, "connectors.change")
    session.delete(connector)
    session.flush()


def project_connector(session: Session, actor: Actor, project_id: int, connector_id: int, action: str) -> Connector:
    """A connector named in a project's URL: another project's connector is not found, as any unknown one."""
    connector = get_scoped(session, actor, Connector, connector_id, action)[0]
    if connector.project_id != project_id:
        raise NotFound("connector not found")
    return connector
