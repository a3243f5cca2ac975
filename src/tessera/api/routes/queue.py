"""The labeling queue: `GET /api/projects/{id}/next` as Label Studio has it (a GET that claims a task), and
the same as a POST for the web app, whose cookie-authenticated writes carry a CSRF token."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from tessera.api.context import Ctx, write_context
from tessera.api.responses import FastJSON
from tessera.domain.errors import NotFound
from tessera.services import task_queue

router = APIRouter(tags=["queue"])


def _next(project_id: int, ctx: Ctx) -> dict | None:
    task = task_queue.next_task(ctx.session, ctx.actor, project_id)
    ctx.commit()
    return task


@router.get("/api/projects/{project_id}/next")
def next_task(project_id: int, ctx: Ctx = Depends(write_context)) -> FastJSON:
    task = _next(project_id, ctx)
    if task is None:
        raise NotFound("There are no more tasks for you to label in this project.")
    return FastJSON(task)


@router.post("/api/projects/{project_id}/next")
def claim_next_task(project_id: int, ctx: Ctx = Depends(write_context)) -> Response:
    """As the GET, except that an empty queue is a 204 without a body rather than a 404, which a browser
    would log as a failed request."""
    task = _next(project_id, ctx)
    return FastJSON(task) if task is not None else Response(status_code=204)
