"""Consensus labels from several annotators' answers: majority vote, and Dawid–Skene, which learns how reliable
each annotator is (a confusion matrix per person) and weighs their answers by it.

Input is one list of (annotator, label) votes per item; labels are any hashable values (a choice, a rating).
Both methods answer, per item, the label and a confidence in [0, 1]: the share of votes for majority vote, the
posterior probability for Dawid–Skene. Ties in majority vote go to the label that sorts first, so the answer
does not depend on the order votes arrived in. Dawid–Skene is in `dawid_skene`: it needs numpy, which this
module does not load.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

Vote = tuple[Hashable, Hashable]  # (annotator, label)


@dataclass(frozen=True)
class Consensus:
    label: Hashable
    confidence: float
    votes: int


def sort_key(label: Hashable) -> tuple[int, float, str]:
    """Numbers in numeric order before everything else in text order: a total order over mixed labels."""
    if isinstance(label, int | float):
        return (0, float(label), "")
    return (1, 0.0, str(label))


def majority_vote(votes: Sequence[Vote]) -> Consensus | None:
    """The most frequent label among the votes (one vote per annotator: the last one counts)."""
    latest = dict(votes)
    if not latest:
        return None
    counts = Counter(latest.values())
    top = max(counts.values())
    label = min((lab for lab, n in counts.items() if n == top), key=sort_key)
    return Consensus(label, top / len(latest), len(latest))


def majority_votes(items: Mapping[Hashable, Sequence[Vote]]) -> dict[Hashable, Consensus]:
    out = {}
    for item, votes in items.items():
        found = majority_vote(votes)
        if found is not None:
            out[item] = found
    return out
