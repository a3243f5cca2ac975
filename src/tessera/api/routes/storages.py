"""Source storages, Label Studio's import-storage API: `GET/POST /api/storages/{localfiles,s3}`,
`GET/PATCH/DELETE /api/storages/{type}/{id}`, `POST /api/storages/{type}/{id}/sync`, `GET /api/storages/`
(a project's storages of every type) and `GET /api/storages/types`. See `services/storages.py`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response

from tessera.api.context import Ctx, context, json_body, outbound_client
from tessera.api.schemas import storage_read
from tessera.domain.errors import InvalidInput, NotFound, TesseraError
from tessera.net.outbound import OutboundClient
from tessera.services import storage_sync, storages

router = APIRouter(tags=["storages"])
KINDS = "{kind}"


def _kind(kind: str) -> str:
    if kind not in storages.KINDS:
        raise NotFound(f"no storage type {kind!r}: Tessera has {', '.join(storages.KINDS)}")
    return kind


def _project(project: str | None) -> int:
    if not project or not project.isdigit():
        raise InvalidInput("project is required", field_errors={"project": ["must be a project id"]})
    return int(project)


@router.get("/api/storages/types")
def storage_types(ctx: Ctx = Depends(context)) -> list:
    return [{"name": name, "title": title} for name, title in storages.KINDS.items()]


@router.get("/api/storages")
def all_storages(project: str | None = None, ctx: Ctx = Depends(context)) -> list:
    return [storage_read(s) for s in storages.list_storages(ctx.session, ctx.actor, _project(project))]


@router.get(f"/api/storages/{KINDS}")
def list_storages(kind: str, project: str | None = None, ctx: Ctx = Depends(context)) -> list:
    return [storage_read(s) for s in storages.list_storages(ctx.session, ctx.actor, _project(project), _kind(kind))]


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
def read_storage(kind: str, storage_id: int, ctx: Ctx = Depends(context)) -> dict:
    return storage_read(storages.get_storage(ctx.session, ctx.actor, _kind(kind), storage_id, "storages.view"))


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
def sync_storage(
    kind: str, storage_id: int, ctx: Ctx = Depends(context), client: OutboundClient = Depends(outbound_client)
) -> dict:
    """Synchronous, as Label Studio without a job queue: the SDK's `sync` returns when the tasks are in."""
    plan = storage_sync.plan_sync(ctx.session, ctx.actor, _kind(kind), storage_id, ctx.settings.local_files_root)
    ctx.session.rollback()  # no transaction (nor SQLite's write slot) held while the storage is listed
    try:
        listing = storage_sync.list_new(plan, client)
        try:
            storage = storage_sync.import_listed(ctx.session, ctx.actor, plan, listing)
        finally:
            listing.close()
    except TesseraError as exc:
        ctx.session.rollback()
        storage_sync.record_failure(ctx.session, storage_id, exc.detail)
        ctx.commit()
        raise
    ctx.commit()
    return storage_read(storage)
