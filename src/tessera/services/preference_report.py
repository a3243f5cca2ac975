"""The preference report of a project: position bias and agreement on pairs, per comparison control.

Staff only (`agreement.view`: it shows every annotator's verdicts in aggregate). The arithmetic is in
`domain.position_bias` and `domain.pair_agreement`; this reads the annotations a batch at a time, so memory
holds one batch of tasks and the counts. `ratings` summarises the Rating and Number controls on the compared
replies per criterion (`domain.reply_ratings`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tessera.domain.config import cached_config
from tessera.domain.errors import InvalidInput
from tessera.domain.pair_agreement import PairAgreement
from tessera.domain.position_bias import PositionBias
from tessera.domain.preferences import Comparison, comparison_controls, extract
from tessera.domain.reply_ratings import RatingSummary, rating_controls, ratings_of
from tessera.services.access import get_project
from tessera.services.actors import Actor
from tessera.services.annotation_batches import iter_annotated_tasks
from tessera.services.users import email_lookup

NO_COMPARISON = (
    "the labeling config has no comparison control: a Pairwise, a Ranker, or a Choices whose options name the replies"
)


def preference_report(session: Session, actor: Actor, project_id: int) -> dict[str, Any]:
    project, _role = get_project(session, actor, project_id, "agreement.view")
    config = cached_config(project.label_config)
    controls = comparison_controls(config)
    raters = rating_controls(config, {name for c in controls for name in c.objects})
    if not controls:
        raise InvalidInput(NO_COMPARISON, field_errors={"label_config": [NO_COMPARISON]})
    bias = {c.name: PositionBias() for c in controls}
    agreement = {c.name: PairAgreement() for c in controls}
    counted = dict.fromkeys(bias, 0)
    ratings = RatingSummary()
    for _task_id, data, anns in iter_annotated_tasks(session, project.id):
        mine: dict[str, dict[int, Comparison]] = {c.name: {} for c in controls}
        for ann in anns:
            found = [(c, extract(config, c, data, ann.result)) for c in controls]
            made = [comparison for _c, comparison in found if comparison is not None]
            for control, comparison in found:
                if comparison is None:
                    continue
                counted[control.name] += 1
                bias[control.name].add(comparison, ann.presentation, ann.completed_by)
                if ann.completed_by is not None:
                    mine[control.name][ann.completed_by] = comparison
            if raters:
                ratings.add(ratings_of(config, raters, data, ann.result), made)
        for control in controls:
            agreement[control.name].add_task(mine[control.name])
    people = email_lookup(session)
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
        "ratings": ratings.as_list(),
    }
