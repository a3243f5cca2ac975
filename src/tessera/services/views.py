"""Saved data-manager views (`/api/dm/views/`): a named filter, ordering and column set per project."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tessera.db.tables import View
from tessera.domain.errors import InvalidInput
from tessera.services.access import get_project, get_scoped
from tessera.services.actors import Actor
from tessera.services.task_query import apply_query, order_by, project_tasks


def _check(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    unknown = sorted(set(body) - {"project", "data", "order", "id", "user"})
    if unknown:
        raise InvalidInput(
            f"unknown fields: {', '.join(unknown)}", field_errors={k: ["unknown field"] for k in unknown}
        )
    data = body.get("data", {})
    if not isinstance(data, dict):
        raise InvalidInput("data must be an object", field_errors={"data": ["must be an object"]})
    # Compile once now, so a bad filter is refused when saved rather than when used.
    apply_query(project_tasks(0), data)
    order_by(data)
    return body


def create_view(session: Session, actor: Actor, body: Any) -> View:
    body = _check(body)
    project_id = body.get("project")
    if not isinstance(project_id, int) or isinstance(project_id, bool):
        raise InvalidInput("project is required", field_errors={"project": ["this field is required"]})
    get_project(session, actor, project_id, "views.change")
    view = View(
        project_id=project_id, user_id=actor.user_id or None, data=body.get("data") or {}, order=body.get("order")
    )
    session.add(view)
    session.flush()
    return view


def list_views(session: Session, actor: Actor, project_id: int) -> list[View]:
    get_project(session, actor, project_id, "views.view")
    return list(session.scalars(select(View).where(View.project_id == project_id).order_by(View.id)))


def read_view(session: Session, actor: Actor, view_id: int) -> View:
    return get_scoped(session, actor, View, view_id, "views.view")[0]


def update_view(session: Session, actor: Actor, view_id: int, body: Any) -> View:
    view, _role = get_scoped(session, actor, View, view_id, "views.change")
    body = _check(body)
    if "project" in body and body["project"] != view.project_id:
        raise InvalidInput("project cannot be changed", field_errors={"project": ["read-only"]})
    if "data" in body:
        view.data = body["data"] or {}
    if "order" in body:
        view.order = body["order"]
    session.flush()
    return view


def delete_view(session: Session, actor: Actor, view_id: int) -> None:
    view, _role = get_scoped(session, actor, View, view_id, "views.change")
    session.delete(view)
    session.flush()


def view_query(view: View) -> dict[str, Any]:
    """The part of a view's data that filters and orders tasks (LS nests it under `data`)."""
    return view.data
