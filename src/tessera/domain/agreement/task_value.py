"""One number for how much a task's annotators agree, for the data manager's Agreement column, its sort and
filters, and the review queue's agreement filter (Label Studio Enterprise shows such a column).

It is the mean, over the config's compared controls that at least one of the task's annotations answers
(a Labels control nobody used does not make every task agree), of the task's
percent agreement in the agreement report (`report.py`): for whole-task answers the share of annotator pairs
that agree; for spans and boxes the share of matched regions over the pairs (at the report's IoU threshold);
for rankings the share of identical orders. None below two annotators or when no control is compared.
"""

from __future__ import annotations

from typing import Any

from tessera.domain.agreement.answers import AnswerReader, control_families
from tessera.domain.agreement.report import DEFAULT_THRESHOLD, KINDS, PERCENT
from tessera.domain.config.model import LabelConfig


class TaskAgreement:
    """Task values for one config: what its controls are is worked out once, for any number of tasks."""

    def __init__(self, config: LabelConfig, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.threshold = threshold
        self.families = {name: f for name, f in control_families(config).items() if f.family is not None}
        self.reader = AnswerReader(config, self.families)

    def value(self, results: dict[int, Any]) -> float | None:
        """`results`: each annotator's latest result (annotator id -> result list), as the report takes them."""
        if len(results) < 2:
            return None
        by_control: dict[str, dict[int, Any]] = {name: {} for name in self.families}
        for annotator, result in results.items():
            self.reader.read_into(result, annotator, by_control)
        defined = []
        for name, answers in by_control.items():
            if not any(answer is not None and answer != [] for answer in answers.values()):
                continue
            family = self.families[name]
            control = KINDS[family.family](family, (PERCENT,), self.threshold)  # type: ignore[index]
            control.add_task(0, answers, True)
            value = control.task_values().get(0, {}).get(PERCENT)
            if value is not None:
                defined.append(value)
        return sum(defined) / len(defined) if defined else None


def task_agreement_value(
    config: LabelConfig, results: dict[int, Any], threshold: float = DEFAULT_THRESHOLD
) -> float | None:
    return TaskAgreement(config, threshold).value(results)
