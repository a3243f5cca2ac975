"""Source storages, Label Studio's import-storage API: `GET/POST /api/storages/{localfiles,s3}`,
`GET/PATCH/DELETE /api/storages/{type}/{id}`, `POST /api/storages/{type}/{id}/sync` (a job, see
`services/storage_sync_jobs.py`), `GET /api/storages/` (a project's storages of every type) and
`GET /api/storages/types`. See `services/storages.py`."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request, Response

from tessera.api.context import Ctx, context, context_router, database, json_body, query_bool
from tessera.api.id_params import required_id
from tessera.api.schemas import storage_read
from tessera.domain.errors import NotFound
from tessera.services import storage_sync_jobs, storages

router = context_router(tags=["storages"])
KINDS = "{kind}"
SYNC_WAIT_SECONDS = 10.0  # 100,000 objects from a local folder sync in about 7 s (docs/storage.md)


def _kind(kind: str) -> str:
    if kind not in storages.KINDS:
        raise NotFound(f"no storage type {kind!r}: Tessera has {', '.join(storages.KINDS)}")
    return kind


@router.get("/api/storages/types")
def storage_types(ctx: Ctx = Depends(context)) -> list:
    return [{"name": name, "title": title} for name, title in storages.KINDS.items()]


@router.get("/api/storages")
def all_storages(project: str | None = None, ctx: Ctx = Depends(context)) -> list:
    return [storage_read(s) for s in storages.list_storages(ctx.session, ctx.actor, required_id(project, "project"))]


@router.get(f"/api/storages/{KINDS}")
def list_storages(kind: str, project: str | None = None, ctx: Ctx = Depends(context)) -> list:
    return [
        storage_read(s)
        for s in storages.list_storages(ctx.session, ctx.actor, required_id(project, "project"), _kind(kind))
    ]


@router.post(f"/api/storages/{KINDS}", status_code=201)
def create_storage(kind: str, body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    storage = storages.create_storage(ctx.session, ctx.actor, _kind(kind), body, ctx.settings.local_files_root)
    ctx.commit()
    return storage_read(storage)


@router.post(f"/api/storages/{KINDS}/validate")
def validate_storage(kind: str, body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    """Label Studio's check before a create: the same validation, nothing stored (the storage is not listed)."""
    storages.create_storage(ctx.session, ctx.actor, _kind(kind), body, ctx.settings.local_files_root, save=False)
    return {}


@router.get(f"/api/storages/{KINDS}/{{storage_id}}")
def read_storage(kind: str, storage_id: int, request: Request, ctx: Ctx = Depends(context)) -> dict:
    """The storage, with its sync's progress in `meta` while the sync job runs."""
    runner = request.app.state.jobs
    state = storage_sync_jobs.read_storage_state(ctx.session, ctx.actor, _kind(kind), storage_id, runner)
    return storage_read(state.storage, progress=state.progress)


@router.patch(f"/api/storages/{KINDS}/{{storage_id}}")
def update_storage(kind: str, storage_id: int, body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    storage = storages.update_storage(
        ctx.session, ctx.actor, _kind(kind), storage_id, body, ctx.settings.local_files_root
    )
    ctx.commit()
    return storage_read(storage)


@router.delete(f"/api/storages/{KINDS}/{{storage_id}}", status_code=204)
def delete_storage(kind: str, storage_id: int, ctx: Ctx = Depends(context)) -> Response:
    storages.delete_storage(ctx.session, ctx.actor, _kind(kind), storage_id)
    ctx.commit()
    return Response(status_code=204)


@router.post(f"/api/storages/{KINDS}/{{storage_id}}/sync")
def sync_storage(kind: str, storage_id: int, request: Request, ctx: Ctx = Depends(context)) -> dict:
    """Queue the sync as a job (or name the one queued or running: never two at once), then wait up to
    `SYNC_WAIT_SECONDS` for it, so that a small sync answers `completed` as Label Studio's SDK expects, and a
    failed one its error. A longer one, or any with `?async=true`, answers `queued` or `in_progress` and its
    job id (`last_sync_job`); clients poll `GET /api/storages/{type}/{id}`."""
    runner, kind = request.app.state.jobs, _kind(kind)
    start = storage_sync_jobs.start_sync(ctx.session, ctx.actor, kind, storage_id, runner)
    ctx.commit()
    if start.started:
        runner.wake()
    wait = 0.0 if query_bool(request.query_params.get("async")) else SYNC_WAIT_SECONDS
    runner.wait(start.job_id, wait)
    # Read in a read transaction: on SQLite a sync still importing holds the one write slot.
    with database(request).reader() as session:
        try:
            state = storage_sync_jobs.read_storage_state(session, ctx.actor, kind, storage_id, runner)
            if state.storage.status == "failed" and state.storage.last_sync_job_id == start.job_id:
                raise storage_sync_jobs.failure_of(state.storage)
            return storage_read(state.storage, progress=state.progress)
        finally:
            session.rollback()
