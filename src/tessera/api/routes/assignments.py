"""Task assignments in Label Studio Enterprise's API shapes: `/api/projects/{id}/tasks/assignees` (bulk) and
`/api/projects/{id}/tasks/{task}/assignees` (one task: list, add, replace, remove)."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Response

from tessera.api.context import Ctx, context, context_router, json_body
from tessera.api.responses import FastJSON
from tessera.services import assignments

router = context_router(tags=["assignments"])


@router.post("/api/projects/{project_id}/tasks/assignees")
def bulk_assign(project_id: int, body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> FastJSON:
    result = assignments.bulk_assign(ctx.session, ctx.actor, project_id, body)
    ctx.commit()
    return FastJSON(result)


@router.get("/api/projects/{project_id}/tasks/{task_id}/assignees")
def list_assignees(project_id: int, task_id: int, ctx: Ctx = Depends(context)) -> FastJSON:
    rows = assignments.list_task(ctx.session, ctx.actor, project_id, task_id)
    return FastJSON([assignments.assignment_dict(r) for r in rows])


def _one(ctx: Ctx, project_id: int, task_id: int, body: Any, *, replace: bool) -> FastJSON:
    rows = assignments.assign_task(ctx.session, ctx.actor, project_id, task_id, body, replace=replace)
    ctx.commit()
    shaped = [assignments.assignment_dict(r) for r in rows]
    # Label Studio answers one TaskAssignment; with several users, the first, and all of them under "assignments".
    return FastJSON({**(shaped[0] if shaped else {}), "assignments": shaped}, status_code=201 if not replace else 200)


@router.post("/api/projects/{project_id}/tasks/{task_id}/assignees")
def assign(project_id: int, task_id: int, body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> FastJSON:
    return _one(ctx, project_id, task_id, body, replace=False)


@router.patch("/api/projects/{project_id}/tasks/{task_id}/assignees")
def reassign(project_id: int, task_id: int, body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> FastJSON:
    return _one(ctx, project_id, task_id, body, replace=True)


@router.delete("/api/projects/{project_id}/tasks/{task_id}/assignees")
def unassign(
    project_id: int, task_id: int, type: str | None = None, users: str | None = None, ctx: Ctx = Depends(context)
) -> Response:
    assignments.unassign_task(ctx.session, ctx.actor, project_id, task_id, type, users)
    ctx.commit()
    return Response(status_code=204)
