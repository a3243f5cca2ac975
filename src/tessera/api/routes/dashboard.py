"""`GET /api/projects/{id}/dashboard`: progress per day, annotator figures, lead times, the label distribution,
review and ground-truth counts (Tessera's own; staff only). Agreement, accuracy and the preference and
red-team reports have their own routes; `reports` says which of them apply to the project."""

from __future__ import annotations

from fastapi import Depends

from tessera.api.context import Ctx, context, context_router
from tessera.api.responses import FastJSON
from tessera.services.dashboard import project_dashboard

router = context_router(tags=["quality"])


@router.get("/api/projects/{project_id}/dashboard")
def dashboard(project_id: int, ctx: Ctx = Depends(context)) -> FastJSON:
    return FastJSON(project_dashboard(ctx.session, ctx.actor, project_id))
