"""Kendall's tau between two orders, against a hand count and against scipy."""

import random

import pytest
from scipy.stats import kendalltau

from tessera.domain.agreement import kendall_tau


def ranks(order: str) -> dict[str, int]:
    return {item: position for position, item in enumerate(order)}


def test_hand_counted_examples() -> None:
    assert kendall_tau(ranks("abcd"), ranks("abcd")).value == 1.0
    assert kendall_tau(ranks("abcd"), ranks("dcba")).value == -1.0
    # One swapped neighbour pair: 5 concordant, 1 discordant of 6 pairs.
    assert kendall_tau(ranks("abcd"), ranks("bacd")).value == pytest.approx(4 / 6)


def test_only_shared_items_count() -> None:
    score = kendall_tau(ranks("abcx"), ranks("ycab"))
    assert score.n == 3
    assert score.value == pytest.approx(-1 / 3)


@pytest.mark.parametrize("seed", range(5))
def test_matches_scipy_tau_b_with_ties(seed: int) -> None:
    rng = random.Random(seed)
    items = [f"i{n}" for n in range(12)]
    first = {item: rng.randint(1, 5) for item in items}
    second = {item: rng.randint(1, 5) for item in items}
    expected = kendalltau([first[i] for i in items], [second[i] for i in items]).statistic
    assert kendall_tau(first, second).value == pytest.approx(expected, abs=1e-12)


def test_undefined_tau_says_why() -> None:
    assert kendall_tau(ranks("a"), ranks("a")).reason == "fewer than two items ranked by both annotators"
    tied = kendall_tau({"a": 1, "b": 1}, {"a": 1, "b": 2})
    assert tied.value is None and tied.reason and "the same" in tied.reason
