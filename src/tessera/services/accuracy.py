"""Accuracy against ground truth: every annotator's answers on the tasks that carry a ground-truth annotation,
compared with it, per whole-task control (Choices, Rating, Number, Taxonomy). Annotations are read in id order
in batches; only the gold tasks' annotations are read."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tessera.db.tables import Annotation
from tessera.domain.config import cached_config
from tessera.services.access import get_project
from tessera.services.actors import Actor
from tessera.services.consensus import WHOLE_TASK, label_of

BATCH = 5000


@dataclass
class Score:
    annotator: int | None
    control: str
    compared: int = 0
    correct: int = 0

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.compared if self.compared else None


def project_accuracy(session: Session, actor: Actor, project_id: int) -> tuple[int, list[Score]]:
    """(number of gold tasks, scores per annotator and control)."""
    project, _role = get_project(session, actor, project_id, "annotations.view_all")
    config = cached_config(project.label_config)
    controls = [c for c in config.controls.values() if c.result_type in WHOLE_TASK and not c.attrs.get("perRegion")]
    gold: dict[int, dict[str, Hashable | None]] = {}
    for task_id, result in session.execute(
        select(Annotation.task_id, Annotation.result)
        .where(
            Annotation.project_id == project.id,
            Annotation.ground_truth.is_(True),
            Annotation.was_cancelled.is_(False),
        )
        .order_by(Annotation.id)
    ):
        gold[task_id] = {c.name: label_of(c, result or []) for c in controls}  # the latest gold wins
    scores: dict[tuple[Any, str], Score] = {}
    task_ids = sorted(gold)
    for start in range(0, len(task_ids), BATCH):
        chunk = task_ids[start : start + BATCH]
        rows = session.execute(
            select(Annotation.task_id, Annotation.completed_by, Annotation.result)
            .where(
                Annotation.task_id.in_(chunk),
                Annotation.ground_truth.is_(False),
                Annotation.was_cancelled.is_(False),
            )
            .order_by(Annotation.id)
        )
        for task_id, author, result in rows:
            for control in controls:
                truth = gold[task_id][control.name]
                if truth is None:
                    continue
                score = scores.setdefault((author, control.name), Score(author, control.name))
                score.compared += 1
                score.correct += label_of(control, result or []) == truth
    ordered = sorted(scores.values(), key=lambda s: (s.control, s.annotator is None, s.annotator or 0))
    return len(gold), ordered
