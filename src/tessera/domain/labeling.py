"""Small rules about labeling state shared by every write path."""

from __future__ import annotations


def task_is_labeled(total: int, cancelled: int, overlap: int, skip_queue: str = "REQUEUE_FOR_OTHERS") -> bool:
    """A task is labeled once it has `overlap` completed annotations. Skips count as completed only when
    the project ignores skipped tasks (they never come back)."""
    return counted_done(total, cancelled, skip_queue) >= max(1, overlap)


def counted_done(total: int, cancelled: int, skip_queue: str) -> int:
    """The annotations that fill a task's slots: the completed ones, and the skips when skips are final."""
    return total + (cancelled if skip_queue == "IGNORE_SKIPPED" else 0)
