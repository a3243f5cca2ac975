"""The preference report of a project: position bias and agreement on pairs, per comparison control.

Staff only (`agreement.view`: it shows every annotator's verdicts in aggregate). The arithmetic is in
`domain.position_bias` and `domain.pair_agreement`; this reads the annotations a batch at a time, so memory
holds one batch of tasks and the counts.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tessera.domain.config import cached_config
from tessera.domain.errors import InvalidInput
from tessera.domain.pair_agreement import PairAgreement
from tessera.domain.position_bias import PositionBias
from tessera.domain.preferences import Comparison, comparison_controls, extract
from tessera.services.access import get_project
from tessera.services.actors import Actor
from tessera.services.annotation_batches import iter_annotated_tasks
from tessera.services.exports import annotator_emails

NO_COMPARISON = (
    "the labeling config has no comparison control: a Pairwise, a Ranker, or a Choices whose options name the replies"
)


def preference_report(session: Session, actor: Actor, project_id: int) -> dict[str, Any]:
    project, _role = get_project(session, actor, project_id, "agreement.view")
    config = cached_config(project.label_config)
    controls = comparison_controls(config)
    if not controls:
        raise InvalidInput(NO_COMPARISON, field_errors={"label_config": [NO_COMPARISON]})
    bias = {c.name: PositionBias() for c in controls}
    agreement = {c.name: PairAgreement() for c in controls}
    counted = dict.fromkeys(bias, 0)
    for _task_id, data, anns in iter_annotated_tasks(session, project.id):
        for control in controls:
            mine: dict[int, Comparison] = {}
            for ann in anns:
                comparison = extract(config, control, data, ann.result)
                if comparison is None:
                    continue
                counted[control.name] += 1
                bias[control.name].add(comparison, ann.presentation, ann.completed_by)
                if ann.completed_by is not None:
                    mine[ann.completed_by] = comparison
            agreement[control.name].add_task(mine)
    people = annotator_emails(session)
    return {
        "project": project.id,
        "controls": [
            {
                "control": c.name,
                "kind": c.kind,
                "annotations": counted[c.name],
                "position_bias": bias[c.name].as_dict(people),
                "agreement": agreement[c.name].as_dict(),
            }
            for c in controls
        ],
    }
