"""The whole report on real crowd data against the outside oracles: statsmodels (Fleiss' and Cohen's kappa)
and the `krippendorff` package (alpha), to 1e-9.

Rzhetsky et al. (2009): 15,521 sentences, 8 curators, exactly 3 answers per sentence on a 1-5 scale.
VADER: 7,520 lexicon tokens, 10 raters each, -4..4. Both ship in tests/fixtures/crowd (sources and licences
in its README).
"""

from __future__ import annotations

import csv
from itertools import combinations
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from statsmodels.stats.inter_rater import aggregate_raters, cohens_kappa, fleiss_kappa, to_table

from tessera.domain.agreement import AgreementReport
from tessera.domain.config import parse_config

DATA = Path(__file__).resolve().parents[1] / "fixtures" / "crowd"
RZHETSKY = DATA / "crowd_rzhetsky2009.csv"
VADER = DATA / "ratings_vader10.tsv"
ORACLE = 1e-9


def read(path: Path, delimiter: str) -> list[list[float | None]]:
    """Rows of ratings, one column per annotator, None where an annotator gave none."""
    with path.open(newline="") as f:
        rows = list(csv.reader(f, delimiter=delimiter))[1:]
    return [[float(v) if v != "" else None for v in row[1:]] for row in rows]


def report_of(rows: list[list[float | None]], config: str, control: str, key: str) -> dict:
    report = AgreementReport(parse_config(config))
    for task, row in enumerate(rows):
        results = {
            annotator: [{"from_name": control, "to_name": "text", "type": key, "value": {key: value}}]
            for annotator, value in enumerate(row)
            if value is not None
        }
        report.add_task(task, results)
    return report.as_dict()["controls"][control]["metrics"]


def reliability(rows: list[list[float | None]]) -> np.ndarray:
    return np.array([[np.nan if v is None else v for v in row] for row in rows]).T


@pytest.fixture(scope="module")
def rzhetsky() -> tuple[list[list[float | None]], dict]:
    rows = read(RZHETSKY, ",")
    config = '<View><Text name="text" value="$text"/><Rating name="r" toName="text" maxRating="5"/></View>'
    return rows, report_of(rows, config, "r", "rating")


@pytest.fixture(scope="module")
def vader() -> tuple[list[list[float | None]], dict]:
    rows = read(VADER, "\t")
    config = '<View><Text name="text" value="$text"/><Number name="n" toName="text" min="-4" max="4"/></View>'
    return rows, report_of(rows, config, "n", "number")


@pytest.mark.parametrize("dataset", ["rzhetsky", "vader"])
def test_fleiss_kappa_equals_statsmodels(dataset: str, request: pytest.FixtureRequest) -> None:
    rows, metrics = request.getfixturevalue(dataset)
    table, _ = aggregate_raters([[v for v in row if v is not None] for row in rows])
    assert metrics["fleiss_kappa"]["value"] == pytest.approx(fleiss_kappa(table), abs=ORACLE)
    assert metrics["fleiss_kappa"]["n"] == len(rows)


@pytest.mark.parametrize("dataset", ["rzhetsky", "vader"])
@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
def test_alpha_equals_the_krippendorff_package(dataset: str, level: str, request: pytest.FixtureRequest) -> None:
    rows, metrics = request.getfixturevalue(dataset)
    expected = krippendorff.alpha(reliability_data=reliability(rows), level_of_measurement=level)
    assert metrics[f"krippendorff_alpha_{level}"]["value"] == pytest.approx(expected, abs=ORACLE)


@pytest.mark.parametrize("dataset", ["rzhetsky", "vader"])
def test_every_pair_cohen_kappa_equals_statsmodels(dataset: str, request: pytest.FixtureRequest) -> None:
    rows, metrics = request.getfixturevalue(dataset)
    pairs = {tuple(p["annotators"]): p for p in metrics["cohen_kappa"]["per_pair"]}
    raters = len(rows[0])
    checked = 0
    for a, b in combinations(range(raters), 2):
        shared = np.array([(row[a], row[b]) for row in rows if row[a] is not None and row[b] is not None])
        if len(shared) == 0:
            assert (a, b) not in pairs
            continue
        table, _ = to_table(shared)
        assert pairs[(a, b)]["value"] == pytest.approx(cohens_kappa(table).kappa, abs=ORACLE)
        assert pairs[(a, b)]["n"] == len(shared)
        checked += 1
    assert checked == len(pairs) >= raters - 1
    # The project's Cohen's kappa is Light's: the mean of the pair kappas.
    mean = sum(p["value"] for p in pairs.values()) / len(pairs)
    assert metrics["cohen_kappa"]["value"] == pytest.approx(mean, abs=ORACLE)


def test_per_annotator_is_the_mean_of_its_pairs(rzhetsky: tuple[list, dict]) -> None:
    _rows, metrics = rzhetsky
    pairs = metrics["percent_agreement"]["per_pair"]
    for entry in metrics["percent_agreement"]["per_annotator"]:
        mine = [p["value"] for p in pairs if entry["annotator"] in p["annotators"]]
        assert entry["value"] == pytest.approx(sum(mine) / len(mine))
        assert entry["n"] == len(mine)
