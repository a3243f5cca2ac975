"""Position bias arithmetic (`domain.position_bias`): the exact binomial test against scipy, and which reply
counts as shown first."""

from __future__ import annotations

import pytest
from scipy.stats import binomtest

from tessera.domain.position_bias import FIRST, SECOND, TIE, PositionBias, binomial_p_value, decision, shown_order
from tessera.domain.preferences import Comparison


@pytest.mark.parametrize(("k", "n"), [(0, 1), (1, 1), (3, 10), (5, 10), (9, 10), (40, 100), (61, 100), (0, 300)])
@pytest.mark.parametrize("p", [0.5, 0.3])
def test_binomial_p_value_matches_scipy(k: int, n: int, p: float) -> None:
    assert binomial_p_value(k, n, p) == pytest.approx(binomtest(k, n, p).pvalue, rel=1e-9, abs=1e-300)


def test_binomial_p_value_of_nothing() -> None:
    assert binomial_p_value(0, 0) is None
    assert binomial_p_value(5000, 10000) == pytest.approx(binomtest(5000, 10000).pvalue, rel=1e-9)


def pair(winner: str | None) -> Comparison:
    tiers = (("a", "b"),) if winner is None else ((winner,), ({"a": "b", "b": "a"}[winner],))
    return Comparison("pw", "pairwise", {"a": "A", "b": "B"}, tiers)


def test_the_shown_order_decides_who_was_first() -> None:
    assert decision(pair("a"), ["a", "b"]) == FIRST
    assert decision(pair("a"), ["b", "a"]) == SECOND
    assert decision(pair(None), ["b", "a"]) == TIE
    assert shown_order(pair("a"), {"pw": ["b", "a"]}, "pw") == ["b", "a"]
    for presentation in (None, {}, {"pw": "ba"}, {"pw": ["b"]}, {"other": ["b", "a"]}, {"pw": ["x", "y"]}):
        assert shown_order(pair("a"), presentation, "pw") is None


def test_counts_known_and_unknown_orders_apart() -> None:
    bias = PositionBias()
    bias.add(pair("a"), {"pw": ["b", "a"]}, 1)  # b shown left, a won: the second shown won
    bias.add(pair("b"), {"pw": ["b", "a"]}, 1)  # first shown won
    bias.add(pair("b"), {"pw": ["b", "a"]}, 2)
    bias.add(pair("a"), None, 2)  # config order assumed: left won
    bias.add(pair(None), None, 2)
    report = bias.as_dict()
    assert report["shown"] == {"first": 2, "second": 1, "ties": 0, "decided": 3, "first_rate": 0.6667,
                               "p_value": pytest.approx(1.0)}  # fmt: skip
    assert report["unknown_order"]["first"] == 1 and report["unknown_order"]["ties"] == 1
    mine = {row["annotator"]: row for row in report["per_annotator"]}
    assert mine[1]["shown"]["first"] == 1 and mine[1]["shown"]["second"] == 1
    assert mine[2]["unknown_order"]["decided"] == 1


def test_a_ranking_looks_at_the_first_two_items_shown() -> None:
    ranking = Comparison("rank", "ranking", {"x": "X", "y": "Y", "z": "Z"}, (("z",), ("x",), ("y",)))
    order = shown_order(ranking, {"rank": ["y", "z", "x"]}, "rank")
    assert order == ["y", "z", "x"] and decision(ranking, order) == SECOND
    assert decision(ranking, ["z", "y", "x"]) == FIRST
    partial = Comparison("rank", "ranking", {"x": "X", "y": "Y", "z": "Z"}, (("z",), ("x",)))
    assert decision(partial, ["y", "z", "x"]) is None  # y was left unsorted
    choice = Comparison("pick", "choice", {"a": "A", "b": "B", "c": "C"}, (("c",), ("a", "b")))
    assert decision(choice, ["a", "b", "c"]) == TIE
