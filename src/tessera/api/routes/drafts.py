"""Drafts: `/api/tasks/{id}/drafts` and `/api/drafts/{id}`, as Label Studio's editor uses them."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Response

from tessera.api.context import Ctx, context, context_router, json_body
from tessera.services import drafts
from tessera.services.ls_shapes import draft_dict

router = context_router(tags=["drafts"])


@router.get("/api/tasks/{task_id}/drafts")
def list_drafts(task_id: int, ctx: Ctx = Depends(context)) -> list:
    return [draft_dict(d) for d in drafts.list_drafts(ctx.session, ctx.actor, task_id)]


@router.post("/api/tasks/{task_id}/drafts", status_code=201)
def create_draft(task_id: int, body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    draft = drafts.create_draft(ctx.session, ctx.actor, task_id, body if body is not None else {})
    ctx.commit()
    return draft_dict(draft)


@router.get("/api/drafts/{draft_id}")
def read_draft(draft_id: int, ctx: Ctx = Depends(context)) -> dict:
    return draft_dict(drafts.read_draft(ctx.session, ctx.actor, draft_id))


@router.patch("/api/drafts/{draft_id}")
@router.put("/api/drafts/{draft_id}")
def update_draft(draft_id: int, body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    draft = drafts.update_draft(ctx.session, ctx.actor, draft_id, body if body is not None else {})
    ctx.commit()
    return draft_dict(draft)


@router.delete("/api/drafts/{draft_id}", status_code=204)
def delete_draft(draft_id: int, ctx: Ctx = Depends(context)) -> Response:
    drafts.delete_draft(ctx.session, ctx.actor, draft_id)
    ctx.commit()
    return Response(status_code=204)
