"""Consensus labels: small cases worked by hand, and crowd-kit's majority vote and Dawid–Skene as outside
oracles on the Rzhetsky et al. (2009) crowd labels (15,521 items, three annotators each)."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from tessera.domain.consensus import Consensus, majority_vote, majority_votes
from tessera.domain.dawid_skene import dawid_skene


# crowd-kit calls pandas in ways newer pandas warns about; those warnings are theirs, not ours.
def ORACLE_WARNINGS(test):  # noqa: N802 - reads as a decorator
    test = pytest.mark.filterwarnings("ignore::DeprecationWarning")(test)
    return pytest.mark.filterwarnings("ignore::FutureWarning")(test)


RZHETSKY = Path(__file__).parent.parent / "fixtures" / "crowd" / "crowd_rzhetsky2009.csv"


def _rzhetsky() -> dict[int, list[tuple[str, int]]]:
    items: dict[int, list[tuple[str, int]]] = {}
    with RZHETSKY.open(newline="") as f:
        for row in csv.DictReader(f):
            item = int(row.pop("item"))
            items[item] = [(worker, int(label)) for worker, label in row.items() if label]
    return items


def test_majority_vote_counts_one_vote_per_annotator_and_breaks_ties_by_label_order() -> None:
    assert majority_vote([("a", "cat"), ("b", "dog"), ("c", "dog")]) == Consensus("dog", 2 / 3, 3)
    assert majority_vote([("a", "cat"), ("a", "dog"), ("b", "dog")]) == Consensus("dog", 1.0, 2)  # a changed mind
    assert majority_vote([("b", "dog"), ("a", "cat")]).label == "cat"
    assert majority_vote([("a", 10), ("b", 9)]).label == 9  # numbers in numeric order, not text order
    assert majority_vote([]) is None


def test_dawid_skene_trusts_the_annotators_who_agree_with_the_rest() -> None:
    """Two careful annotators and one who always answers "spam": on the items where the careful pair split,
    the one who agrees with the majority elsewhere wins, and the spammer's accuracy comes out lowest."""
    items: dict[int, list[tuple[str, str]]] = {}
    truth = ["spam" if i % 4 == 0 else "ham" for i in range(40)]
    for i, label in enumerate(truth):
        items[i] = [("careful1", label), ("careful2", label), ("spammer", "spam")]
    items[40] = [("careful1", "ham"), ("spammer", "spam")]
    fit = dawid_skene(items)
    assert fit.converged
    assert all(fit.items[i].label == label for i, label in enumerate(truth))
    assert fit.items[40].label == "ham" and fit.items[40].confidence > 0.9
    assert fit.annotator_accuracy["spammer"] < fit.annotator_accuracy["careful1"]


def test_dawid_skene_of_nothing_is_empty() -> None:
    assert dawid_skene({}).items == {}
    assert dawid_skene({1: []}).items == {}


@pytest.fixture(scope="module")
def crowd() -> tuple[dict[int, list[tuple[str, int]]], pd.DataFrame]:
    items = _rzhetsky()
    frame = pd.DataFrame(
        [(item, worker, label) for item, votes in items.items() for worker, label in votes],
        columns=["task", "worker", "label"],
    )
    return items, frame


def _same_share(ours: dict, theirs: pd.Series) -> float:
    return sum(ours[item].label == label for item, label in theirs.items()) / len(theirs)


@ORACLE_WARNINGS
def test_majority_vote_agrees_with_crowd_kit(crowd: tuple) -> None:
    from crowdkit.aggregation import MajorityVote

    items, frame = crowd
    theirs = MajorityVote().fit_predict(frame)
    ours = majority_votes(items)
    assert len(ours) == len(theirs) == 15521
    # crowd-kit breaks ties at random; on items without a tie the labels must be equal.
    untied = [i for i, votes in items.items() if majority_vote(votes).confidence > 0.5]
    assert all(ours[i].label == theirs[i] for i in untied)
    assert _same_share(ours, theirs) >= 0.99 or len(untied) / len(items) < 0.99


@ORACLE_WARNINGS
def test_dawid_skene_agrees_with_crowd_kit(crowd: tuple) -> None:
    from crowdkit.aggregation import DawidSkene

    items, frame = crowd
    theirs = DawidSkene(n_iter=100, tol=1e-5).fit_predict(frame)
    fit = dawid_skene(items, max_iterations=100, tolerance=1e-5)
    share = _same_share(fit.items, theirs)
    assert share >= 0.99, share
