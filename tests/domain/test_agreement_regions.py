"""Span and box matching: IoU, the greedy one-to-one rule, precision, recall, F1 and mean IoU."""

import pytest

from tessera.domain.agreement import MatchCounts, Region, box_iou, match_regions, span_iou


def span(start: int, end: int, label: str = "PER") -> Region:
    return Region(frozenset({label}), (start, end))


def box(x: float, y: float, w: float, h: float, label: str = "car") -> Region:
    return Region(frozenset({label}), (x, y, w, h))


def test_span_iou() -> None:
    assert span_iou((0, 10), (5, 15)) == pytest.approx(5 / 15)
    assert span_iou((0, 5), (5, 10)) == 0.0  # end is exclusive: touching spans do not overlap
    assert span_iou((3, 7), (3, 7)) == 1.0


def test_box_iou() -> None:
    assert box_iou((0, 0, 10, 10), (5, 5, 10, 10)) == pytest.approx(25 / 175)
    assert box_iou((0, 0, 10, 10), (10, 0, 10, 10)) == 0.0
    assert box_iou((10, 20, 30, 40), (10, 20, 30, 40)) == 1.0
    assert box_iou((0, 0, 10, 10), (2, 2, 5, 5)) == pytest.approx(25 / 100)


def test_labels_must_match() -> None:
    assert match_regions([span(0, 5, "PER")], [span(0, 5, "ORG")], 0.5) == []


def test_greedy_takes_the_best_overlap_first_and_one_to_one() -> None:
    first = [span(0, 10), span(0, 9)]
    second = [span(0, 10)]
    assert match_regions(first, second, 0.5) == [(0, 0, 1.0)]


def test_threshold_is_inclusive_and_zero_means_any_overlap() -> None:
    half = (span(0, 10), span(5, 15))  # IoU = 1/3
    assert match_regions([half[0]], [half[1]], 1 / 3) == [(0, 0, pytest.approx(1 / 3))]
    assert match_regions([half[0]], [half[1]], 0.34) == []
    assert match_regions([span(0, 10)], [span(9, 30)], 0.0) != []
    assert match_regions([span(0, 10)], [span(10, 30)], 0.0) == []


def test_counts_give_precision_recall_f1_and_mean_iou() -> None:
    counts = MatchCounts()
    # first marks 3 regions, second 2; two match with IoU 1.0 and 0.8.
    counts.add([span(0, 10), span(20, 30), span(50, 60)], [span(0, 10), span(20, 30.0 - 2)], 0.5)
    assert counts.matched == 2 and counts.first == 3 and counts.second == 2
    assert counts.precision().value == pytest.approx(2 / 3)
    assert counts.recall().value == pytest.approx(1.0)
    assert counts.f1().value == pytest.approx(0.8)
    assert counts.mean_iou().value == pytest.approx((1.0 + 0.8) / 2)
    assert counts.percent().value == 0.0
    flipped = counts.reversed()
    assert flipped.precision().value == pytest.approx(1.0) and flipped.recall().value == pytest.approx(2 / 3)


def test_both_empty_is_an_identical_task_but_has_no_f1() -> None:
    counts = MatchCounts()
    counts.add([], [], 0.5)
    assert counts.percent().value == 1.0
    assert counts.f1().value is None and counts.f1().reason == "neither annotator marked a region"
    assert counts.mean_iou().value is None


def test_boxes_matched_under_threshold_count_as_misses() -> None:
    counts = MatchCounts()
    counts.add([box(0, 0, 10, 10)], [box(5, 5, 10, 10)], 0.5)
    assert counts.f1().value == 0.0
    counts.add([box(0, 0, 10, 10)], [box(1, 0, 10, 10)], 0.5)
    assert counts.f1().value == pytest.approx(0.5)
    assert counts.mean_iou().value == pytest.approx(90 / 110)


def turned(x: float, y: float, w: float, h: float, rotation: float, size: tuple[int, int]) -> tuple[float, ...]:
    return (x, y, w, h, rotation, *size)


def test_rotated_boxes_compare_as_polygons_in_pixels() -> None:
    # A square turned by 90 degrees about its top-left corner lands left of where it was: no overlap.
    assert box_iou(turned(50, 50, 10, 10, 90, (100, 100)), (50, 50, 10, 10)) == 0.0
    # Turned by 180 degrees about (60, 60) it covers 40..60 on both axes: exactly the box at (40, 40).
    assert box_iou(turned(60, 60, 20, 20, 180, (100, 100)), (40, 40, 20, 20)) == pytest.approx(1.0)
    # A 10x10 square turned 45 degrees about its corner against itself unturned: the overlap is the diamond's
    # right half (area 50) less the tip above y = 10 (legs 10 * sqrt(2) - 10), i.e. 100 * (sqrt(2) - 1).
    assert box_iou(turned(20, 20, 10, 10, 45, (100, 100)), (20, 20, 10, 10)) == pytest.approx(
        (10 * 10 * (2**0.5 - 1)) / (200 - 10 * 10 * (2**0.5 - 1)), abs=1e-9
    )


def test_rotation_uses_the_image_size() -> None:
    # On a 200x100 image, 10% x 20% is a 20x20 pixel square: turned by 90 degrees about its corner it covers
    # the square to its left, so a box there (x 40..50 %, y 50..70 %) matches it exactly.
    assert box_iou(turned(50, 50, 10, 20, 90, (200, 100)), (40, 50, 10, 20)) == pytest.approx(1.0)
    # In percent units (no image size), the same numbers make a 10x20 box turned into a 20x10 one.
    assert box_iou((50, 50, 10, 20, 90), (40, 50, 10, 20)) < 0.5
