"""Inter-annotator agreement: `GET /api/projects/{id}/agreement` (Tessera's own; Label Studio keeps it in
its paid edition). Staff only: reviewers, managers and admins."""

from __future__ import annotations

from fastapi import Depends, Request

from tessera.api.context import Ctx, context, context_router, query_bool
from tessera.domain.errors import InvalidInput
from tessera.services import agreement
from tessera.services.agreement import AgreementQuery

router = context_router(tags=["agreement"])


def _names(request: Request, key: str) -> tuple[str, ...] | None:
    """Repeated (`?metric=a&metric=b`) or comma-separated (`?metric=a,b`) names; None when absent."""
    values = [v.strip() for raw in request.query_params.getlist(key) for v in raw.split(",") if v.strip()]
    return tuple(values) or None


def _number(request: Request, key: str, default: str, kind: type) -> float | int:
    raw = request.query_params.get(key, default)
    try:
        return kind(raw)
    except ValueError as exc:
        raise InvalidInput(f"{key} must be a number", field_errors={key: ["must be a number"]}) from exc


@router.get("/api/projects/{project_id}/agreement")
def project_agreement(project_id: int, request: Request, ctx: Ctx = Depends(context)) -> dict:
    """Per control and metric: the project's value, per annotator, per pair; `per_task=true` adds a page of
    per-task values (`page`, `page_size`). Pick with `control`, `metric`; `threshold` is the region IoU."""
    query = AgreementQuery(
        controls=_names(request, "control"),
        metrics=_names(request, "metric"),
        threshold=float(_number(request, "threshold", str(agreement.DEFAULT_THRESHOLD), float)),
        per_task=query_bool(request.query_params.get("per_task"), False),
        page=int(_number(request, "page", "1", int)),
        page_size=int(_number(request, "page_size", "100", int)),
    )
    return agreement.project_agreement(ctx.session, ctx.actor, project_id, query)
