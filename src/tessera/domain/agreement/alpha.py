"""Krippendorff's alpha with the nominal, ordinal and interval difference functions, missing data allowed.

Built on the coincidence matrix (Krippendorff, "Computing Krippendorff's Alpha-Reliability", 2011): a task
with m_u pairable answers adds 1 / (m_u - 1) for every ordered pair of its answers; tasks with one answer
add nothing. Then alpha = 1 - (n - 1) * sum o_ck d_ck / sum n_c n_k d_ck, with n_c the row totals.
Only the matrix is kept, so a project of any size costs memory in the number of distinct answers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from numbers import Real

from tessera.domain.agreement.scores import EPSILON, Score

LEVELS = ("nominal", "ordinal", "interval")
NO_PAIRS = "no task has answers from two or more annotators"
NO_VARIATION = "every answer is the same value, so expected disagreement is 0 and alpha is undefined"
NOT_NUMBERS = "the answers are not numbers"
# The ordinal difference looks at every pair of distinct values; past this many it is too slow to offer.
MAX_ORDINAL_VALUES = 2000


class Coincidences:
    """The coincidence matrix of one control (or one pair of annotators), filled one task at a time."""

    def __init__(self) -> None:
        self.matrix: defaultdict[tuple[Hashable, Hashable], float] = defaultdict(float)
        self.units = 0

    def add_counts(self, counts: Counter[Hashable], times: int = 1) -> None:
        """Add one task's answer counts (`times` such tasks)."""
        pairable = sum(counts.values())
        if pairable < 2:
            return
        self.units += times
        weight = times / (pairable - 1)
        for c, nc in counts.items():
            for k, nk in counts.items():
                pairs = nc * (nc - 1) if c == k else nc * nk
                if pairs:
                    self.matrix[(c, k)] += pairs * weight

    def add(self, answers: Iterable[Hashable]) -> None:
        self.add_counts(Counter(answers))

    def add_pair(self, first: Hashable, second: Hashable, times: int = 1) -> None:
        """A task answered by exactly two annotators, `times` over (a pair table's cell)."""
        self.units += times
        self.matrix[(first, second)] += times
        self.matrix[(second, first)] += times

    def totals(self) -> dict[Hashable, float]:
        totals: defaultdict[Hashable, float] = defaultdict(float)
        for (c, _k), weight in self.matrix.items():
            totals[c] += weight
        return totals

    def alpha(self, level: str) -> Score:
        return DisagreementModel.of(self, level).alpha()


class DisagreementModel:
    """Squared differences of one level over one matrix's values, and the expected disagreement they give.

    Kept apart from the matrix so a task's own alpha (1 - its observed disagreement / the project's expected
    one) can be computed with the project's model.
    """

    def __init__(
        self, level: str, totals: dict[Hashable, float], reason: str | None = None, matrix: Coincidences | None = None
    ) -> None:
        self.level = level
        self.matrix = matrix
        self.totals = totals
        self.n = sum(totals.values())
        self.reason = reason
        self.ranks: dict[Hashable, float] = {}
        if reason is None and level == "ordinal":
            running = 0.0
            for value in sorted(totals):  # type: ignore[type-var]
                # The ordinal difference of c < k is (n_c/2 + n_between + n_k/2)^2: the mid-rank distance.
                self.ranks[value] = running + totals[value] / 2
                running += totals[value]
        self.expected = self._expected() if reason is None else 0.0

    @classmethod
    def of(cls, matrix: Coincidences, level: str) -> DisagreementModel:
        if level not in LEVELS:
            raise ValueError(f"unknown level of measurement {level!r}")
        totals = matrix.totals()
        reason = None
        if level != "nominal" and not all(isinstance(v, Real) and not isinstance(v, bool) for v in totals):
            reason = NOT_NUMBERS
        elif level == "ordinal" and len(totals) > MAX_ORDINAL_VALUES:
            reason = f"more than {MAX_ORDINAL_VALUES} distinct values: use the interval metric"
        return cls(level, totals, reason, matrix)

    def difference(self, c: Hashable, k: Hashable) -> float:
        if c == k:
            return 0.0
        if self.level == "nominal":
            return 1.0
        if self.level == "ordinal":
            return (self.ranks[c] - self.ranks[k]) ** 2
        return (c - k) ** 2  # type: ignore[operator]

    def _expected(self) -> float:
        """sum_c sum_k n_c n_k d_ck / (n (n - 1))."""
        n = self.n
        if n < 2:
            return 0.0
        if self.level == "nominal":
            total = n * n - sum(t * t for t in self.totals.values())
        elif self.level == "interval":  # sum n_c n_k (c - k)^2 = 2 (n sum n_c c^2 - (sum n_c c)^2)
            first = sum(t * v for v, t in self.totals.items())  # type: ignore[operator]
            second = sum(t * v * v for v, t in self.totals.items())  # type: ignore[operator]
            total = 2 * (n * second - first * first)
        else:
            items = list(self.totals.items())
            total = sum(tc * tk * self.difference(c, k) for c, tc in items for k, tk in items)
        return total / (n * (n - 1))

    def observed(self, matrix: Coincidences) -> float:
        return sum(weight * self.difference(c, k) for (c, k), weight in matrix.matrix.items())

    def alpha(self) -> Score:
        matrix = self.matrix
        assert matrix is not None
        if self.reason is not None:
            return Score.undefined(self.reason, matrix.units)
        if self.n < 2 or not matrix.units:
            return Score.undefined(NO_PAIRS)
        if self.expected <= EPSILON:
            return Score.undefined(NO_VARIATION, matrix.units)
        return Score(1 - (self.observed(matrix) / self.n) / self.expected, matrix.units)

    def task_alpha(self, counts: Counter[Hashable]) -> float | None:
        """One task's alpha against the project's expected disagreement; their mean weighted by the number
        of answers is the project's alpha."""
        if self.reason is not None or self.expected <= EPSILON or sum(counts.values()) < 2:
            return None
        if any(value not in self.totals for value in counts):
            return None
        unit = Coincidences()
        unit.add_counts(counts)
        return 1 - (self.observed(unit) / sum(counts.values())) / self.expected


def krippendorff_alpha(units: Iterable[Sequence[Hashable]], level: str = "nominal") -> Score:
    """Alpha over tasks given as the lists of their answers (missing answers simply left out)."""
    matrix = Coincidences()
    for answers in units:
        matrix.add(answers)
    return matrix.alpha(level)
