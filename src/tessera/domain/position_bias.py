"""Position bias in comparisons: does the reply shown first (left, top) win more often than chance?

Each annotation's verdict is looked at for the first two replies as the annotator saw them: the annotation's
`presentation` ({control: [object names or item ids in display order]}) when it lists the compared replies,
else "unknown order", counted apart under the assumption that the config's order was shown (the left
object, the List's data order). The first shown wins, the second shown wins, or they tie; under no bias
the first wins half of the decided ones, so the two-sided exact binomial test against 0.5 gives a p-value.
For a ranking this is the first two items shown; for a choice among more than two replies, a third reply
chosen leaves the first two tied.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tessera.domain.preferences import Comparison

FIRST, SECOND, TIE = "first", "second", "tie"
_RELATIVE = 1 + 1e-7  # outcomes this close in probability count as "as extreme" (as scipy's binomtest does)


def binomial_p_value(k: int, n: int, p: float = 0.5) -> float | None:
    """Two-sided exact binomial test of `k` successes in `n` trials: the total probability of every outcome
    no more likely than `k`. None for n = 0."""
    if n <= 0:
        return None
    if not 0 <= k <= n:
        raise ValueError("k must be between 0 and n")
    if p <= 0 or p >= 1:
        return 1.0 if (p <= 0 and k == 0) or (p >= 1 and k == n) else 0.0
    log_p, log_q = math.log(p), math.log1p(-p)

    def log_pmf(i: int) -> float:
        return math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p + (n - i) * log_q

    threshold = log_pmf(k) + math.log(_RELATIVE)
    total = math.fsum(math.exp(lp) for lp in map(log_pmf, range(n + 1)) if lp <= threshold)
    return min(1.0, total)


def shown_order(comparison: Comparison, presentation: Any, control: str) -> list[str] | None:
    """The replies in the order shown, from `presentation`, or None when it does not list them."""
    if not isinstance(presentation, dict):
        return None
    order = presentation.get(control)
    if not isinstance(order, list):
        return None
    order = [str(x) for x in order]
    placed = {key for tier in comparison.tiers for key in tier}
    shown = [key for key in order if key in comparison.replies]
    if len(shown) < 2 or not placed <= set(shown):
        return None
    return shown


def decision(comparison: Comparison, order: Sequence[str]) -> str | None:
    """FIRST, SECOND or TIE between the first two replies of `order`; None when one was not placed."""
    place = {key: i for i, tier in enumerate(comparison.tiers) for key in tier}
    if len(order) < 2:
        return None
    first, second = order[0], order[1]
    if first not in place or second not in place:
        return None
    if place[first] == place[second]:
        return TIE
    return FIRST if place[first] < place[second] else SECOND


@dataclass
class PositionCounts:
    first: int = 0
    second: int = 0
    ties: int = 0

    def add(self, outcome: str) -> None:
        if outcome == FIRST:
            self.first += 1
        elif outcome == SECOND:
            self.second += 1
        else:
            self.ties += 1

    def as_dict(self) -> dict[str, Any]:
        decided = self.first + self.second
        return {
            "first": self.first,
            "second": self.second,
            "ties": self.ties,
            "decided": decided,
            "first_rate": round(self.first / decided, 4) if decided else None,
            "p_value": binomial_p_value(self.first, decided),
        }


@dataclass
class PositionBias:
    """Counts of one control, overall and per annotator, for known and unknown display orders."""

    shown: PositionCounts = field(default_factory=PositionCounts)
    unknown: PositionCounts = field(default_factory=PositionCounts)
    by_annotator: dict[int | None, tuple[PositionCounts, PositionCounts]] = field(default_factory=dict)

    def add(self, comparison: Comparison, presentation: Any, annotator: int | None) -> None:
        order = shown_order(comparison, presentation, comparison.control)
        known = order is not None
        outcome = decision(comparison, order if order is not None else list(comparison.replies))
        if outcome is None:
            return
        mine = self.by_annotator.setdefault(annotator, (PositionCounts(), PositionCounts()))
        (self.shown if known else self.unknown).add(outcome)
        mine[0 if known else 1].add(outcome)

    def as_dict(self, people: Any = None) -> dict[str, Any]:
        people = people or (lambda _id: None)
        rows = [
            {"annotator": who, "email": people(who), "shown": known.as_dict(), "unknown_order": unknown.as_dict()}
            for who, (known, unknown) in sorted(self.by_annotator.items(), key=lambda kv: (kv[0] is None, kv[0]))
        ]
        return {"shown": self.shown.as_dict(), "unknown_order": self.unknown.as_dict(), "per_annotator": rows}
