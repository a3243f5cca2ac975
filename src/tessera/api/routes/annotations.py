"""Annotations: `/api/tasks/{id}/annotations` and `/api/annotations/{id}`."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Response
from fastapi.responses import JSONResponse

from tessera.api.context import Ctx, context, context_router, json_body
from tessera.services import annotations
from tessera.services.ls_shapes import annotation_dict

router = context_router(tags=["annotations"])


@router.get("/api/tasks/{task_id}/annotations")
def list_annotations(task_id: int, ctx: Ctx = Depends(context)) -> list:
    return [annotation_dict(a) for a in annotations.list_annotations(ctx.session, ctx.actor, task_id)]


@router.post("/api/tasks/{task_id}/annotations", status_code=201)
def create_annotation(task_id: int, body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> JSONResponse:
    ann, created = annotations.create_annotation(ctx.session, ctx.actor, task_id, body if body is not None else {})
    ctx.commit()
    return JSONResponse(annotation_dict(ann), status_code=201 if created else 200)


@router.get("/api/annotations/{annotation_id}")
def read_annotation(annotation_id: int, ctx: Ctx = Depends(context)) -> dict:
    return annotation_dict(annotations.read_annotation(ctx.session, ctx.actor, annotation_id))


@router.patch("/api/annotations/{annotation_id}")
@router.put("/api/annotations/{annotation_id}")
def update_annotation(annotation_id: int, body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    ann = annotations.update_annotation(ctx.session, ctx.actor, annotation_id, body if body is not None else {})
    ctx.commit()
    return annotation_dict(ann)


@router.delete("/api/annotations/{annotation_id}", status_code=204)
def delete_annotation(annotation_id: int, ctx: Ctx = Depends(context)) -> Response:
    annotations.delete_annotation(ctx.session, ctx.actor, annotation_id)
    ctx.commit()
    return Response(status_code=204)
