"""Krippendorff's alpha against his published examples and against the `krippendorff` package."""

import random

import krippendorff
import numpy as np
import pytest

from tessera.domain.agreement import LEVELS, Coincidences, krippendorff_alpha

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example C: four observers, twelve
# units, missing values. Published: nominal 0.743, ordinal 0.815, interval 0.849.
MISSING = None
EXAMPLE_C = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, MISSING, MISSING, MISSING],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, MISSING, 3],
    [MISSING, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, MISSING],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, MISSING],
]
# Same paper, example A: two observers, binary data, ten units. Published nominal alpha 0.095.
EXAMPLE_A = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]


def units_of(rows: list[list]) -> list[list]:
    return [[row[u] for row in rows if row[u] is not MISSING] for u in range(len(rows[0]))]


@pytest.mark.parametrize(("level", "published"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)])
def test_published_example_with_missing_values(level: str, published: float) -> None:
    score = krippendorff_alpha(units_of(EXAMPLE_C), level)
    assert score.value == pytest.approx(published, abs=5e-4)
    assert score.n == 11  # unit 12 has a single value and is not pairable


def test_published_binary_example() -> None:
    assert krippendorff_alpha(units_of(EXAMPLE_A), "nominal").value == pytest.approx(0.095, abs=5e-4)


def matrix_of(units: list[list[float]], raters: int) -> np.ndarray:
    out = np.full((raters, len(units)), np.nan)
    for u, values in enumerate(units):
        out[: len(values), u] = values
    return out


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("level", LEVELS)
def test_matches_the_krippendorff_package_on_random_data(seed: int, level: str) -> None:
    rng = random.Random(seed)
    units = []
    for _ in range(150):
        truth = rng.randint(1, 7)
        units.append([min(7, max(1, truth + rng.choice([-1, 0, 0, 1]))) for _ in range(rng.randint(1, 5))])
    expected = krippendorff.alpha(reliability_data=matrix_of(units, 5), level_of_measurement=level)
    assert krippendorff_alpha(units, level).value == pytest.approx(expected, abs=1e-9)


def test_interval_alpha_on_fractional_numbers() -> None:
    rng = random.Random(9)
    units = [[round(rng.gauss(u % 10, 1.5), 2) for _ in range(3)] for u in range(100)]
    expected = krippendorff.alpha(reliability_data=matrix_of(units, 3), level_of_measurement="interval")
    assert krippendorff_alpha(units, "interval").value == pytest.approx(expected, abs=1e-9)


def test_a_pair_table_gives_the_same_alpha_as_the_units() -> None:
    pairs = [(1, 1), (1, 2), (2, 2), (3, 2), (3, 3), (1, 1)]
    direct = krippendorff_alpha([list(p) for p in pairs], "ordinal").value
    matrix = Coincidences()
    matrix.add_pair(1, 1, 2)
    for a, b in pairs[1:5]:
        matrix.add_pair(a, b)
    assert matrix.alpha("ordinal").value == pytest.approx(direct, abs=1e-12)


def test_undefined_alpha_says_why() -> None:
    same = krippendorff_alpha([[3, 3], [3, 3, 3]], "interval")
    assert same.value is None and "expected disagreement is 0" in (same.reason or "")
    assert krippendorff_alpha([[1], [2]], "nominal").reason == "no task has answers from two or more annotators"
    assert krippendorff_alpha([], "ordinal").value is None
    words = krippendorff_alpha([["a", "b"], ["a", "a"]], "interval")
    assert words.value is None and words.reason == "the answers are not numbers"
    # Words are fine for nominal alpha: D_o = 2/4, D_e = (16 - 9 - 1) / 12, so alpha is exactly 0.
    assert krippendorff_alpha([["a", "b"], ["a", "a"]], "nominal").value == pytest.approx(0.0, abs=1e-15)
