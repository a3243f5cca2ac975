"""Saved data-manager views: `/api/dm/views/`."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Response

from tessera.api.context import Ctx, context, context_router, json_body
from tessera.api.id_params import required_id
from tessera.api.schemas import view_read
from tessera.domain.errors import InvalidInput
from tessera.services import tasks, views

router = context_router(tags=["views"])


@router.get("/api/dm/views")
def list_views(project: str | None = None, ctx: Ctx = Depends(context)) -> list:
    return [view_read(v) for v in views.list_views(ctx.session, ctx.actor, required_id(project, "project"))]


@router.post("/api/dm/views", status_code=201)
def create_view(body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    view = views.create_view(ctx.session, ctx.actor, body)
    ctx.commit()
    return view_read(view)


@router.get("/api/dm/views/{view_id}")
def read_view(view_id: int, ctx: Ctx = Depends(context)) -> dict:
    return view_read(views.read_view(ctx.session, ctx.actor, view_id))


@router.patch("/api/dm/views/{view_id}")
@router.put("/api/dm/views/{view_id}")
def update_view(view_id: int, body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    view = views.update_view(ctx.session, ctx.actor, view_id, body)
    ctx.commit()
    return view_read(view)


@router.delete("/api/dm/views/{view_id}", status_code=204)
def delete_view(view_id: int, ctx: Ctx = Depends(context)) -> Response:
    views.delete_view(ctx.session, ctx.actor, view_id)
    ctx.commit()
    return Response(status_code=204)


@router.post("/api/dm/actions")
def run_action(
    id: str | None = None,  # noqa: A002 - Label Studio's name for the action
    project: str | None = None,
    body: Any = Depends(json_body),
    ctx: Ctx = Depends(context),
) -> dict:
    """Label Studio's data-manager actions on the selected tasks; `delete_tasks` is the one Tessera has."""
    project_id = required_id(project, "project")
    if id != "delete_tasks":
        raise InvalidInput(f"unknown action {id!r}: the actions are delete_tasks", field_errors={"id": ["unknown"]})
    query = body if isinstance(body, dict) else {}
    if not isinstance(query.get("selectedItems"), dict):
        raise InvalidInput(
            "selectedItems is required: {all: false, included: [ids]} or {all: true, excluded: [ids]}",
            field_errors={"selectedItems": ["this field is required"]},
        )
    count = tasks.delete_project_tasks(ctx.session, ctx.actor, project_id, query=query)
    ctx.commit()
    return {"processed_items": count, "detail": f"Deleted {count} tasks"}
