"""The agreement report of a project: per control and metric, the project's value, each pair of annotators',
each annotator's, and (for the tasks a caller keeps) each task's.

Fed one task at a time with each annotator's latest result, it keeps only sums, counts and small tables, so
a report over any number of tasks costs memory in annotators and distinct answers, not in tasks.

How the levels relate, per metric:
- pair: the metric over the tasks both annotators answered (Cohen's kappa is only defined here).
- annotator: the plain mean of the annotator's defined pair values ("mean against the others").
- project: percent agreement is the mean over tasks of the share of agreeing annotator pairs; Cohen's kappa
  the mean of the pair kappas (Light's kappa); Fleiss' kappa and Krippendorff's alpha are computed over all
  tasks and raters at once; region F1 and mean IoU sum matches over every pair and task (micro-average), so
  project precision and recall both equal F1; Kendall's tau is the mean over tasks of the pair taus.
- task: percent agreement; Fleiss' (P_i - P_e) / (1 - P_e) and alpha 1 - D_o(task) / D_e with the project's
  chance terms; region F1, mean IoU and percent over the task's pairs; mean Kendall's tau of its pairs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from tessera.domain.agreement.alpha import Coincidences, DisagreementModel
from tessera.domain.agreement.answers import (
    BOXES,
    CATEGORICAL,
    NUMERIC,
    RANKING,
    SPANS,
    TEXT,
    AnswerReader,
    ControlFamily,
    control_families,
    display,
)
from tessera.domain.agreement.nominal import FleissCounts, PairTable, task_agreement
from tessera.domain.agreement.ranking import kendall_tau
from tessera.domain.agreement.regions import MatchCounts
from tessera.domain.agreement.scores import Score, mean_score
from tessera.domain.config.model import LabelConfig

PERCENT, COHEN, FLEISS = "percent_agreement", "cohen_kappa", "fleiss_kappa"
ALPHA_NOMINAL, ALPHA_ORDINAL, ALPHA_INTERVAL = (f"krippendorff_alpha_{lv}" for lv in ("nominal", "ordinal", "interval"))
F1, PRECISION, RECALL, MEAN_IOU, TAU = "f1", "precision", "recall", "mean_iou", "kendall_tau"
NOMINAL_METRICS = (PERCENT, COHEN, FLEISS, ALPHA_NOMINAL)
METRICS_BY_FAMILY: dict[str, tuple[str, ...]] = {
    CATEGORICAL: NOMINAL_METRICS,
    NUMERIC: (*NOMINAL_METRICS, ALPHA_ORDINAL, ALPHA_INTERVAL),
    TEXT: (PERCENT,),
    SPANS: (PERCENT, F1, PRECISION, RECALL, MEAN_IOU),
    BOXES: (PERCENT, F1, PRECISION, RECALL, MEAN_IOU),
    RANKING: (PERCENT, TAU),
}
ALL_METRICS = tuple(dict.fromkeys(m for metrics in METRICS_BY_FAMILY.values() for m in metrics))
LEVEL_OF = {ALPHA_NOMINAL: "nominal", ALPHA_ORDINAL: "ordinal", ALPHA_INTERVAL: "interval"}
NO_PAIRS_FOR_ANNOTATOR = "no pair of this annotator has a value"
DEFAULT_THRESHOLD = 0.5

Pair = tuple[int, int]


@dataclass
class MetricReport:
    project: Score
    pairs: dict[Pair, Score]
    annotators: dict[int, Score] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.project.as_dict(),
            "per_annotator": [{"annotator": a, **s.as_dict()} for a, s in sorted(self.annotators.items())],
            "per_pair": [{"annotators": list(p), **s.as_dict()} for p, s in sorted(self.pairs.items())],
        }


def by_annotator(pairs: dict[Pair, Score], oriented: dict[Pair, Score] | None = None) -> dict[int, Score]:
    """Each annotator's mean over its pairs; `oriented` holds (second, first) scores for asymmetric metrics."""
    mine: dict[int, list[Score]] = {}
    for (a, b), score in pairs.items():
        mine.setdefault(a, []).append(score)
        mine.setdefault(b, []).append(oriented[(b, a)] if oriented is not None else score)
    return {a: mean_score(scores, NO_PAIRS_FOR_ANNOTATOR) for a, scores in mine.items()}


