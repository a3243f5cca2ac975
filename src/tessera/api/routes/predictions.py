"""Predictions: `/api/predictions` and `/api/predictions/{id}`."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Response

from tessera.api.context import Ctx, context, context_router, json_body
from tessera.api.id_params import optional_id
from tessera.services import predictions
from tessera.services.ls_shapes import prediction_dict

router = context_router(tags=["predictions"])


@router.get("/api/predictions")
def list_predictions(task: str | None = None, project: str | None = None, ctx: Ctx = Depends(context)) -> list:
    found = predictions.list_predictions(
        ctx.session, ctx.actor, task_id=optional_id(task, "task"), project_id=optional_id(project, "project")
    )
    return [prediction_dict(p) for p in found]


@router.post("/api/predictions", status_code=201)
def create_prediction(body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    pred = predictions.create_prediction(ctx.session, ctx.actor, body)
    ctx.commit()
    return prediction_dict(pred)


@router.get("/api/predictions/{prediction_id}")
def read_prediction(prediction_id: int, ctx: Ctx = Depends(context)) -> dict:
    return prediction_dict(predictions.read_prediction(ctx.session, ctx.actor, prediction_id))


@router.patch("/api/predictions/{prediction_id}")
@router.put("/api/predictions/{prediction_id}")
def update_prediction(prediction_id: int, body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    pred = predictions.update_prediction(ctx.session, ctx.actor, prediction_id, body)
    ctx.commit()
    return prediction_dict(pred)


@router.delete("/api/predictions/{prediction_id}", status_code=204)
def delete_prediction(prediction_id: int, ctx: Ctx = Depends(context)) -> Response:
    predictions.delete_prediction(ctx.session, ctx.actor, prediction_id)
    ctx.commit()
    return Response(status_code=204)
