"""Small rules about labeling state shared by every write path."""

from __future__ import annotations


def task_is_labeled(total: int, cancelled: int, overlap: int, skip_queue: str = "REQUEUE_FOR_OTHERS") -> bool:
    """A task is labeled once it has `overlap` completed annotations. Skips count as completed only when
    the project ignores skipped tasks (they never come back)."""
    return counted_done(total, cancelled, skip_queue) >= max(1, overlap)


def counted_done(total: int, cancelled: int, skip_queue: str) -> int:
    """The annotations that fill a task's slots: the completed ones, and the skips when skips are final."""
    return total + (cancelled if skip_queue == "IGNORE_SKIPPED" else 0)


COHORT_STRIDE = 79  # coprime with 100: spreads consecutive inner ids over every residue 0..99


def cohort_slot(inner_id: int) -> int:
    """A task's place 0..99 in its run of 100 consecutive tasks, shuffled so that a cohort is not a prefix."""
    return ((inner_id % 100) * COHORT_STRIDE) % 100


def task_overlap(overlap: int, cohort_percentage: int, inner_id: int) -> int:
    """Label Studio's `overlap_cohort_percentage`: that share of tasks wants `overlap` annotations, the rest one.
    Which tasks is decided by `cohort_slot`, so exactly that share of every 100 consecutive tasks is in."""
    if overlap <= 1 or cohort_percentage >= 100 or cohort_slot(inner_id) < cohort_percentage:
        return max(1, overlap)
    return 1
