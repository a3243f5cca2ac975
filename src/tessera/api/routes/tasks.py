"""Tasks: `GET /api/tasks` with paging and the data-manager query, and task CRUD."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request, Response

from tessera.api.context import Ctx, context, context_router, json_body
from tessera.api.id_params import id_list, optional_id, required_id
from tessera.api.paging import page_args
from tessera.api.responses import EncodedJSON, FastJSON
from tessera.io.ls_json import raw_list
from tessera.services import tasks, views

router = context_router(tags=["tasks"])


@router.get("/api/tasks")
def list_tasks(
    request: Request,
    project: str | None = None,
    view: str | None = None,
    page: str | None = None,
    page_size: str | None = None,
    fields: str | None = None,
    query: str | None = None,
    resolve_uri: str | None = None,
    cursor: str | None = None,
    count: str | None = None,
    ctx: Ctx = Depends(context),
) -> EncodedJSON:
    p, size = page_args(page, page_size, default_size=100)
    view_query = None
    view_id = optional_id(view, "view")
    if view_id is not None:
        saved = views.read_view(ctx.session, ctx.actor, view_id)
        view_query = views.view_query(saved)
        project = project or str(saved.project_id)
    project_id = required_id(project, "project")
    ids = id_list(request.query_params.getlist("ids") + request.query_params.getlist("ids[]")) or None
    page_ = tasks.list_tasks(
        ctx.session,
        ctx.actor,
        project_id,
        page=p,
        page_size=size,
        full=fields == "all",
        query=query,
        view_query=view_query,
        ids=ids,
        cursor=cursor or None,
        count=count not in ("false", "0"),  # ours: `count=false` leaves the totals out (null), uncounted
    )
    return EncodedJSON(
        {
            "tasks": raw_list(page_.tasks),
            "total": page_.total,
            "total_annotations": page_.total_annotations,
            "total_predictions": page_.total_predictions,
            # Keyset paging for the data manager: `?cursor=` with this gives the next page of the same query
            # whatever its depth; `page` keeps working for Label Studio's clients.
            "next_cursor": page_.next_cursor,
        }
    )


@router.post("/api/tasks", status_code=201)
def create_task(body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    task = tasks.create_task(ctx.session, ctx.actor, body)
    ctx.commit()
    return tasks.read_task(ctx.session, ctx.actor, task.id)


@router.get("/api/tasks/{task_id}")
def read_task(task_id: int, ctx: Ctx = Depends(context)) -> FastJSON:
    return FastJSON(tasks.read_task(ctx.session, ctx.actor, task_id))


@router.patch("/api/tasks/{task_id}")
def update_task(task_id: int, body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    tasks.update_task(ctx.session, ctx.actor, task_id, body)
    ctx.commit()
    return tasks.read_task(ctx.session, ctx.actor, task_id)


@router.delete("/api/tasks/{task_id}", status_code=204)
def delete_task(task_id: int, ctx: Ctx = Depends(context)) -> Response:
    tasks.delete_task(ctx.session, ctx.actor, task_id)
    ctx.commit()
    return Response(status_code=204)
