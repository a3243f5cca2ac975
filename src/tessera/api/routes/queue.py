"""The labeling queue: `GET /api/projects/{id}/next` as Label Studio has it (a GET that claims a task), and
the same as a POST for the web app, whose cookie-authenticated writes carry a CSRF token."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from tessera.api.context import Ctx, write_context
from tessera.api.responses import FastJSON
from tessera.domain.errors import NotFound
from tessera.services import task_queue

router = APIRouter(tags=["queue"])


def _next(project_id: int, ctx: Ctx) -> FastJSON:
    task = task_queue.next_task(ctx.session, ctx.actor, project_id)
    ctx.commit()
    if task is None:
        raise NotFound("There are no more tasks for you to label in this project.")
    return FastJSON(task)


@router.get("/api/projects/{project_id}/next")
def next_task(project_id: int, ctx: Ctx = Depends(write_context)) -> FastJSON:
    return _next(project_id, ctx)


@router.post("/api/projects/{project_id}/next")
def claim_next_task(project_id: int, ctx: Ctx = Depends(write_context)) -> FastJSON:
    return _next(project_id, ctx)
