"""Project members: `GET/POST/DELETE /api/projects/{id}/members`."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Response

from tessera.api.context import Ctx, context, context_router, json_body
from tessera.api.schemas import user_read
from tessera.domain.errors import InvalidInput
from tessera.services import members

router = context_router(tags=["members"])


@router.get("/api/projects/{project_id}/members")
def list_members(project_id: int, ctx: Ctx = Depends(context)) -> list:
    return [{"user": user_read(u), "role": m.role} for u, m in members.list_members(ctx.session, ctx.actor, project_id)]


@router.post("/api/projects/{project_id}/members", status_code=201)
def add_member(project_id: int, body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    user, member = members.add_member(ctx.session, ctx.actor, project_id, body)
    ctx.commit()
    return {"user": user_read(user), "role": member.role}


@router.delete("/api/projects/{project_id}/members", status_code=204)
def remove_member(
    project_id: int, user: str | None = None, body: Any = Depends(json_body), ctx: Ctx = Depends(context)
) -> Response:
    ref = user if user is not None else (body or {}).get("user") if isinstance(body, dict) else None
    if ref is None:
        raise InvalidInput("user is required", field_errors={"user": ["this field is required"]})
    members.remove_member(ctx.session, ctx.actor, project_id, ref)
    ctx.commit()
    return Response(status_code=204)


@router.delete("/api/projects/{project_id}/members/{user_id}", status_code=204)
def remove_member_by_id(project_id: int, user_id: int, ctx: Ctx = Depends(context)) -> Response:
    members.remove_member(ctx.session, ctx.actor, project_id, user_id)
    ctx.commit()
    return Response(status_code=204)
