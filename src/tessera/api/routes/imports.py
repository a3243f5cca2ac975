"""`POST /api/projects/{id}/import`: a JSON body (a list of tasks or one task) or multipart files; and
`POST /api/projects/{id}/import/predictions`. Synchronous, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile

from tessera.api.context import Ctx, context, json_body, query_bool
from tessera.domain.errors import InvalidInput
from tessera.services import imports, predictions

router = APIRouter(tags=["import"])
MAX_FILES = 100


@dataclass
class Payload:
    body: Any = None
    files: list[imports.ImportSource] = field(default_factory=list)


async def import_payload(request: Request) -> Payload:
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        form = await request.form(max_files=MAX_FILES, max_fields=1000)
        files = [
            imports.ImportSource(v.filename or k, v.file) for k, v in form.multi_items() if isinstance(v, UploadFile)
        ]
        if not files:
            raise InvalidInput("the form has no file", field_errors={"file": ["no file uploaded"]})
        return Payload(files=files)
    body = await json_body(request)
    if body is None:
        raise InvalidInput("send a JSON list of tasks or upload files", field_errors={"tasks": ["no tasks"]})
    if not isinstance(body, list | dict):
        raise InvalidInput("the body must be a JSON list of tasks or one task object")
    return Payload(body=body)


@router.post("/api/projects/{project_id}/import", status_code=201)
def import_tasks(
    project_id: int,
    return_task_ids: str | None = None,
    payload: Payload = Depends(import_payload),
    ctx: Ctx = Depends(context),
) -> dict:
    summary = imports.import_tasks(ctx.session, ctx.actor, project_id, body=payload.body, files=payload.files)
    ctx.commit()
    return {
        "task_count": summary.task_count,
        "annotation_count": summary.annotation_count,
        "prediction_count": summary.prediction_count,
        "predictions_count": summary.prediction_count,
        "duration": summary.duration,
        "file_upload_ids": [summary.import_id] if payload.files else [],
        "could_be_tasks_list": False,
        "found_formats": summary.found_formats or [],
        "data_columns": summary.data_columns,
        **({"task_ids": summary.task_ids} if query_bool(return_task_ids, True) else {}),
    }


@router.post("/api/projects/{project_id}/import/predictions", status_code=201)
def import_predictions(project_id: int, body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    created = predictions.import_predictions(ctx.session, ctx.actor, project_id, body)
    ctx.commit()
    return {"created": created}
