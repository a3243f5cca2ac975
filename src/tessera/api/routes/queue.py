"""The labeling queue: `GET /api/projects/{id}/next` as Label Studio has it (a GET that claims a task), and
the same as a POST for the web app, whose cookie-authenticated writes carry a CSRF token; and the next task of
a data-manager selection, which the web app's "Label these" works through."""

from __future__ import annotations

from fastapi import Depends, Response

from tessera.api.context import Ctx, context, context_router, write_context
from tessera.api.responses import FastJSON
from tessera.domain.errors import InvalidInput, NotFound
from tessera.domain.ids import id_from_text
from tessera.services import task_queue, task_selection

router = context_router(tags=["queue"])


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


@router.get("/api/projects/{project_id}/selection/next")
def next_selected_task(
    project_id: int, query: str | None = None, passed: str | None = None, ctx: Ctx = Depends(context)
) -> FastJSON:
    """The first task of the data-manager `query` (filters, ordering, selectedItems) that the caller has not
    annotated or skipped, leaving out `passed` (comma-separated ids), with the selection's size and how much
    of it is left. `task` is null at the end: the end of a selection is not an error."""
    ids = [id_from_text(x) for x in (passed or "").split(",") if x.strip()]
    if None in ids:
        raise InvalidInput("passed must be task ids separated by commas", field_errors={"passed": ["not ids"]})
    step = task_selection.next_selected_task(ctx.session, ctx.actor, project_id, query, passed=ids)  # type: ignore[arg-type]
    return FastJSON({"task": step.task, "total": step.total, "remaining": step.remaining})
