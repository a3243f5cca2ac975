"""Agreement between annotators on compared pairs: every pair of replies two or more annotators placed is a
unit, and each annotator's verdict on it (the earlier reply in config order wins, the later wins, or a tie)
a nominal answer. Percent agreement (the mean share of agreeing annotator pairs), Fleiss' kappa and
Krippendorff's alpha (nominal) come from `tessera.domain.agreement`'s accumulators.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from tessera.domain.agreement import Coincidences, FleissCounts
from tessera.domain.preferences import Comparison

EARLIER, LATER, TIE = "earlier", "later", "tie"


def pair_verdicts(comparison: Comparison) -> dict[tuple[str, str], str]:
    """{(x, y): verdict} for every pair of placed replies, x before y in config order."""
    place = {key: i for i, tier in enumerate(comparison.tiers) for key in tier}
    keys = [key for key in comparison.replies if key in place]
    verdicts = {}
    for i, x in enumerate(keys):
        for y in keys[i + 1 :]:
            verdicts[(x, y)] = TIE if place[x] == place[y] else EARLIER if place[x] < place[y] else LATER
    return verdicts


class PairAgreement:
    """Filled one task and control at a time with each annotator's comparison."""

    def __init__(self) -> None:
        self.fleiss = FleissCounts()
        self.alpha = Coincidences()

    def add_task(self, comparisons: Mapping[Any, Comparison]) -> None:
        answers: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
        for comparison in comparisons.values():
            for pair, verdict in pair_verdicts(comparison).items():
                answers[pair].append(verdict)
        for given in answers.values():
            if len(given) >= 2:
                self.fleiss.add(given)
                self.alpha.add(given)

    def as_dict(self) -> dict[str, Any]:
        return {
            "pairs": self.fleiss.units,
            "percent": self.fleiss.percent().as_dict(),
            "fleiss_kappa": self.fleiss.kappa().as_dict(),
            "krippendorff_alpha": self.alpha.alpha("nominal").as_dict(),
        }
