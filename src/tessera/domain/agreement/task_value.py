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

from tessera.domain.agreement.answers import answers_of, control_families
from tessera.domain.agreement.report import DEFAULT_THRESHOLD, PERCENT, AgreementReport
from tessera.domain.config.model import LabelConfig


def task_agreement_value(
    config: LabelConfig, results: dict[int, Any], threshold: float = DEFAULT_THRESHOLD
) -> float | None:
    """`results`: each annotator's latest result (annotator id -> result list), as the report takes them."""
    if len(results) < 2:
        return None
    families = control_families(config)
    answered = {
        name
        for result in results.values()
        for name, answer in answers_of(config, families, result).items()
        if answer is not None and answer != []
    }
    if not answered:
        return None
    report = AgreementReport(config, controls=tuple(answered), metrics=(PERCENT,), threshold=threshold)
    if not report.add_task(0, results, keep=True):
        return None
    values = [v.get(PERCENT) for v in report.task_rows()[0]["controls"].values()]
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None
