"""Percent agreement, Cohen's kappa and Fleiss' kappa over nominal answers.

Answers are any hashable values. A multi-choice answer is compared as a whole set (`frozenset`): two
annotators agree only when they chose exactly the same options. That is the strict rule; partial-credit
distances such as MASI are not used, so a kappa here means "same answer", as it does for single choices.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable

from tessera.domain.agreement.scores import EPSILON, Score

ONE_CATEGORY = "every answer is the same category, so chance agreement is 1 and kappa is undefined"
NOTHING_SHARED = "no task has answers from both annotators"
NO_UNITS = "no task has answers from two or more annotators"


class PairTable:
    """Counts of (answer of the first annotator, answer of the second) over the tasks both answered.

    One table per pair of annotators is all Cohen's kappa, the pair's percent agreement, Scott's pi and the
    pair's Krippendorff's alpha need, so the report adds one cell per pair and task and derives the rest.
    """

    def __init__(self) -> None:
        self.cells: Counter[tuple[Hashable, Hashable]] = Counter()
        self.n = 0

    def add(self, first: Hashable, second: Hashable, times: int = 1) -> None:
        self.cells[(first, second)] += times
        self.n += times

    def percent(self) -> Score:
        if not self.n:
            return Score.undefined(NOTHING_SHARED)
        same = sum(count for (a, b), count in self.cells.items() if a == b)
        return Score(same / self.n, self.n)

    def cohen_kappa(self) -> Score:
        """Cohen (1960): (p_o - p_e) / (1 - p_e), p_e from each annotator's own marginal distribution."""
        if not self.n:
            return Score.undefined(NOTHING_SHARED)
        firsts: Counter[Hashable] = Counter()
        seconds: Counter[Hashable] = Counter()
        same = 0
        for (a, b), count in self.cells.items():
            firsts[a] += count
            seconds[b] += count
            same += count if a == b else 0
        observed = same / self.n
        expected = sum(count * seconds[value] for value, count in firsts.items()) / (self.n * self.n)
        if expected >= 1 - EPSILON:
            return Score.undefined(ONE_CATEGORY, self.n)
        return Score((observed - expected) / (1 - expected), self.n)

    def units(self) -> Iterable[tuple[Hashable, Hashable, int]]:
        """Each distinct (first, second) answer pair with how many tasks had it."""
        return ((a, b, count) for (a, b), count in self.cells.items())


def cohen_kappa(first: Iterable[Hashable], second: Iterable[Hashable]) -> Score:
    """Cohen's kappa of two annotators' answers, given in the same task order (both lists complete)."""
    table = PairTable()
    for a, b in zip(first, second, strict=True):
        table.add(a, b)
    return table.cohen_kappa()


class FleissCounts:
    """Fleiss' kappa (1971), accumulated one task at a time, with any number of raters per task.

    With n_i raters on task i, P_i = sum_j n_ij (n_ij - 1) / (n_i (n_i - 1)) is the share of agreeing rater
    pairs; P-bar is their mean over tasks with two raters or more; p_j is category j's share of all ratings
    on those tasks, and P_e = sum_j p_j^2. With the same number of raters everywhere this is Fleiss' formula
    exactly; with missing ratings it is the usual generalisation (each task weighs the same).
    """

    def __init__(self) -> None:
        self.units = 0
        self.sum_agreement = 0.0
        self.totals: Counter[Hashable] = Counter()
        self.ratings = 0

    def add_counts(self, counts: Counter[Hashable], times: int = 1) -> float | None:
        """Add one task's answer counts (`times` such tasks); return its P_i (None below two raters)."""
        raters = sum(counts.values())
        if raters < 2:
            return None
        agreement = task_agreement(counts)
        self.units += times
        self.sum_agreement += agreement * times
        for value, count in counts.items():
            self.totals[value] += count * times
        self.ratings += raters * times
        return agreement

    def add(self, answers: Iterable[Hashable]) -> float | None:
        return self.add_counts(Counter(answers))

    def chance(self) -> float | None:
        """P_e, or None before any task was added."""
        if not self.ratings:
            return None
        return sum((count / self.ratings) ** 2 for count in self.totals.values())

    def percent(self) -> Score:
        """P-bar: the mean over tasks of the share of agreeing rater pairs."""
        if not self.units:
            return Score.undefined(NO_UNITS)
        return Score(self.sum_agreement / self.units, self.units)

    def kappa(self) -> Score:
        chance = self.chance()
        if chance is None:
            return Score.undefined(NO_UNITS)
        if chance >= 1 - EPSILON:
            return Score.undefined(ONE_CATEGORY, self.units)
        return Score((self.sum_agreement / self.units - chance) / (1 - chance), self.units)

    def task_kappa(self, agreement: float) -> float | None:
        """A task's kappa: (P_i - P_e) / (1 - P_e). Their mean over tasks is the project's Fleiss' kappa."""
        chance = self.chance()
        if chance is None or chance >= 1 - EPSILON:
            return None
        return (agreement - chance) / (1 - chance)


def task_agreement(counts: Counter[Hashable]) -> float:
    """The share of a task's rater pairs that gave the same answer (needs two raters or more)."""
    raters = sum(counts.values())
    return sum(c * (c - 1) for c in counts.values()) / (raters * (raters - 1))


def fleiss_kappa(units: Iterable[Iterable[Hashable]]) -> Score:
    """Fleiss' kappa of tasks given as lists of their answers (one per rater who answered)."""
    counts = FleissCounts()
    for answers in units:
        counts.add(answers)
    return counts.kappa()
