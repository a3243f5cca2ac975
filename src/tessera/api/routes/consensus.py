"""Quality reports: `GET /api/projects/{id}/consensus` (one label per task for a whole-task control, with its
confidence) and `GET /api/projects/{id}/accuracy` (each annotator against ground truth, per control)."""

from __future__ import annotations

from fastapi import Depends

from tessera.api.context import Ctx, context, context_router
from tessera.api.responses import FastJSON
from tessera.services import accuracy, consensus

router = context_router(tags=["quality"])


@router.get("/api/projects/{project_id}/consensus")
def project_consensus(
    project_id: int, control: str | None = None, method: str = "majority_vote", ctx: Ctx = Depends(context)
) -> FastJSON:
    report = consensus.project_consensus(ctx.session, ctx.actor, project_id, control=control, method=method)
    return FastJSON(
        {
            "control": report.control,
            "method": report.method,
            "tasks": [
                {"task": task_id, "label": c.label, "confidence": c.confidence, "votes": c.votes}
                for task_id, c in sorted(report.tasks.items())
            ],
            "annotators": [
                {"annotator": who, "accuracy": acc} for who, acc in sorted(report.annotator_accuracy.items(), key=str)
            ],
        }
    )


@router.get("/api/projects/{project_id}/accuracy")
def project_accuracy(project_id: int, ctx: Ctx = Depends(context)) -> FastJSON:
    gold_tasks, scores = accuracy.project_accuracy(ctx.session, ctx.actor, project_id)
    return FastJSON(
        {
            "ground_truth_tasks": gold_tasks,
            "scores": [
                {
                    "annotator": s.annotator,
                    "control": s.control,
                    "compared": s.compared,
                    "correct": s.correct,
                    "accuracy": s.accuracy,
                    **s.region_figures(),
                }
                for s in scores
            ],
        }
    )
