"""Review: the queue of submitted annotations, verdicts (accept, reject with a comment, fix), their history."""

from __future__ import annotations

from typing import Any

from fastapi import Depends
from sqlalchemy import select

from tessera.api.context import Ctx, context, context_router, json_body
from tessera.api.paging import page_args
from tessera.api.responses import FastJSON
from tessera.db.tables import Review, Task
from tessera.services import reviews
from tessera.services.ls_shapes import annotation_dict, iso
from tessera.services.storage_links import resolve_links

router = context_router(tags=["reviews"])


def review_dict(r: Review) -> dict[str, Any]:
    return {
        "id": r.id,
        "annotation": r.annotation_id,
        "reviewer": r.reviewer_id,
        "accepted": r.accepted,
        "comment": r.comment,
        "fixed_annotation": r.fixed_annotation_id,
        "created_at": iso(r.created_at),
    }


@router.get("/api/projects/{project_id}/reviews/queue")
def review_queue(
    project_id: int,
    annotator: int | None = None,
    label: str | None = None,
    status: str | None = None,
    max_agreement: float | None = None,
    page: str | None = None,
    page_size: str | None = None,
    ctx: Ctx = Depends(context),
) -> FastJSON:
    p, size = page_args(page, page_size, default_size=100)
    found = reviews.review_queue(
        ctx.session,
        ctx.actor,
        project_id,
        annotator=annotator,
        label=label,
        status=status,
        max_agreement=max_agreement,
        page=p,
        page_size=size,
    )
    task_ids = {a.task_id for a in found.annotations}
    rows = list(ctx.session.execute(select(Task.id, Task.data, Task.agreement).where(Task.id.in_(task_ids))))
    datas = resolve_links(ctx.session, project_id, [d for _i, d, _a in rows])  # storage objects as signed links
    tasks = {i: (d, agreement) for (i, _d, agreement), d in zip(rows, datas, strict=True)}
    return FastJSON(
        {
            "count": found.total,
            "results": [
                {**annotation_dict(a), "task_data": tasks[a.task_id][0], "task_agreement": tasks[a.task_id][1]}
                for a in found.annotations
            ],
        }
    )


@router.post("/api/annotations/{annotation_id}/reviews", status_code=201)
def create_review(annotation_id: int, body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    verdict, fixed = reviews.review(ctx.session, ctx.actor, annotation_id, body)
    ctx.commit()
    out = review_dict(verdict)
    out["fixed_annotation"] = annotation_dict(fixed) if fixed is not None else None
    return out


@router.get("/api/annotations/{annotation_id}/reviews")
def list_reviews(annotation_id: int, ctx: Ctx = Depends(context)) -> list:
    return [review_dict(r) for r in reviews.reviews_of(ctx.session, ctx.actor, annotation_id)]


@router.get("/api/projects/{project_id}/my-rejections")
def my_rejections(project_id: int, ctx: Ctx = Depends(context)) -> list:
    """The caller's rejected annotations with the rejecting verdict, for the labeling page's "Rejected" list."""
    return [
        {"annotation": a.id, "task": a.task_id, "version": a.version, "review": review_dict(r) if r else None}
        for a, r in reviews.my_rejections(ctx.session, ctx.actor, project_id)
    ]
