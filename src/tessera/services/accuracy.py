"""Accuracy against ground truth: every annotator's answers on the tasks that carry a ground-truth annotation,
compared with it, per control. Annotations are read in id order in batches; only the gold tasks' are read.

- Whole-task controls (Choices, Rating, Number, Taxonomy): `accuracy` is the share of compared tasks where the
  answer equals the gold one.
- Span and box controls (Labels, RectangleLabels…): the annotator's regions are matched one to one with the
  gold regions of the same labels at IoU >= 0.5, as the agreement report matches two annotators; `accuracy` is
  the F1 over all compared tasks (micro-averaged), with `precision` (matched / the annotator's regions),
  `recall` (matched / gold regions) and `mean_iou` of the matches; `correct` counts the tasks whose regions
  all matched."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tessera.db.tables import Annotation
from tessera.domain.agreement import DEFAULT_THRESHOLD, MatchCounts, control_families
from tessera.domain.agreement.answers import REGION_FAMILIES, answers_of
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
    regions: MatchCounts | None = None  # for span and box controls

    @property
    def accuracy(self) -> float | None:
        if self.regions is not None:
            return self.regions.f1().value if self.compared else None
        return self.correct / self.compared if self.compared else None

    def region_figures(self) -> dict[str, float | None]:
        """precision, recall and mean IoU of a span or box control; empty for whole-task controls."""
        if self.regions is None:
            return {}
        counts = self.regions
        return {
            "precision": counts.precision().value,
            "recall": counts.recall().value,
            "mean_iou": counts.mean_iou().value,
        }


def project_accuracy(session: Session, actor: Actor, project_id: int) -> tuple[int, list[Score]]:
    """(number of gold tasks, scores per annotator and control)."""
    project, _role = get_project(session, actor, project_id, "annotations.view_all")
    config = cached_config(project.label_config)
    controls = [c for c in config.controls.values() if c.result_type in WHOLE_TASK and not c.attrs.get("perRegion")]
    families = {n: f for n, f in control_families(config).items() if f.family in REGION_FAMILIES}
    gold: dict[int, dict[str, Any]] = {}
    for task_id, result in session.execute(
        select(Annotation.task_id, Annotation.result)
        .where(
            Annotation.project_id == project.id,
            Annotation.ground_truth.is_(True),
            Annotation.was_cancelled.is_(False),
        )
        .order_by(Annotation.id)
    ):
        # the latest gold wins
        gold[task_id] = {c.name: label_of(c, result or []) for c in controls}
        gold[task_id].update(answers_of(config, families, result or []))
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
            truth = gold[task_id]
            for control in controls:
                if truth[control.name] is None:
                    continue
                score = scores.setdefault((author, control.name), Score(author, control.name))
                score.compared += 1
                score.correct += label_of(control, result or []) == truth[control.name]
            for name, regions in answers_of(config, families, result or []).items():
                score = scores.setdefault((author, name), Score(author, name, regions=MatchCounts()))
                score.compared += 1
                assert score.regions is not None
                score.correct += score.regions.add(regions, truth[name], DEFAULT_THRESHOLD)[2]
    # A span or box control that neither the gold nor anyone used says nothing: left out.
    kept = [x for x in scores.values() if x.regions is None or x.regions.first + x.regions.second]
    ordered = sorted(kept, key=lambda s: (s.control, s.annotator is None, s.annotator or 0))
    return len(gold), ordered
