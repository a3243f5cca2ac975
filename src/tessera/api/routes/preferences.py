"""`GET /api/projects/{id}/preferences/report`: position bias and agreement on pairs (Tessera's own; staff
only)."""

from __future__ import annotations

from fastapi import Depends

from tessera.api.context import Ctx, context, context_router
from tessera.services.preference_report import preference_report

router = context_router(tags=["preferences"])


@router.get("/api/projects/{project_id}/preferences/report")
def preferences(project_id: int, ctx: Ctx = Depends(context)) -> dict:
    """Per comparison control: how often the reply shown first wins (overall and per annotator, known and
    unknown display order, with a two-sided binomial p-value against 0.5), and agreement on pairs."""
    return preference_report(ctx.session, ctx.actor, project_id)
