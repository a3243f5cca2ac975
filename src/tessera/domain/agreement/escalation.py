"""When a task's annotators disagree enough to ask one more person (Label Studio Enterprise's
`agreement_threshold` and `max_additional_annotators_assignable`).

A task's agreement here is, per categorical or numeric control that at least two annotations answer, the
share of annotator pairs that gave the same answer (`task_agreement`); the task takes its lowest control. No
comparable control answered twice: no agreement, and no escalation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable
from typing import Any

from tessera.domain.agreement.answers import CATEGORICAL, NUMERIC, answers_of, control_families
from tessera.domain.agreement.nominal import task_agreement
from tessera.domain.config.model import LabelConfig


def lowest_agreement(config: LabelConfig, results: Iterable[Any]) -> float | None:
    families = {n: f for n, f in control_families(config).items() if f.family in (CATEGORICAL, NUMERIC)}
    counts: dict[str, Counter[Hashable]] = {name: Counter() for name in families}
    for result in results:
        for name, answer in answers_of(config, families, result).items():
            counts[name][answer] += 1
    scores = [task_agreement(c) for c in counts.values() if sum(c.values()) >= 2]
    return min(scores) if scores else None


def wants_another(config: LabelConfig, results: list[Any], threshold: float | None, extra: int, max_extra: int) -> bool:
    """Whether a task that has all the annotations it wanted should get one more."""
    if threshold is None or extra >= max_extra or len(results) < 2:
        return False
    agreement = lowest_agreement(config, results)
    return agreement is not None and agreement < threshold
