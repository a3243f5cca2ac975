"""Connector records: `GET/POST /api/projects/{id}/connectors`, `GET/PATCH/DELETE /api/connectors/{cid}`.
The API key is write-only (see `services/connectors.py`)."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Response

from tessera.api.context import Ctx, context, context_router, json_body
from tessera.api.schemas import connector_read
from tessera.services import connectors

router = context_router(tags=["connectors"])


@router.get("/api/projects/{project_id}/connectors")
def list_connectors(project_id: int, ctx: Ctx = Depends(context)) -> list:
    rows, full = connectors.list_connectors(ctx.session, ctx.actor, project_id)
    return [connector_read(c, full=full) for c in rows]


@router.post("/api/projects/{project_id}/connectors", status_code=201)
def create_connector(project_id: int, body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    connector = connectors.create_connector(ctx.session, ctx.actor, project_id, body)
    ctx.commit()
    return connector_read(connector)


@router.get("/api/connectors/{connector_id}")
def read_connector(connector_id: int, ctx: Ctx = Depends(context)) -> dict:
    return connector_read(connectors.read_connector(ctx.session, ctx.actor, connector_id))


@router.patch("/api/connectors/{connector_id}")
def update_connector(connector_id: int, body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    connector = connectors.update_connector(ctx.session, ctx.actor, connector_id, body)
    ctx.commit()
    return connector_read(connector)


@router.delete("/api/connectors/{connector_id}", status_code=204)
def delete_connector(connector_id: int, ctx: Ctx = Depends(context)) -> Response:
    connectors.delete_connector(ctx.session, ctx.actor, connector_id)
    ctx.commit()
    return Response(status_code=204)
