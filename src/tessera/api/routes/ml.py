"""ML backend records: `/api/ml/`. A create or update is stored first and committed, then the model server's
health is checked (briefly, with no database transaction open) and the outcome stored as `state`."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Response

from tessera.api.context import Ctx, context, context_router, json_body, outbound_client
from tessera.api.id_params import optional_id
from tessera.api.schemas import ml_read
from tessera.db.tables import MLBackend
from tessera.domain.errors import InvalidInput
from tessera.net.outbound import OutboundClient
from tessera.services import ml_backends, model_servers

router = context_router(tags=["ml"])


@router.get("/api/ml")
def list_backends(project: str | None = None, ctx: Ctx = Depends(context)) -> list:
    pid = optional_id(project, "project")
    return [ml_read(b) for b in ml_backends.list_backends(ctx.session, ctx.actor, pid)]


@router.post("/api/ml", status_code=201)
def create_backend(
    body: Any = Depends(json_body), ctx: Ctx = Depends(context), client: OutboundClient = Depends(outbound_client)
) -> dict:
    backend = ml_backends.create_backend(ctx.session, ctx.actor, body)
    ctx.commit()
    return ml_read(_check_health(ctx, client, backend))


@router.get("/api/ml/{backend_id}")
def read_backend(backend_id: int, ctx: Ctx = Depends(context)) -> dict:
    return ml_read(ml_backends.read_backend(ctx.session, ctx.actor, backend_id))


@router.patch("/api/ml/{backend_id}")
@router.put("/api/ml/{backend_id}")
def update_backend(
    backend_id: int,
    body: Any = Depends(json_body),
    ctx: Ctx = Depends(context),
    client: OutboundClient = Depends(outbound_client),
) -> dict:
    backend = ml_backends.update_backend(ctx.session, ctx.actor, backend_id, body)
    ctx.commit()
    return ml_read(_check_health(ctx, client, backend))


@router.delete("/api/ml/{backend_id}", status_code=204)
def delete_backend(backend_id: int, ctx: Ctx = Depends(context)) -> Response:
    ml_backends.delete_backend(ctx.session, ctx.actor, backend_id)
    ctx.commit()
    return Response(status_code=204)


@router.post("/api/ml/{backend_id}/train")
def train(backend_id: int, ctx: Ctx = Depends(context)) -> dict:
    ml_backends.read_backend(ctx.session, ctx.actor, backend_id)
    raise InvalidInput("training through a model server is not available yet in this version")


@router.post("/api/ml/{backend_id}/interactive-annotating")
def interactive(backend_id: int, ctx: Ctx = Depends(context)) -> dict:
    ml_backends.read_backend(ctx.session, ctx.actor, backend_id)
    raise InvalidInput("interactive annotation through a model server is not available yet in this version")


def _check_health(ctx: Ctx, client: OutboundClient, backend: MLBackend) -> MLBackend:
    """Ask the committed backend's model server for its health, then store the outcome (a second commit)."""
    health = model_servers.check_health(client, backend)
    backend = ml_backends.record_health(ctx.session, ctx.actor, backend.id, health)
    ctx.commit()
    return backend
