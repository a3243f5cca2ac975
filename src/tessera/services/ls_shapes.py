"""Label Studio's JSON shapes for tasks, annotations and predictions, shared by the API and the exports."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tessera.db.tables import Annotation, Draft, Prediction, Task, User
from tessera.domain.label_counts import labels_in


def iso(at: datetime | None) -> str | None:
    if at is None:
        return None
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds") + "Z"


def user_brief(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {
        "id": user.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "avatar": None,
        "initials": initials(user),
    }


def initials(user: User) -> str:
    if user.first_name and user.last_name:
        return (user.first_name[0] + user.last_name[0]).lower()
    return (user.username or user.email)[:2].lower()


def annotation_dict(ann: Annotation, *, author: dict[str, Any] | int | None = None) -> dict[str, Any]:
    return {
        "id": ann.id,
        "result": ann.result,
        "completed_by": author if author is not None else ann.completed_by,
        "was_cancelled": ann.was_cancelled,
        "ground_truth": ann.ground_truth,
        "created_at": iso(ann.created_at),
        "updated_at": iso(ann.updated_at),
        "draft_created_at": None,
        "lead_time": ann.lead_time,
        "import_id": ann.import_id,
        "last_action": ann.last_action,
        "bulk_created": False,
        "task": ann.task_id,
        "project": ann.project_id,
        "updated_by": ann.updated_by,
        "parent_prediction": ann.parent_prediction_id,
        "parent_annotation": ann.parent_annotation_id,
        "last_created_by": None,
        "unique_id": ann.unique_id,
        "version": ann.version,
        "review_status": ann.review_status,
        "presentation": ann.presentation,
    }


def prediction_dict(pred: Prediction) -> dict[str, Any]:
    return {
        "id": pred.id,
        "result": pred.result,
        "model_version": pred.model_version,
        "score": pred.score,
        "cluster": None,
        "neighbors": None,
        "mislabeling": 0.0,
        "created_at": iso(pred.created_at),
        "updated_at": iso(pred.updated_at),
        "model": None,
        "model_run": None,
        "task": pred.task_id,
        "project": pred.project_id,
    }


def draft_dict(draft: Draft) -> dict[str, Any]:
    return {
        "id": draft.id,
        "user": draft.user_id,
        "task": draft.task_id,
        "annotation": draft.annotation_id,
        "result": draft.result,
        "lead_time": draft.lead_time,
        "created_at": iso(draft.created_at),
        "updated_at": iso(draft.updated_at),
    }


def task_dict(
    task: Task,
    *,
    overlap: int,
    annotations: list[Annotation] | None = None,
    predictions: list[Prediction] | None = None,
    drafts: list[Draft] | None = None,
    authors: dict[int, dict[str, Any]] | None = None,
    full: bool = True,
    sees_agreement: bool = True,
) -> dict[str, Any]:
    """`sees_agreement` is False for an annotator who may not see others' work: how much they agree is theirs."""
    anns = annotations or []
    preds = predictions or []
    completed = [a.created_at for a in anns if not a.was_cancelled]
    lead = [a.lead_time for a in anns if a.lead_time is not None]
    out: dict[str, Any] = {"id": task.id}
    if full:
        out["predictions"] = [prediction_dict(p) for p in preds]
        out["annotations"] = [annotation_dict(a, author=(authors or {}).get(a.completed_by or 0)) for a in anns]
        out["drafts"] = [draft_dict(d) for d in drafts or []]
    out.update(
        {
            "annotators": sorted({a.completed_by for a in anns if a.completed_by is not None}),
            "inner_id": task.inner_id,
            "cancelled_annotations": task.cancelled_annotations,
            "total_annotations": task.total_annotations,
            "total_predictions": task.total_predictions,
            "completed_at": iso(max(completed)) if completed else None,
            # Label Studio Enterprise's review counts over the task's annotations (those the caller may see).
            "reviews_accepted": sum(1 for a in anns if a.review_status == "accepted"),
            "reviews_rejected": sum(1 for a in anns if a.review_status == "rejected"),
            "reviews_pending": sum(1 for a in anns if a.review_status is None and not a.was_cancelled),
            # How much the task's annotators agree, 0..1 (see domain.agreement.task_value); null below two.
            "agreement": task.agreement if sees_agreement else None,
            # The label and choice values of those annotations (Label Studio puts their results here).
            "annotations_results": ", ".join(sorted(set().union(*(labels_in(a.result) for a in anns)))),
            "predictions_results": "",
            "predictions_score": (sum(p.score for p in preds if p.score is not None) / len(preds))
            if preds and any(p.score is not None for p in preds)
            else None,
            "file_upload": None,
            "storage_filename": None,
            "annotations_ids": ", ".join(str(a.id) for a in anns),
            "predictions_model_versions": ", ".join(sorted({p.model_version for p in preds})),
            "avg_lead_time": sum(lead) / len(lead) if lead else None,
            "draft_exists": bool(drafts),
            "updated_by": [],
            "data": task.data,
            "meta": task.meta,
            "created_at": iso(task.created_at),
            "updated_at": iso(task.updated_at),
            "is_labeled": task.is_labeled,
            "overlap": overlap,
            "comment_count": 0,
            "unresolved_comment_count": 0,
            "last_comment_updated_at": None,
            "project": task.project_id,
            "comment_authors": [],
        }
    )
    return out


def export_task(
    row: tuple[Any, ...], annotations: Any, predictions: Any, data: Any, meta: Any, empty: Any, stamp: Any
) -> dict[str, Any]:
    """A task as Label Studio's JSON export writes it. `row` is (id, data, meta, created_at, updated_at, inner_id,
    total_annotations, cancelled_annotations, total_predictions, project, updated_by); `data`, `meta`, the
    lists and `empty` (an empty list) come already shaped (dicts, or pre-encoded text), and `stamp` turns a
    time into its ISO text."""
    tid, _data, _meta, created, updated, inner, total, cancelled, predicted, pid, updated_by = row
    return {
        "id": tid,
        "annotations": annotations,
        "drafts": empty,
        "predictions": predictions,
        "data": data,
        "meta": meta,
        "created_at": stamp(created),
        "updated_at": stamp(updated),
        "inner_id": inner,
        "total_annotations": total,
        "cancelled_annotations": cancelled,
        "total_predictions": predicted,
        "comment_count": 0,
        "unresolved_comment_count": 0,
        "last_comment_updated_at": None,
        "project": pid,
        "updated_by": updated_by,
        "comment_authors": empty,
    }
