"""Kendall's tau between two annotators' orders of the same items (Ranker results).

Tau-b, so that tied ranks (items in one bucket, when a caller ranks by bucket) are handled; with no ties it
equals the textbook (concordant - discordant) / (n (n - 1) / 2). Only items both annotators ranked count.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from math import sqrt

from tessera.domain.agreement.scores import Score

TOO_FEW = "fewer than two items ranked by both annotators"
ALL_TIED = "one annotator ranked every shared item the same, so tau is undefined"


def kendall_tau(first: Mapping[Hashable, float], second: Mapping[Hashable, float]) -> Score:
    """Tau-b of two rankings given as item -> rank (smaller ranks first)."""
    items = [item for item in first if item in second]
    n = len(items)
    if n < 2:
        return Score.undefined(TOO_FEW, n)
    concordant = discordant = ties_first = ties_second = 0
    for i in range(n):
        a1, b1 = first[items[i]], second[items[i]]
        for j in range(i + 1, n):
            da = a1 - first[items[j]]
            db = b1 - second[items[j]]
            if da == 0 and db == 0:
                continue
            if da == 0:
                ties_first += 1
            elif db == 0:
                ties_second += 1
            elif (da > 0) == (db > 0):
                concordant += 1
            else:
                discordant += 1
    left = concordant + discordant + ties_first
    right = concordant + discordant + ties_second
    if left == 0 or right == 0:
        return Score.undefined(ALL_TIED, n)
    return Score((concordant - discordant) / sqrt(left * right), n)
