"""What every agreement metric answers: a value, or None with the reason it is undefined.

A metric that cannot be computed (one rater, no variation, nothing shared) must say so in words rather than
hand back NaN, which JSON cannot carry and which silently poisons any mean it enters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Below this, a denominator counts as zero: chance agreement of 1 - 1e-15 is "everyone used one category".
EPSILON = 1e-12


@dataclass(frozen=True)
class Score:
    """A metric's value over `n` units (tasks, items or regions, as the metric says), or why there is none."""

    value: float | None
    n: int = 0
    reason: str | None = None

    @classmethod
    def undefined(cls, reason: str, n: int = 0) -> Score:
        return cls(None, n, reason)

    def as_dict(self) -> dict[str, object]:
        return {"value": self.value, "n": self.n, "reason": self.reason}


def mean_score(scores: Iterable[Score], empty_reason: str) -> Score:
    """The plain mean of the defined scores; `n` counts the scores averaged (pairs, for an annotator)."""
    values = [s.value for s in scores if s.value is not None]
    if not values:
        return Score.undefined(empty_reason)
    return Score(sum(values) / len(values), len(values))
