"""Exports: the sync `export` endpoint, formats, and snapshots with convert and download."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Query, Request, Response
from fastapi.responses import FileResponse, StreamingResponse
from starlette.background import BackgroundTask

from tessera.api.context import Ctx, context, context_router, json_body, query_bool
from tessera.api.id_params import id_list
from tessera.api.schemas import export_read
from tessera.db.tables import Export, User
from tessera.services import export_jobs, exports, snapshots

router = context_router(tags=["exports"])


@router.get("/api/projects/{project_id}/export/formats")
def formats(project_id: int, ctx: Ctx = Depends(context)) -> list:
    return exports.list_formats(ctx.session, ctx.actor, project_id)


@router.get("/api/projects/{project_id}/export")
def export(
    project_id: int,
    request: Request,
    exportType: str | None = None,
    export_type: str | None = None,  # noqa: N803
    download_all_tasks: str | None = None,
    ground_truth: str | None = None,
    reviewed: str | None = None,
    dpo_format: str | None = None,
    prompt_field: str | None = None,
    consensus: str | None = None,
    ctx: Ctx = Depends(context),
) -> Response:
    """Besides Label Studio's parameters, `annotators=` (user ids, comma-separated or repeated),
    `ground_truth=true` and `reviewed=only|exclude` (accepted by a review) choose the annotations the file
    carries; `dpo_format=standard|conversational` and `prompt_field=` shape the training formats (DPO_JSONL,
    REWARD_PAIRS_JSONL, KTO_JSONL, SFT_JSONL); `consensus=majority_vote|dawid_skene` adds each task's consensus
    label per whole-task control (JSON and JSONL)."""
    params = request.query_params
    ids = id_list(params.getlist("ids") + params.getlist("ids[]")) or None
    raw_annotators = params.getlist("annotators") + params.getlist("annotators[]")
    kept = exports.AnnotationFilter(
        frozenset({"ground_truth"}) if query_bool(ground_truth, False) else frozenset(),
        tuple(id_list(raw_annotators)) if raw_annotators else None,
        exports.check_reviewed(reviewed),
    )
    result = exports.sync_export(
        ctx.session,
        ctx.actor,
        project_id,
        ctx.settings.data_dir,
        fmt=exportType or export_type,
        ids=ids,
        all_tasks=query_bool(download_all_tasks, False),
        annotations=kept,
        options={"dpo_format": dpo_format, "prompt_field": prompt_field, "consensus": consensus},
    )
    if isinstance(result, exports.ExportStream):
        # The session stays open until the response is sent (the dependency's default scope).
        disposition = f'attachment; filename="{result.filename}"'
        return StreamingResponse(
            result.chunks, media_type=result.media_type, headers={"content-disposition": disposition}
        )
    return FileResponse(
        result.path,
        media_type=result.media_type,
        filename=result.filename,
        background=BackgroundTask(result.path.unlink, missing_ok=True),
    )


def _read(ctx: Ctx, record: Export) -> dict:
    progress = export_jobs.snapshot_progress(ctx.session, record, ctx.request.app.state.jobs)
    creator = ctx.session.get(User, record.created_by) if record.created_by else None
    return export_read(record, creator, progress)


@router.get("/api/projects/{project_id}/exports")
def list_snapshots(
    project_id: int, limit: int | None = Query(None, ge=1), before: int | None = None, ctx: Ctx = Depends(context)
) -> list:
    """Newest first, as Label Studio lists them; Tessera's `limit` and `before` (an export id) page the list."""
    found = snapshots.list_snapshots(ctx.session, ctx.actor, project_id, limit=limit, before=before)
    return [_read(ctx, r) for r in found]


@router.post("/api/projects/{project_id}/exports", status_code=201)
def create_snapshot(
    project_id: int, request: Request, body: Any = Depends(json_body), ctx: Ctx = Depends(context)
) -> dict:
    """A snapshot; a big project's (over the `export_job_tasks` setting, or any with `?async=true`) is made by a
    job: poll the record. `export_type` in the body has that format written too, ready to download."""
    run_async = query_bool(request.query_params.get("async"))
    record, queued = export_jobs.start_snapshot(
        ctx.session,
        ctx.actor,
        project_id,
        ctx.settings.data_dir,
        body,
        run_async=run_async,
        job_tasks=ctx.settings.export_job_tasks,
    )
    ctx.commit()
    if queued:
        ctx.request.app.state.jobs.wake()
    return _read(ctx, record)


@router.get("/api/projects/{project_id}/exports/{export_id}")
def read_snapshot(project_id: int, export_id: int, ctx: Ctx = Depends(context)) -> dict:
    return _read(ctx, snapshots.read_snapshot(ctx.session, ctx.actor, project_id, export_id))


@router.delete("/api/projects/{project_id}/exports/{export_id}", status_code=204)
def delete_snapshot(project_id: int, export_id: int, ctx: Ctx = Depends(context)) -> Response:
    snapshots.delete_snapshot(ctx.session, ctx.actor, project_id, export_id, ctx.settings.data_dir)
    ctx.commit()
    return Response(status_code=204)


@router.post("/api/projects/{project_id}/exports/{export_id}/convert")
def convert_snapshot(
    project_id: int, export_id: int, body: Any = Depends(json_body), ctx: Ctx = Depends(context)
) -> dict:
    fmt = body.get("export_type") if isinstance(body, dict) else None
    snapshots.convert_snapshot(ctx.session, ctx.actor, project_id, export_id, ctx.settings.data_dir, fmt)
    ctx.commit()
    return {"export_type": (fmt or "").upper(), "converted_format": export_id}


@router.get("/api/projects/{project_id}/exports/{export_id}/download")
def download_snapshot(
    project_id: int,
    export_id: int,
    exportType: str | None = None,  # noqa: N803
    export_type: str | None = None,
    ctx: Ctx = Depends(context),
) -> FileResponse:
    result = snapshots.snapshot_file(
        ctx.session, ctx.actor, project_id, export_id, ctx.settings.data_dir, exportType or export_type
    )
    ctx.commit()
    return FileResponse(result.path, media_type=result.media_type, filename=result.filename)