class ControlAgreement:
    """Base of the per-family accumulators: one per compared control."""

    def __init__(self, family: ControlFamily, metrics: tuple[str, ...], threshold: float) -> None:
        self.family = family
        self.metrics = metrics
        self.threshold = threshold
        self.tasks = 0
        self.annotators: set[int] = set()
        self.kept: list[tuple[int, Any]] = []

    def add_task(self, task_id: int, answers: dict[int, Any], keep: bool) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Add what `add_task` held back; called before any figure is read."""

    def reports(self) -> dict[str, MetricReport]:
        raise NotImplementedError

    def task_values(self) -> dict[int, dict[str, float | None]]:
        raise NotImplementedError

    def as_dict(self) -> dict[str, Any]:
        self.finish()
        return {
            "type": self.family.type,
            "family": self.family.family,
            "tasks": self.tasks,
            "annotators": len(self.annotators),
            "metrics": {name: report.as_dict() for name, report in self.reports().items()},
        }


class NominalAgreement(ControlAgreement):
    """Categorical, numeric and text controls: one answer per annotator and task."""

    def __init__(self, family: ControlFamily, metrics: tuple[str, ...], threshold: float) -> None:
        super().__init__(family, metrics, threshold)
        self.pairs: dict[Pair, PairTable] = {}
        self.fleiss = FleissCounts()
        self.matrix = Coincidences()
        self.wants_matrix = any(m in LEVEL_OF for m in metrics)
        self.patterns: dict[tuple[tuple[int, Any], ...], int] = {}
        self._models: dict[str, DisagreementModel] = {}

    def add_task(self, task_id: int, answers: dict[int, Any], keep: bool) -> None:
        if len(answers) < 2:
            return
        self.tasks += 1
        # Tasks with the same answers from the same annotators add the same to every table, so they are
        # counted here and added once each (`finish`): a project has far fewer such patterns than tasks.
        # Annotator ids differ, so sorting the pairs never compares the answers themselves.
        pattern = tuple(sorted(answers.items()))
        self.patterns[pattern] = self.patterns.get(pattern, 0) + 1
        if keep:  # with the answers themselves, so a reviewer sees what the annotators disagreed on
            counts = Counter(answers.values())
            shown = {a: display(v) for a, v in answers.items()}
            self.kept.append((task_id, (counts, task_agreement(counts), shown)))

    def finish(self) -> None:
        for pattern, times in self.patterns.items():
            counts = Counter(answer for _, answer in pattern)
            self.fleiss.add_counts(counts, times)
            if self.wants_matrix:
                self.matrix.add_counts(counts, times)
            for (a, first), (b, second) in combinations(pattern, 2):
                table = self.pairs.get((a, b))
                if table is None:
                    table = self.pairs[(a, b)] = PairTable()
                table.add(first, second, times)
            self.annotators.update(a for a, _ in pattern)
        self.patterns.clear()

    def model(self, metric: str) -> DisagreementModel:
        if metric not in self._models:
            self._models[metric] = DisagreementModel.of(self.matrix, LEVEL_OF[metric])
        return self._models[metric]

    def _pair_score(self, metric: str, table: PairTable) -> Score:
        if metric == PERCENT:
            return table.percent()
        if metric == COHEN:
            return table.cohen_kappa()
        if metric == FLEISS:
            counts = FleissCounts()
            for a, b, times in table.units():
                counts.add_counts(Counter((a, b)), times)
            return counts.kappa()
        matrix = Coincidences()
        for a, b, times in table.units():
            matrix.add_pair(a, b, times)
        return matrix.alpha(LEVEL_OF[metric])

    def reports(self) -> dict[str, MetricReport]:
        self.finish()
        out = {}
        for metric in self.metrics:
            pairs = {pair: self._pair_score(metric, table) for pair, table in self.pairs.items()}
            if metric == PERCENT:
                project = self.fleiss.percent()
            elif metric == COHEN:
                project = mean_score(pairs.values(), "no pair of annotators has a defined kappa")
            elif metric == FLEISS:
                project = self.fleiss.kappa()
            else:
                project = self.model(metric).alpha()
            out[metric] = MetricReport(project, pairs, by_annotator(pairs))
        return out

    def task_values(self) -> dict[int, dict[str, Any]]:
        self.finish()
        rows: dict[int, dict[str, Any]] = {}
        for task_id, (counts, agreement, shown) in self.kept:
            row: dict[str, Any] = {"answers": shown}
            for metric in self.metrics:
                if metric == PERCENT:
                    row[metric] = agreement
                elif metric == FLEISS:
                    row[metric] = self.fleiss.task_kappa(agreement)
                elif metric in LEVEL_OF:
                    row[metric] = self.model(metric).task_alpha(counts)
            rows[task_id] = row
        return rows


class RegionAgreement(ControlAgreement):
    """Spans and boxes: regions matched pair by pair."""

    def __init__(self, family: ControlFamily, metrics: tuple[str, ...], threshold: float) -> None:
        super().__init__(family, metrics, threshold)
        self.pairs: dict[Pair, MatchCounts] = {}
        self.total = MatchCounts()  # every pair of every task; its `tasks` counts (task, pair) comparisons
        self.percent_sum = 0.0  # per task, the share of its pairs whose regions all matched

    def add_task(self, task_id: int, answers: dict[int, Any], keep: bool) -> None:
        if len(answers) < 2:
            return
        self.tasks += 1
        self.annotators.update(answers)
        # The task's sums over its pairs, in locals: this runs once per task of the project.
        matched_sum = first_sum = second_sum = identical_sum = compared = 0
        iou_total = 0.0
        for a, b in combinations(sorted(answers), 2):
            counts = self.pairs.get((a, b))
            if counts is None:
                counts = self.pairs[(a, b)] = MatchCounts()
            matched, iou_sum, identical = counts.add(answers[a], answers[b], self.threshold)
            matched_sum += matched
            first_sum += len(answers[a])
            second_sum += len(answers[b])
            iou_total += iou_sum
            identical_sum += identical
            compared += 1
        task = MatchCounts(matched_sum, first_sum, second_sum, iou_total, compared, identical_sum)
        self.total.merge(task)
        self.percent_sum += task.identical / task.tasks
        if keep:
            self.kept.append((task_id, task))

    @staticmethod
    def _score(metric: str, counts: MatchCounts) -> Score:
        return {
            PERCENT: counts.percent,
            F1: counts.f1,
            PRECISION: counts.precision,
            RECALL: counts.recall,
            MEAN_IOU: counts.mean_iou,
        }[metric]()

    def reports(self) -> dict[str, MetricReport]:
        out = {}
        both_ways = MatchCounts()
        both_ways.merge(self.total)
        both_ways.merge(self.total.reversed())
        both_ways.tasks = self.total.tasks
        for metric in self.metrics:
            pairs = {pair: self._score(metric, c) for pair, c in self.pairs.items()}
            oriented = {(b, a): self._score(metric, c.reversed()) for (a, b), c in self.pairs.items()}
            if metric == PERCENT:
                project = Score(self.percent_sum / self.tasks, self.tasks) if self.tasks else self.total.percent()
            else:
                project = self._score(metric, both_ways if metric in (PRECISION, RECALL) else self.total)
                if metric != MEAN_IOU:  # the sums run over (task, pair) comparisons; n counts tasks
                    project = Score(project.value, self.tasks, project.reason)
            out[metric] = MetricReport(project, pairs, by_annotator(pairs, oriented))
        return out

    def task_values(self) -> dict[int, dict[str, float | None]]:
        rows: dict[int, dict[str, float | None]] = {}
        for task_id, counts in self.kept:
            both_ways = MatchCounts()
            both_ways.merge(counts)
            both_ways.merge(counts.reversed())
            rows[task_id] = {
                m: self._score(m, both_ways if m in (PRECISION, RECALL) else counts).value for m in self.metrics
            }
        return rows


class RankingAgreement(ControlAgreement):
    """Rankings: Kendall's tau and identical orders, pair by pair."""

    def __init__(self, family: ControlFamily, metrics: tuple[str, ...], threshold: float) -> None:
        super().__init__(family, metrics, threshold)
        self.pairs: dict[Pair, list[float]] = {}  # tau sum, tau count, identical, tasks
        self.sums = [0.0, 0, 0.0, 0]  # tau-of-task sum, tasks with a tau, percent sum, tasks

    def add_task(self, task_id: int, answers: dict[int, Any], keep: bool) -> None:
        if len(answers) < 2:
            return
        self.tasks += 1
        self.annotators.update(answers)
        taus, same, compared = [], 0, 0
        for a, b in combinations(sorted(answers), 2):
            sums = self.pairs.setdefault((a, b), [0.0, 0, 0, 0])
            tau = kendall_tau(dict(answers[a]), dict(answers[b])).value
            identical = int(answers[a] == answers[b])
            if tau is not None:
                sums[0] += tau
                sums[1] += 1
                taus.append(tau)
            sums[2] += identical
            sums[3] += 1
            same += identical
            compared += 1
        task_tau = sum(taus) / len(taus) if taus else None
        if task_tau is not None:
            self.sums[0] += task_tau
            self.sums[1] += 1
        self.sums[2] += same / compared
        self.sums[3] += 1
        if keep:
            self.kept.append((task_id, (task_tau, same / compared)))

    @staticmethod
    def _score(metric: str, sums: list[float]) -> Score:
        if metric == TAU:
            if not sums[1]:
                return Score.undefined("no shared task has two items ranked by both", int(sums[3]))
            return Score(sums[0] / sums[1], int(sums[1]))
        if not sums[3]:
            return Score.undefined("no task was ranked by both")
        return Score(sums[2] / sums[3], int(sums[3]))

    def reports(self) -> dict[str, MetricReport]:
        out = {}
        for metric in self.metrics:
            pairs = {pair: self._score(metric, sums) for pair, sums in self.pairs.items()}
            out[metric] = MetricReport(self._score(metric, self.sums), pairs, by_annotator(pairs))
        return out

    def task_values(self) -> dict[int, dict[str, float | None]]:
        return {task_id: {TAU: tau, PERCENT: percent} for task_id, (tau, percent) in self.kept}


