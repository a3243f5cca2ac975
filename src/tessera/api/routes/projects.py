"""Projects: CRUD, paged list, config validation."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Response

from tessera.api.context import Ctx, context, context_router, json_body
from tessera.api.id_params import id_list
from tessera.api.paging import page_args, page_links
from tessera.api.schemas import project_read
from tessera.db.tables import User
from tessera.domain.errors import InvalidInput, NotFound
from tessera.services import media, projects, tasks

router = context_router(tags=["projects"])


def _read(ctx: Ctx, view: projects.ProjectView) -> dict:
    creator = ctx.session.get(User, view.project.created_by) if view.project.created_by else None
    return project_read(view, creator)


@router.get("/api/projects")
def list_projects(
    page: str | None = None,
    page_size: str | None = None,
    title: str | None = None,
    ids: str | None = None,
    ctx: Ctx = Depends(context),
) -> dict:
    p, size = page_args(page, page_size)
    wanted = id_list([ids]) if ids else None
    total, views = projects.list_projects(ctx.session, ctx.actor, page=p, page_size=size, title=title, ids=wanted)
    if p > 1 and (p - 1) * size >= total:
        raise NotFound("Invalid page.")
    nxt, prev = page_links(str(ctx.request.url.remove_query_params(["page", "page_size"])), p, size, total)
    return {"count": total, "next": nxt, "previous": prev, "results": [_read(ctx, v) for v in views]}


@router.post("/api/projects", status_code=201)
def create_project(body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    project = projects.create_project(ctx.session, ctx.actor, body if body is not None else {})
    ctx.commit()
    return _read(ctx, projects.read_project(ctx.session, ctx.actor, project.id))


@router.get("/api/projects/{project_id}")
def read_project(project_id: int, ctx: Ctx = Depends(context)) -> dict:
    return _read(ctx, projects.read_project(ctx.session, ctx.actor, project_id))


@router.patch("/api/projects/{project_id}")
@router.put("/api/projects/{project_id}")
def update_project(project_id: int, body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    projects.update_project(ctx.session, ctx.actor, project_id, body if body is not None else {})
    ctx.commit()
    return _read(ctx, projects.read_project(ctx.session, ctx.actor, project_id))


@router.delete("/api/projects/{project_id}", status_code=204)
def delete_project(project_id: int, ctx: Ctx = Depends(context)) -> Response:
    projects.delete_project(ctx.session, ctx.actor, project_id)
    ctx.commit()
    media.remove_project_media(ctx.settings.data_dir, project_id)  # after the commit: the files go with the rows
    return Response(status_code=204)


@router.post("/api/projects/validate")
def validate_config(body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    return _validate(ctx, None, body)


@router.post("/api/projects/{project_id}/validate")
def validate_project_config(project_id: int, body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    return _validate(ctx, project_id, body)


def _validate(ctx: Ctx, project_id: int | None, body: Any) -> dict:
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object with label_config")
    config = projects.validate_config(ctx.session, ctx.actor, project_id, body.get("label_config"))
    return {"label_config": config.xml, "data_fields": config.data_fields}


@router.delete("/api/projects/{project_id}/tasks", status_code=204)
def delete_all_tasks(project_id: int, ctx: Ctx = Depends(context)) -> Response:
    tasks.delete_project_tasks(ctx.session, ctx.actor, project_id)
    ctx.commit()
    return Response(status_code=204)
