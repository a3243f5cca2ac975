"""The red-teaming report of a project: attack success rates by category, model and annotator.

Staff only (`agreement.view`). The setup and its defaults are `domain.redteam`'s; annotations are read a
batch at a time (`annotation_batches`), so memory holds one batch and the counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from tessera.domain.config import cached_config
from tessera.domain.redteam import RedTeamCounts, detect_setup
from tessera.services.access import get_project
from tessera.services.actors import Actor
from tessera.services.annotation_batches import iter_annotated_tasks
from tessera.services.users import email_lookup


def redteam_report(
    session: Session,
    actor: Actor,
    project_id: int,
    *,
    success: str | None = None,
    success_values: Iterable[str] | None = None,
    category: str | None = None,
    model_field: str | None = None,
) -> dict[str, Any]:
    project, _role = get_project(session, actor, project_id, "agreement.view")
    config = cached_config(project.label_config)
    setup = detect_setup(
        config, success=success, success_values=success_values, category=category, model_field=model_field
    )
    counts = RedTeamCounts(setup)
    for _task_id, data, anns in iter_annotated_tasks(session, project.id):
        for ann in anns:
            counts.add(data, ann.result, ann.completed_by)
    people = email_lookup(session)
    by_category = (
        [{"category": k, **v.as_dict()} for k, v in sorted(counts.by_category.items())] if setup.category else None
    )
    return {
        "project": project.id,
        "success": {"control": setup.success, "values": sorted(setup.success_values)},
        "category": setup.category,
        "model_field": setup.model_field,
        "overall": {**counts.overall.as_dict(), "unjudged": counts.unjudged},
        "by_category": by_category,
        "by_model": [
            {"model": k, **v.as_dict()}
            for k, v in sorted(counts.by_model.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))
        ],
        "by_annotator": [
            {"annotator": k, "email": people(k), **v.as_dict()}
            for k, v in sorted(counts.by_annotator.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
        ],
    }