KINDS: dict[str, type[ControlAgreement]] = {
    CATEGORICAL: NominalAgreement,
    NUMERIC: NominalAgreement,
    TEXT: NominalAgreement,
    SPANS: RegionAgreement,
    BOXES: RegionAgreement,
    RANKING: RankingAgreement,
}


class AgreementReport:
    """The whole report: add tasks with `add_task`, then read `as_dict` (JSON-ready)."""

    def __init__(
        self,
        config: LabelConfig,
        *,
        controls: Iterable[str] | None = None,
        metrics: Iterable[str] | None = None,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        self.config = config
        self.families = control_families(config)
        self.reader = AnswerReader(config, self.families)
        wanted_controls = set(controls) if controls is not None else None
        wanted_metrics = set(metrics) if metrics is not None else None
        self.controls: dict[str, ControlAgreement] = {}
        self.skipped: dict[str, str] = {}
        for name, family in self.families.items():
            if wanted_controls is not None and name not in wanted_controls:
                continue
            if family.family is None:
                self.skipped[name] = family.reason or "not compared"
                continue
            chosen = tuple(m for m in METRICS_BY_FAMILY[family.family] if wanted_metrics is None or m in wanted_metrics)
            if chosen:
                self.controls[name] = KINDS[family.family](family, chosen, threshold)
        self.threshold = threshold
        self.tasks = 0
        self.kept: list[tuple[int, list[int]]] = []

    def add_task(self, task_id: int, results: dict[int, Any], keep: bool = False) -> bool:
        """Add a task's results, one per annotator (annotator id -> result list). Returns whether the task
        had two annotators or more, the tasks that per-task output pages over."""
        if len(results) < 2:
            return False
        self.tasks += 1
        by_control: dict[str, dict[int, Any]] = {name: {} for name in self.controls}
        read_into = self.reader.read_into
        for annotator, result in results.items():
            read_into(result, annotator, by_control)
        for name, control in self.controls.items():
            control.add_task(task_id, by_control[name], keep)
        if keep:
            self.kept.append((task_id, sorted(results)))
        return True

    def as_dict(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "tasks": self.tasks,
            "controls": {name: control.as_dict() for name, control in self.controls.items()},
            "not_compared": self.skipped,
        }

    def task_rows(self) -> list[dict[str, Any]]:
        """The kept tasks, in the order added, with each control's values (None where undefined)."""
        values = {name: control.task_values() for name, control in self.controls.items()}
        return [
            {
                "task": task_id,
                "annotators": annotators,
                "controls": {name: values[name][task_id] for name in self.controls if task_id in values[name]},
            }
            for task_id, annotators in self.kept
        ]
