"""`POST /api/projects/{id}/import`: a JSON body (a list of tasks or one task), multipart files, or a form
field `url` naming a file to fetch (as Label Studio's "import from URL"); and
`POST /api/projects/{id}/import/predictions`. Synchronous, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile

from tessera.api.context import Ctx, context, json_body, outbound_client, query_bool
from tessera.api.schemas import import_read
from tessera.domain.errors import InvalidInput
from tessera.io.json_values import DECODER, problem_in
from tessera.net.outbound import OutboundClient
from tessera.services import imports, predictions, remote_files

router = APIRouter(tags=["import"])
MAX_FILES = 100
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


@dataclass
class Payload:
    body: Any = None
    files: list[imports.ImportSource] = field(default_factory=list)
    url: str | None = None


async def import_payload(request: Request) -> Payload:
    kind = request.headers.get("content-type", "")
    if kind.startswith(FORM_TYPES):
        form = await request.form(max_files=MAX_FILES, max_fields=1000)
        files = [
            imports.ImportSource(v.filename or k, v.file) for k, v in form.multi_items() if isinstance(v, UploadFile)
        ]
        if files:
            return Payload(files=files)
        url = form.get("url")
        if isinstance(url, str) and url.strip():
            return _url_payload(url.strip())
        raise InvalidInput(
            "the form has no file and no url",
            field_errors={"file": ["no file uploaded"], "url": ['"url" is not found in request data']},
        )
    body = await json_body(request)
    if body is None:
        raise InvalidInput("send a JSON list of tasks or upload files", field_errors={"tasks": ["no tasks"]})
    if not isinstance(body, list | dict):
        raise InvalidInput("the body must be a JSON list of tasks or one task object")
    return Payload(body=body)


def _url_payload(url: str) -> Payload:
    """Label Studio's URL box also takes tasks pasted as JSON: a `url` that is a JSON list or object is that."""
    if not url.startswith(("[", "{")):
        return Payload(url=url)
    try:
        value = DECODER.decode(url)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and NonFiniteNumber are ValueErrors
        detail = f"the url field is neither an http(s) URL nor valid JSON: {exc}"
        raise InvalidInput(detail, field_errors={"url": [str(exc)]}) from exc
    if problem := problem_in(value, url, 0, len(url)):
        raise InvalidInput(f"the tasks in the url field cannot be stored: {problem}", field_errors={"url": [problem]})
    return Payload(body=value)


@router.post("/api/projects/{project_id}/import", status_code=201)
def import_tasks(
    project_id: int,
    return_task_ids: str | None = None,
    payload: Payload = Depends(import_payload),
    ctx: Ctx = Depends(context),
    client: OutboundClient = Depends(outbound_client),
) -> dict:
    if payload.url is None:
        summary = imports.import_tasks(ctx.session, ctx.actor, project_id, body=payload.body, files=payload.files)
    else:
        summary = _import_url(ctx, client, project_id, payload.url)
    ctx.commit()
    return {
        "task_count": summary.task_count,
        "annotation_count": summary.annotation_count,
        "prediction_count": summary.prediction_count,
        "predictions_count": summary.prediction_count,
        "duration": summary.duration,
        "file_upload_ids": [summary.import_id] if payload.files or payload.url else [],
        "could_be_tasks_list": False,
        "found_formats": summary.found_formats or [],
        "data_columns": summary.data_columns,
        **({"task_ids": summary.task_ids} if query_bool(return_task_ids, True) else {}),
    }


def _import_url(ctx: Ctx, client: OutboundClient, project_id: int, url: str) -> imports.ImportSummary:
    """Check the actor may import before fetching anything for them, then fetch, then import."""
    remote_files.check_may_import(ctx.session, ctx.actor, project_id)
    ctx.commit()  # ends the transaction opened so far, so that no write lock is held during the download
    with remote_files.downloaded(client, url, max_bytes=ctx.settings.max_body_bytes) as source:
        return imports.import_tasks(ctx.session, ctx.actor, project_id, files=[source])


@router.post("/api/projects/{project_id}/import/predictions", status_code=201)
def import_predictions(project_id: int, body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    created = predictions.import_predictions(ctx.session, ctx.actor, project_id, body)
    ctx.commit()
    return {"created": created}


@router.get("/api/projects/{project_id}/imports/{import_id}")
def read_import(project_id: int, import_id: int, ctx: Ctx = Depends(context)) -> dict:
    """Label Studio's ProjectImport: an import's state and counts."""
    return import_read(imports.read_import(ctx.session, ctx.actor, project_id, import_id))
