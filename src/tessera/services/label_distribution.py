"""The label distribution of a project: its annotators' submitted results read as one stream, a partition at a
time (a server-side cursor on PostgreSQL), counted by `domain.label_counts`. Memory holds one partition and
the counts, whatever the project's size."""

from __future__ import annotations

from typing import Any

from sqlalchemy import false, select
from sqlalchemy.orm import Session

from tessera.db.tables import Annotation
from tessera.domain.config.model import LabelConfig
from tessera.domain.label_counts import LabelCounts, counted_controls

PARTITION = 2000
_A = Annotation.__table__.c


def label_distribution(session: Session, project_id: int, config: LabelConfig) -> list[dict[str, Any]]:
    counts = LabelCounts(config)
    if not counted_controls(config):
        return []
    rows = (
        session.connection()
        .execution_options(stream_results=True, yield_per=PARTITION)
        .execute(
            select(_A.result).where(
                _A.project_id == project_id, _A.parent_annotation_id.is_(None), _A.was_cancelled == false()
            )
        )
    )
    for partition in rows.partitions():
        for (result,) in partition:
            counts.add(result)
    return counts.as_list()
