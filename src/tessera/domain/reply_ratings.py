"""Ratings of compared replies on named criteria, for the preference report.

A rating control is a Rating or Number that rates one reply: either one control per reply and criterion
(`<Rating name="helpfulness_a" toName="a"/>`: the criterion is the control's name without the reply's name,
"helpfulness"), or one `perItem` control on a List (`toName="answers"`, results with an `item_index`; the
criterion is the control's name). Per criterion the report gives each reply's count and mean, and, where an
annotation rated both replies of a pairwise verdict differently, how often the reply rated higher was the one
picked (`consistent_with_choice`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from tessera.domain.config.model import LabelConfig
from tessera.domain.config.values import is_number
from tessera.domain.preferences import Comparison, list_items


@dataclass(frozen=True)
class RatingControl:
    name: str
    criterion: str
    object: str
    per_item: bool


def _criterion(control: str, obj: str) -> str:
    stripped = re.sub(re.escape(obj), "", control, flags=re.I).strip("_-. ")
    return stripped or control


def rating_controls(config: LabelConfig, objects: set[str]) -> list[RatingControl]:
    """The Rating and Number controls on one of `objects` (the compared objects, a List for perItem)."""
    found = []
    for control in config.controls.values():
        if control.tag.lower() not in ("rating", "number") or len(control.to_names) != 1:
            continue
        obj = control.to_names[0]
        if obj not in objects:
            continue
        per_item = config.objects[obj].tag.lower() == "list"
        found.append(RatingControl(control.name, control.name if per_item else _criterion(control.name, obj), obj,
                                   per_item))  # fmt: skip
    return found


def ratings_of(
    config: LabelConfig, controls: list[RatingControl], data: dict[str, Any], result: Any
) -> dict[tuple[str, str], float]:
    """{(criterion, reply key): value} of one annotation."""
    by_name = {c.name: c for c in controls}
    found: dict[tuple[str, str], float] = {}
    for item in result if isinstance(result, list) else []:
        control = by_name.get(item.get("from_name")) if isinstance(item, dict) else None
        if control is None:
            continue
        value = (item.get("value") or {}).get("rating", (item.get("value") or {}).get("number"))
        if not is_number(value):
            continue
        key = control.object
        if control.per_item:
            ids = list(list_items(config, control.object, data))
            index = item.get("item_index")
            if not isinstance(index, int) or not 0 <= index < len(ids):
                continue
            key = ids[index]
        found[(control.criterion, key)] = float(value)
    return found


@dataclass
class RatingSummary:
    sums: dict[str, dict[str, list[float]]] = field(default_factory=lambda: defaultdict(dict))
    consistent: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def add(self, ratings: dict[tuple[str, str], float], comparisons: list[Comparison]) -> None:
        for (criterion, key), value in ratings.items():
            total = self.sums[criterion].setdefault(key, [0, 0.0])
            total[0] += 1
            total[1] += value
        criteria = {criterion for criterion, _key in ratings}
        for comparison in comparisons:
            if comparison.kind != "pairwise" or comparison.is_tie:
                continue
            (winner,), (loser,) = comparison.tiers
            for criterion in criteria:
                won, lost = ratings.get((criterion, winner)), ratings.get((criterion, loser))
                if won is not None and lost is not None and won != lost:
                    counts = self.consistent[criterion]
                    counts[0] += won > lost
                    counts[1] += 1

    def as_list(self) -> list[dict[str, Any]]:
        out = []
        for criterion, replies in sorted(self.sums.items()):
            agree, n = self.consistent.get(criterion, [0, 0])
            out.append(
                {
                    "criterion": criterion,
                    "replies": {k: {"n": c, "mean": round(s / c, 4)} for k, (c, s) in sorted(replies.items())},
                    "consistent_with_choice": {"n": n, "rate": round(agree / n, 4) if n else None},
                }
            )
        return out
