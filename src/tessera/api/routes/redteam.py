"""`GET /api/projects/{id}/redteam/report`: attack success rates by category, model and annotator
(Tessera's own; staff only)."""

from __future__ import annotations

from fastapi import Depends, Request

from tessera.api.context import Ctx, context, context_router
from tessera.services.redteam_report import redteam_report

router = context_router(tags=["redteam"])


@router.get("/api/projects/{project_id}/redteam/report")
def redteam(
    project_id: int,
    request: Request,
    category: str | None = None,
    success: str | None = None,
    model_field: str | None = None,
    ctx: Ctx = Depends(context),
) -> dict:
    """Attack success by category, model and annotator. `success_value` may repeat or be comma-separated;
    every parameter has a default read from the config (see `tessera.domain.redteam`)."""
    values = [v.strip() for raw in request.query_params.getlist("success_value") for v in raw.split(",")]
    return redteam_report(
        ctx.session,
        ctx.actor,
        project_id,
        success=success,
        success_values=[v for v in values if v],
        category=category,
        model_field=model_field,
    )
