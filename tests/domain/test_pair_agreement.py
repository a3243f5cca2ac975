"""Agreement on compared pairs (`domain.pair_agreement`) against statsmodels and krippendorff."""

from __future__ import annotations

import random

import krippendorff
import numpy as np
import pytest
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

from tessera.domain.pair_agreement import PairAgreement, pair_verdicts
from tessera.domain.preferences import Comparison

CODES = {"earlier": 0, "later": 1, "tie": 2}


def pairwise(winner: str | None) -> Comparison:
    tiers = (("a", "b"),) if winner is None else ((winner,), ("b" if winner == "a" else "a",))
    return Comparison("pw", "pairwise", {"a": "A", "b": "B"}, tiers)


def test_a_ranking_gives_a_verdict_per_pair_in_config_order() -> None:
    ranking = Comparison("rank", "ranking", {"x": 1, "y": 2, "z": 3}, (("z",), ("x", "y")))
    assert pair_verdicts(ranking) == {("x", "y"): "tie", ("x", "z"): "later", ("y", "z"): "later"}


def test_matches_the_oracles_on_three_annotators() -> None:
    rng = random.Random(7)
    agreement = PairAgreement()
    table = []
    for _ in range(60):
        truth = rng.choice(["a", "b"])
        votes = [truth if rng.random() < 0.8 else rng.choice(["a", "b", None]) for _ in range(3)]
        agreement.add_task({who: pairwise(v) for who, v in enumerate(votes)})
        table.append([CODES[pair_verdicts(pairwise(v))[("a", "b")]] for v in votes])
    report = agreement.as_dict()
    data = np.array(table)
    counts, _ = aggregate_raters(data)
    assert report["pairs"] == 60
    assert report["fleiss_kappa"]["value"] == pytest.approx(fleiss_kappa(counts, method="fleiss"), abs=1e-9)
    alpha = krippendorff.alpha(reliability_data=data.T, level_of_measurement="nominal")
    assert report["krippendorff_alpha"]["value"] == pytest.approx(alpha, abs=1e-9)
    same = np.mean([sum(r[i] == r[j] for i in range(3) for j in range(i + 1, 3)) / 3 for r in table])
    assert report["percent"]["value"] == pytest.approx(same, abs=1e-9)


def test_one_annotator_is_no_unit() -> None:
    agreement = PairAgreement()
    agreement.add_task({1: pairwise("a")})
    assert agreement.as_dict()["pairs"] == 0 and agreement.as_dict()["fleiss_kappa"]["value"] is None
