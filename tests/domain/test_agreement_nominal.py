"""Percent agreement, Cohen's and Fleiss' kappa against published worked examples and statsmodels/sklearn."""

import random

import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from tessera.domain.agreement import FleissCounts, PairTable, cohen_kappa, fleiss_kappa

# Fleiss' kappa worked example (Wikipedia, "Fleiss' kappa"): 10 subjects, 14 raters, 5 categories; the
# article gives P-bar = 0.378, P_e = 0.213 and kappa = 0.210.
FLEISS_TABLE = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def units_of(table: list[list[int]]) -> list[list[int]]:
    return [[category for category, count in enumerate(row) for _ in range(count)] for row in table]


def test_fleiss_worked_example() -> None:
    counts = FleissCounts()
    for unit in units_of(FLEISS_TABLE):
        counts.add(unit)
    assert counts.percent().value == pytest.approx(0.378, abs=5e-4)
    assert counts.chance() == pytest.approx(0.213, abs=5e-4)
    assert counts.kappa().value == pytest.approx(0.210, abs=5e-4)
    assert counts.kappa().n == 10


def contingency(table: list[list[int]]) -> tuple[list[str], list[str]]:
    first, second = [], []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            first += [f"c{i}"] * count
            second += [f"c{j}"] * count
    return first, second


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        # Wikipedia, "Cohen's kappa": 50 grant proposals read by two readers, p_o = 0.7, p_e = 0.5, kappa 0.4.
        ([[20, 5], [10, 15]], 0.4),
        # Same article: equal observed agreement (0.60), different marginals, kappas 0.1304 and 0.2593.
        ([[45, 15], [25, 15]], 0.1304),
        ([[25, 35], [5, 35]], 0.2593),
    ],
)
def test_cohen_textbook_examples(table: list[list[int]], expected: float) -> None:
    assert cohen_kappa(*contingency(table)).value == pytest.approx(expected, abs=5e-5)


def test_percent_agreement_of_a_pair() -> None:
    table = PairTable()
    for a, b in [("x", "x"), ("x", "y"), ("y", "y"), ("y", "y")]:
        table.add(a, b)
    assert table.percent().value == 0.75
    assert table.percent().n == 4


@pytest.mark.parametrize("seed", range(5))
def test_cohen_matches_sklearn_on_random_answers(seed: int) -> None:
    rng = random.Random(seed)
    first = [rng.choice("abcd") for _ in range(300)]
    second = [a if rng.random() < 0.6 else rng.choice("abcd") for a in first]
    assert cohen_kappa(first, second).value == pytest.approx(cohen_kappa_score(first, second), abs=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_fleiss_matches_statsmodels_on_random_answers(seed: int) -> None:
    rng = random.Random(seed)
    units = []
    for _ in range(200):
        truth = rng.randrange(4)
        units.append([truth if rng.random() < 0.5 else rng.randrange(4) for _ in range(5)])
    table, _ = aggregate_raters(units)
    assert fleiss_kappa(units).value == pytest.approx(sm_fleiss_kappa(table), abs=1e-12)


def test_fleiss_with_missing_raters_weighs_each_task_equally() -> None:
    # Task 1: 3 raters, 1 agreeing pair of 3; task 2: 2 raters agreeing; task 3 has one rater and is left out.
    counts = FleissCounts()
    counts.add(["a", "a", "b"])
    counts.add(["b", "b"])
    counts.add(["a"])
    assert counts.units == 2
    assert counts.percent().value == pytest.approx((1 / 3 + 1) / 2)
    chance = (2 / 5) ** 2 + (3 / 5) ** 2
    assert counts.kappa().value == pytest.approx(((1 / 3 + 1) / 2 - chance) / (1 - chance))


def test_multi_choice_answers_agree_only_when_the_sets_are_equal() -> None:
    both = frozenset({"a", "b"})
    table = PairTable()
    table.add(both, frozenset({"b", "a"}))
    table.add(both, frozenset({"a"}))
    assert table.percent().value == 0.5


def test_undefined_kappas_say_why() -> None:
    one_category = cohen_kappa(["a", "a", "a"], ["a", "a", "a"])
    assert one_category.value is None and "chance agreement is 1" in (one_category.reason or "")
    assert fleiss_kappa([["a", "a"], ["a", "a", "a"]]).value is None
    empty = fleiss_kappa([])
    assert empty.value is None and empty.reason and "two or more" in empty.reason
    lonely = fleiss_kappa([["a"], ["b"]])
    assert lonely.value is None and lonely.n == 0
    assert PairTable().cohen_kappa().reason == "no task has answers from both annotators"
