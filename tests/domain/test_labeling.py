"""When a task counts as labeled, and which tasks an overlap cohort takes."""

from __future__ import annotations

import pytest

from tessera.domain.labeling import cohort_slot, task_is_labeled, task_overlap


@pytest.mark.parametrize("percentage", [0, 1, 33, 50, 99, 100])
def test_every_run_of_100_consecutive_tasks_holds_exactly_the_cohort_share(percentage: int) -> None:
    for start in (1, 17, 100, 123_457):
        wanting_three = sum(task_overlap(3, percentage, i) == 3 for i in range(start, start + 100))
        assert wanting_three == percentage
    assert sorted(cohort_slot(i) for i in range(1, 101)) == list(range(100))


def test_the_cohort_is_spread_rather_than_the_first_tasks() -> None:
    first_ten = [task_overlap(2, 50, i) for i in range(1, 11)]
    assert 2 in first_ten and 1 in first_ten


def test_overlap_one_and_full_cohorts_ignore_the_share() -> None:
    assert {task_overlap(1, 10, i) for i in range(1, 200)} == {1}
    assert {task_overlap(4, 100, i) for i in range(1, 200)} == {4}


def test_skips_fill_slots_only_when_skipped_tasks_never_come_back() -> None:
    assert task_is_labeled(1, 0, 1) and not task_is_labeled(0, 1, 1)
    assert task_is_labeled(0, 1, 1, "IGNORE_SKIPPED") and not task_is_labeled(1, 0, 2)
